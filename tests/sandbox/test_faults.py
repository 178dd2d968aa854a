"""Flood limits, blocked users and injected faults."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from coachbot.sandbox import Sandbox
from coachbot.sandbox.errors import ApiError
from coachbot.sandbox.limits import FloodLimiter

App = Any
# PTB warns about RetryAfter.retry_after becoming a timedelta whenever it builds one.
retry_after_warning = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@retry_after_warning
async def test_flood_limit_per_chat_gives_retry_after():
    async with Sandbox(enforce_flood_limits=True) as sandbox:
        agent = sandbox.user(1001)
        sandbox.send_text(agent, "/start")
        async with Bot(sandbox.token, base_url=sandbox.base_url) as client:
            for n in range(3):  # a short burst is tolerated
                await client.send_message(agent.id, f"burst {n}")
            with pytest.raises(RetryAfter):
                await client.send_message(agent.id, "one too many")
        assert sandbox.flood_rejections == 1
        assert sandbox.requests[-1].response["parameters"] == {"retry_after": 1}
        assert sandbox.rejections == []  # a 429 is not an invalid request
        assert len(sandbox.bot_messages(agent.id)) == 3


def test_flood_limits_per_chat_global_and_group():
    clock = FakeClock()
    limiter = FloodLimiter(clock)
    for _ in range(3):
        limiter.check(1)
    with pytest.raises(ApiError) as error:
        limiter.check(1)
    assert error.value.error_code == 429 and error.value.parameters == {"retry_after": 1}
    clock.now += 1.0
    limiter.check(1)  # one more token after a second

    clock.now += 100
    for chat in range(100, 130):
        limiter.check(chat)
    with pytest.raises(ApiError, match="Too Many Requests: retry after 1"):
        limiter.check(999)  # 30 messages per second overall

    clock.now += 100
    for _ in range(20):
        clock.now += 2.0  # slow enough for the per-chat limit
        limiter.check(-500)
    with pytest.raises(ApiError) as error:
        limiter.check(-500)
    assert error.value.parameters["retry_after"] == 22  # 20 per minute in a group


async def test_blocked_user_gets_403_and_the_bot_is_told(sandbox: Sandbox, client: Bot,
                                                          echo_app: App):
    agent = sandbox.user(1001)
    await sandbox.wait_for_bot(agent.id, after=sandbox.send_text(agent, "hi")["_seq"])
    sandbox.block_user(agent.id)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await client.send_message(agent.id, "are you there?")
    await sandbox.wait_idle()
    assert echo_app.bot_data["updates"][-1].my_chat_member.new_chat_member.status == "kicked"
    sandbox.unblock_user(agent.id)
    await client.send_message(agent.id, "welcome back")


@retry_after_warning
async def test_fail_next_with_errors(sandbox: Sandbox, client: Bot):
    agent = sandbox.user(1001)
    sandbox.send_text(agent, "/start")
    sandbox.fail_next("sendMessage")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await client.send_message(agent.id, "first try")
    await client.send_message(agent.id, "second try")
    sandbox.fail_next("*", error_code=429, description="Too Many Requests: retry after 7",
                      retry_after=7, count=2)
    for _ in range(2):
        with pytest.raises(RetryAfter):
            await client.get_me()
    sandbox.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")
    with pytest.raises(BadRequest):
        await client.send_message(agent.id, "x")
    assert [m["text"] for m in sandbox.bot_messages(agent.id)] == ["second try"]
    assert sandbox.rejections == []  # injected faults are not the bot's fault
    with pytest.raises(ValueError, match="not a Bot API method"):
        sandbox.fail_next("sendMesage")


async def test_dropped_connection(sandbox: Sandbox, client: Bot):
    agent = sandbox.user(1001)
    sandbox.send_text(agent, "/start")
    sandbox.fail_next("sendMessage", drop_connection=True)
    with pytest.raises(NetworkError):
        await client.send_message(agent.id, "lost")
    await client.send_message(agent.id, "delivered")
    assert [m["text"] for m in sandbox.bot_messages(agent.id)] == ["delivered"]


async def test_delay_makes_the_client_time_out(sandbox: Sandbox):
    agent = sandbox.user(1001)
    sandbox.send_text(agent, "/start")
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(sandbox.token, base_url=sandbox.base_url, request=request) as client:
        sandbox.fail_next("sendMessage", delay=0.5)
        with pytest.raises(TimedOut):
            await client.send_message(agent.id, "slow")
        # error_code=None: answered late, but the message was sent all the same
        sandbox.fail_next("sendMessage", delay=0.5, error_code=None)
        with pytest.raises(TimedOut):
            await client.send_message(agent.id, "sent although the client gave up")
        await asyncio.sleep(0.5)
    assert [m["text"] for m in sandbox.bot_messages(agent.id)] == [
        "sent although the client gave up"]


async def test_stop_releases_a_pending_long_poll_at_once():
    sandbox = Sandbox()
    await sandbox.start()
    async with Bot(sandbox.token, base_url=sandbox.base_url) as client:
        poll = asyncio.create_task(client.get_updates(timeout=30, read_timeout=40))
        await asyncio.sleep(0.2)
        assert not poll.done()
        started = time.monotonic()
        await sandbox.stop()
        assert await asyncio.wait_for(poll, 1) == ()
        assert time.monotonic() - started < 0.5


async def test_a_running_bot_survives_the_sandbox_stopping(echo_app: App, sandbox: Sandbox):
    started = time.monotonic()
    await sandbox.stop()
    assert time.monotonic() - started < 1
