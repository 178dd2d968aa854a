"""One CoachBot per database: an exclusive lock on `<db>.lock`, held for the process's life.

`coachbot run` takes it before it opens the database and `coachbot restore` takes it before it
replaces the file, so a second bot (which would re-send the first one's in-flight messages and
fight it for Telegram's updates) or a restore under a running bot (which would discard what
the bot confirms afterwards) stops at once with one line instead.

Why a flock() on a file rather than a pid file: the kernel drops the lock when the process
ends, however it ends (kill -9, the OOM killer, a power cut), so there is never a stale lock to
judge or delete by hand, and no pid that may have been reused by another program meanwhile. The
file's content (pid, command, start time) only tells a person who holds it. flock is not
reliable on network file systems, but neither is SQLite's WAL: the database must be on a
local disk anyway.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType


class DatabaseInUse(RuntimeError):
    """Another process holds the database's instance lock; the message names it."""


class DatabaseNotWritable(PermissionError):
    """The database file or its folder cannot be written; the message says which and why."""


def lock_path(db_path: Path) -> Path:
    """The lock file beside the database ("coachbot.db" -> "coachbot.db.lock")."""
    return db_path.with_name(db_path.name + ".lock")


class InstanceLock:
    """Held from acquire() until release() or the end of the process."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path, self._fd = path, fd

    @classmethod
    def acquire(cls, db_path: Path, *, purpose: str) -> InstanceLock:
        """Take the lock without waiting; DatabaseInUse if held, DatabaseNotWritable if the
        folder or the database cannot be written (checked first: a read-only database would
        let the bot start and then fail every write)."""
        check_writable(db_path)
        path = lock_path(db_path)
        try:
            # O_CLOEXEC: a program the bot might start must not inherit (and keep) the lock
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise DatabaseNotWritable(f"cannot create the lock file {path}: "
                                      f"{exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            raise DatabaseInUse(holder) from None
        except OSError:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, (f"pid {os.getpid()}, coachbot {purpose}, since "
                       f"{datetime.now(UTC).isoformat(timespec='seconds')}\n").encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        """Give the lock up (the file stays: deleting it would race with the next taker)."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = -1

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _read(fd: int) -> str:
    with contextlib.suppress(OSError):
        return os.pread(fd, 200, 0).decode(errors="replace").strip()
    return ""


def check_writable(db_path: Path) -> None:
    """DatabaseNotWritable unless the bot can create files beside the database (WAL needs
    -wal and -shm files there) and write the database and its WAL files if they exist.

    Tried for real rather than with os.access: permission bits do not tell about read-only
    mounts, and root passes every access() check."""
    folder = db_path.parent
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".coachbot-write-check-"):
            pass
    except OSError as exc:
        raise DatabaseNotWritable(f"the folder {folder} is not writable "
                                  f"({exc.strerror or exc}); the bot creates {db_path.name}-wal, "
                                  f"-shm and .lock files there") from exc
    for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        try:
            with path.open("r+b"):
                pass
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise DatabaseNotWritable(f"{path} is not writable ({exc.strerror or exc})") from exc
