"""The real `coachbot run` in a subprocess, long-polling a sandbox served by the test, so that
it can be killed with SIGKILL at any moment."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

from coachbot.app import SANDBOX_TOKEN
from coachbot.sandbox import Sandbox


class BotProcess:
    def __init__(self, sandbox: Sandbox, db_path: Path, log_dir: Path) -> None:
        self.sandbox, self.db_path, self.log_dir = sandbox, db_path, log_dir
        self.proc: asyncio.subprocess.Process | None = None
        self.lives = 0

    @property
    def logs(self) -> list[Path]:
        return sorted(self.log_dir.glob("bot-*.log"))

    async def start(self) -> None:
        assert self.proc is None or self.proc.returncode is not None
        self.lives += 1
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": SANDBOX_TOKEN,
               "TELEGRAM_API_URL": self.sandbox.base_url,
               "TELEGRAM_FILE_URL": self.sandbox.base_file_url,
               "COACHBOT_DB": str(self.db_path), "COACHBOT_LOG_LEVEL": "INFO"}
        env.pop("COACHBOT_CONFIG", None)
        log = (self.log_dir / f"bot-{self.lives:02d}.log").open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "coachbot", "run", env=env, stdout=log, stderr=log,
            cwd=str(Path(__file__).resolve().parents[2]))
        log.close()

    async def kill(self) -> None:
        """kill -9: no cleanup of any kind."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self, timeout: float = 30) -> int:
        """SIGTERM: PTB stops polling, the sender finishes the message it is sending."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
                raise
        return self.proc.returncode or 0

    def problems_in_logs(self) -> list[str]:
        """Tracebacks and ERROR lines the bot logged in any of its lives."""
        found = []
        for path in self.logs:
            for line in path.read_text(errors="replace").splitlines():
                if " ERROR " in line or line.startswith("Traceback") or " CRITICAL " in line:
                    found.append(f"{path.name}: {line[:300]}")
        return found


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
