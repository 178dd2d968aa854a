"""End-to-end harness: the real PTB Application talking HTTP to the sandbox, a real SQLite file."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coachbot.app import SANDBOX_TOKEN, CoachApplication, build_application
from coachbot.config import Settings
from coachbot.domain.clock import ManualClock
from coachbot.runner import start_bot, stop_bot
from coachbot.sandbox import Sandbox, SandboxUser
from coachbot.services.container import Services
from coachbot.store import Store

REPLY_TIMEOUT = 10.0


@dataclass
class BotHarness:
    """Talk to the bot as Telegram users would, and look at what it sent and stored."""

    sandbox: Sandbox
    app: CoachApplication
    clock: ManualClock
    tmp_path: Path
    user: SandboxUser
    users: dict[int, SandboxUser] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        services: Services = self.app.bot_data["services"]
        return services

    @property
    def store(self) -> Store:
        return self.services.store

    def as_user(self, user_id: int, first_name: str = "Agent", language_code: str = "zh-hans",
                **extra: Any) -> SandboxUser:
        user = self.sandbox.user(user_id, first_name, language_code=language_code, **extra)
        self.users[user_id] = user
        return user

    async def send(self, text: str, *, user: SandboxUser | None = None,
                   chat_id: int | None = None, expect: int = 1,
                   reply_to: int | None = None) -> list[dict[str, Any]]:
        """Type a message (as a reply to message `reply_to`, as a ForceReply prompt has the
        user do); returns the bot's messages (new or edited) that answer it."""
        update = self.sandbox.send_text(user or self.user, text, chat_id=chat_id,
                                        reply_to=reply_to)
        return await self._replies(update, chat_id or (user or self.user).id, expect)

    async def press(self, button_text: str, *, user: SandboxUser | None = None,
                    chat_id: int | None = None, expect: int = 1) -> list[dict[str, Any]]:
        """Press the newest inline button whose text contains `button_text`."""
        update = self.sandbox.press_button(user or self.user, button_text, chat_id=chat_id)
        return await self._replies(update, chat_id or (user or self.user).id, expect)

    async def press_data(self, message_id: int, data: str, *, user: SandboxUser | None = None,
                         expect: int = 1) -> list[dict[str, Any]]:
        """Press a button by its raw callback data (forged data included)."""
        update = self.sandbox.press(user or self.user, message_id, data, force=True)
        return await self._replies(update, (user or self.user).id, expect)

    async def inject(self, update: dict[str, Any], chat_id: int,
                     expect: int = 1) -> list[dict[str, Any]]:
        """Wait for the replies to an update made with the sandbox's other control calls."""
        return await self._replies(update, chat_id, expect)

    def last_reply(self, chat_id: int | None = None) -> dict[str, Any]:
        message = self.sandbox.last_bot_message(chat_id or self.user.id)
        assert message is not None, "the bot has not said anything in this chat"
        return message

    def buttons(self, message: dict[str, Any] | None = None) -> list[str]:
        """Texts of the inline buttons of a message (the last reply by default)."""
        message = message or self.last_reply()
        markup = message.get("reply_markup") or {}
        return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]

    async def _replies(self, update: dict[str, Any], chat_id: int,
                       expect: int) -> list[dict[str, Any]]:
        return await self.sandbox.wait_for_bot(
            chat_id, count=expect, after=update["_seq"], timeout=REPLY_TIMEOUT
        )


@contextlib.asynccontextmanager
async def start_harness(
    tmp_path: Path, clock: ManualClock, *, settings: Settings | None = None,
    enforce_flood_limits: bool = False,
) -> AsyncIterator[BotHarness]:
    """Sandbox + bot on a fresh database file; on exit, every request must have been valid."""
    async with Sandbox(token=SANDBOX_TOKEN, enforce_flood_limits=enforce_flood_limits) as sandbox:
        base = settings or Settings()
        settings = base.with_overrides(
            api_url=sandbox.base_url, file_url=sandbox.base_file_url,
            db_path=tmp_path / "coachbot.db", sweep_seconds=0.1,
        )
        store = Store.open(settings.db_path, clock)
        app = build_application(settings, store=store, clock=clock)
        await start_bot(app)
        user = sandbox.user(1001, "小王", language_code="zh-hans")
        harness = BotHarness(sandbox, app, clock, tmp_path, user, {user.id: user})
        try:
            yield harness
        finally:
            await stop_bot(app)
            # every write must be committed: a transaction left open would be lost on a crash
            assert not harness.store.db.conn.in_transaction, "a write was left uncommitted"
            store.close()
        assert sandbox.rejections == [], f"the bot sent invalid requests: {sandbox.rejections}"
