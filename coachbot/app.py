"""build_application: the one place that wires store, renderer, handlers and rate limiter."""

from __future__ import annotations

import gc
import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import Conflict
from telegram.ext import Application, ApplicationBuilder, ApplicationHandlerStop, ContextTypes

from coachbot.config import Settings
from coachbot.domain.calendar import festivals
from coachbot.domain.clock import Clock, SystemClock
from coachbot.domain.locales import locale_from_language_code
from coachbot.domain.regions import REGIONS
from coachbot.handlers import registry
from coachbot.handlers.common import CoachContext
from coachbot.push.deliverers import DELIVERERS
from coachbot.push.sender import OutboxSender
from coachbot.push.sweep import sweep
from coachbot.render.templates import Renderer
from coachbot.runtime.rate_limit import TelegramRateLimiter
from coachbot.runtime.transport import AiohttpRequest
from coachbot.runtime.update_order import ChatOrderedUpdateProcessor
from coachbot.scripts.loader import ScriptLibrary, load_library
from coachbot.services.ai.setup import AiServices, build_ai
from coachbot.services.container import Services
from coachbot.store import Store
from coachbot.store.lock import InstanceLock

logger = logging.getLogger(__name__)

SANDBOX_TOKEN = "123456:SANDBOX-TOKEN"
CoachApplication = Application[Any, CoachContext, Any, Any, Any, Any]


def build_application(
    settings: Settings,
    *,
    store: Store | None = None,
    clock: Clock | None = None,
    renderer: Renderer | None = None,
    library: ScriptLibrary | None = None,
    ai: AiServices | None = None,
    instance_lock: InstanceLock | None = None,
) -> CoachApplication:
    """The bot, ready to initialize and start; collaborators may be passed in (tests do).

    instance_lock: the database's lock, held by `coachbot run` for the process's life."""
    clock = clock or SystemClock()
    store = store or Store.open(settings.db_path, clock, settings.tier_thresholds)
    renderer = renderer or Renderer(settings.templates_dir, clock=clock)
    processor = ChatOrderedUpdateProcessor()
    app: CoachApplication = (
        ApplicationBuilder()
        .token(settings.token or SANDBOX_TOKEN)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .context_types(ContextTypes(context=CoachContext))
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        # each chat's updates in order, chats side by side, a flooding chat bounded
        .concurrent_updates(processor)
        # replies at once, outbox pushes paced behind them, 429s waited out per chat (why not
        # PTB's AIORateLimiter: see runtime/rate_limit.py)
        .rate_limiter(TelegramRateLimiter())
        .post_init(on_process_startup)
        .post_stop(on_stop)
        .build()
    )
    app.bot_data["services"] = Services(
        settings=settings, store=store, renderer=renderer, clock=clock,
        library=library or load_library(),
        ai=ai or build_ai(settings, store, renderer, clock),
        instance_lock=instance_lock,
    )
    # our markets' festivals this year, made with the other start-up objects: the first
    # use of the holidays package imports every country's rules (0.1-0.2 s), which would
    # otherwise stall the event loop in the first digest a process builds
    for region in REGIONS:
        festivals(region, clock.now().year)
    # Before the handlers' error handler: a 409 must stop the bot, not be logged as a bug.
    app.add_error_handler(_on_polling_conflict)  # type: ignore[arg-type]
    registry.register(app)

    async def slow_down(update: object) -> None:
        await ask_to_slow_down(app, update)

    processor.on_overflow = slow_down
    return app


async def ask_to_slow_down(app: CoachApplication, update: object) -> None:
    """The one notice a private chat gets when it sends more than its backlog can hold."""
    if not isinstance(update, Update) or update.effective_chat is None \
            or update.effective_chat.type != ChatType.PRIVATE or update.effective_user is None:
        return  # a busy group is not one account flooding: its excess is dropped quietly
    services: Services = app.bot_data["services"]
    user = update.effective_user
    agent = services.store.agents.get_agent(user.id)
    locale = agent.locale if agent else locale_from_language_code(user.language_code)
    html = services.renderer.render(locale, "general/slow_down",
                                    region=agent.region if agent else None)
    await app.bot.send_message(update.effective_chat.id, html, parse_mode=ParseMode.HTML)


def processor_of(app: CoachApplication) -> ChatOrderedUpdateProcessor:
    """The bot's update processor (the bench and diagnostics read its counters)."""
    processor = app.update_processor
    assert isinstance(processor, ChatOrderedUpdateProcessor)
    return processor


def rate_limiter_of(app: CoachApplication) -> TelegramRateLimiter:
    """The bot's rate limiter (the bench reads its configured push rate and counters)."""
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, TelegramRateLimiter)
    return limiter


async def _on_polling_conflict(update: object, context: CoachContext) -> None:
    """Telegram's 409 Conflict while polling: another process polls with this token.

    PTB would retry every few seconds for ever, both processes logging tracebacks and taking
    updates from each other. Say so once and stop this one cleanly (run_polling then stops the
    updater, the sender and the application as on SIGTERM; the exit code is non-zero)."""
    if update is not None or not isinstance(context.error, Conflict):
        return
    services = context.services
    if services.stop_reason is None:
        services.stop_reason = "conflict"
        # stopping calls getUpdates once more to confirm what was fetched; that call meets the
        # same 409, which PTB would log with a traceback: this line has said it all
        logging.getLogger("telegram.ext.Updater").addFilter(_drop_conflicts)
        logger.error("Telegram refuses updates: another process is polling with this bot "
                     "token (409 Conflict). Stopping; run only one CoachBot per token.")
        context.application.stop_running()
    raise ApplicationHandlerStop  # no traceback from the general error handler


def _drop_conflicts(record: logging.LogRecord) -> bool:
    return not (record.exc_info and isinstance(record.exc_info[1], Conflict))


async def on_startup(app: CoachApplication) -> None:
    """After getMe: menus, the outbox sender and the periodic sweep (run_polling calls this)."""
    services: Services = app.bot_data["services"]
    await registry.set_menus(app)
    sender = OutboxSender(app.bot, services, DELIVERERS)
    services.sender = sender
    sender.start()
    assert app.job_queue is not None
    app.job_queue.run_repeating(_sweep_job, interval=services.settings.sweep_seconds, first=0.5,
                                name="sweep", job_kwargs={"misfire_grace_time": None,
                                                          "coalesce": True})
    logger.info("CoachBot @%s is up", app.bot.username)


async def on_process_startup(app: CoachApplication) -> None:
    """on_startup for the process's one bot (run_polling / run_webhook call it)."""
    await on_startup(app)
    freeze_startup_objects()


def freeze_startup_objects() -> None:
    """Once per process, after start-up (tests start many bots in one process: not there).

    Move what start-up made (templates, scripts, calendars: ~300,000 objects that live as
    long as the process) out of the garbage collector's sight, so its full collections stop
    rescanning them while a morning's digests allocate (the day's digests: 1.5 -> 1.25 s)."""
    gc.collect()
    gc.freeze()


async def on_stop(app: CoachApplication) -> None:
    """Stop the outbox sender (what is queued stays queued in SQLite)."""
    services: Services = app.bot_data["services"]
    if services.sender is not None:
        await services.sender.stop()
        services.sender = None
    if services.ai is not None:
        await services.ai.close()


async def _sweep_job(context: CoachContext) -> None:
    """The one scheduled job: queue what fell due, then wake the sender."""
    services = context.services
    if sweep(services):
        services.wake_sender()
