"""Flood limits (429 Too Many Requests) and injected faults."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from coachbot.sandbox.errors import ApiError, too_many_requests

# Telegram's published guidance (Bots FAQ): about 1 message per second per chat (short bursts
# are tolerated), 20 messages per minute per group, and "if you're sending bulk notifications to
# multiple users, the API will not allow more than 30 messages per second or so". The 30/s is
# about bulk notifications: messages the bot starts. A message to a chat whose user sent the bot
# an update in the last ANSWER_WINDOW seconds is taken as an answer to it and not counted there
# (the per-chat and per-group limits still apply to it).
PER_CHAT_RATE = 1.0
PER_CHAT_BURST = 3
GLOBAL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
ANSWER_WINDOW = 10.0


class FloodLimiter:
    """Counts messages sent and refuses those beyond Telegram's limits."""

    def __init__(self, clock: Callable[[], float] | None = None, *,
                 bulk_per_second: int = GLOBAL_PER_SECOND) -> None:
        self._clock = clock or time.monotonic
        self.bulk_per_second = bulk_per_second
        self._buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, last refill)
        self._global: deque[float] = deque()  # bulk messages of the last second
        self._groups: dict[int, deque[float]] = {}
        self._heard: dict[int, float] = {}  # chat -> when its user last sent an update

    def heard_from(self, chat_id: int) -> None:
        """A user sent the bot an update in this chat: what follows there answers it."""
        self._heard[chat_id] = self._clock()

    def check(self, chat_id: int) -> None:
        """Account one message to `chat_id`; raise 429 if it would exceed a limit."""
        now = self._clock()
        bulk = now - self._heard.get(chat_id, -math.inf) > ANSWER_WINDOW
        waits = [self._chat_wait(chat_id, now)]
        if bulk:
            waits.append(self._global_wait(now))
        if chat_id < 0:
            waits.append(self._group_wait(chat_id, now))
        wait = max(waits)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        tokens, _ = self._buckets[chat_id]
        self._buckets[chat_id] = (tokens - 1, now)
        if bulk:
            self._global.append(now)
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(now)

    def _chat_wait(self, chat_id: int, now: float) -> float:
        tokens, last = self._buckets.get(chat_id, (float(PER_CHAT_BURST), now))
        tokens = min(float(PER_CHAT_BURST), tokens + (now - last) * PER_CHAT_RATE)
        self._buckets[chat_id] = (tokens, now)
        return 0.0 if tokens >= 1 else (1 - tokens) / PER_CHAT_RATE

    def _global_wait(self, now: float) -> float:
        while self._global and now - self._global[0] >= 1.0:
            self._global.popleft()
        if len(self._global) < self.bulk_per_second:
            return 0.0
        return 1.0 - (now - self._global[0])

    def _group_wait(self, chat_id: int, now: float) -> float:
        sent = self._groups.setdefault(chat_id, deque())
        while sent and now - sent[0] >= 60.0:
            sent.popleft()
        if len(sent) < GROUP_PER_MINUTE:
            return 0.0
        return 60.0 - (now - sent[0])


@dataclass
class Fault:
    """What to do to the next call(s) of a method instead of answering normally."""

    method: str  # a Bot API method name, or "*" for any
    error_code: int | None = 500  # None: answer normally (after `delay`)
    description: str = "Internal Server Error"
    retry_after: int | None = None
    count: int = 1
    drop_connection: bool = False
    delay: float = 0.0

    def matches(self, method: str) -> bool:
        return self.method == "*" or self.method.lower() == method.lower()

    def error(self) -> ApiError | None:
        if self.error_code is None:
            return None
        parameters = {"retry_after": self.retry_after} if self.retry_after is not None else None
        return ApiError(self.error_code, self.description, parameters)


class FaultQueue:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.count < 1:
            raise ValueError("count must be at least 1")
        self.faults.append(fault)

    def take(self, method: str) -> Fault | None:
        """The first queued fault for this method (or "*"), used up one call at a time."""
        for fault in self.faults:
            if fault.matches(method):
                fault.count -= 1
                if fault.count == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()
