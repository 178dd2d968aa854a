"""Webhook mode: the sandbox POSTs updates to the bot, with the secret token header."""

from __future__ import annotations

import socket

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import Conflict

from coachbot.sandbox import Sandbox

from .conftest import build_echo_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_updates_are_posted_to_the_webhook_with_the_secret(sandbox: Sandbox, client: Bot):
    port = free_port()
    app = build_echo_app(sandbox)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(listen="127.0.0.1", port=port, url_path="hook",
                                    webhook_url=f"http://127.0.0.1:{port}/hook",
                                    secret_token="s3cret")
    try:
        assert sandbox.webhook is not None
        assert sandbox.webhook["url"] == f"http://127.0.0.1:{port}/hook"
        assert sandbox.webhook["secret_token"] == "s3cret"
        agent = sandbox.user(1001)
        update = sandbox.send_text(agent, "via webhook")
        [reply] = await sandbox.wait_for_bot(agent.id, after=update["_seq"])
        assert reply["text"] == "echo via webhook"
        assert sandbox.delivery.log[-1]["status"] == 200
        with pytest.raises(Conflict, match="webhook is active"):
            await client.get_updates()
        wrong = {"update_id": 999, "message": update["message"]}
        assert await sandbox.post_to_webhook(wrong, secret="wrong") == 403
        assert await sandbox.post_to_webhook(wrong, secret=None) == 403
        info = await client.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_failed_deliveries_are_retried(sandbox: Sandbox, client: Bot):
    calls: list[str | None] = []

    async def flaky(request: web.Request) -> web.Response:
        calls.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        return web.Response(status=500 if len(calls) < 3 else 200)

    receiver = web.Application()
    receiver.router.add_post("/hook", flaky)
    runner = web.AppRunner(receiver)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await client.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="abc")
        sandbox.send_text(sandbox.user(1001), "hello")
        await sandbox.wait_idle()
        assert calls == ["abc", "abc", "abc"]
        info = await client.get_webhook_info()
        assert info.last_error_message == (
            "Wrong response from the webhook: 500 Internal Server Error")
        assert info.pending_update_count == 0
    finally:
        await runner.cleanup()


async def test_webhook_url_rules(sandbox: Sandbox, client: Bot):
    from telegram.error import BadRequest

    with pytest.raises(BadRequest):
        await client.set_webhook("http://example.com/hook")
    assert sandbox.rejections[-1].description == (
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    with pytest.raises(BadRequest):
        await client.set_webhook("https://example.com/hook", secret_token="has space")
    await client.set_webhook("https://example.com/hook")
    await client.delete_webhook(drop_pending_updates=True)
    assert sandbox.webhook is None
    assert await client.get_updates() == ()
