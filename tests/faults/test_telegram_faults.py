"""Telegram misbehaving: 429 bursts, 403, 500s, timeouts and dropped connections, on replies
and on outbox pushes. The bot must not crash, must retry what it queued (outbox messages),
keep every change the user made, and answer the next message normally."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coachbot.store import Store
from tests.conftest import LONG
from tests.faults.live import settle
from tests.faults.test_fuzz_bot import check_errors
from tests.faults.world import onboard

SHANGHAI = ZoneInfo("Asia/Shanghai")
DIGEST_AT = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
BEYOND_TIMEOUT = 5.5  # PTB's default read timeout is 5 s
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

# (name, fail_next arguments)
REPLY_FAULTS = [
    ("429 once", {"error_code": 429, "description": "Too Many Requests: retry after 1",
                  "retry_after": 1}),
    # four 429s outlast the rate limiter's three retries: the handler gets RetryAfter
    ("429 burst", {"error_code": 429, "description": "Too Many Requests: retry after 1",
                   "retry_after": 1, "count": 4}),
    ("500", {"error_code": 500}),
    ("502", {"error_code": 502, "description": "Bad Gateway"}),
    ("dropped", {"drop_connection": True}),
]


async def answered_normally(bot, user=None) -> None:
    replies = await bot.send("/help", user=user)
    assert "/today" in replies[-1]["text"]


@pytest.mark.parametrize(("name", "fault"), REPLY_FAULTS, ids=[f[0] for f in REPLY_FAULTS])
async def test_a_fault_on_a_reply_keeps_the_data_and_the_next_message_is_answered(
        bot, caplog, name, fault):
    caplog.set_level(logging.INFO)
    onboard(bot.store, bot.user.id, bot.clock.now())
    await answered_normally(bot)
    bot.sandbox.fail_next("sendMessage", **fault)
    bot.sandbox.send_text(bot.user, "/add 张三 13800138000")
    await settle(bot)
    [client] = bot.store.transfer.book_clients(bot.user.id)  # saved even if the reply was lost
    assert client.phone == "+8613800138000"
    await answered_normally(bot)
    check_errors(caplog)


async def test_a_reply_that_times_out_or_is_refused_403(bot, caplog):
    caplog.set_level(logging.INFO)
    onboard(bot.store, bot.user.id, bot.clock.now())
    await answered_normally(bot)
    # Telegram takes longer than the bot waits, then fails
    bot.sandbox.fail_next("sendMessage", error_code=500, delay=BEYOND_TIMEOUT)
    bot.sandbox.send_text(bot.user, "/add 李四 13900139000")
    await settle(bot)
    assert [c.name for c in bot.store.transfer.book_clients(bot.user.id)] == ["李四"]
    await answered_normally(bot)
    # the user blocked the bot between writing and our reply: marked, data kept
    bot.sandbox.fail_next("sendMessage", error_code=403,
                          description="Forbidden: bot was blocked by the user")
    bot.sandbox.send_text(bot.user, "/add 王五 13700137000")
    await settle(bot)
    assert bot.store.agents.get_agent(bot.user.id).blocked_at is not None
    assert len(bot.store.transfer.book_clients(bot.user.id)) == 2
    await answered_normally(bot)  # writing again means they are back
    assert bot.store.agents.get_agent(bot.user.id).blocked_at is None
    check_errors(caplog)


async def digest_fan_out(bot, agents: list[int]) -> None:
    for agent_id in agents:
        onboard(bot.store, agent_id, bot.clock.now())
        await bot.send("/help", user=bot.as_user(agent_id, f"A{agent_id}"))


def digests(bot, chat_id: int) -> list[dict]:
    return [m for m in bot.sandbox.bot_messages(chat_id) if m["text"].startswith("☀️")]


async def until_delivered(bot, agents: list[int], *, steps: int = 30,
                          step: timedelta = timedelta(minutes=1)) -> None:
    """Let time pass on the manual clock (the sender's backoff is measured on it) until every
    digest is out or `steps` steps have passed."""
    for _ in range(steps):
        await asyncio.sleep(0.3)  # a few sweeps
        await bot.sandbox.wait_idle(timeout=20)
        if all(digests(bot, a) for a in agents):
            return
        bot.clock.advance(step)
        if bot.services.sender is not None:
            bot.services.sender.wake()  # retries fell due on the manual clock


def outbox_of(store: Store) -> dict[str, int]:
    return store.outbox.counts()


async def test_outbox_pushes_survive_every_kind_of_fault(bot, caplog):
    caplog.set_level(logging.INFO)
    agents = list(range(700, 712))
    await digest_fan_out(bot, agents)
    faults = [{"error_code": 500, "count": 2}, {"drop_connection": True, "count": 2},
              {"error_code": 502, "description": "Bad Gateway"},
              {"error_code": 429, "description": "Too Many Requests: retry after 1",
               "retry_after": 1, "count": 4},
              {"error_code": 500, "delay": BEYOND_TIMEOUT}]
    for fault in faults:
        bot.sandbox.fail_next("sendMessage", **fault)
    bot.sandbox.block_user(agents[-1])
    bot.clock.set(DIGEST_AT)
    await until_delivered(bot, agents[:-1])
    counts = {a: len(digests(bot, a)) for a in agents[:-1]}
    assert set(counts.values()) == {1}, counts  # nothing lost, nothing doubled
    assert bot.store.agents.get_agent(agents[-1]).blocked_at is not None
    assert outbox_of(bot.store) == {"sent": len(agents) - 1, "dead": 1}
    await answered_normally(bot, bot.as_user(agents[0]))
    check_errors(caplog)


@pytest.mark.slow
async def test_a_push_delivered_late_after_the_bot_gave_up_may_come_twice(bot, caplog):
    """Telegram took the message but answered after the bot's timeout: the bot cannot know
    it arrived (no idempotency key), so it sends it again. At most one extra copy."""
    caplog.set_level(logging.INFO)
    agents = [720, 721, 722]
    await digest_fan_out(bot, agents)
    bot.sandbox.fail_next("sendMessage", error_code=None, delay=BEYOND_TIMEOUT)
    bot.clock.set(DIGEST_AT)
    await until_delivered(bot, agents)
    await settle(bot)
    counts = {a: len(digests(bot, a)) for a in agents}
    assert all(counts.values()) and sum(counts.values()) <= len(agents) + 1, counts
    print(f"late delivery: duplicates {sum(counts.values()) - len(agents)}")
    check_errors(caplog)


async def test_a_long_outage_does_not_lose_pushes(bot, caplog):
    """Telegram unreachable for well over an hour: every queued digest still goes out after
    (the sender used to give up after 8 attempts, about 8 minutes)."""
    caplog.set_level(logging.INFO)
    agents = [730, 731]
    await digest_fan_out(bot, agents)
    # 8 failed attempts each: the sender used to drop a message at its 8th failure
    bot.sandbox.fail_next("sendMessage", error_code=502, description="Bad Gateway", count=16)
    bot.clock.set(DIGEST_AT)
    await until_delivered(bot, agents, steps=60, step=timedelta(minutes=5))
    counts = {a: len(digests(bot, a)) for a in agents}
    assert counts == {a: 1 for a in agents}, (counts, outbox_of(bot.store))
    check_errors(caplog)


async def test_one_message_that_cannot_be_rendered_does_not_stall_the_others(
        bot, caplog, monkeypatch):
    """A bug in rendering one agent's digest: the others still go out at once, and the
    broken one is retried a few times, then dropped, not left 'sending' for ever."""
    from coachbot.push.deliverers import DELIVERERS

    caplog.set_level(logging.INFO)
    agents = list(range(740, 746))
    await digest_fan_out(bot, agents)
    real = DELIVERERS["digest"]

    async def broken_for_one(bot_, services, message):
        if message.agent_id == agents[0]:
            raise RuntimeError("template bug for this one agent")
        return await real(bot_, services, message)

    monkeypatch.setitem(DELIVERERS, "digest", broken_for_one)
    bot.clock.set(DIGEST_AT)
    await until_delivered(bot, agents[1:], steps=3)
    assert all(len(digests(bot, a)) == 1 for a in agents[1:])
    if LONG:  # retried with backoff, then dropped
        await until_delivered(bot, agents, steps=40, step=timedelta(minutes=5))
        assert outbox_of(bot.store) == {"sent": len(agents) - 1, "dead": 1}
    else:  # waiting for its retry, not stuck 'sending' until the next restart
        assert outbox_of(bot.store) == {"sent": len(agents) - 1, "pending": 1}
    failures = [r for r in caplog.records if r.name == "coachbot.push.sender"
                and r.levelno >= logging.ERROR]
    assert failures, "the broken message was not reported"
    caplog.records[:] = [r for r in caplog.records if r not in failures]
    check_errors(caplog)
