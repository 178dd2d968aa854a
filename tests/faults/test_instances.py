"""One bot per database and per token, against real `coachbot` processes.

- A second `coachbot run` on a database a bot is running on exits at once, with one line,
  and takes nothing from the first (it re-queued the first one's in-flight digests: sent twice).
- `coachbot restore` is refused while the bot runs (it replaced the file under the bot, whose
  confirmed writes afterwards were gone after a stop).
- Telegram's 409 Conflict (another process polls with the token) stops the bot with one line
  and a non-zero exit, instead of a traceback every few seconds for ever.
- A read-only database file or folder stops start-up with one line saying what to fix.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from coachbot.app import SANDBOX_TOKEN
from coachbot.cli import EXIT_CONFIG, EXIT_DATABASE_IN_USE, EXIT_TOKEN_IN_USE
from coachbot.sandbox import Sandbox
from coachbot.store import Store
from coachbot.store.database import backup
from tests.faults.botprocess import (
    BotProcess,
    coachbot_env,
    consume_updates,
    integrity,
    run_coachbot,
)
from tests.faults.test_crash import digest_sends, prepare_agents, wait_for
from tests.faults.world import onboard

STARTUP_TIMEOUT = 60.0
AGENT = 1001
NAMES = ("张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十")
CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot " \
           "instance is running"


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


async def bot_is_up(sandbox: Sandbox, bot: BotProcess) -> None:
    """Wait until the bot answers a /help (so it polls and its sender runs)."""
    user = sandbox.user(AGENT, "小王")
    update = sandbox.send_text(user, "/help")
    try:
        await sandbox.wait_for_bot(AGENT, after=update["_seq"], timeout=STARTUP_TIMEOUT)
    except TimeoutError:
        raise AssertionError(f"the bot did not answer:\n{bot.output()[-3000:]}") from None


def book(db_path: Path) -> list[str]:
    store = Store.open(db_path)
    try:
        return sorted(c.name for c in store.transfer.book_clients(AGENT))
    finally:
        store.close()


async def test_a_second_bot_on_the_same_database_exits_at_once(tmp_path):
    agents = list(range(60_001, 60_061))
    db_path = tmp_path / "coachbot.db"
    prepare_agents(db_path, agents)
    async with Sandbox(token=SANDBOX_TOKEN) as sandbox:
        for agent_id in agents:
            sandbox.send_text(sandbox.user(agent_id, f"A{agent_id}"), "/start")
        await consume_updates(sandbox)
        # slow sends: the first bot is still in its fan-out when the second one starts
        sandbox.fail_next("sendMessage", error_code=None, delay=0.1, count=10**6)
        everyone = set(agents)
        async with BotProcess(sandbox, db_path, tmp_path, name="first") as first, \
                BotProcess(sandbox, db_path, tmp_path, name="second") as second:
            await first.start()
            await wait_for(lambda: len(digest_sends(sandbox, everyone)) >= 3, STARTUP_TIMEOUT,
                           "the first bot sent no digest")
            await second.start()
            code = await second.wait(timeout=20)
            assert code == EXIT_DATABASE_IN_USE
            line = one_line(second.output())
            assert f"another CoachBot runs on {db_path}" in line, line
            assert f"pid {first.proc.pid}" in line  # type: ignore[union-attr]
            await wait_for(lambda: {a for _, a in digest_sends(sandbox, everyone)} == everyone,
                           STARTUP_TIMEOUT, "digests missing")
            await asyncio.sleep(1.0)  # a digest sent twice would show by now
            assert await first.stop() == 0
            assert first.problems_in_logs() == []
        sends = [agent for _, agent in digest_sends(sandbox, everyone)]
        assert sorted(sends) == sorted(agents), "a digest was sent twice"
    assert integrity(db_path) == "ok"


async def test_restore_is_refused_while_the_bot_runs(tmp_path):
    db_path = tmp_path / "coachbot.db"
    store = Store.open(db_path)
    onboard(store, AGENT, datetime.now(UTC))
    store.close()
    backup(db_path, tmp_path / "before.db")
    async with Sandbox(token=SANDBOX_TOKEN) as sandbox:
        user = sandbox.user(AGENT, "小王")
        async with BotProcess(sandbox, db_path, tmp_path) as bot:
            await bot.start()
            await bot_is_up(sandbox, bot)
            for index in range(4):
                sandbox.send_text(user, f"/add {NAMES[index]} 1380013800{index}")
            await sandbox.wait_idle(timeout=30)
            assert book(db_path) == sorted(NAMES[:4])

            restored = await asyncio.to_thread(
                run_coachbot, "restore", "--yes", str(tmp_path / "before.db"),
                env=coachbot_env(db_path))
            assert restored.returncode == EXIT_DATABASE_IN_USE
            line = one_line(restored.stderr)
            assert f"another CoachBot runs on {db_path}" in line, line

            for index in range(4, 8):  # confirmed after the attempt: must survive a stop
                sandbox.send_text(user, f"/add {NAMES[index]} 1380013800{index}")
            await sandbox.wait_idle(timeout=30)
            assert await bot.stop() == 0
            assert bot.problems_in_logs() == []
    assert book(db_path) == sorted(NAMES)
    assert integrity(db_path) == "ok"

    # with the bot stopped, the restore goes ahead
    restored = await asyncio.to_thread(run_coachbot, "restore", "--yes",
                                       str(tmp_path / "before.db"), env=coachbot_env(db_path))
    assert restored.returncode == 0, restored.stderr
    assert book(db_path) == []


async def test_a_409_conflict_stops_the_bot_with_one_line(tmp_path):
    db_path = tmp_path / "coachbot.db"
    store = Store.open(db_path)
    onboard(store, AGENT, datetime.now(UTC))
    store.close()
    async with Sandbox(token=SANDBOX_TOKEN) as sandbox, \
            BotProcess(sandbox, db_path, tmp_path) as bot:
        await bot.start()
        await bot_is_up(sandbox, bot)
        # another process polls with the same token from now on, as in the attack
        sandbox.fail_next("getUpdates", error_code=409, description=CONFLICT, count=10**6)
        code = await bot.wait(timeout=30)
        assert code == EXIT_TOKEN_IN_USE
        log = bot.output()
        conflict_lines = [line for line in log.splitlines() if "409" in line
                          or "Conflict" in line]
        assert len(conflict_lines) == 1, log[-3000:]
        assert "another process is polling with this bot token" in conflict_lines[0]
        assert "Traceback" not in log, log[-3000:]
    assert integrity(db_path) == "ok"


def _without_root_powers() -> tuple[str, ...]:
    """A prefix under which file permissions hold (root passes them all otherwise)."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a file read-only to the bot")
    return ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner")


@pytest.mark.parametrize("what", ["file", "folder"])
async def test_a_read_only_database_stops_start_up_with_one_line(tmp_path, what):
    folder = tmp_path / "data"
    folder.mkdir()
    db_path = folder / "coachbot.db"
    store = Store.open(db_path)
    onboard(store, AGENT, datetime.now(UTC))
    store.close()
    prefix = _without_root_powers()
    if what == "file":
        db_path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    else:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP
                     | stat.S_IROTH | stat.S_IXOTH)
    try:
        async with Sandbox(token=SANDBOX_TOKEN) as sandbox:
            started = await asyncio.to_thread(run_coachbot, "run",
                                              env=coachbot_env(db_path, sandbox),
                                              prefix=prefix, timeout=30)
    finally:
        folder.chmod(0o755)
        db_path.chmod(0o644)
    assert started.returncode == EXIT_CONFIG, started.stderr[-3000:]
    line = one_line(started.stderr)
    assert line.startswith("coachbot: COACHBOT_DB:"), line
    assert ("folder" in line and "not writable" in line) if what == "folder" \
        else f"{db_path} is not writable" in line, line
    assert started.stdout == ""
