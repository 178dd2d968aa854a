"""The rate limiter: replies at once, pushes paced behind them, 429s held to their chat.

The limiter runs on a fake clock whose sleep advances it, so every test is instant and
deterministic; what is asserted is order and counts, never how long anything took.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram.error import RetryAfter

from coachbot.runtime.rate_limit import (
    BULK_PER_SECOND,
    GROUP_PER_MINUTE,
    GROUP_WINDOW,
    TelegramRateLimiter,
    is_message,
    sending_pushes,
)


class FakeTime:
    """A clock that only moves when someone sleeps (or the test moves it)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleepers = 0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleepers += 1
        try:
            # let everything runnable run first, as a real sleep would
            for _ in range(5):
                await asyncio.sleep(0)
            self.now += max(seconds, 0.0)
            await asyncio.sleep(0)
        finally:
            self.sleepers -= 1


class Telegram:
    """The callback PTB hands the limiter: records what was sent, can answer 429."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.sent: list[tuple[str, float]] = []  # (label, fake time)
        self.refuse: dict[str, int] = {}  # label -> retry_after of the next call

    async def call(self, label: str) -> bool:
        if label in self.refuse:
            raise RetryAfter(timedelta(seconds=self.refuse.pop(label)))
        self.sent.append((label, self.time.now))
        return True

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.sent]


@pytest.fixture
def time_() -> FakeTime:
    return FakeTime()


@pytest.fixture
def telegram(time_: FakeTime) -> Telegram:
    return Telegram(time_)


@pytest.fixture
async def limiter(time_: FakeTime) -> AsyncIterator[TelegramRateLimiter]:
    limiter = TelegramRateLimiter(push_per_second=1.0, clock=time_.clock, sleep=time_.sleep)
    await limiter.initialize()
    yield limiter
    await limiter.shutdown()


@pytest.fixture
async def tasks() -> AsyncIterator[list[asyncio.Task[object]]]:
    """Tasks a test starts; whatever is still waiting at the end is cancelled."""
    started: list[asyncio.Task[object]] = []
    yield started
    for task in started:
        task.cancel()
    await asyncio.gather(*started, return_exceptions=True)


def send(limiter: TelegramRateLimiter, telegram: Telegram, label: str, chat_id: int | str,
         endpoint: str = "sendMessage"):
    return limiter.process_request(telegram.call, (label,), {}, endpoint,
                                   {"chat_id": chat_id, "text": label}, None)


async def push(limiter: TelegramRateLimiter, telegram: Telegram, label: str,
               chat_id: int) -> object:
    with sending_pushes():
        return await send(limiter, telegram, label, chat_id)


async def until(condition, time_: FakeTime | None = None) -> None:
    """Let the loop run until `condition()` holds (a guard against hangs, not a timing)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


def test_what_counts_as_a_message() -> None:
    assert is_message("sendMessage") and is_message("sendDocument")
    assert is_message("copyMessage") and is_message("forwardMessage")
    assert not is_message("sendChatAction")
    assert not is_message("editMessageText") and not is_message("answerCallbackQuery")


async def test_a_reply_goes_out_while_pushes_wait_their_pace(limiter, telegram, tasks):
    # five pushes queued at 1/s; the first leaves at once, the others wait their turn
    tasks += [asyncio.create_task(push(limiter, telegram, f"push{n}", 100 + n))
              for n in range(5)]
    await until(lambda: telegram.labels == ["push0"])
    await send(limiter, telegram, "reply", 1)
    # the reply did not queue behind the pushes
    assert telegram.labels == ["push0", "reply"]
    await asyncio.gather(*tasks)
    assert telegram.labels == ["push0", "reply", "push1", "push2", "push3", "push4"]
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(telegram.sent[2:])]
    assert all(gap >= 1.0 for gap in gaps)  # 1 push/s on the fake clock


async def test_pushes_take_only_what_replies_leave_of_the_bulk_budget(time_, telegram, tasks):
    limiter = TelegramRateLimiter(push_per_second=25.0, clock=time_.clock, sleep=time_.sleep)
    for n in range(BULK_PER_SECOND):  # a second's whole budget spent on replies
        await send(limiter, telegram, f"reply{n}", 1 + n)
    tasks.append(asyncio.create_task(push(limiter, telegram, "push", 500)))
    await until(lambda: time_.sleepers == 1)  # the push is waiting for room
    await send(limiter, telegram, "late reply", 999)  # replies never wait for the budget
    assert telegram.labels[-1] == "late reply" and "push" not in telegram.labels
    await tasks[0]
    assert telegram.labels[-1] == "push"
    first_reply_at = telegram.sent[0][1]
    assert telegram.sent[-1][1] >= first_reply_at + 1.0  # only once the window had room


async def test_a_429_on_one_chats_reply_holds_that_chat_only(limiter, telegram, time_, tasks):
    telegram.refuse["A1"] = 30
    tasks.append(asyncio.create_task(send(limiter, telegram, "A1", 1)))
    await until(lambda: limiter.chat_paused(1))
    # other chats' replies go on while chat 1 waits out its 30 s
    await send(limiter, telegram, "B1", 2)
    await send(limiter, telegram, "C1", 3)
    assert telegram.labels == ["B1", "C1"]
    assert not tasks[0].done()
    # a push to the waiting chat is put off (the outbox tries it later); other pushes go
    with pytest.raises(RetryAfter):
        await push(limiter, telegram, "push to A", 1)
    await push(limiter, telegram, "push to D", 4)
    assert not limiter.pushes_paused
    # once Telegram's wait is over, chat 1's reply is sent again and arrives
    assert await tasks[0] is True
    assert telegram.labels == ["B1", "C1", "push to D", "A1"]
    assert limiter.retried == 1 and limiter.throttled == 1


async def test_a_429_on_a_push_pauses_pushes_not_replies(limiter, telegram, tasks):
    telegram.refuse["push1"] = 20
    tasks.append(asyncio.create_task(push(limiter, telegram, "push1", 10)))
    await until(lambda: limiter.pushes_paused)
    tasks.append(asyncio.create_task(push(limiter, telegram, "push2", 11)))
    await send(limiter, telegram, "reply", 12)  # replies go on meanwhile
    assert telegram.labels == ["reply"]
    await asyncio.gather(*tasks)  # the refused push is sent again after the wait, then the next
    assert telegram.labels == ["reply", "push1", "push2"]
    assert telegram.sent[1][1] >= telegram.sent[0][1] + 20


async def test_a_reply_refused_again_and_again_is_given_up(limiter, telegram):
    class Stubborn(Telegram):
        async def call(self, label: str) -> bool:
            raise RetryAfter(timedelta(seconds=1))

    stubborn = Stubborn(telegram.time)
    with pytest.raises(RetryAfter):
        await send(limiter, stubborn, "never", 1)
    with pytest.raises(RetryAfter):  # a wait beyond what a reply may wait: told at once
        telegram.refuse["long"] = 3600
        await send(limiter, telegram, "long", 2)
    assert telegram.labels == []


async def test_a_chat_refused_once_is_then_paced(limiter, telegram, time_):
    telegram.refuse["m0"] = 1
    for n in range(6):
        await send(limiter, telegram, f"m{n}", 7)
    times = [at for _, at in telegram.sent]
    assert len(times) == 6
    # after the 429: never more than ~1 message per second in that chat
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))


async def test_groups_are_paced_at_20_a_minute(limiter, telegram):
    for n in range(GROUP_PER_MINUTE * 2 + 5):
        await send(limiter, telegram, f"g{n}", -100)
    times = [at for _, at in telegram.sent]
    for index, start in enumerate(times):
        in_window = [t for t in times[index:] if t < start + GROUP_WINDOW - 1.0]
        assert len(in_window) <= GROUP_PER_MINUTE


async def test_edits_and_callback_answers_are_not_paced(limiter, telegram):
    for n in range(GROUP_PER_MINUTE + 5):
        await send(limiter, telegram, f"edit{n}", -100, endpoint="editMessageText")
    assert len(telegram.sent) == GROUP_PER_MINUTE + 5
    assert {at for _, at in telegram.sent} == {telegram.time.now}  # no wait at all


async def test_a_push_to_a_busy_chat_is_put_off_and_the_others_go(limiter, telegram):
    for n in range(GROUP_PER_MINUTE):  # a team group's minute is used up by replies
        await send(limiter, telegram, f"reply{n}", -200)
    with pytest.raises(RetryAfter):  # the outbox will try it later
        await push(limiter, telegram, "team report", -200)
    await push(limiter, telegram, "digest", 42)
    assert telegram.labels[-1] == "digest" and "team report" not in telegram.labels
    assert limiter.throttled == 0  # nothing was refused by Telegram


async def test_a_refused_chat_stays_paced_while_it_keeps_sending(limiter, telegram):
    telegram.refuse["m0"] = 1
    for n in range(90):  # well past PACED_AFTER_429 of steady sending
        await send(limiter, telegram, f"m{n}", 7)
    times = [at for _, at in telegram.sent]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
