"""Telegram's flood limits end to end: replies are not held behind pushes, a 429 in one chat
holds that chat only, and a bulk run of pushes stays within the configured rate as the
sandbox counts it (a FloodLimiter at that very rate answers 429 to anything faster).

Order and counts only: nothing here asserts how long something took."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram.error import RetryAfter
from telegram.ext import ExtBot

from coachbot.app import SANDBOX_TOKEN, rate_limiter_of
from coachbot.runtime.rate_limit import PUSH_PER_SECOND, TelegramRateLimiter, sending_pushes
from coachbot.sandbox import Sandbox
from coachbot.sandbox.limits import FloodLimiter
from coachbot.sandbox.objects import private_chat
from tests.faults.world import onboard
from tests.harness import start_harness

DIGEST_AT = datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def open_chats(sandbox: Sandbox, user_ids: list[int]) -> None:
    """Agents who started the bot some time ago and have not written since: what the bot
    sends them now is a bulk notification, counted against the 30/s."""
    for user_id in user_ids:
        chat = sandbox.state.add_chat(private_chat(sandbox.user(user_id, f"A{user_id}")))
        chat.started = True


def digests(sandbox: Sandbox, chat_id: int) -> list[dict]:
    return [m for m in sandbox.bot_messages(chat_id) if m["text"].startswith("☀️")]


async def until(condition, timeout: float = 30.0) -> None:
    """Poll until `condition()` holds (a guard against hangs, not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition never held")
        await asyncio.sleep(0.02)


async def test_a_reply_is_sent_while_pushes_are_queued_and_paced(tmp_path, clock):
    async with start_harness(tmp_path, clock, enforce_flood_limits=True) as bot:
        agents = list(range(2000, 2100))
        open_chats(bot.sandbox, agents)
        for agent_id in agents:
            onboard(bot.store, agent_id, clock.now())
        onboard(bot.store, bot.user.id, clock.now())
        await bot.send("/help")
        clock.set(DIGEST_AT)  # the next sweep queues a digest for each of the 100 agents

        def pending() -> int:
            counts = bot.store.outbox.counts()
            return counts.get("pending", 0) + counts.get("sending", 0)

        await until(lambda: bot.store.outbox.counts().get("sent", 0) >= 1)
        replies = await bot.send("/help")
        assert "/today" in replies[-1]["text"]
        still_queued = pending()
        # the reply did not wait for the fan-out: most digests were still to go
        assert still_queued >= 50, still_queued
        await until(lambda: pending() == 0)
        assert {a: len(digests(bot.sandbox, a)) for a in agents} == {a: 1 for a in agents}
        assert bot.sandbox.flood_rejections == 0
        assert rate_limiter_of(bot.app).throttled == 0


async def test_a_429_on_one_chats_reply_does_not_stall_other_chats(bot):
    other = bot.as_user(1002, "小李")
    for user in (bot.user, other):
        onboard(bot.store, user.id, bot.clock.now())
        await bot.send("/help", user=user)
    bot.sandbox.fail_next("sendMessage", error_code=429,
                          description="Too Many Requests: retry after 2", retry_after=2)
    first = bot.sandbox.send_text(bot.user, "/help")
    await until(lambda: any(r.status == 429 for r in bot.sandbox.requests))
    # chat 1001 waits out its 2 seconds; chat 1002 is answered meanwhile
    answer = await bot.send("/help", user=other)
    assert "/today" in answer[-1]["text"]
    sent = bot.sandbox.state.events_after(first["_seq"], frozenset({"send"}))
    assert [e.chat_id for e in sent] == [other.id]
    # then the first chat's answer arrives, sent again after Telegram's wait
    late = await bot.sandbox.wait_for_bot(bot.user.id, after=first["_seq"], timeout=10)
    assert "/today" in late[-1]["text"]
    assert rate_limiter_of(bot.app).retried == 1


async def test_a_bulk_push_run_never_exceeds_the_configured_rate():
    # the sandbox refuses bulk messages beyond exactly the rate the outbox is configured for
    limits = FloodLimiter(bulk_per_second=int(PUSH_PER_SECOND))
    async with Sandbox(token=SANDBOX_TOKEN, flood_limiter=limits) as sandbox:
        chats = list(range(3000, 3060))
        open_chats(sandbox, chats)
        paced = ExtBot(SANDBOX_TOKEN, base_url=sandbox.base_url,
                       rate_limiter=TelegramRateLimiter())
        async with paced:
            async def push(chat_id: int) -> None:
                with sending_pushes():
                    await paced.send_message(chat_id, f"digest for {chat_id}")

            await asyncio.gather(*(push(chat_id) for chat_id in chats))
        assert sandbox.flood_rejections == 0
        assert all(len(sandbox.bot_messages(c)) == 1 for c in chats)

        # the check bites: the same run unpaced is refused
        unpaced = ExtBot(SANDBOX_TOKEN, base_url=sandbox.base_url)
        async with unpaced:
            results = await asyncio.gather(
                *(unpaced.send_message(c, "again") for c in chats), return_exceptions=True)
        assert any(isinstance(r, RetryAfter) for r in results)
        assert sandbox.flood_rejections > 0
