"""Telegram's flood limits, applied only where Telegram applies them (PTB's BaseRateLimiter).

What Telegram documents (Bots FAQ; PTB wiki "Avoiding flood limits"; grammY "Flood Limits"):
about 30 messages/s for *bulk notifications* (messages the bot starts), about 1 message/s per
chat with short bursts tolerated, 20 messages/minute per group, and any request may still get a
429 whose retry_after must be waited out. Replies to a user's own messages are not held to the
30/s.

Why not PTB's AIORateLimiter: it holds every request that names a chat (replies and edits
included) to one overall rate, so a bot answering its users can never do more than 30
updates/s (CoachBot as built measured 30 against an echo bot's 320-540); when any request gets a
429 it stops every request of every chat until the wait is over; it has no notion of a private
chat's 1/s; and it cannot tell a reply from an outbox push, so during the morning fan-out the
pushes took the budget and replies waited. Settings don't fix any of that (overall_max_rate=0
drops the one cap the pushes need), so this limiter keeps one small state per chat instead:

- Replies (anything not sent by the outbox sender) go out at once. Private chats are not paced
  ahead of time: a chat's updates are handled one after another and its backlog is bounded
  (runtime/update_order.py), so a chat's replies follow its user's pace. Once Telegram answers
  429 in a chat, that chat alone waits retry_after and is then paced at ~1 message/s for a
  while, instead of being refused again and again.
- Groups are always paced (20 messages/minute, ~1/s), replies included: that limit is firm, and
  a group's updates come from many members at once.
- Pushes (inside `sending_pushes()`) keep the outbox's pace (PUSH_PER_SECOND), wait for their
  chat's ~1/s, and take only what replies left of BULK_PER_SECOND: replies are counted in the
  same one-second window but never wait for it, so when the two compete the reply goes first.
  A push whose chat is not free within MAX_PUSH_CHAT_WAIT (its agent chatting fast, a 429's
  wait, a full group) is handed back (RetryAfter) for the outbox to try later, so one chat
  does not hold up the fan-out. A 429 on a push pauses pushes, not replies.
- A 429 on a reply pauses that chat only. Either kind is sent again after retry_after (a few
  times, if the wait is reasonable), so a user gets the answer late rather than never; past
  that the caller gets the RetryAfter (the handler's error handler, or the outbox, which
  reschedules the push).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]

BULK_PER_SECOND = 30  # Telegram's ceiling for bulk notifications; replies are taken out first
PUSH_PER_SECOND = 25.0  # the outbox's own pace: under the ceiling, leaving room for replies
# Pushes: at most PUSH_PER_SECOND in any second, counted from when Telegram answered each (it
# counts arrivals, which come before its answer and after our send: so the next one can't land
# inside the window, whatever the network's jitter). A window rather than fixed spacing: a push
# that went late (the sender building a long digest, a slow round trip) is caught up after, so
# the outbox keeps its rate on a busy machine without ever exceeding it in any second.
PUSH_WINDOW = 1.0
CHAT_BURST = 3  # messages a chat may get at once before ~1/s applies (the sandbox's model)
CHAT_INTERVAL = 1.05  # ~1 message/s per chat, 5% slower: Telegram counts arrivals, not sends
GROUP_PER_MINUTE = 20
GROUP_WINDOW = 61.0  # 20 messages per minute, plus a second for the same reason
MAX_PUSH_CHAT_WAIT = 1.5  # a push waits this long at most for its chat, then is put off
PACED_AFTER_429 = 60.0  # a private chat Telegram refused is paced ahead until this long quiet
RETRIES = 3  # a request is sent again this many times after 429s...
MAX_RETRY_WAIT = 60.0  # ...unless Telegram asks for longer: then the caller is told
MAX_CHATS = 4096  # chat states kept before idle ones are forgotten

# Requests that create a message: the ones Telegram's flood limits count. Edits, callback
# answers and chat actions are not paced (a 429 on them is still waited out for their chat).
_NOT_MESSAGES = frozenset({"sendChatAction"})
_OTHER_MESSAGES = frozenset({"copyMessage", "copyMessages", "forwardMessage",
                             "forwardMessages"})

_EPSILON = 1e-6  # a token short by less than this is a whole one (float rounding)

_pushing: ContextVar[bool] = ContextVar("coachbot_pushing", default=False)


@contextlib.contextmanager
def sending_pushes() -> Iterator[None]:
    """Mark the requests made inside this block (in this task) as outbox pushes.

    A context variable, not an argument: the pushes are sent by the deliverers of each feature
    (bot.send_message and friends), which need not know how they are paced."""
    token = _pushing.set(True)
    try:
        yield
    finally:
        _pushing.reset(token)


def is_message(endpoint: str) -> bool:
    """Does this Bot API method send a new message (what flood limits count)?"""
    return (endpoint.startswith("send") and endpoint not in _NOT_MESSAGES) or \
        endpoint in _OTHER_MESSAGES


def retry_after_seconds(error: RetryAfter) -> float:
    """retry_after as seconds (an int, or a timedelta with PTB_TIMEDELTA set)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class _Chat:
    """What the limiter knows about one chat."""

    __slots__ = ("group_sent", "lock", "paced_until", "paused_until", "stamp", "tokens")

    def __init__(self, now: float) -> None:
        self.tokens = float(CHAT_BURST)  # a token bucket: ~1 message/s, bursts of CHAT_BURST
        self.stamp = now
        self.paused_until = 0.0  # Telegram's retry_after for this chat
        self.paced_until = 0.0  # private chats: paced ahead of time until then (after a 429)
        self.group_sent: deque[float] = deque()  # groups: sends of the last minute
        self.lock = asyncio.Lock()  # paced sends of this chat leave in the order they came

    def refill(self, now: float) -> None:
        self.tokens = min(float(CHAT_BURST), self.tokens + (now - self.stamp) / CHAT_INTERVAL)
        self.stamp = now

    def token_wait(self, now: float) -> float:
        self.refill(now)
        missing = 1 - self.tokens
        return 0.0 if missing <= _EPSILON else missing * CHAT_INTERVAL

    def group_wait(self, now: float) -> float:
        while self.group_sent and now - self.group_sent[0] >= GROUP_WINDOW:
            self.group_sent.popleft()
        if len(self.group_sent) < GROUP_PER_MINUTE:
            return 0.0
        return self.group_sent[0] + GROUP_WINDOW - now

    def idle(self, now: float) -> bool:
        """Nothing here a fresh state would not say: safe to forget."""
        self.refill(now)
        return (self.tokens >= CHAT_BURST and now >= self.paused_until
                and now >= self.paced_until and not self.group_sent and not self.lock.locked())


class TelegramRateLimiter(BaseRateLimiter[int]):
    """Replies at once, pushes at their pace in what replies leave, 429s waited out per chat.

    rate_limit_args (PTB's per-call `rate_limit_args=`) is ignored: which lane a request takes
    is said by `sending_pushes()`.
    """

    __slots__ = ("_chats", "_clock", "_prune_at", "_push_limit", "_push_lock",
                 "_push_paused_until", "_push_window", "_pushes", "_pushes_in_flight", "_sent",
                 "_sleep", "bulk_per_second", "push_per_second", "retried", "throttled")

    def __init__(self, *, push_per_second: float = PUSH_PER_SECOND,
                 bulk_per_second: int = BULK_PER_SECOND,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if push_per_second <= 0 or bulk_per_second < push_per_second:
            raise ValueError("pushes need a positive rate within the bulk budget")
        self.push_per_second = push_per_second
        self.bulk_per_second = bulk_per_second
        self._clock, self._sleep = clock, sleep  # tests pass a fake pair
        self._chats: dict[int | str, _Chat] = {}
        self._prune_at = MAX_CHATS
        self._sent: deque[float] = deque()  # every message of the last second, both lanes
        # at most _push_limit pushes in any _push_window seconds: push_per_second, in whole
        # messages (0.5/s: one per 2.04 s)
        self._push_limit = max(1, math.floor(push_per_second))
        self._push_window = self._push_limit / push_per_second * PUSH_WINDOW
        self._pushes: deque[float] = deque()  # when Telegram answered each recent push
        self._pushes_in_flight = 0  # sent, not answered yet: they count as now
        self._push_paused_until = 0.0
        self._push_lock = asyncio.Lock()  # pushes leave one at a time, in the order asked
        self.throttled = 0  # 429s received (for the bench and diagnostics)
        self.retried = 0  # requests sent again after a 429

    async def initialize(self) -> None:
        """Nothing to set up: chat states are made as chats come."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        chat_id = _chat_of(data)
        push = _pushing.get()
        message = is_message(endpoint)
        attempts = 0
        counted = push and message and chat_id is not None  # in the pushes' window
        while True:
            if chat_id is not None:
                await self._wait_turn(chat_id, push=push, message=message)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                delay = retry_after_seconds(error)
                self.throttled += 1
                self._hold(chat_id, delay, push=push)
                attempts += 1
                if attempts > RETRIES or delay > MAX_RETRY_WAIT:
                    raise  # the handler is told (or the outbox reschedules the push)
                logger.info("429 on %s to chat %s: %s wait %.0fs", endpoint, chat_id,
                            "pushes" if push else "that chat", delay)
                self.retried += 1
                if chat_id is None:  # nothing else to hold: only this request waits
                    await self._sleep(delay)
            finally:
                if counted:
                    self._pushes_in_flight -= 1
                    self._pushes.append(self._clock())

    # -- waiting -------------------------------------------------------------------------------
    async def _wait_turn(self, chat_id: int | str, *, push: bool, message: bool) -> None:
        chat = self._chat(chat_id)
        group = _is_group(chat_id)
        if push:
            await self._push_turn(chat, group=group, message=message)
            return
        paced = message and (group or self._clock() < chat.paced_until)
        if not paced:
            # the common case: a reply in a private chat Telegram has not complained about
            await self._sleep_until(lambda now: chat.paused_until - now)
            if message:
                self._record(chat, group=False)
            return
        async with chat.lock:
            await self._sleep_until(lambda now: max(chat.paused_until - now,
                                                    self._chat_wait(chat, now, group=group)))
            now = self._clock()
            if not group and chat.tokens < 2:
                # still sending at the pace Telegram held it to: stay paced, or the backlog
                # would burst out again when the time is up and be refused once more
                chat.paced_until = max(chat.paced_until, now + PACED_AFTER_429)
            self._record(chat, group=group)

    async def _push_turn(self, chat: _Chat, *, group: bool, message: bool) -> None:
        def lane(now: float) -> float:
            return self._push_wait(now) if message else self._push_paused_until - now

        async with self._push_lock:
            await self._sleep_until(lane)
            # Then its chat, briefly: an agent chatting right now has the chat's ~1/s (replies
            # first), and one push waiting on it must not hold up the whole fan-out
            give_up_at = self._clock() + MAX_PUSH_CHAT_WAIT
            while True:
                now = self._clock()
                chat_wait = chat.paused_until - now
                if message:
                    chat_wait = max(chat_wait, self._chat_wait(chat, now, group=group))
                if chat.lock.locked() or now + chat_wait > give_up_at:
                    # busy with replies, a 429's wait, a full group: the outbox tries this
                    # message later and the other pushes go on meanwhile
                    raise RetryAfter(timedelta(seconds=math.ceil(max(chat_wait, 1.0))))
                wait = max(chat_wait, lane(now))
                if wait <= 0:
                    break
                await self._sleep(wait)
            if message:
                self._record(chat, group=group)
                self._pushes_in_flight += 1

    async def _sleep_until(self, wait: Callable[[float], float]) -> None:
        """Sleep until `wait(now)` says nothing is left to wait for (it may change meanwhile:
        a 429 arrives, tokens come back)."""
        while (seconds := wait(self._clock())) > 0:
            await self._sleep(seconds)

    def _chat_wait(self, chat: _Chat, now: float, *, group: bool) -> float:
        wait = chat.token_wait(now)
        return max(wait, chat.group_wait(now)) if group else wait

    def _push_wait(self, now: float) -> float:
        """A push waits for the outbox's pace, a 429's pause, and room in the bulk budget
        after the replies of the last second."""
        while self._sent and now - self._sent[0] >= 1.0:
            self._sent.popleft()
        budget = 0.0 if len(self._sent) < self.bulk_per_second else self._sent[0] + 1.0 - now
        while self._pushes and now - self._pushes[0] >= self._push_window:
            self._pushes.popleft()
        if len(self._pushes) + self._pushes_in_flight < self._push_limit:
            pace = 0.0
        elif self._pushes:
            pace = self._pushes[0] + self._push_window - now
        else:  # all of them still in flight: look again shortly
            pace = self._push_window / self._push_limit
        return max(pace, self._push_paused_until - now, budget)

    def _record(self, chat: _Chat, *, group: bool) -> float:
        """Account one message sent to this chat now; returns now."""
        now = self._clock()
        while self._sent and now - self._sent[0] >= 1.0:  # only the last second is kept
            self._sent.popleft()
        chat.refill(now)
        # replies never wait for a token, but an empty bucket is as low as it goes (Telegram
        # refuses what it would not take rather than counting it), so a push waits ~1 s at most
        chat.tokens = max(chat.tokens - 1, 0.0)
        if group:
            chat.group_sent.append(now)
        self._sent.append(now)
        return now

    def _hold(self, chat_id: int | str | None, delay: float, *, push: bool) -> None:
        """After a 429: a reply's chat waits what Telegram said; after a push's, every push
        waits (Telegram does not say which limit it was: bulk is the one pushes share, and
        the lane's pause covers the chat's wait too). Replies to other chats go on."""
        now = self._clock()
        if push:
            self._push_paused_until = max(self._push_paused_until, now + delay)
        if chat_id is not None:
            chat = self._chat(chat_id)
            if not push:
                chat.paused_until = max(chat.paused_until, now + delay)
            chat.paced_until = now + delay + PACED_AFTER_429
            chat.tokens = 0.0

    def _chat(self, chat_id: int | str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            now = self._clock()
            if len(self._chats) >= self._prune_at:
                # forget chats whose state says nothing (most private chats, most of the time);
                # if most are still busy, wait for twice as many before looking again
                for key in [k for k, c in self._chats.items() if c.idle(now)]:
                    del self._chats[key]
                self._prune_at = max(MAX_CHATS, 2 * len(self._chats))
            chat = self._chats[chat_id] = _Chat(now)
        return chat

    # -- for diagnostics and tests -----------------------------------------------------------
    def chat_paused(self, chat_id: int | str) -> bool:
        """Is this chat waiting out a 429?"""
        chat = self._chats.get(chat_id)
        return chat is not None and chat.paused_until > self._clock()

    @property
    def pushes_paused(self) -> bool:
        return self._push_paused_until > self._clock()


def _chat_of(data: dict[str, Any]) -> int | str | None:
    chat_id = data.get("chat_id")
    if chat_id is None or isinstance(chat_id, int):
        return chat_id
    with contextlib.suppress(ValueError, TypeError):
        return int(chat_id)
    return str(chat_id)  # "@channelusername"


def _is_group(chat_id: int | str) -> bool:
    """Groups, supergroups and channels have negative ids (or an @username)."""
    return isinstance(chat_id, str) or chat_id < 0
