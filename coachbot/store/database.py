"""Opening the SQLite file: WAL, foreign keys, migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from coachbot.store.migrations import migrations


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the bot's database with the pragmas it relies on."""
    # check_same_thread=False lets a dedicated worker thread reuse the connection for heavy jobs;
    # the bot itself only touches it from the event loop's thread.
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    db = Database(conn)
    if str(path) != ":memory:":
        db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA busy_timeout = 30000")
    if migrate:
        migrations.apply(db)
    return db


def schema_version(db: Database) -> list[str]:
    """Names of the migrations applied, in order."""
    return [m.name for m in migrations.applied(db)]


def backup(source: Path | str, target: Path | str) -> int:
    """Copy the database with SQLite's online backup (safe while the bot writes); page count."""
    target = Path(target)
    if target.exists():
        raise FileExistsError(target)
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        with dst:
            src.backup(dst, pages=256)
        pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"backup failed its integrity check: {check}")
        return pages
    finally:
        src.close()
        dst.close()


def restore(backup_file: Path | str, target: Path | str) -> list[str]:
    """Replace the database with a backup, then migrate it; migrations applied.

    The caller holds the instance lock (coachbot/store/lock.py), so no bot has the database
    open. The pages are written through SQLite (its backup API) rather than by deleting the
    -wal and -shm files and copying over the file: done under a bot that still had it open,
    that let the bot go on confirming writes into files nobody would read again."""
    source = sqlite3.connect(str(backup_file))
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"{backup_file} is damaged: {check}")
        target = Path(target)
        try:
            _copy(source, target)
        except sqlite3.DatabaseError:  # the file to replace is damaged or no database at all
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            _copy(source, target)
    finally:
        source.close()
    db = open_database(target)
    try:
        return schema_version(db)
    finally:
        db.conn.close()


def _copy(source: sqlite3.Connection, target: Path) -> None:
    dst = sqlite3.connect(str(target))
    try:
        with dst:
            source.backup(dst)
    finally:
        dst.close()
