"""Chat paths: a bare PTB echo bot and CoachBot's busiest paths against the same sandbox.

The bot runs in this process, as in production (PTB long polling; CoachBot handles different
chats' updates side by side, each chat's in order); the sandbox and the load generator run in a
child process (see sandbox_side). CoachBot is the bot as built: the object `coachbot run`
starts, rate limiter and update processor included. The sandbox's flood limits are off here
(the load generator's agents write far faster than people do): this measures what the code can
do; bench/flood.py and bench/fanout.py run with Telegram's limits on.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from coachbot.app import (
    SANDBOX_TOKEN,
    CoachApplication,
    build_application,
    freeze_startup_objects,
)
from coachbot.bench.dataset import CHAT_MOMENT, bench_agents, reset_file
from coachbot.bench.processes import SandboxProcess
from coachbot.bench.sandbox_side import BenchUser, LoadResult, LoadSpec, Reply
from coachbot.config import Settings
from coachbot.domain.clock import ManualClock
from coachbot.render.buttons import CARD
from coachbot.runner import start_bot, stop_bot
from coachbot.runtime.transport import AiohttpRequest
from coachbot.runtime.update_order import ChatOrderedUpdateProcessor
from coachbot.store import Store

PATHS: dict[str, str] = {  # load kind -> what the report calls it
    "add": "quick add (/add name phone birthday)",
    "open": "open a card (cl:o:<id>)",
    "today": "/today (digest on demand)",
    "spin": "SPIN step (answer typed; 1 in 8: open)",
}
MIX = ("open", "open", "today", "add")
# a SPIN session: the client's button, then seven answers typed (each: saved, next step shown)
SPIN_SESSION = ("spin_open", *("spin",) * 7)


@dataclass
class PathFigures:
    """Throughput and latency of one path."""

    kind: str
    label: str
    completed: int
    failed: int
    seconds: float
    latencies: list[float]
    unloaded: list[float]
    replies_per_update: int
    bot_cpu: float = math.nan  # share of one core the bot's process used, loaded run
    sandbox_cpu: float = math.nan  # same for the sandbox and load generator's process
    notes: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    @property
    def bot_cpu_ms(self) -> float:
        """The bot process's CPU time per update (steadier than throughput on a busy host)."""
        return self.bot_cpu * self.seconds / self.completed * 1000 if self.completed else math.nan

    def percentile(self, q: float, *, unloaded: bool = False) -> float:
        """Nearest-rank percentile in milliseconds."""
        values = sorted(self.unloaded if unloaded else self.latencies)
        if not values:
            return math.nan
        return values[max(0, math.ceil(q * len(values)) - 1)] * 1000


@dataclass
class ChatReport:
    echo: PathFigures  # PTB exactly as installed (httpx): the ratios are against this
    echo_aiohttp: PathFigures | None  # the same on CoachBot's HTTP and update processing
    paths: list[PathFigures]
    mix: PathFigures | None
    floor: list[PathFigures]  # the same paths' Bot API calls made by a bare bot
    concurrency: int
    spin_command: str | None
    notes: list[str] = field(default_factory=list)


class CpuSampler:
    """Samples this process's CPU time, to know how busy the bot was during a loaded run."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> CpuSampler:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _sample(self) -> None:
        while True:
            self.samples.append((time.time(), time.process_time()))
            await asyncio.sleep(0.02)

    def busy(self, start: float, end: float) -> float:
        """CPU seconds per second between two wall-clock times (1.0 = one core)."""
        inside = [(t, cpu) for t, cpu in self.samples if start <= t <= end]
        if len(inside) < 2 or inside[-1][0] <= inside[0][0]:
            return math.nan
        return (inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0])


async def _measure(sandbox: SandboxProcess, spec: LoadSpec, label: str) -> PathFigures:
    async with CpuSampler() as sampler:
        result: LoadResult = await sandbox.call("load", spec)
    replies = max(result.replies_per_update.values()) if result.replies_per_update else 0
    return PathFigures(result.kind, label, result.completed, result.failed, result.seconds,
                       result.latencies, result.unloaded_latencies, replies,
                       sampler.busy(*result.wall_span),
                       result.cpu_seconds / result.seconds if result.seconds else math.nan,
                       result.notes)


# -- the bare echo bot ------------------------------------------------------------------------
async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(message.text)


def _builder(base_url: str, base_file_url: str, *, aiohttp: bool) -> \
        ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    builder = ApplicationBuilder().token(SANDBOX_TOKEN).base_url(base_url) \
        .base_file_url(base_file_url)
    if aiohttp:  # CoachBot's transport and update processing (as coachbot/app.py wires them)
        builder = builder.request(AiohttpRequest()) \
            .get_updates_request(AiohttpRequest(connection_pool_size=1)) \
            .concurrent_updates(ChatOrderedUpdateProcessor())
    return builder


def echo_application(base_url: str, base_file_url: str, *, aiohttp: bool = False) -> \
        Application[Any, Any, Any, Any, Any, Any]:
    """python-telegram-bot's echo example, nothing else: the framework's own ceiling."""
    app = _builder(base_url, base_file_url, aiohttp=aiohttp).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return app


@contextlib.asynccontextmanager
async def _polling(app: Application[Any, Any, Any, Any, Any, Any]) -> AsyncIterator[None]:
    """A bare bot polling the sandbox (as start_bot polls) for the duration of the block."""
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=10)
    try:
        yield
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


# -- the framework floor: CoachBot's replies, replayed by a bare bot ---------------------------
def floor_application(base_url: str, base_file_url: str, canned: dict[str, list[Reply]]) -> \
        Application[Any, Any, Any, Any, Any, Any]:
    """A bare bot making exactly CoachBot's Bot API calls for each path (same texts, same
    keyboards, same transport and update processing) and nothing else: what
    python-telegram-bot alone costs for those paths."""
    app = _builder(base_url, base_file_url, aiohttp=True).build()
    serial = itertools.count()

    async def replay(update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str) -> None:
        chat = update.effective_chat
        assert chat is not None
        query = update.callback_query
        if query is not None:
            await query.answer()
        for event, html, markup in canned.get(kind, []):
            keyboard = InlineKeyboardMarkup.de_json(markup, context.bot) if markup else None
            if event == "edit" and query is not None:
                # a different text each time: Telegram refuses an edit that changes nothing
                await query.edit_message_text(f"{html}\n{next(serial)}",
                                              parse_mode=ParseMode.HTML, reply_markup=keyboard)
            else:
                await context.bot.send_message(chat.id, html, parse_mode=ParseMode.HTML,
                                               reply_markup=keyboard)

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = (update.effective_message.text if update.effective_message else "") or ""
        kind = "add" if text.startswith("/add") else "today" if text.startswith("/today") \
            else "spin"
        await replay(update, context, kind)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        data = (update.callback_query.data if update.callback_query else "") or ""
        pressed = CARD.parse(data)
        await replay(update, context, "open" if pressed and pressed[0] == "open" else "spin_open")

    app.add_handler(MessageHandler(filters.TEXT, on_message))
    app.add_handler(CallbackQueryHandler(on_button))
    return app


# -- CoachBot ---------------------------------------------------------------------------------
def coachbot_application(db_path: Path, sandbox: SandboxProcess, clock: ManualClock) -> \
        tuple[CoachApplication, Store]:
    """The application `coachbot run` builds (its rate limiter and update processor
    included), on the bench database and a manual clock."""
    settings = Settings(api_url=sandbox.base_url, file_url=sandbox.base_file_url,
                        db_path=db_path, log_level="WARNING")
    store = Store.open(db_path, clock, settings.tier_thresholds)
    return build_application(settings, store=store, clock=clock), store


def _path_spec(kind: str, users: tuple[BenchUser, ...], updates: int, unloaded: int) -> \
        LoadSpec:
    if kind == "spin":  # sessions of realistic length, not one endless session
        return LoadSpec("mix", users, updates, unloaded, SPIN_SESSION)
    return LoadSpec(kind, users, updates, unloaded)


def spin_command(app: CoachApplication) -> str | None:
    """`/<name>` of the SPIN coaching command, if the built bot's command menu has one."""
    menu = app.bot_data.get("menu")
    for name, section in getattr(menu, "entries", ()):
        if "spin" in name and section == "coach":
            return name
    return None


async def chat_benchmark(db_path: Path, *, updates: int, concurrency: int, unloaded: int,
                         log: Callable[[str], None] = print) -> ChatReport:
    """Run the echo bot, then CoachBot's paths, against one sandbox process."""
    chosen = bench_agents(db_path, count=concurrency)
    if not chosen:
        raise RuntimeError(f"{db_path} has no agent with enough clients to chat as")
    users = tuple(BenchUser(agent_id, tuple(ids[:40])) for agent_id, ids in chosen)
    report_notes: list[str] = []
    async with SandboxProcess(flood_limits=False) as sandbox:
        echo_load = LoadSpec("echo", users, updates, unloaded)
        log(f"  echo bot: {updates} updates from {len(users)} chats ...")
        async with _polling(echo_application(sandbox.base_url, sandbox.base_file_url)):
            echo = await _measure(sandbox, echo_load, "echo (bare PTB)")
        log(f"  echo bot on CoachBot's transport and update processing: {updates} updates ...")
        async with _polling(echo_application(sandbox.base_url, sandbox.base_file_url,
                                             aiohttp=True)):
            echo_aiohttp = await _measure(sandbox, echo_load,
                                          "echo (PTB on CoachBot's HTTP + updates)")

        reset_file(db_path)
        clock = ManualClock(CHAT_MOMENT)
        app, store = coachbot_application(db_path, sandbox, clock)
        spin = spin_command(app)
        kinds = ["add", "open", "today"] + (["spin"] if spin else [])
        await start_bot(app)
        freeze_startup_objects()  # as the bot's own process does once it is up
        paths: list[PathFigures] = []
        try:
            for kind in kinds:
                log(f"  CoachBot {PATHS[kind]}: {updates} updates ...")
                paths.append(await _measure(sandbox, _path_spec(kind, users, updates, unloaded),
                                            PATHS[kind]))
            log(f"  CoachBot mix {'/'.join(MIX)}: {updates} updates ...")
            mix = await _measure(sandbox, LoadSpec("mix", users, updates, 0, MIX),
                                 "mix " + "/".join(MIX))
        finally:
            await stop_bot(app)
            store.close()

        canned = await sandbox.call("canned")
        floor: list[PathFigures] = []
        async with _polling(floor_application(sandbox.base_url, sandbox.base_file_url, canned)):
            for kind in kinds:
                log(f"  floor for {PATHS[kind]}: {updates} updates ...")
                floor.append(await _measure(sandbox, _path_spec(kind, users, updates, unloaded),
                                            PATHS[kind]))

    reset_file(db_path)
    if spin is None:
        report_notes.append("no SPIN command yet (coachbot/handlers/coaching.py): path skipped")
    return ChatReport(echo, echo_aiohttp, paths, mix, floor, len(users), spin, report_notes)


def format_chat(report: ChatReport) -> list[str]:
    """The report's lines."""
    lines = [f"{'path':<40} {'upd/s':>7} {'x echo':>7} {'p50':>7} {'p95':>7} {'p99':>7}"
             f"   {'1 chat p50/p95/p99 ms':>22}  {'CPU bot/sandbox':>15} {'bot ms/upd':>10}"]
    base = report.echo.per_second

    def row(f: PathFigures) -> str:
        ratio = f.per_second / base if base else math.nan
        alone = "/".join(f"{f.percentile(q, unloaded=True):.1f}" for q in (0.5, 0.95, 0.99)) \
            if f.unloaded else "-"
        failed = f"  ({f.failed} unanswered)" if f.failed else ""
        cpu = f"{f.bot_cpu:.0%}/{f.sandbox_cpu:.0%}"
        return (f"{f.label:<40} {f.per_second:>7.0f} {ratio:>6.2f}x "
                f"{f.percentile(0.5):>7.1f} {f.percentile(0.95):>7.1f} "
                f"{f.percentile(0.99):>7.1f}   {alone:>22}  {cpu:>15} {f.bot_cpu_ms:>10.2f}"
                f"{failed}")

    lines.append(row(report.echo))
    if report.echo_aiohttp:
        lines.append(row(report.echo_aiohttp))
    lines += [row(f) for f in report.paths]
    if report.mix:
        lines.append(row(report.mix))
    if report.floor:
        lines.append("")
        lines.append("the same Bot API calls made by a bare PTB bot (CoachBot's replies replayed: "
                     "same texts, same keyboards, same transport and update processing), i.e. "
                     "the framework's floor for each path:")
        lines.append(f"{'path':<40} {'upd/s':>7} {'x echo':>7} {'bot ms/upd':>11} "
                     f"{'CoachBot ms/upd':>16} {'CoachBot code':>14}")
        for floor, real in zip(report.floor, report.paths, strict=True):
            ratio = floor.per_second / base if base else math.nan
            own = real.bot_cpu_ms - floor.bot_cpu_ms
            share = own / real.bot_cpu_ms if real.bot_cpu_ms else math.nan
            lines.append(f"{floor.label:<40} {floor.per_second:>7.0f} {ratio:>6.2f}x "
                         f"{floor.bot_cpu_ms:>11.2f} {real.bot_cpu_ms:>16.2f} "
                         f"{own:>7.2f} ({share:.0%})")
    for figures in [report.echo, *report.paths, *filter(None, [report.mix])]:
        lines += [f"  note: {n}" for n in figures.notes]
    lines += [f"  note: {n}" for n in report.notes]
    return lines
