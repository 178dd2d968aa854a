"""/help, /cancel, and friendly answers to anything the bot cannot place."""

from __future__ import annotations

import logging

from telegram import Update

from coachbot.handlers import clients
from coachbot.handlers.common import CoachContext, chat_id_of, current_agent, reply
from coachbot.handlers.dispatch import Command, Feature
from coachbot.services import dialogs

logger = logging.getLogger(__name__)


async def show_help(update: Update, context: CoachContext) -> None:
    """/help: what the bot can do, from the commands the features declare, in the agent's
    language."""
    agent = current_agent(update, context)
    await reply(update, context, agent, "general/help",
                sections=context.menu.help_sections(context.services.renderer, agent.locale))


async def cancel(update: Update, context: CoachContext) -> None:
    """/cancel: leave whatever multi-step flow is open."""
    agent = current_agent(update, context)
    store, chat_id = context.services.store, chat_id_of(update)
    had_dialog = dialogs.get_dialog(store, agent.id, chat_id) is not None
    dialogs.clear_dialog(store, agent.id, chat_id)
    await reply(update, context, agent, "general/cancelled", had_dialog=had_dialog)


async def before_command(update: Update, context: CoachContext) -> None:
    """A new command leaves any half-done flow, so stale state never swallows later text."""
    user, chat = update.effective_user, update.effective_chat
    if user is not None and chat is not None:
        dialogs.clear_dialog(context.services.store, user.id, chat.id)


async def unknown_command(update: Update, context: CoachContext) -> None:
    """A /command we don't have."""
    agent = current_agent(update, context)
    message = update.effective_message
    typed = (message.text or "").split()[0][:40] if message and message.text else ""
    await reply(update, context, agent, "general/unknown_command", typed=typed)


async def free_text(update: Update, context: CoachContext) -> None:
    """Text outside any flow that no feature claimed: a new client's line is offered for
    adding, anything else gets the friendly "not sure where this goes"."""
    agent = current_agent(update, context)
    if await clients.offer_to_add(update, context, agent):
        return
    await reply(update, context, agent, "general/free_text")


async def unsupported(update: Update, context: CoachContext) -> None:
    """Stickers, photos, voice, files and the like outside any flow."""
    agent = current_agent(update, context)
    await reply(update, context, agent, "general/unsupported")


async def edited(update: Update, context: CoachContext) -> None:
    """An edited message: we act on new messages only, and say so."""
    agent = current_agent(update, context)
    await reply(update, context, agent, "general/edited")


FEATURE = Feature(
    commands=(Command("help", show_help, where="any"), Command("cancel", cancel)),
)
