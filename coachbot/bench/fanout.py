"""Digest fan-out: the real sweep and OutboxSender pushing every agent's digest through a sandbox
that enforces Telegram's flood limits (1/s per chat with short bursts, 30/s for bulk messages,
20/minute per group), while agents who already got theirs tap its entries.

The tapping agents are the first in the outbox's line, so they tap for the whole run: an entry
(the bot sends its card), TAP_THINK seconds to read it, the card's "skip" (the bot edits the
card), TAP_THINK again, the next entry. The cards are replies competing with the pushes for
Telegram's budget: the limiter sends them first and the pushes take what is left
(runtime/rate_limit.py)."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coachbot.app import rate_limiter_of
from coachbot.bench.chat import coachbot_application
from coachbot.bench.dataset import SWEEP_MOMENT, reset_file
from coachbot.bench.processes import SandboxProcess
from coachbot.bench.sandbox_side import LatencyResult
from coachbot.domain.clock import ManualClock
from coachbot.runner import start_bot, stop_bot
from coachbot.store import Store

PROGRESS_EVERY = 30.0  # seconds between progress lines
TAPPERS = 50
TAP_THINK = (5.0, 15.0)  # seconds an agent reads what the bot answered before the next tap


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
    throttled: int = 0  # 429s the bot received, pushes and replies
    tappers: int = 0
    taps: list[float] = field(default_factory=list)  # seconds: a tap -> the card it sends
    tap_failed: int = 0
    tap_seconds: float = 0.0
    other_sends: int = 0  # messages that were not digests (the taps' cards)
    notes: list[str] = field(default_factory=list)

    def tap_percentile(self, q: float) -> float:
        """Nearest-rank percentile of the taps' latencies, in milliseconds."""
        values = sorted(self.taps)
        if not values:
            return math.nan
        return values[max(0, math.ceil(q * len(values)) - 1)] * 1000

    @property
    def share(self) -> float:
        return self.achieved_rate / self.configured_rate if self.configured_rate else math.nan


async def fanout_benchmark(db_path: Path, agent_ids: list[int], *, tappers: int = TAPPERS,
                           log: Callable[[str], None] = print) -> FanoutFigures:
    """Queue a digest for every agent (the real sweep at 09:30 local) and let the sender drain
    while the first `tappers` agents tap their digest's entries."""
    reset_file(db_path)
    taps: LatencyResult | None = None
    async with SandboxProcess(flood_limits=True) as sandbox:
        await sandbox.call("open_chats", agent_ids)
        await sandbox.call("start_tracking")
        clock = ManualClock(SWEEP_MOMENT)
        app, store = coachbot_application(db_path, sandbox, clock)
        limiter = rate_limiter_of(app)
        rate = limiter.push_per_second
        cpu_started = time.process_time()
        await start_bot(app)  # its sweep job runs after 0.5 s and wakes the sender
        try:
            queued = await _wait_for_queue(store)
            tapping = 0
            if tappers:
                tapping = await sandbox.call("taps_start", _first_in_line(store, tappers * 3),
                                             tappers, TAP_THINK)
            log(f"  {queued:,} digests queued; pushing at {rate:g}/s while {tapping} agents "
                f"tap their digest's entries ...")
            dead = await _wait_until_sent(store, queued, rate, log)
            if tapping:
                taps = await sandbox.call("background_stop")
        finally:
            cpu = time.process_time() - cpu_started
            await stop_bot(app)
            store.close()
        sends = await sandbox.call("sends")
    reset_file(db_path)
    times = sorted(sends["times"])
    seconds = times[-1] - times[0] if len(times) > 1 else 0.0
    return FanoutFigures(
        agents=len(agent_ids), queued=queued, sent=len(times), configured_rate=rate,
        achieved_rate=(len(times) - 1) / seconds if seconds else math.nan, seconds=seconds,
        flood_429=sends["flood_rejections"],
        duplicates=sum(1 for n in sends["per_chat"].values() if n > 1), dead=dead,
        bot_cpu_ms=cpu / max(len(times), 1) * 1000, refused=sends["rejections"][:5],
        throttled=limiter.throttled, tappers=taps.actors if taps else 0,
        taps=taps.latencies if taps else [], tap_failed=taps.failed if taps else 0,
        tap_seconds=taps.seconds if taps else 0.0, other_sends=sends["other_sends"],
        notes=taps.notes if taps else [])


def _first_in_line(store: Store, count: int) -> list[int]:
    """The private chats whose digests the sender takes first (its claim order)."""
    rows = store.db.execute(
        "SELECT chat_id FROM outbox WHERE kind = 'digest' AND chat_id > 0 AND created_at >= ? "
        "ORDER BY due_at, id LIMIT ?", [_today_stamp(), count])
    return [int(row[0]) for row in rows.fetchall()]


def _unsent(store: Store) -> int:
    """Messages pending or being sent. Through the outbox_ready index: the check must not
    steal the event loop from the sender it watches (a scan of the outbox would)."""
    row = store.db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')")
    return int(row.fetchone()[0])


async def _wait_for_queue(store: Store, timeout: float = 120.0) -> int:
    """How many digests the sweep queued (counting those already sent: a small run's first
    pushes may be out before this looks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _queued_today(store):
            await asyncio.sleep(0.5)  # the sweep queues them all in one go
            return _queued_today(store)
        await asyncio.sleep(0.2)
    raise TimeoutError("the sweep queued no digest")


async def _wait_until_sent(store: Store, queued: int, rate: float,
                           log: Callable[[str], None]) -> int:
    """Until nothing is pending or being sent; how many digests ended dead."""
    started = last_report = time.monotonic()
    limit = queued / rate * 3 + 60
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


def _queued_today(store: Store) -> int:
    row = store.db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'digest' AND "
                           "created_at >= ?", [_today_stamp()])
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
    if figures.tappers:
        per_second = len(figures.taps) / figures.tap_seconds if figures.tap_seconds else 0.0
        lines.append(
            f"{figures.tappers} agents tapping meanwhile ({TAP_THINK[0]:g}-{TAP_THINK[1]:g} s "
            f"between taps): {len(figures.taps):,} taps ({per_second:.1f}/s; "
            f"{figures.other_sends:,} cards sent), tap -> answer p50 "
            f"{figures.tap_percentile(0.5):.1f} ms, p95 {figures.tap_percentile(0.95):.1f} ms, "
            f"p99 {figures.tap_percentile(0.99):.1f} ms"
            + (f" ({figures.tap_failed} unanswered)" if figures.tap_failed else ""))
    lines.append(f"429s the bot received (pushes and replies): {figures.throttled}")
    lines += [f"  refused: {method}: {description}" for method, description in figures.refused]
    lines += [f"  note: {note}" for note in figures.notes[:5]]
    return lines
