"""Glue shared by the handlers: typed context, the current agent, rendering and replying."""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackContext, ExtBot

from coachbot.domain.locales import locale_from_language_code
from coachbot.domain.models import Agent
from coachbot.render.templates import split_message
from coachbot.runtime.messages import NO_PREVIEW, Button, Markup, inline_keyboard, send_html
from coachbot.services.container import Services

logger = logging.getLogger(__name__)

__all__ = ["Button", "Markup", "inline_keyboard", "send_html"]  # until handlers import them
CANNOT_EDIT = ("message to edit not found", "message can't be edited",
               "there is no text in the message to edit")


class CoachContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with our services typed."""

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services


def current_agent(update: Update, context: CoachContext) -> Agent:
    """The agent behind this update, created on first contact."""
    user = update.effective_user
    assert user is not None
    store = context.services.store
    agent = store.agents.ensure_agent(
        user.id,
        first_name=user.first_name or "",
        username=user.username,
        locale=locale_from_language_code(user.language_code),
    )
    if agent.blocked_at is not None:
        store.agents.mark_reachable(agent.id)
    return agent


def text(context: CoachContext, agent: Agent, name: str, /, **values: Any) -> str:
    """Render a message template for this agent."""
    return context.services.renderer.render(agent.locale, name, region=agent.region, **values)


def label(context: CoachContext, agent: Agent, key: str, /, **values: Any) -> str:
    """A plain label (button text) for this agent."""
    return context.services.renderer.label(agent.locale, key, **values)


async def reply(
    update: Update, context: CoachContext, agent: Agent, name: str, /, *,
    keyboard: Markup | None = None, **values: Any,
) -> Message:
    """Render `name` for the agent and send it to the chat the update came from."""
    chat = update.effective_chat
    assert chat is not None
    return await send_html(
        context.bot, chat.id, text(context, agent, name, **values), reply_markup=keyboard
    )


async def edit_or_reply(
    update: Update, context: CoachContext, agent: Agent, name: str, /, *,
    keyboard: InlineKeyboardMarkup | None = None, **values: Any,
) -> None:
    """After a button press, update that message in place; otherwise send a new one."""
    query = update.callback_query
    html = text(context, agent, name, **values)
    # only a text message can take an edit (a photo, a file or a forged press can't)
    editable = query is not None and getattr(query.message, "text", None) is not None
    if query is not None and editable and len(split_message(html)) == 1:
        try:
            await query.edit_message_text(
                html, parse_mode=ParseMode.HTML, reply_markup=keyboard,
                link_preview_options=NO_PREVIEW,
            )
            return
        except BadRequest as exc:
            reason = str(exc).lower()
            if "message is not modified" in reason:
                return
            # the pressed message can't take this edit (gone, too old, a photo or a file):
            # send the answer as a new message instead
            if not any(cause in reason for cause in CANNOT_EDIT):
                raise
    chat = update.effective_chat
    assert chat is not None
    await send_html(context.bot, chat.id, html, reply_markup=keyboard)


def callback_parts(update: Update, prefix: str) -> list[str]:
    """The fields of our callback data after its prefix ("pf:lang:en" -> ["lang", "en"]).

    Any client can send any callback data. A field that str.isdigit() accepts but that cannot
    be one of our ids ("²", "٣", or beyond SQLite's 64-bit INTEGER) comes back as "", so the
    handlers' `isdigit()` checks refuse it instead of int() or SQLite raising.
    """
    query = update.callback_query
    data = (query.data or "") if query else ""
    if not data.startswith(prefix + ":"):
        return []
    return [_id_or_blank(part) for part in data[len(prefix) + 1:].split(":")]


MAX_ID = 2**63 - 1  # SQLite INTEGER


def _id_or_blank(part: str) -> str:
    if part.isdigit() and not (part.isascii() and int(part) <= MAX_ID):
        return ""
    return part
