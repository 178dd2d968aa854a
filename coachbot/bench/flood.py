"""One agent floods the bot; how long do the other agents wait for an answer?

The bot as built (`build_application`) polls a sandbox that enforces Telegram's flood limits,
so the flooding chat's replies go at about one a second, as Telegram would let them. Idle
agents each send /help, wait for the answer, pause a second or two and send it again, from the
moment the flood is injected until the flooding chat's backlog has been worked through.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coachbot.app import freeze_startup_objects, processor_of, rate_limiter_of
from coachbot.bench.chat import coachbot_application
from coachbot.bench.dataset import CHAT_MOMENT, bench_agents, reset_file
from coachbot.bench.processes import SandboxProcess
from coachbot.bench.sandbox_side import BenchUser, LatencyResult
from coachbot.domain.clock import ManualClock
from coachbot.runner import start_bot, stop_bot
from coachbot.runtime.update_order import ChatOrderedUpdateProcessor

IDLE_THINK = (1.0, 2.0)  # seconds an idle agent pauses between two /help (under 1 msg/s)
FLOOD_TIMEOUT = 600.0


@dataclass
class FloodFigures:
    flood: int  # updates the flooding agent sent at once
    dropped: int  # of them, dropped (beyond the chat's backlog)
    told: int  # "slow down" notices sent
    flood_replies: int  # messages the flooding chat got
    flood_seconds: float  # injection -> its backlog worked through
    idle_agents: int
    idle: list[float]  # seconds, each idle /help
    idle_failed: int
    throttled: int  # 429s the bot received (all in the flooding chat, if any)
    sandbox_429: int
    notes: list[str] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the idle agents' latencies, in milliseconds."""
        values = sorted(self.idle)
        if not values:
            return math.nan
        return values[max(0, math.ceil(q * len(values)) - 1)] * 1000

    @property
    def worst_ms(self) -> float:
        return max(self.idle) * 1000 if self.idle else math.nan


async def flood_benchmark(db_path: Path, *, flood: int, idle_agents: int,
                          log: Callable[[str], None] = print) -> FloodFigures:
    """Inject `flood` quick adds from one agent; measure the idle agents' /help meanwhile."""
    chosen = bench_agents(db_path, count=idle_agents + 1)
    if len(chosen) < 2:
        raise RuntimeError(f"{db_path} has too few agents to chat as")
    flooder = BenchUser(chosen[0][0], tuple(chosen[0][1][:40]))
    idle = tuple(BenchUser(agent_id, tuple(ids[:40])) for agent_id, ids in chosen[1:])
    reset_file(db_path)
    async with SandboxProcess(flood_limits=True) as sandbox:
        app, store = coachbot_application(db_path, sandbox, ManualClock(CHAT_MOMENT))
        await start_bot(app)
        freeze_startup_objects()
        processor, limiter = processor_of(app), rate_limiter_of(app)
        try:
            await sandbox.call("idle_start", idle, IDLE_THINK)
            log(f"  {len(idle)} idle agents answered once; agent {flooder.user_id} sends "
                f"{flood:,} quick adds at once ...")
            started = time.perf_counter()
            await sandbox.call("flood", flooder, flood)
            seconds = await _until_worked_through(processor, flooder.user_id, started)
            result: LatencyResult = await sandbox.call("background_stop")
            replies = await sandbox.call("chat_replies", flooder.user_id)
            sandbox_429 = await sandbox.call("flood_rejections")
        finally:
            await stop_bot(app)
            store.close()
    reset_file(db_path)
    return FloodFigures(flood=flood, dropped=processor.dropped, told=processor.told,
                        flood_replies=replies, flood_seconds=seconds, idle_agents=len(idle),
                        idle=result.latencies, idle_failed=result.failed,
                        throttled=limiter.throttled, sandbox_429=sandbox_429,
                        notes=result.notes)


async def _until_worked_through(processor: ChatOrderedUpdateProcessor, chat_id: int,
                                started: float) -> float:
    """Seconds until the flooding chat's updates were all taken in and its line is empty."""
    seen_busy = False
    while time.perf_counter() - started < FLOOD_TIMEOUT:
        busy = processor.is_busy(chat_id)
        seen_busy = seen_busy or busy
        if seen_busy and not busy:
            return time.perf_counter() - started
        await asyncio.sleep(0.1)
    raise TimeoutError(f"the flooding chat still had work after {FLOOD_TIMEOUT:.0f}s")


def format_flood(figures: FloodFigures) -> list[str]:
    handled = figures.flood - figures.dropped
    return [
        f"flooding agent: {figures.flood:,} updates at once -> {handled} handled in order, "
        f"{figures.dropped:,} dropped, {figures.told} 'slow down' notice(s); "
        f"{figures.flood_replies} messages to that chat over {figures.flood_seconds:.1f}s "
        f"(the bot received {figures.throttled} x 429, the sandbox refused "
        f"{figures.sandbox_429})",
        f"{figures.idle_agents} idle agents' /help meanwhile: {len(figures.idle)} answered, "
        f"p50 {figures.percentile(0.5):.1f} ms, p95 {figures.percentile(0.95):.1f} ms, "
        f"p99 {figures.percentile(0.99):.1f} ms, max {figures.worst_ms:.1f} ms"
        + (f" ({figures.idle_failed} unanswered)" if figures.idle_failed else ""),
        *[f"  note: {n}" for n in figures.notes],
    ]
