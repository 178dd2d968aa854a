"""The sandbox's side of the benchmarks: a child process serving the Bot API and playing users.

The load generator lives here, beside the sandbox, so the bot's process spends its core on the
bot alone. It drives the sandbox through its Python control API (no HTTP hop) and watches the
sandbox's activity log through a hook on `SandboxState.record`, so noticing a reply costs O(1)
whatever the length of the log. Latency is measured here: from injecting an update to the
sandbox receiving the last Bot API call that answers it.

The parent talks to this process over a multiprocessing pipe: ("load", LoadSpec) and friends;
see `serve`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from multiprocessing.connection import Connection
from typing import Any

from coachbot.render.buttons import COACH, ITEMS, open_card
from coachbot.sandbox import Sandbox
from coachbot.sandbox.objects import private_chat
from coachbot.sandbox.state import StoredMessage

logger = logging.getLogger(__name__)

REPLY_TIMEOUT = 30.0
SETTLE_QUIET = 0.5
BOT_REPLIES = frozenset({"send", "edit"})
DIGEST_MARK = "☀️"  # the first character of every digest (templates/*/reminders/digest.j2)
# the wire format is render/buttons.py's: spelled there only
ENTRY_PREFIX = ITEMS.data("entry") + ":"  # a digest entry's button
ITEM_PREFIX = ITEMS.prefix + ":"  # the buttons of a to-do item's card, which a tap sends
SKIP_PREFIX = ITEMS.data("skip") + ":"  # the card's "skip" (the bot edits the card)
SPIN_ANSWERS = ("预算每年两万左右，主要担心孩子的教育金", "家里老人身体不太好，医疗费用是个负担",
                "之前买过一份意外险，不清楚保障够不够", "房贷还有十五年，怕万一收入断了",
                "想给太太也配置一份重疾险")
QUICK_ADD_NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄丽", "周杰", "吴婷",
                   "徐明", "孙悦", "马超", "朱琳", "胡斌", "郭静", "何平", "林峰", "罗兰", "高翔")


@dataclass(frozen=True)
class BenchUser:
    """An agent the load generator chats as, with client ids of its book (to open cards)."""

    user_id: int
    client_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class LoadSpec:
    """One measured run: `updates` actions of `kind` by `len(users)` concurrent chats."""

    kind: str  # echo | add | open | today | spin | mix
    users: tuple[BenchUser, ...]
    updates: int
    unloaded: int = 0  # then this many more, one chat, one at a time
    mix: tuple[str, ...] = ()  # the kinds a "mix" cycles through


@dataclass
class LoadResult:
    kind: str
    completed: int
    failed: int
    seconds: float
    latencies: list[float]
    unloaded_latencies: list[float]
    replies_per_update: dict[str, int]
    cpu_seconds: float = 0.0  # this process's CPU time during the loaded run
    wall_span: tuple[float, float] = (0.0, 0.0)  # time.time() at its start and end
    notes: list[str] = field(default_factory=list)


@dataclass
class _Waiter:
    remaining: int
    future: asyncio.Future[None]
    replies: list[Reply] = field(default_factory=list)
    # only replies this accepts count (a push may land in the same chat meanwhile)
    accept: Callable[[str, StoredMessage | None], bool] | None = None


@dataclass
class LatencyResult:
    """Latencies of a background load (idle agents, tapping agents) and what it did."""

    latencies: list[float]
    failed: int
    seconds: float
    actors: int  # agents that took part
    notes: list[str] = field(default_factory=list)


def _is_digest(stored: StoredMessage | None) -> bool:
    return stored is not None and str(stored.message.get("text", "")).startswith(DIGEST_MARK)


def _buttons(stored: StoredMessage | None) -> list[str]:
    markup = (stored.reply_markup or {}) if stored is not None else {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", [])
            for b in row]


def _is_item_card(kind: str, stored: StoredMessage | None) -> bool:
    """A tap's answer: a new message whose buttons act on one item (not a digest's)."""
    buttons = _buttons(stored)
    return kind == "send" and not _is_digest(stored) and any(
        b.startswith(ITEM_PREFIX) for b in buttons) and not any(
        b.startswith(ENTRY_PREFIX) for b in buttons)


Reply = tuple[str, str, dict[str, Any] | None]  # (send | edit, HTML sent, reply markup)


class LoadDriver:
    """Plays the users of a bench run against a sandbox in this process."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.waiters: dict[int, _Waiter] = {}
        self.replies: collections.Counter[int] = collections.Counter()
        # (time, chat, is a digest) of every message sent while tracking
        self.send_times: list[tuple[float, int, bool]] = []
        self.track_sends = False
        self.expected: dict[str, int] = {}
        self.canned: dict[str, list[Reply]] = {}  # kind -> the bot's replies to one update
        self.list_message: dict[int, int] = {}  # chat -> message whose buttons open cards
        self._cursor: dict[int, itertools.cycle[int]] = {}
        self._spin_clients: dict[int, itertools.cycle[int]] = {}
        self._serial = itertools.count(1)
        self._mix_position: dict[int, int] = collections.defaultdict(int)
        self._background: asyncio.Task[LatencyResult] | None = None
        self._stop_background = asyncio.Event()
        self._hook()

    def _hook(self) -> None:
        state = self.sandbox.state
        original = state.record

        def record(kind: str, chat_id: int | None = None, message_id: int | None = None,
                   **data: Any) -> Any:
            event = original(kind, chat_id, message_id, **data)
            if kind in BOT_REPLIES and chat_id is not None:
                self.replies[chat_id] += 1
                chat = state.chat(chat_id)
                stored = chat.messages.get(message_id or 0) if chat else None
                if kind == "send" and self.track_sends:
                    self.send_times.append((time.time(), chat_id, _is_digest(stored)))
                waiter = self.waiters.get(chat_id)
                if waiter is not None and (waiter.accept is None
                                           or waiter.accept(kind, stored)):
                    if stored is not None:
                        html = stored.html or str(stored.message.get("text", ""))
                        waiter.replies.append((kind, html, stored.reply_markup))
                    waiter.remaining -= 1
                    if waiter.remaining <= 0 and not waiter.future.done():
                        waiter.future.set_result(None)
            return event

        state.record = record  # type: ignore[method-assign]

    # -- users' actions ---------------------------------------------------------------------
    def act(self, kind: str, user: BenchUser) -> None:
        """Inject one update of this kind as this user."""
        sandbox, uid = self.sandbox, user.user_id
        if kind == "echo":
            sandbox.send_text(uid, f"hello {next(self._serial)}")
        elif kind == "add":
            # a new phone each time and a (name, birthday) pair that never repeats: never a
            # duplicate, which would take the other path (one message asking what to do)
            serial = next(self._serial)
            name = QUICK_ADD_NAMES[serial % len(QUICK_ADD_NAMES)]
            birthday = date(1950, 1, 1) + timedelta(days=serial // len(QUICK_ADD_NAMES))
            sandbox.send_text(uid, f"/add {name} 199{serial:08d} {birthday.isoformat()}")
        elif kind == "open":
            cursor = self._cursor.setdefault(uid, itertools.cycle(user.client_ids))
            sandbox.press(uid, self.list_message[uid], open_card(next(cursor)), force=True)
        elif kind == "today":
            sandbox.send_text(uid, "/today")
        elif kind == "help":
            sandbox.send_text(uid, "/help")
        elif kind == "spin":
            # the client's answer typed during a SPIN session (opened by prepare("spin"))
            sandbox.send_text(uid, SPIN_ANSWERS[next(self._serial) % len(SPIN_ANSWERS)])
        elif kind == "spin_open":
            # a client's SPIN button: a session starts (or resumes) and its step shows
            cursor = self._spin_clients.setdefault(uid, itertools.cycle(user.client_ids))
            sandbox.press(uid, self.list_message[uid], COACH.data("spin", next(cursor)), force=True)
        else:
            raise ValueError(f"unknown action {kind!r}")

    async def act_and_wait(self, kind: str, user: BenchUser, expected: int, *,
                           act: Callable[[], object] | None = None,
                           accept: Callable[[str, StoredMessage | None], bool] | None = None) \
            -> float:
        """Inject, wait for the expected replies; seconds taken (inf after a timeout)."""
        loop = asyncio.get_running_loop()
        waiter = _Waiter(expected, loop.create_future(), accept=accept)
        self.waiters[user.user_id] = waiter
        started = time.perf_counter()
        if act is not None:
            act()
        else:
            self.act(kind, user)
        stopping: asyncio.Future[Any] | None = asyncio.ensure_future(
            self._stop_background.wait()) if self._background is not None else None
        waits: set[asyncio.Future[Any]] = {waiter.future}
        if stopping is not None:
            waits.add(stopping)
        try:
            # a background agent stops waiting when the load is stopped (nan: not counted)
            done, _ = await asyncio.wait(waits, timeout=REPLY_TIMEOUT,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.waiters.pop(user.user_id, None)
            if stopping is not None:
                stopping.cancel()
        if waiter.future not in done:
            return math.nan if stopping is not None and stopping in done else math.inf
        took = time.perf_counter() - started
        self.canned.setdefault(kind, waiter.replies)
        return took

    async def calibrate(self, kind: str, users: tuple[BenchUser, ...]) -> tuple[int, list[str]]:
        """One untimed action per user (warm-up); how many replies one update gets."""
        before = {u.user_id: self.replies[u.user_id] for u in users}
        for user in users:
            self.act(kind, user)
        await self.settle(users, before)
        counts = collections.Counter(self.replies[u.user_id] - before[u.user_id] for u in users)
        expected, _ = counts.most_common(1)[0]
        notes = []
        if len(counts) > 1:
            notes.append(f"{kind}: replies per update varied during warm-up: {dict(counts)}")
        if expected == 0:
            raise RuntimeError(f"the bot did not answer {kind!r} updates during warm-up")
        self.expected[kind] = expected
        return expected, notes

    async def settle(self, users: tuple[BenchUser, ...], before: dict[int, int], *,
                     quiet: float = SETTLE_QUIET) -> None:
        """Wait until every user got a reply and then the bot has said nothing for a while.

        (The sandbox's wait_idle cannot tell a bot still computing its answer from an idle
        one: the update is confirmed by the next getUpdates before the handler replies.)
        """
        deadline = time.monotonic() + REPLY_TIMEOUT * 4
        while any(self.replies[u.user_id] == before[u.user_id] for u in users):
            if time.monotonic() > deadline:
                return  # the caller sees who got nothing
            await asyncio.sleep(0.01)
        total = sum(self.replies.values())
        while True:
            await asyncio.sleep(quiet)
            now_total = sum(self.replies.values())
            if now_total == total:
                return
            total = now_total

    async def prepare(self, kind: str, users: tuple[BenchUser, ...]) -> None:
        """What a path needs before it can be measured: a message to press, a SPIN session."""
        if kind in ("open", "spin", "spin_open") and \
                not all(u.user_id in self.list_message for u in users):
            await self.open_lists(users)
        if kind == "spin" and not all(u.user_id in self._spin_clients for u in users):
            before = {u.user_id: self.replies[u.user_id] for u in users}
            for user in users:
                self.act("spin_open", user)
            await self.settle(users, before)

    async def open_lists(self, users: tuple[BenchUser, ...]) -> None:
        """Each user asks for /clients once: pressing its buttons opens cards (in place)."""
        before = {u.user_id: self.replies[u.user_id] for u in users}
        for user in users:
            self.sandbox.send_text(user.user_id, "/clients")
        await self.settle(users, before)
        for user in users:
            last = self.sandbox.last_bot_message(user.user_id)
            if last is None:
                raise RuntimeError(f"no /clients answer in chat {user.user_id}")
            self.list_message[user.user_id] = last["message_id"]

    # -- a measured run ---------------------------------------------------------------------
    async def run(self, spec: LoadSpec) -> LoadResult:
        kinds = spec.mix if spec.kind == "mix" else (spec.kind,)
        notes: list[str] = []
        for kind in kinds:
            await self.prepare(kind, spec.users)
        for kind in kinds:
            if kind not in self.expected:
                _, found = await self.calibrate(kind, spec.users)
                notes += found
        tickets = iter(range(spec.updates))
        latencies: list[float] = []
        failed = 0

        def next_kind(user: BenchUser) -> str:
            position = self._mix_position[user.user_id]
            self._mix_position[user.user_id] += 1
            return kinds[position % len(kinds)]

        async def chat(user: BenchUser) -> None:
            nonlocal failed
            for _ in tickets:
                kind = next_kind(user)
                took = await self.act_and_wait(kind, user, self.expected[kind])
                if took == float("inf"):
                    failed += 1
                else:
                    latencies.append(took)

        started, cpu_started, wall_started = time.perf_counter(), time.process_time(), time.time()
        await asyncio.gather(*(chat(user) for user in spec.users))
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        span = (wall_started, time.time())
        unloaded: list[float] = []
        if spec.unloaded:
            user = spec.users[0]
            for _ in range(spec.unloaded):
                kind = next_kind(user)
                took = await self.act_and_wait(kind, user, self.expected[kind])
                if took != float("inf"):
                    unloaded.append(took)
                else:
                    failed += 1
        if self.sandbox.rejections:
            notes.append(f"the sandbox refused {len(self.sandbox.rejections)} request(s), e.g. "
                         f"{self.sandbox.rejections[0].method}: "
                         f"{self.sandbox.rejections[0].description}")
            self.sandbox.rejections.clear()
        return LoadResult(spec.kind, len(latencies), failed, seconds, latencies, unloaded,
                          {k: self.expected[k] for k in kinds}, cpu, span, notes)

    # -- one agent floods, others go on ------------------------------------------------------
    async def idle_start(self, users: tuple[BenchUser, ...], think: tuple[float, float]) -> int:
        """Agents who each send /help, wait for the answer, pause `think` seconds, again, until
        idle_stop (in the background). Returns once each has been answered once (warm-up)."""
        expected, _ = await self.calibrate("help", users)

        async def agent(user: BenchUser, latencies: list[float], failed: list[int]) -> None:
            while not self._stop_background.is_set():
                took = await self.act_and_wait("help", user, expected)
                if not _tally(took, latencies, failed):
                    return
                await self._pause(random.uniform(*think))

        self._start_background(users, agent)
        return expected

    async def flood(self, user: BenchUser, count: int) -> int:
        """`count` quick adds from one agent at once (as a script or a stuck key would).

        Injected ten at a time, letting the sandbox answer the bot in between: injecting a
        thousand in one go blocks this process's loop for a few hundred ms, which the idle
        agents would see as the bot's delay."""
        for number in range(count):
            self.act("add", user)
            if number % 10 == 9:
                await asyncio.sleep(0)
        return count

    def chat_replies(self, chat_id: int) -> int:
        return self.replies[chat_id]

    # -- agents tapping their digest while the fan-out runs ---------------------------------
    async def taps_start(self, candidates: list[int], count: int,
                         think: tuple[float, float]) -> int:
        """The first `count` candidates whose digest has entries work through it until
        taps_stop: tap an entry (the bot sends that item's card), read it for `think`
        seconds, tap the card's "skip" (the bot edits the card in place), read, the next
        entry. Every tap is timed to the bot's answer."""
        notes: list[str] = []

        async def tapper(user: BenchUser, latencies: list[float], failed: list[int]) -> None:
            digest = await self._digest_of(user.user_id)
            entries = [b for b in _buttons(digest) if b.startswith(ENTRY_PREFIX)]
            if digest is None or not entries:
                notes.append(f"agent {user.user_id}: no digest entry to tap")
                return

            async def tap(message_id: int, data: str,
                          accept: Callable[[str, StoredMessage | None], bool]) -> None:
                def press() -> object:
                    return self.sandbox.press(user.user_id, message_id, data, force=True)

                took = await self.act_and_wait("tap", user, 1, accept=accept, act=press)
                if not _tally(took, latencies, failed):
                    return
                await self._pause(random.uniform(*think))

            for data in itertools.cycle(entries):
                if self._stop_background.is_set():
                    return
                await tap(digest.message_id, data, _is_item_card)
                card = self.sandbox.state.chat(user.user_id)
                last = max((m for m in card.messages.values() if m.from_bot),
                           key=lambda m: m.message_id) if card else None
                skip = [b for b in _buttons(last) if b.startswith(SKIP_PREFIX)]
                if last is not None and skip and not self._stop_background.is_set():
                    await tap(last.message_id, skip[0], lambda kind, _: kind == "edit")

        users = tuple(BenchUser(uid) for uid in candidates[:count])
        self._start_background(users, tapper, notes)
        return len(users)

    async def _digest_of(self, chat_id: int, timeout: float = 600.0) -> StoredMessage | None:
        """The digest pushed to this chat (waiting for the fan-out to reach it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._stop_background.is_set():
            chat = self.sandbox.state.chat(chat_id)
            if chat is not None:
                for stored in chat.messages.values():
                    if stored.from_bot and _is_digest(stored):
                        return stored
            await asyncio.sleep(0.05)
        return None

    # -- background loads -------------------------------------------------------------------
    def _start_background(self, users: tuple[BenchUser, ...],
                          actor: Callable[[BenchUser, list[float], list[int]], Any],
                          notes: list[str] | None = None) -> None:
        if self._background is not None:
            raise RuntimeError("a background load is already running")
        self._stop_background.clear()

        async def run() -> LatencyResult:
            latencies: list[float] = []
            failed: list[int] = []
            started = time.perf_counter()
            await asyncio.gather(*(actor(user, latencies, failed) for user in users))
            return LatencyResult(latencies, len(failed), time.perf_counter() - started,
                                 len(users), notes or [])

        self._background = asyncio.create_task(run())

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop_background.wait(), seconds)

    async def background_stop(self) -> LatencyResult:
        """Stop the idle or tapping agents; their latencies."""
        if self._background is None:
            raise RuntimeError("no background load is running")
        self._stop_background.set()
        try:
            return await self._background
        finally:
            self._background = None

    # -- fan-out ----------------------------------------------------------------------------
    def open_chats(self, user_ids: list[int]) -> int:
        """Private chats these users have started (so the bot may push to them)."""
        for user_id in user_ids:
            user = self.sandbox.user(user_id, "Agent", language_code="zh-hans")
            chat = self.sandbox.state.add_chat(private_chat(user))
            chat.started = True
        return len(user_ids)

    def start_tracking(self) -> None:
        self.send_times.clear()
        self.sandbox.flood_rejections = 0
        self.track_sends = True

    def sends(self) -> dict[str, Any]:
        """What was sent since start_tracking: digests' times and chats, other messages, 429s,
        refused requests."""
        digests = [(t, chat) for t, chat, digest in self.send_times if digest]
        per_chat = collections.Counter(chat for _, chat in digests)
        return {"times": [t for t, _ in digests], "per_chat": dict(per_chat),
                "other_sends": len(self.send_times) - len(digests),
                "flood_rejections": self.sandbox.flood_rejections,
                "rejections": [(r.method, r.description) for r in self.sandbox.rejections]}


def serve(conn: Connection, flood_limits: bool, token: str) -> None:
    """The child process: a sandbox, a load driver, and commands from the parent's pipe."""
    logging.basicConfig(level=logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(conn, flood_limits, token))


async def _serve(conn: Connection, flood_limits: bool, token: str) -> None:
    loop = asyncio.get_running_loop()
    commands: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

    def reader() -> None:  # the pipe blocks: read it in a thread, hand commands to the loop
        while True:
            try:
                command = conn.recv()
            except (EOFError, OSError):
                command = ("stop",)
            loop.call_soon_threadsafe(commands.put_nowait, command)
            if command[0] == "stop":
                return

    async with Sandbox(token=token, enforce_flood_limits=flood_limits) as sandbox:
        driver = LoadDriver(sandbox)
        threading.Thread(target=reader, daemon=True, name="bench-pipe").start()
        conn.send({"base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url})
        handlers: dict[str, Callable[..., Any]] = {
            "load": driver.run, "open_chats": driver.open_chats,
            "start_tracking": driver.start_tracking, "sends": driver.sends,
            "canned": lambda: driver.canned,
            "idle_start": driver.idle_start, "flood": driver.flood,
            "chat_replies": driver.chat_replies, "taps_start": driver.taps_start,
            "background_stop": driver.background_stop,
            "flood_rejections": lambda: driver.sandbox.flood_rejections,
        }
        while True:
            name, *args = await commands.get()
            if name == "stop":
                conn.send(None)
                return
            try:
                result = handlers[name](*args)
                if asyncio.iscoroutine(result):
                    result = await result
                conn.send(("ok", result))
            except Exception as exc:  # reported to the parent, which raises it
                logger.exception("bench command %s failed", name)
                conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _tally(took: float, latencies: list[float], failed: list[int]) -> bool:
    """Count one background agent's wait: a latency, or a failure (no answer in time).
    False when the load was stopped while it waited (nan: counted as neither)."""
    if math.isnan(took):
        return False
    if math.isinf(took):
        failed.append(1)
    else:
        latencies.append(took)
    return True
