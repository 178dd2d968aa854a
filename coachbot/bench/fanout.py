"""Digest fan-out: the real sweep and OutboxSender pushing every agent's digest through a sandbox
that enforces Telegram's flood limits (1/s per chat with short bursts, 30/s overall)."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coachbot.bench.chat import coachbot_application
from coachbot.bench.dataset import SWEEP_MOMENT, reset_file
from coachbot.bench.processes import SandboxProcess
from coachbot.domain.clock import ManualClock
from coachbot.push.sender import OVERALL_PER_SECOND
from coachbot.runner import start_bot, stop_bot
from coachbot.store import Store

PROGRESS_EVERY = 30.0  # seconds between progress lines


@dataclass(frozen=True)
class FanoutFigures:
    agents: int  # chats the sandbox knows (every agent the sweep pushes to)
    queued: int  # digests in the outbox after the sweep
    sent: int  # sendMessage calls the sandbox accepted
    configured_rate: float
    achieved_rate: float  # messages per second, first to last accepted send
    seconds: float
    flood_429: int
    duplicates: int  # chats that got more than one digest
    dead: int
    bot_cpu_ms: float  # the bot's CPU per digest (build, render, send)
    refused: list[tuple[str, str]]

    @property
    def share(self) -> float:
        return self.achieved_rate / self.configured_rate if self.configured_rate else math.nan


async def fanout_benchmark(db_path: Path, agent_ids: list[int], *,
                           log: Callable[[str], None] = print) -> FanoutFigures:
    """Queue a digest for every agent (the real sweep at 09:30 local) and let the sender drain."""
    reset_file(db_path)
    async with SandboxProcess(flood_limits=True) as sandbox:
        await sandbox.call("open_chats", agent_ids)
        await sandbox.call("start_tracking")
        clock = ManualClock(SWEEP_MOMENT)
        app, store = coachbot_application(db_path, sandbox, clock, rate_limited=True)
        cpu_started = time.process_time()
        await start_bot(app)  # its sweep job runs after 0.5 s and wakes the sender
        try:
            queued = await _wait_for_queue(store)
            log(f"  {queued:,} digests queued; sending at {OVERALL_PER_SECOND:g}/s ...")
            dead = await _wait_until_sent(store, queued, log)
        finally:
            cpu = time.process_time() - cpu_started
            await stop_bot(app)
            store.close()
        sends = await sandbox.call("sends")
    reset_file(db_path)
    times = sorted(sends["times"])
    seconds = times[-1] - times[0] if len(times) > 1 else 0.0
    return FanoutFigures(
        agents=len(agent_ids), queued=queued, sent=len(times),
        configured_rate=OVERALL_PER_SECOND,
        achieved_rate=(len(times) - 1) / seconds if seconds else math.nan, seconds=seconds,
        flood_429=sends["flood_rejections"],
        duplicates=sum(1 for n in sends["per_chat"].values() if n > 1), dead=dead,
        bot_cpu_ms=cpu / max(len(times), 1) * 1000, refused=sends["rejections"][:5])


def _unsent(store: Store) -> int:
    """Messages pending or being sent. Through the outbox_ready index: the check must not
    steal the event loop from the sender it watches (a scan of the outbox would)."""
    row = store.db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')")
    return int(row.fetchone()[0])


async def _wait_for_queue(store: Store, timeout: float = 120.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _unsent(store):
            await asyncio.sleep(0.5)  # the sweep queues them all in one go
            return _unsent(store) + _sent_today(store)
        await asyncio.sleep(0.2)
    raise TimeoutError("the sweep queued no digest")


async def _wait_until_sent(store: Store, queued: int, log: Callable[[str], None]) -> int:
    """Until nothing is pending or being sent; how many digests ended dead."""
    started = last_report = time.monotonic()
    limit = queued / OVERALL_PER_SECOND * 3 + 60
    while True:
        unsent = _unsent(store)
        if not unsent:
            row = store.db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'digest' AND "
                                   "status = 'dead' AND created_at >= ?", [_today_stamp()])
            return int(row.fetchone()[0])
        now = time.monotonic()
        if now - last_report >= PROGRESS_EVERY:
            log(f"    {queued - unsent:,}/{queued:,} handled after {now - started:.0f}s")
            last_report = now
        if now - started > limit:
            raise TimeoutError(f"{unsent} digests still unsent after {limit:.0f}s")
        await asyncio.sleep(1.0)


def _sent_today(store: Store) -> int:
    row = store.db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND "
                           "next_attempt_at >= ?", [_today_stamp()])
    return int(row.fetchone()[0])


def _today_stamp() -> str:
    return (SWEEP_MOMENT.replace(hour=0, minute=0)).isoformat(timespec="seconds")


def format_fanout(figures: FanoutFigures) -> list[str]:
    lines = [
        f"{figures.sent:,} digests to {figures.agents:,} agents in {figures.seconds:.1f}s "
        f"({figures.queued:,} queued, {figures.dead} dead)",
        f"rate: configured {figures.configured_rate:.1f}/s, achieved "
        f"{figures.achieved_rate:.2f}/s = {figures.share:.1%}",
        f"429 Too Many Requests received: {figures.flood_429}; duplicate digests: "
        f"{figures.duplicates}",
        f"bot CPU per digest (build, render, send): {figures.bot_cpu_ms:.1f} ms",
    ]
    lines += [f"  refused: {method}: {description}" for method, description in figures.refused]
    return lines
