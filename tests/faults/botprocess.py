"""The real `coachbot run` in a subprocess, long-polling a sandbox served by the test, so that
it can be killed with SIGKILL at any moment.

Every process started here is stopped by the test that started it, also when the test fails:
use BotProcess as `async with BotProcess(...) as bot:` (its exit kills and reaps what is still
running) and run one-shot commands with run_coachbot(). Each child gets its own process group
(so a kill reaches anything it started) and the kernel's parent-death signal (so it dies with
pytest even if pytest itself is killed). tests/processguard.py checks after every test.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from coachbot.app import SANDBOX_TOKEN
from coachbot.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when the parent (pytest) dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def coachbot_env(db_path: Path, sandbox: Sandbox | None = None,
                 **extra: str) -> dict[str, str]:
    """The environment of a `coachbot` child: this database, the sandbox's URLs if given."""
    env = {**os.environ, "COACHBOT_DB": str(db_path), "COACHBOT_LOG_LEVEL": "INFO"}
    env.pop("COACHBOT_CONFIG", None)
    if sandbox is not None:
        env.update(TELEGRAM_BOT_TOKEN=SANDBOX_TOKEN, TELEGRAM_API_URL=sandbox.base_url,
                   TELEGRAM_FILE_URL=sandbox.base_file_url)
    env.update(extra)
    return env


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # the child leads its own group: pgid == pid


class BotProcess:
    def __init__(self, sandbox: Sandbox, db_path: Path, log_dir: Path, *,
                 name: str = "bot") -> None:
        self.sandbox, self.db_path, self.log_dir, self.name = sandbox, db_path, log_dir, name
        self.proc: asyncio.subprocess.Process | None = None
        self.lives = 0

    async def __aenter__(self) -> BotProcess:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    @property
    def logs(self) -> list[Path]:
        return sorted(self.log_dir.glob(f"{self.name}-*.log"))

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def start(self, *prefix: str) -> None:
        """Start `coachbot run` (prefix: a command that runs it, e.g. setpriv ...)."""
        assert not self.running
        self.lives += 1
        env = coachbot_env(self.db_path, self.sandbox)
        log = (self.log_dir / f"{self.name}-{self.lives:02d}.log").open("wb")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *prefix, sys.executable, "-m", "coachbot", "run", env=env, stdout=log,
                stderr=log, cwd=str(REPO), start_new_session=True,
                preexec_fn=_die_with_parent)
        finally:
            log.close()

    async def kill(self) -> None:
        """kill -9: no cleanup of any kind."""
        assert self.proc is not None
        if self.proc.returncode is None:
            _kill_group(self.proc.pid)
        await self.proc.wait()

    async def stop(self, timeout: float = 30) -> int:
        """SIGTERM: PTB stops polling, the sender finishes the message it is sending."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                await self.kill()
                raise
        return self.proc.returncode or 0

    async def wait(self, timeout: float) -> int:
        """The exit code of a process expected to end by itself (killed if it does not)."""
        assert self.proc is not None
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            await self.kill()
            raise

    async def close(self) -> None:
        """Kill and reap whatever is still running (the test is over, passed or failed)."""
        if self.proc is None or self.proc.returncode is not None:
            return  # reaped: its group id may belong to someone else by now
        _kill_group(self.proc.pid)
        await self.proc.wait()

    def output(self) -> str:
        """Everything the bot wrote in all its lives."""
        return "".join(path.read_text(errors="replace") for path in self.logs)

    def problems_in_logs(self) -> list[str]:
        """Tracebacks and ERROR lines the bot logged in any of its lives."""
        found = []
        for path in self.logs:
            for line in path.read_text(errors="replace").splitlines():
                if " ERROR " in line or line.startswith("Traceback") or " CRITICAL " in line:
                    found.append(f"{path.name}: {line[:300]}")
        return found


@dataclass(frozen=True)
class Finished:
    """What a one-shot `coachbot` command did."""

    returncode: int
    stdout: str
    stderr: str


def run_coachbot(*args: str, env: Mapping[str, str], prefix: tuple[str, ...] = (),
                 timeout: float = 60) -> Finished:
    """Run `coachbot ARGS` to its end (its whole process group killed if it overstays)."""
    proc = subprocess.Popen(
        [*prefix, sys.executable, "-m", "coachbot", *args], env=dict(env), cwd=str(REPO),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, preexec_fn=_die_with_parent)
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException:  # overstayed, or the test was interrupted: kill before reaping
        _kill_group(proc.pid)
        proc.communicate()
        raise
    return Finished(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


def integrity(db_path: Path) -> str:
    connection = sqlite3.connect(str(db_path))
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


async def consume_updates(sandbox: Sandbox) -> None:
    """Confirm every pending update, as a previous life of the bot would have."""
    from telegram import Bot

    async with Bot(sandbox.token, base_url=sandbox.base_url) as client:
        updates = await client.get_updates(timeout=0)
        while updates:
            updates = await client.get_updates(offset=updates[-1].update_id + 1, timeout=0)
