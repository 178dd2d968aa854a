"""/help, /cancel, and friendly answers to anything the bot cannot place."""

from __future__ import annotations

import logging

from telegram import Update

from coachbot.handlers.common import CoachContext, current_agent, reply

logger = logging.getLogger(__name__)


async def show_help(update: Update, context: CoachContext) -> None:
    """/help: what the bot can do, from the command table, in the agent's language."""
    from coachbot.handlers import help_sections  # the registry imports this module

    agent = current_agent(update, context)
    await reply(update, context, agent, "general/help",
                sections=help_sections(context, agent.locale))


async def cancel(update: Update, context: CoachContext) -> None:
    """/cancel: leave whatever multi-step flow is open."""
    agent = current_agent(update, context)
    chat = update.effective_chat
    assert chat is not None
    had_dialog = context.services.store.dialogs.get_dialog(agent.id, chat.id) is not None
    context.services.store.dialogs.clear_dialog(agent.id, chat.id)
    await reply(update, context, agent, "general/cancelled", had_dialog=had_dialog)


async def unknown_command(update: Update, context: CoachContext) -> None:
    """A /command we don't have."""
    agent = current_agent(update, context)
    message = update.effective_message
    typed = (message.text or "").split()[0][:40] if message and message.text else ""
    await reply(update, context, agent, "general/unknown_command", typed=typed)


async def free_text(update: Update, context: CoachContext) -> None:
    """Text outside any flow that no feature claimed."""
    agent = current_agent(update, context)
    await reply(update, context, agent, "general/free_text")


async def unsupported(update: Update, context: CoachContext) -> None:
    """Stickers, photos, voice, files and the like outside any flow."""
    agent = current_agent(update, context)
    await reply(update, context, agent, "general/unsupported")


async def edited(update: Update, context: CoachContext) -> None:
    """An edited message: we act on new messages only, and say so."""
    agent = current_agent(update, context)
    await reply(update, context, agent, "general/edited")


async def stale_button(update: Update, context: CoachContext) -> None:
    """A button whose data we don't recognise (an old message, or forged data)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    agent = current_agent(update, context)
    await reply(update, context, agent, "general/stale_button")
