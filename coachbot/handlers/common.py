"""Glue shared by the handlers: typed context, the current agent, rendering and replying."""

from __future__ import annotations

import logging
from typing import Any

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackContext, ExtBot

from coachbot.domain.locales import locale_from_language_code
from coachbot.domain.models import Agent
from coachbot.handlers.menu import Menu
from coachbot.render.templates import split_message
from coachbot.runtime.messages import NO_PREVIEW, Markup, send_html
from coachbot.services import agents
from coachbot.services.container import Services

logger = logging.getLogger(__name__)

CANNOT_EDIT = ("message to edit not found", "message can't be edited",
               "there is no text in the message to edit")


class CoachContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with our services (and the command menu) typed."""

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    @property
    def menu(self) -> Menu:
        menu: Menu = self.application.bot_data["menu"]
        return menu


def current_agent(update: Update, context: CoachContext) -> Agent:
    """The agent behind this update, created on first contact."""
    user = update.effective_user
    assert user is not None
    return agents.ensure_agent(
        context.services.store, user.id, first_name=user.first_name or "",
        username=user.username, locale=locale_from_language_code(user.language_code),
    )


def chat_id_of(update: Update) -> int:
    """The chat the update came from."""
    chat = update.effective_chat
    assert chat is not None
    return chat.id


def text(context: CoachContext, agent: Agent, name: str, /, **values: Any) -> str:
    """Render a message template for this agent."""
    values.setdefault("zone", agent.timezone)
    return context.services.renderer.render(agent.locale, name, region=agent.region, **values)


def label(context: CoachContext, agent: Agent, key: str, /, **values: Any) -> str:
    """A plain label (button text) for this agent."""
    return context.services.renderer.label(agent.locale, key, **values)


def placeholder(context: CoachContext, agent: Agent, key: str, /, **values: Any) -> str:
    """The example a typed step shows in the agent's input field (label `placeholders.<key>`,
    the agent's region's variant; dates counted from the agent's today)."""
    return context.services.renderer.placeholder(agent.locale, key, region=agent.region,
                                                 zone=agent.timezone, **values)


def typed_answer(context: CoachContext, agent: Agent, key: str, /, **values: Any) -> ForceReply:
    """The markup of a prompt that waits for a typed value: the agent's phone opens the reply
    field on it with an example as the placeholder. Only for a prompt without inline buttons
    (a message carries one markup: where buttons answer the step, they stay and the example is
    in the text), sent as a new message (an edit can't carry it, and the prompt can never be
    edited afterwards). The answer arrives as a reply to the prompt: the open dialog's step
    takes it like any typed text."""
    example = placeholder(context, agent, key, **values)
    return ForceReply(selective=True, input_field_placeholder=example or None)


async def reply(
    update: Update, context: CoachContext, agent: Agent, name: str, /, *,
    keyboard: Markup | None = None, **values: Any,
) -> Message:
    """Render `name` for the agent and send it to the chat the update came from."""
    return await send_html(
        context.bot, chat_id_of(update), text(context, agent, name, **values),
        reply_markup=keyboard,
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
    await send_html(context.bot, chat_id_of(update), html, reply_markup=keyboard)


async def show(update: Update, context: CoachContext, agent: Agent, name: str, /, *,
               fresh: bool, keyboard: InlineKeyboardMarkup | None = None,
               **values: Any) -> None:
    """A new message (`fresh`), or the pressed one edited in place."""
    if fresh:
        await reply(update, context, agent, name, keyboard=keyboard, **values)
    else:
        await edit_or_reply(update, context, agent, name, keyboard=keyboard, **values)
