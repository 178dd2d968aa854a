"""Ways to run the bot: long polling, webhook, or against the bundled sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import sqlite3
from urllib.parse import urlparse

from coachbot.app import (
    SANDBOX_TOKEN,
    CoachApplication,
    build_application,
    freeze_startup_objects,
    on_startup,
    on_stop,
)
from coachbot.config import ConfigError, Settings
from coachbot.services.container import Services
from coachbot.store import Store
from coachbot.store.lock import InstanceLock

logger = logging.getLogger(__name__)


def open_store(settings: Settings) -> Store:
    """The bot's store; a database that cannot be opened is a one-line configuration error."""
    try:
        return Store.open(settings.db_path, tier_thresholds=settings.tier_thresholds)
    except sqlite3.Error as exc:  # not a database, damaged, locked by a stuck process...
        raise ConfigError(f"COACHBOT_DB: cannot use {settings.db_path}: {exc}") from exc


def run_polling(settings: Settings, instance_lock: InstanceLock | None = None) -> str | None:
    """Production: long-poll Telegram until stopped; why the bot stopped by itself, if it did
    ("conflict": Telegram's 409, another process polls with the token)."""
    app = build_application(settings, store=open_store(settings), instance_lock=instance_lock)
    app.run_polling(drop_pending_updates=False)
    services: Services = app.bot_data["services"]
    return services.stop_reason


def run_webhook(settings: Settings, instance_lock: InstanceLock | None = None) -> None:
    """Production behind a reverse proxy: Telegram POSTs updates, checked by secret token."""
    if not settings.webhook_url or not settings.webhook_url.startswith("https://"):
        raise ConfigError("--webhook needs the public https:// URL Telegram will call")
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    app = build_application(settings, store=open_store(settings), instance_lock=instance_lock)
    app.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlparse(settings.webhook_url).path.lstrip("/"),
        webhook_url=settings.webhook_url,
        secret_token=secret,
    )


async def start_bot(app: CoachApplication) -> None:
    """Initialize, publish menus, start handlers and long polling (what run_polling does)."""
    await app.initialize()
    await on_startup(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=10)


async def start_webhook_bot(app: CoachApplication, settings: Settings, secret: str) -> None:
    """Like start_bot, but Telegram POSTs updates to our webhook server (checked by secret)."""
    assert settings.webhook_url is not None
    await app.initialize()
    await on_startup(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(
        listen=settings.webhook_listen, port=settings.webhook_port,
        url_path=urlparse(settings.webhook_url).path.lstrip("/"),
        webhook_url=settings.webhook_url, secret_token=secret,
    )


async def stop_bot(app: CoachApplication) -> None:
    """The reverse of start_bot."""
    assert app.updater is not None
    with contextlib.suppress(RuntimeError):
        await app.updater.stop()
    await on_stop(app)
    with contextlib.suppress(RuntimeError):
        await app.stop()
    await app.shutdown()


async def run_with_sandbox(settings: Settings, *, user_id: int, language_code: str,
                           instance_lock: InstanceLock | None = None) -> None:
    """No token: the sandbox, the bot and a terminal chat, all in this process."""
    from coachbot.sandbox import Sandbox
    from coachbot.sandbox.terminal import run_terminal_chat

    store = open_store(settings)
    async with Sandbox(token=SANDBOX_TOKEN) as sandbox:
        settings = settings.with_overrides(api_url=sandbox.base_url,
                                           file_url=sandbox.base_file_url)
        app = build_application(settings, store=store, instance_lock=instance_lock)
        await start_bot(app)
        freeze_startup_objects()
        try:
            await run_terminal_chat(sandbox.control_url, user_id=user_id,
                                    language_code=language_code)
        finally:
            await stop_bot(app)


async def serve_sandbox(port: int) -> None:
    """Serve the sandbox alone until interrupted."""
    from coachbot.sandbox import Sandbox

    async with Sandbox(token=SANDBOX_TOKEN, port=port) as sandbox:
        print(f"Sandbox Bot API:  TELEGRAM_API_URL={sandbox.base_url}")
        print(f"Sandbox files:    TELEGRAM_FILE_URL={sandbox.base_file_url}")
        print(f"Control API:      {sandbox.control_url}   (coachbot chat --control-url ...)")
        print(f"Bot token to use: TELEGRAM_BOT_TOKEN={SANDBOX_TOKEN}")
        await asyncio.Event().wait()
