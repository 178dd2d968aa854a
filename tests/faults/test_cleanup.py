"""Tests stop what they start: a fault test that fails half-way leaves no `coachbot` behind.

The CSV-import kill test once left a `coachbot run` polling a dead sandbox (and logging every
30 s) after the suite ended: when it timed out between start() and stop(), the stop was skipped
and the child outlived pytest. Here a test that starts a bot the old way, without `async with`,
and then times out, runs in its own pytest; when that pytest has ended no process of that bot
may be alive, and the guard (tests/processguard.py) must have named it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.faults.botprocess import REPO

FAILING_TEST = '''
import asyncio
from pathlib import Path

import pytest

from coachbot.app import SANDBOX_TOKEN
from coachbot.sandbox import Sandbox
from tests.faults.botprocess import BotProcess


@pytest.mark.timeout(6)
async def test_starts_a_bot_then_times_out(tmp_path):
    async with Sandbox(token=SANDBOX_TOKEN) as sandbox:
        bot = BotProcess(sandbox, Path({db!r}), tmp_path)
        await bot.start()
        Path({pid_file!r}).write_text(str(bot.proc.pid))
        await asyncio.sleep(60)  # stuck waiting for something: pytest-timeout ends it
'''


def processes_with(marker: str) -> list[int]:
    """Live processes whose environment holds marker (our bot, wherever it was reparented)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def test_a_fault_test_that_times_out_leaves_no_bot_running(tmp_path):
    db = tmp_path / "leak-check.db"
    pid_file = tmp_path / "bot.pid"
    (tmp_path / "faults").mkdir()  # a fault test: the guard checks after it
    test_file = tmp_path / "faults" / "test_leaky.py"
    test_file.write_text(textwrap.dedent(FAILING_TEST.format(db=str(db),
                                                             pid_file=str(pid_file))))
    try:
        inner = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
             str(REPO / "pyproject.toml"), "--rootdir", str(REPO), str(test_file)],
            cwd=str(REPO), capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(REPO)})
        assert pid_file.exists(), inner.stdout + inner.stderr  # the bot did start
        assert "Timeout" in inner.stdout, inner.stdout
        assert processes_with(f"COACHBOT_DB={db}") == [], "the bot outlived its test"
        # the guard named the process it had to kill
        assert "this test left CoachBot process(es) running" in inner.stdout, inner.stdout
    finally:
        for pid in processes_with(f"COACHBOT_DB={db}"):  # never leave one behind ourselves
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
