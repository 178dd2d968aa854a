"""Routes plain text and shared locations to the open dialog, or to a friendly fallback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from coachbot.domain.clients import search_words
from coachbot.domain.models import Agent, Dialog
from coachbot.handlers import (
    browse,
    card,
    clients,
    coaching,
    general,
    group_client,
    preferences,
    records,
    remind,
    teams,
    visits,
)
from coachbot.handlers.common import CoachContext, current_agent

DialogHandler = Callable[[Update, CoachContext, Agent, Dialog], Awaitable[None]]

# flow name -> what to do with text typed while that flow is open
TEXT_STEPS: dict[str, DialogHandler] = {
    preferences.FLOW: preferences.on_text,
    clients.FLOW: clients.on_text,
    card.FLOW: card.on_text,
    visits.FLOW: visits.on_text,
    records.FLOW: records.on_text,
    remind.FLOW: remind.on_text,
    coaching.FLOW: coaching.on_text,
    group_client.FLOW: group_client.on_text,
    teams.FLOW: teams.on_text,
}
LOCATION_STEPS: dict[str, DialogHandler] = {
    preferences.FLOW: preferences.on_location,
}


async def before_command(update: Update, context: CoachContext) -> None:
    """A new command leaves any half-done flow, so stale state never swallows later text."""
    user, chat = update.effective_user, update.effective_chat
    if user is not None and chat is not None:
        context.services.store.dialogs.clear_dialog(user.id, chat.id)


async def _to_dialog(update: Update, context: CoachContext, agent: Agent,
                     steps: dict[str, DialogHandler]) -> bool:
    """Hand the message to the open dialog's step, if it takes this kind of message."""
    chat = update.effective_chat
    assert chat is not None
    dialog = context.services.store.dialogs.get_dialog(agent.id, chat.id)
    step = steps.get(dialog.flow) if dialog else None
    if dialog is None or step is None:
        return False
    await step(update, context, agent, dialog)
    return True


async def on_text(update: Update, context: CoachContext) -> None:
    """Private text that is not a command."""
    agent = current_agent(update, context)
    if await _to_dialog(update, context, agent, TEXT_STEPS):
        return
    # outside any flow, a typed name (or pinyin, or phone digits) finds the client
    words = search_words(update.effective_message.text or "")  # type: ignore[union-attr]
    if words and context.services.store.clients.search_clients(agent.id, words, limit=1):
        await browse.search(update, context, agent, words)
        return
    await general.free_text(update, context)


async def on_location(update: Update, context: CoachContext) -> None:
    """A shared location: only meaningful while we asked for one."""
    agent = current_agent(update, context)
    if not await _to_dialog(update, context, agent, LOCATION_STEPS):
        await general.unsupported(update, context)
