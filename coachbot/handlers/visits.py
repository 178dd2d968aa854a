"""Logging visits and contacts: two taps from the card, or a forwarded client message."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from coachbot.domain.clients import clean_text, search_words
from coachbot.domain.dates import parse_day
from coachbot.domain.models import CHANNELS, Agent, Dialog
from coachbot.handlers.card import show_card
from coachbot.handlers.common import (
    CoachContext,
    callback_parts,
    current_agent,
    edit_or_reply,
    inline_keyboard,
    label,
    reply,
)
from coachbot.services import book, records

PREFIX = "vi"
FLOW = "visit"
NEXT_STEP_DAYS = (1, 3, 7, 14)


async def ask_channel(update: Update, context: CoachContext, agent: Agent, cid: int) -> None:
    """First tap was "log a visit": how did you meet?"""
    client = context.services.store.clients.get_client(agent.id, cid)
    buttons = [(label(context, agent, f"channels.{ch}"), f"{PREFIX}:c:{cid}:{ch}")
               for ch in CHANNELS]
    rows = [buttons[:3], buttons[3:], [(label(context, agent, "buttons.back"), f"cl:o:{cid}")]]
    await edit_or_reply(update, context, agent, "visits/ask_channel", client=client,
                        keyboard=inline_keyboard(rows))


async def on_callback(update: Update, context: CoachContext) -> None:
    """vi:c:<client>:<channel> logs it; vi:n:<contact>:<days> sets the next step;
    vi:s:<contact> asks what was said; vi:f:<client> logs a forwarded message."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    agent = current_agent(update, context)
    parts = callback_parts(update, PREFIX)
    store = context.services.store
    now = context.services.clock.now()
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    if len(parts) == 3 and parts[0] == "c" and parts[1].isdigit() and parts[2] in CHANNELS:
        contact = records.log_contact(store, agent.id, int(parts[1]), at=now, channel=parts[2])
        if contact is None:
            await reply(update, context, agent, "clients/not_found")
            return
        await _logged(update, context, agent, contact.id, int(parts[1]))
        return
    if len(parts) == 3 and parts[0] == "n" and parts[1].isdigit() and parts[2].isdigit():
        contact_id, days = int(parts[1]), int(parts[2])
        if days not in NEXT_STEP_DAYS:
            await reply(update, context, agent, "general/stale_button")
            return
        day = book.agent_today(agent, now) + timedelta(days=days)
        client_id = store.clients.set_next_step(agent.id, contact_id, next_step=None, on=day)
        if client_id is None:
            await reply(update, context, agent, "general/stale_button")
            return
        await show_card(update, context, agent, client_id, notice="next_step")
        return
    if len(parts) == 2 and parts[0] in ("s", "d") and parts[1].isdigit():
        step = "summary" if parts[0] == "s" else "next_date"
        store.dialogs.set_dialog(agent.id, chat_id, Dialog(FLOW, step,
                                                           {"contact_id": int(parts[1])}))
        await reply(update, context, agent, f"visits/ask_{step}")
        return
    if len(parts) == 2 and parts[0] == "f" and parts[1].isdigit():
        dialog = store.dialogs.get_dialog(agent.id, chat_id)
        if dialog is None or dialog.flow != FLOW or dialog.step != "forward":
            await reply(update, context, agent, "general/stale_button")
            return
        contact = records.log_contact(store, agent.id, int(parts[1]), at=now, channel="message",
                                      summary=dialog.data.get("text"))
        store.dialogs.clear_dialog(agent.id, chat_id)
        if contact is None:
            await reply(update, context, agent, "clients/not_found")
            return
        await show_card(update, context, agent, int(parts[1]), notice="forward_logged")
        return
    await reply(update, context, agent, "general/stale_button")


async def _logged(update: Update, context: CoachContext, agent: Agent, contact_id: int,
                  cid: int) -> None:
    day_buttons = [(label(context, agent, f"visits.in_{d}"), f"{PREFIX}:n:{contact_id}:{d}")
                   for d in NEXT_STEP_DAYS]
    rows = [[(label(context, agent, "visits.add_summary"), f"{PREFIX}:s:{contact_id}"),
             (label(context, agent, "visits.pick_date"), f"{PREFIX}:d:{contact_id}")],
            day_buttons,
            [(label(context, agent, "buttons.done"), f"cl:o:{cid}")]]
    client = context.services.store.clients.get_client(agent.id, cid)
    await edit_or_reply(update, context, agent, "visits/logged", client=client,
                        keyboard=inline_keyboard(rows))


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """What was said at the visit, the next step's date, or which client a forward is from."""
    message = update.effective_message
    assert message is not None and message.text is not None
    store = context.services.store
    if dialog.step == "forward":
        await _pick_forward_client(update, context, agent, dialog, message.text)
        return
    contact_id = int(dialog.data["contact_id"])
    if dialog.step == "summary":
        summary = clean_text(message.text)
        client_id = store.clients.set_contact_summary(agent.id, contact_id, summary)
    else:
        today = book.agent_today(agent, context.services.clock.now())
        day = parse_day(message.text, today)
        if day is None or day < today:
            await reply(update, context, agent, "clients/field_error", error="bad_day")
            return
        client_id = store.clients.set_next_step(agent.id, contact_id, next_step=None, on=day)
    store.dialogs.clear_dialog(agent.id, message.chat_id)
    if client_id is None:
        await reply(update, context, agent, "clients/not_found")
        return
    await _logged_again(update, context, agent, contact_id, client_id)


async def _logged_again(update: Update, context: CoachContext, agent: Agent, contact_id: int,
                        cid: int) -> None:
    rows = [[(label(context, agent, "visits.add_summary"), f"{PREFIX}:s:{contact_id}"),
             (label(context, agent, "visits.pick_date"), f"{PREFIX}:d:{contact_id}")],
            [(label(context, agent, "buttons.done"), f"cl:o:{cid}:new")]]
    client = context.services.store.clients.get_client(agent.id, cid)
    await reply(update, context, agent, "visits/updated", client=client,
                keyboard=inline_keyboard(rows))


async def on_forward(update: Update, context: CoachContext) -> None:
    """A client's message forwarded to the bot: ask whose it is, guessing from the sender."""
    agent = current_agent(update, context)
    message = update.effective_message
    assert message is not None
    origin = message.forward_origin
    sender = ""
    if origin is not None:
        sender = getattr(origin, "sender_user_name", None) or ""
        user = getattr(origin, "sender_user", None)
        if user is not None:
            sender = " ".join(filter(None, [user.first_name, user.last_name]))
        chat = getattr(origin, "sender_chat", None) or getattr(origin, "chat", None)
        if chat is not None and not sender:
            sender = chat.title or ""
    text = clean_text(message.text or message.caption or "")
    store = context.services.store
    store.dialogs.set_dialog(agent.id, message.chat_id, Dialog(FLOW, "forward", {"text": text}))
    guesses = store.clients.search_clients(agent.id, search_words(sender),
                                           limit=4) if sender else []
    await _offer_clients(update, context, agent, guesses, sender=sender)


async def _pick_forward_client(update: Update, context: CoachContext, agent: Agent,
                               dialog: Dialog, typed: str) -> None:
    matches = context.services.store.clients.search_clients(agent.id, search_words(typed), limit=6)
    await _offer_clients(update, context, agent, matches, sender=typed, searched=True)


async def _offer_clients(update: Update, context: CoachContext, agent: Agent, clients: list,
                         *, sender: str, searched: bool = False) -> None:
    rows = [[(c.name[:40], f"{PREFIX}:f:{c.id}")] for c in clients]
    await reply(update, context, agent, "visits/which_client", sender=sender[:60],
                clients=clients, searched=searched,
                keyboard=inline_keyboard(rows) if rows else None)
