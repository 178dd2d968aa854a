"""build_application: the one place that wires store, renderer, handlers and rate limiter."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from coachbot import handlers
from coachbot.clock import Clock, SystemClock
from coachbot.config import Settings
from coachbot.handlers.common import CoachContext
from coachbot.render import Renderer
from coachbot.services import Services
from coachbot.store import Store

logger = logging.getLogger(__name__)

SANDBOX_TOKEN = "123456:SANDBOX-TOKEN"
CoachApplication = Application[Any, CoachContext, Any, Any, Any, Any]


def build_application(
    settings: Settings,
    *,
    store: Store | None = None,
    clock: Clock | None = None,
    renderer: Renderer | None = None,
) -> CoachApplication:
    """The bot, ready to initialize and start; collaborators may be passed in (tests do)."""
    clock = clock or SystemClock()
    store = store or Store.open(settings.db_path, clock, settings.tier_thresholds)
    renderer = renderer or Renderer(settings.templates_dir)
    app: CoachApplication = (
        ApplicationBuilder()
        .token(settings.token or SANDBOX_TOKEN)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .context_types(ContextTypes(context=CoachContext))
        # paces overall and per-group sends; retries once after a 429's retry_after
        .rate_limiter(AIORateLimiter(max_retries=2))
        .post_init(on_startup)
        .build()
    )
    app.bot_data["services"] = Services(
        settings=settings, store=store, renderer=renderer, clock=clock
    )
    handlers.register(app)
    return app


async def on_startup(app: CoachApplication) -> None:
    """After getMe: publish the command menus. (run_polling calls it; harnesses call it too.)"""
    await handlers.set_menus(app)
    logger.info("CoachBot @%s is up", app.bot.username)
