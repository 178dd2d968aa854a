"""Webhook mode end to end: setWebhook on the sandbox, updates POSTed, the secret checked."""

from __future__ import annotations

import socket

from coachbot.app import SANDBOX_TOKEN, build_application
from coachbot.config import Settings
from coachbot.runner import start_webhook_bot, stop_bot
from coachbot.sandbox import Sandbox
from coachbot.store import Store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_updates_arrive_by_webhook_and_a_wrong_secret_changes_nothing(tmp_path, clock):
    port = free_port()
    async with Sandbox(token=SANDBOX_TOKEN) as sandbox:
        settings = Settings(
            api_url=sandbox.base_url, file_url=sandbox.base_file_url,
            db_path=tmp_path / "hook.db", webhook_url=f"http://127.0.0.1:{port}/telegram",
            webhook_listen="127.0.0.1", webhook_port=port, sweep_seconds=0.2,
        )
        store = Store.open(settings.db_path, clock)
        app = build_application(settings, store=store, clock=clock)
        await start_webhook_bot(app, settings, secret="s3cret-token")
        try:
            assert sandbox.webhook["url"] == f"http://127.0.0.1:{port}/telegram"
            user = sandbox.user(1001, "小王")
            update = sandbox.send_text(user, "/start")  # delivered by POST, not getUpdates
            replies = await sandbox.wait_for_bot(1001, count=2, after=update["_seq"])
            assert "展业教练" in replies[0]["text"]
            assert store.agents.get_agent(1001) is not None

            forged = {"update_id": 999_999, "message": {
                "message_id": 77, "date": 0, "chat": {"id": 2002, "type": "private"},
                "from": {"id": 2002, "is_bot": False, "first_name": "Mallory"},
                "text": "/start"}}
            status = await sandbox.post_to_webhook(forged, secret="wrong")
            assert status == 403
            status = await sandbox.post_to_webhook(forged, secret=None)
            assert status == 403
            await sandbox.wait_idle()
            assert store.agents.get_agent(2002) is None
            assert sandbox.bot_messages(2002) == []
        finally:
            await stop_bot(app)
            store.close()
        assert sandbox.rejections == []
