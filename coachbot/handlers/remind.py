"""One-off reminders (/remind, /reminders) and the end-of-day visit log prompt (/log)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from telegram import Update

from coachbot.domain.clients import clean_text, search_words
from coachbot.domain.dates import parse_when
from coachbot.domain.models import Agent, Dialog
from coachbot.domain.reminders import OneOff
from coachbot.handlers.common import (
    CoachContext,
    current_agent,
    label,
    reply,
    show,
    typed_answer,
)
from coachbot.handlers.dispatch import Action, Buttons, Command, Feature, Press
from coachbot.push.reminders import eod_message
from coachbot.render.buttons import END_OF_DAY, ONE_OFFS
from coachbot.runtime.messages import Button, edit_in_place, inline_keyboard, send_html
from coachbot.services import agenda, clients, dialogs, reminders, visits

FLOW = "remind"

OneOffStep = Callable[[Press, OneOff], Awaitable[None]]


async def remind(update: Update, context: CoachContext) -> None:
    """/remind [client] when what: a client (optional), a time, what to do."""
    agent = current_agent(update, context)
    line = clean_text(" ".join(context.args or []), 300)
    if not line:
        await reply(update, context, agent, "reminders/remind_usage")
        return
    store, now = context.services.store, context.services.clock.now()
    client = clients.client_named_at_start(store, agent.id, line)
    rest = line[len(client.name):].strip() if client else line
    when = parse_when(rest, now.astimezone(ZoneInfo(agent.timezone)), agent.locale)
    if when is None or when.at <= now:
        await reply(update, context, agent, "reminders/remind_bad_time", typed=line,
                    past=when is not None)
        return
    subject = when.rest or (client.name if client else line)
    reminder = reminders.add_one_off(store, agent.id, client_id=client.id if client else None,
                                     text=subject, due_at=when.at)
    rows = [[(label(context, agent, "reminders.cancel_one"), ONE_OFFS.data("cancel", reminder.id)),
             (label(context, agent, "reminders.change_time"),
              ONE_OFFS.data("edit", reminder.id))]]
    await reply(update, context, agent, "reminders/remind_set", reminder=reminder,
                client=client, at=when.at.astimezone(ZoneInfo(agent.timezone)),
                keyboard=inline_keyboard(rows))


async def list_reminders(update: Update, context: CoachContext) -> None:
    """/reminders: the pending one-off reminders, each cancellable and editable."""
    agent = current_agent(update, context)
    await _show_list(update, context, agent, fresh=True)


async def _show_list(update: Update, context: CoachContext, agent: Agent, *,
                     fresh: bool = False) -> None:
    services = context.services
    lines = agenda.reminder_lines(services.store, agent)
    rows: list[list[Button]] = [
        [(edit, ONE_OFFS.data("edit", edit_id)), (cancel, ONE_OFFS.data("cancel", cancel_id))]
        for (edit, edit_id), (cancel, cancel_id)
        in agenda.reminder_buttons(services.renderer, agent.locale, lines)]
    items = [(line.reminder, line.at) for line in lines]
    await show(update, context, agent, "reminders/list", fresh=fresh,
               keyboard=inline_keyboard(rows) if rows else None, items=items)


# -- a one-off's buttons ------------------------------------------------------------------
def _on_one_off(step: OneOffStep) -> Action:
    """ro:<action>:<reminder>: only a reminder of the presser's."""
    async def run(press: Press) -> None:
        reminder_id = press.int_arg(0)
        reminder = reminders.get_one_off(press.store, press.agent.id, reminder_id) \
            if len(press.args) == 1 and reminder_id is not None else None
        if reminder is None:
            await press.stale()
            return
        await step(press, reminder)
    return run


async def _cancel(press: Press, reminder: OneOff) -> None:
    reminders.cancel_one_off(press.store, press.agent.id, reminder.id)
    await _show_list(press.update, press.context, press.agent)


async def _edit(press: Press, reminder: OneOff) -> None:
    """Ask for a new time."""
    press.set_dialog(Dialog(FLOW, "when", {"reminder_id": reminder.id}))
    await press.reply("reminders/ask_new_time", reminder=reminder,
                      keyboard=press.typed_answer("remind_when"))


async def _snooze(press: Press, reminder: OneOff) -> None:
    """Again in an hour."""
    reminders.snooze_one_off(press.store, press.agent.id, reminder.id,
                             press.services.clock.now())
    await press.edit("reminders/one_off_snoozed", reminder=reminder)


async def _done(press: Press, reminder: OneOff) -> None:
    await press.edit("reminders/one_off_done", reminder=reminder)


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A new time for a reminder, or a client's name for the end-of-day log."""
    message = update.effective_message
    assert message is not None and message.text is not None
    store, now = context.services.store, context.services.clock.now()
    if dialog.step == "eod_search":
        await _eod_search(update, context, agent, message.text)
        return
    when = parse_when(message.text, now.astimezone(ZoneInfo(agent.timezone)), agent.locale)
    if when is None or when.at <= now:
        await reply(update, context, agent, "reminders/remind_bad_time", typed=message.text,
                    past=when is not None, keyboard=typed_answer(context, agent, "remind_when"))
        return
    reminders.reschedule_one_off(store, agent.id, int(dialog.data["reminder_id"]), when.at)
    dialogs.clear_dialog(store, agent.id, message.chat_id)
    await _show_list(update, context, agent, fresh=True)


# -- end of day ---------------------------------------------------------------------------
async def eod_now(update: Update, context: CoachContext) -> None:
    """/log: the end-of-day visit log on demand."""
    agent = current_agent(update, context)
    html, keyboard = eod_message(context.services, agent)
    await send_html(context.bot, agent.id, html, reply_markup=keyboard)


async def _visited(press: Press) -> None:
    """eod:v:<client> logs a face-to-face visit today (once), and ticks it in place."""
    client_id = press.int_arg(0)
    if len(press.args) != 1 or client_id is None:
        await press.stale()
        return
    if not visits.log_visit_today(press.store, press.agent, client_id,
                                  press.services.clock.now()):
        await press.reply("clients/not_found")
        return
    html, keyboard = eod_message(press.services, press.agent)
    query = press.update.callback_query
    assert query is not None
    await edit_in_place(query, html, keyboard)


async def _find(press: Press) -> None:
    """eod:find: a client not among the buttons: ask for a name."""
    if press.args:
        await press.stale()
        return
    press.set_dialog(Dialog(FLOW, "eod_search", {}))
    await press.reply("reminders/eod_find", keyboard=press.typed_answer("client_search"))


async def _end(press: Press) -> None:
    """eod:end closes the prompt."""
    if press.args:
        await press.stale()
        return
    await press.edit("reminders/eod_closed")


async def _eod_search(update: Update, context: CoachContext, agent: Agent, typed: str) -> None:
    found = clients.search_clients(context.services.store, agent.id, search_words(typed),
                                   limit=6)
    rows = [[(c.name[:30], END_OF_DAY.data("visited", c.id))] for c in found]
    # nobody found: the search is still open, so the reply field opens again
    await reply(update, context, agent, "reminders/eod_results", count=len(found),
                keyboard=inline_keyboard(rows) if rows
                else typed_answer(context, agent, "client_search"))


FEATURE = Feature(
    commands=(Command("remind", remind, section="day"),
              Command("reminders", list_reminders, section="day"),
              Command("log", eod_now, section="day")),
    buttons=(Buttons(ONE_OFFS, {"cancel": _on_one_off(_cancel), "edit": _on_one_off(_edit),
                                "snooze": _on_one_off(_snooze), "done": _on_one_off(_done)}),
             Buttons(END_OF_DAY, {"visited": _visited, "find": _find, "end": _end})),
    text_steps={FLOW: on_text},
)
