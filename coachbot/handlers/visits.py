"""Logging visits and contacts: two taps from the card, or a forwarded client message."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from coachbot.domain.clients import clean_text, search_words
from coachbot.domain.models import CHANNELS, Agent, Client, Dialog
from coachbot.handlers import ai_facts
from coachbot.handlers.card import show_card
from coachbot.handlers.common import CoachContext, current_agent, label, reply, typed_answer
from coachbot.handlers.dispatch import Buttons, Feature, Press
from coachbot.render.buttons import VISITS, open_card
from coachbot.runtime.messages import inline_keyboard
from coachbot.services import agenda, book, clients, dialogs, records, visits

FLOW = "visit"
NEXT_STEP_DAYS = (1, 3, 7, 14)
EXAMPLES = {"summary": "visit_summary", "next_date": "next_step"}  # placeholder per step


# -- buttons ----------------------------------------------------------------------------------
async def _channel(press: Press) -> None:
    """vi:c:<client>:<channel> logs the contact (the card asked how they met)."""
    client_id, channel = press.int_arg(0), press.arg(1)
    if len(press.args) != 2 or client_id is None or channel not in CHANNELS:
        await press.stale()
        return
    contact = records.log_contact(press.store, press.agent.id, client_id,
                                  at=press.services.clock.now(), channel=channel)
    if contact is None:
        await press.reply("clients/not_found")
        return
    day_buttons = [(press.label(f"visits.in_{d}"), VISITS.data("next_in", contact.id, d))
                   for d in NEXT_STEP_DAYS]
    rows = [[(press.label("visits.add_summary"), VISITS.data("summary", contact.id)),
             (press.label("visits.pick_date"), VISITS.data("pick_date", contact.id))],
            day_buttons,
            [(press.label("buttons.done"), open_card(client_id))]]
    client = clients.get_client(press.store, press.agent.id, client_id)
    await press.edit("visits/logged", client=client, keyboard=inline_keyboard(rows))


async def _next_in(press: Press) -> None:
    """vi:n:<contact>:<days> dates the next step."""
    contact_id, days = press.int_arg(0), press.int_arg(1)
    if len(press.args) != 2 or contact_id is None or days not in NEXT_STEP_DAYS:
        await press.stale()
        return
    day = book.agent_today(press.agent, press.services.clock.now()) + timedelta(days=days)
    client_id = visits.set_next_step_on(press.store, press.agent.id, contact_id, day)
    if client_id is None:
        await press.stale()
        return
    await show_card(press.update, press.context, press.agent, client_id, notice="next_step")


async def _ask(press: Press) -> None:
    """vi:s:<contact> asks what was said; vi:d:<contact> asks for the next step's date."""
    contact_id = press.int_arg(0)
    if len(press.args) != 1 or contact_id is None:
        await press.stale()
        return
    step = "summary" if press.action == "summary" else "next_date"
    press.set_dialog(Dialog(FLOW, step, {"contact_id": contact_id}))
    await press.reply(f"visits/ask_{step}", keyboard=press.typed_answer(EXAMPLES[step]))


async def _forwarded(press: Press) -> None:
    """vi:f:<client>: the forwarded message was from this client."""
    client_id = press.int_arg(0)
    dialog = press.dialog()
    if len(press.args) != 1 or client_id is None or dialog is None or dialog.flow != FLOW \
            or dialog.step != "forward":
        await press.stale()
        return
    contact = records.log_contact(press.store, press.agent.id, client_id,
                                  at=press.services.clock.now(), channel="message",
                                  summary=dialog.data.get("text"))
    press.clear_dialog()
    if contact is None:
        await press.reply("clients/not_found")
        return
    await show_card(press.update, press.context, press.agent, client_id, notice="forward_logged")
    await ai_facts.offer(press.update, press.context, press.agent, client_id,
                         str(dialog.data.get("text") or ""), "forwarded")


# -- typed answers ----------------------------------------------------------------------------
async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """What was said at the visit, the next step's date, or which client a forward is from."""
    message = update.effective_message
    assert message is not None and message.text is not None
    store = context.services.store
    if dialog.step == "forward":
        matches = clients.search_clients(store, agent.id, search_words(message.text), limit=6)
        await _offer_clients(update, context, agent, matches, sender=message.text, searched=True)
        return
    contact_id = int(dialog.data["contact_id"])
    if dialog.step == "summary":
        client_id = visits.set_summary(store, agent.id, contact_id, clean_text(message.text))
    else:
        step = agenda.set_next_step_from_text(store, agent, contact_id, message.text,
                                              context.services.clock.now())
        if step.error is not None and step.error != agenda.NOT_FOUND:
            await reply(update, context, agent, "clients/field_error", error="bad_day",
                        keyboard=typed_answer(context, agent, EXAMPLES["next_date"]))
            return
        dialogs.clear_dialog(store, agent.id, message.chat_id)
        if step.client_id is None:
            await reply(update, context, agent, "clients/not_found")
            return
        await show_card(update, context, agent, step.client_id, fresh=True, notice="next_step")
        return
    dialogs.clear_dialog(store, agent.id, message.chat_id)
    if client_id is None:
        await reply(update, context, agent, "clients/not_found")
        return
    await _logged_again(update, context, agent, contact_id, client_id)
    if dialog.step == "summary":  # a model's reading of the note, to confirm with one tap
        await ai_facts.offer(update, context, agent, client_id, message.text, "visit_log")


async def _logged_again(update: Update, context: CoachContext, agent: Agent, contact_id: int,
                        cid: int) -> None:
    rows = [[(label(context, agent, "visits.add_summary"), VISITS.data("summary", contact_id)),
             (label(context, agent, "visits.pick_date"), VISITS.data("pick_date", contact_id))],
            [(label(context, agent, "buttons.done"), open_card(cid, new=True))]]
    client = clients.get_client(context.services.store, agent.id, cid)
    await reply(update, context, agent, "visits/updated", client=client,
                keyboard=inline_keyboard(rows))


# -- forwards ---------------------------------------------------------------------------------
async def on_forward(update: Update, context: CoachContext) -> None:
    """A client's message forwarded to the bot: ask whose it is, guessing from the sender."""
    agent = current_agent(update, context)
    message = update.effective_message
    assert message is not None
    sender = _forward_sender(update)
    text = clean_text(message.text or message.caption or "")
    store = context.services.store
    dialogs.set_dialog(store, agent.id, message.chat_id, Dialog(FLOW, "forward", {"text": text}))
    guesses = clients.search_clients(store, agent.id, search_words(sender),
                                     limit=4) if sender else []
    await _offer_clients(update, context, agent, guesses, sender=sender)


def _forward_sender(update: Update) -> str:
    """The forwarded message's sender as Telegram shows it (a user, a name, a chat)."""
    message = update.effective_message
    origin = message.forward_origin if message is not None else None
    if origin is None:
        return ""
    sender = getattr(origin, "sender_user_name", None) or ""
    user = getattr(origin, "sender_user", None)
    if user is not None:
        sender = " ".join(filter(None, [user.first_name, user.last_name]))
    chat = getattr(origin, "sender_chat", None) or getattr(origin, "chat", None)
    if chat is not None and not sender:
        sender = chat.title or ""
    return sender


async def _offer_clients(update: Update, context: CoachContext, agent: Agent,
                         found: list[Client], *, sender: str, searched: bool = False) -> None:
    rows = [[(c.name[:40], VISITS.data("forwarded", c.id))] for c in found]
    # no one to tap: the name is typed, so the reply field opens with an example
    await reply(update, context, agent, "visits/which_client", sender=sender[:60],
                clients=found, searched=searched,
                keyboard=inline_keyboard(rows) if rows
                else typed_answer(context, agent, "client_search"))


FEATURE = Feature(
    buttons=(Buttons(VISITS, {"channel": _channel, "next_in": _next_in, "summary": _ask,
                              "pick_date": _ask, "forwarded": _forwarded}),),
    text_steps={FLOW: on_text},
)
