"""One-off reminders (/remind, /reminders) and the end-of-day visit log prompt."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from coachbot.domain.clients import clean_text, search_words
from coachbot.domain.dates import parse_when
from coachbot.domain.models import Agent, Dialog
from coachbot.handlers.common import (
    Button,
    CoachContext,
    callback_parts,
    current_agent,
    edit_or_reply,
    inline_keyboard,
    label,
    reply,
    send_html,
)
from coachbot.push.reminders import day_bounds, eod_message
from coachbot.services import records

PREFIX = "ro"
EOD_PREFIX = "eod"
FLOW = "remind"
SNOOZE = timedelta(hours=1)
EOD_CHOICES = 8


async def remind(update: Update, context: CoachContext) -> None:
    """/remind [client] when what: a client (optional), a time, what to do."""
    agent = current_agent(update, context)
    line = clean_text(" ".join(context.args or []), 300)
    if not line:
        await reply(update, context, agent, "reminders/remind_usage")
        return
    store, now = context.services.store, context.services.clock.now()
    client = store.clients.client_named_at_start(agent.id, line)
    rest = line[len(client.name):].strip() if client else line
    when = parse_when(rest, now.astimezone(ZoneInfo(agent.timezone)), agent.locale)
    if when is None or when.at <= now:
        await reply(update, context, agent, "reminders/remind_bad_time", typed=line,
                    past=when is not None)
        return
    subject = when.rest or (client.name if client else line)
    reminder = store.schedule.add_one_off(agent.id, client_id=client.id if client else None,
                                          text=subject, due_at=when.at)
    rows = [[(label(context, agent, "reminders.cancel_one"), f"{PREFIX}:x:{reminder.id}"),
             (label(context, agent, "reminders.change_time"), f"{PREFIX}:e:{reminder.id}")]]
    await reply(update, context, agent, "reminders/remind_set", reminder=reminder,
                client=client, at=when.at.astimezone(ZoneInfo(agent.timezone)),
                keyboard=inline_keyboard(rows))


async def list_reminders(update: Update, context: CoachContext) -> None:
    """/reminders: the pending one-off reminders, each cancellable and editable."""
    agent = current_agent(update, context)
    await _show_list(update, context, agent, fresh=True)


async def _show_list(update: Update, context: CoachContext, agent: Agent, *,
                     fresh: bool = False) -> None:
    pending = context.services.store.schedule.pending_one_offs(agent.id)
    zone = ZoneInfo(agent.timezone)
    rows: list[list[Button]] = []
    for index, reminder in enumerate(pending[:10], start=1):
        rows.append([(f"✏️ {index}", f"{PREFIX}:e:{reminder.id}"),
                     (f"✖ {index}", f"{PREFIX}:x:{reminder.id}")])
    items = [(r, r.due_at.astimezone(zone)) for r in pending]
    keyboard = inline_keyboard(rows) if rows else None
    if fresh:
        await reply(update, context, agent, "reminders/list", items=items, keyboard=keyboard)
    else:
        await edit_or_reply(update, context, agent, "reminders/list", items=items,
                            keyboard=keyboard)


async def on_callback(update: Update, context: CoachContext) -> None:
    """ro:x:<id> cancels, ro:e:<id> asks a new time, ro:s:<id> snoozes an hour, ro:d:<id> done."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    agent = current_agent(update, context)
    parts = callback_parts(update, PREFIX)
    store = context.services.store
    reminder = store.schedule.get_one_off(agent.id, int(parts[1])) \
        if len(parts) == 2 and parts[1].isdigit() else None
    if reminder is None:
        await reply(update, context, agent, "general/stale_button")
        return
    if parts[0] == "x":
        store.schedule.cancel_one_off(agent.id, reminder.id)
        await _show_list(update, context, agent)
    elif parts[0] == "e":
        chat_id = update.effective_chat.id  # type: ignore[union-attr]
        store.dialogs.set_dialog(agent.id, chat_id, Dialog(FLOW, "when",
                                                           {"reminder_id": reminder.id}))
        await reply(update, context, agent, "reminders/ask_new_time", reminder=reminder)
    elif parts[0] == "s":
        store.schedule.reschedule_one_off(agent.id, reminder.id,
                                          context.services.clock.now() + SNOOZE)
        await edit_or_reply(update, context, agent, "reminders/one_off_snoozed",
                            reminder=reminder)
    elif parts[0] == "d":
        await edit_or_reply(update, context, agent, "reminders/one_off_done", reminder=reminder)
    else:
        await reply(update, context, agent, "general/stale_button")


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
                    past=when is not None)
        return
    store.schedule.reschedule_one_off(agent.id, int(dialog.data["reminder_id"]), when.at)
    store.dialogs.clear_dialog(agent.id, message.chat_id)
    await _show_list(update, context, agent, fresh=True)


# -- end of day ---------------------------------------------------------------------------
async def on_eod_callback(update: Update, context: CoachContext) -> None:
    """eod:v:<client> logs a face-to-face visit today; eod:find searches; eod:end closes."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    agent = current_agent(update, context)
    parts = callback_parts(update, EOD_PREFIX)
    services = context.services
    if len(parts) == 2 and parts[0] == "v" and parts[1].isdigit():
        start, end = day_bounds(agent, services.clock.now())
        already = any(c.client_id == int(parts[1]) and c.channel == "face"
                      for c in services.store.clients.contacts_between(agent.id, start, end))
        if not already and records.log_contact(services.store, agent.id, int(parts[1]),
                                               at=services.clock.now(), channel="face") is None:
            await reply(update, context, agent, "clients/not_found")
            return
        html, keyboard = eod_message(services, agent)
        await _edit(update, context, html, keyboard)
    elif parts == ["find"]:
        chat_id = update.effective_chat.id  # type: ignore[union-attr]
        services.store.dialogs.set_dialog(agent.id, chat_id, Dialog(FLOW, "eod_search", {}))
        await reply(update, context, agent, "reminders/eod_find")
    elif parts == ["end"]:
        await edit_or_reply(update, context, agent, "reminders/eod_closed")
    else:
        await reply(update, context, agent, "general/stale_button")


async def eod_now(update: Update, context: CoachContext) -> None:
    """/log: the end-of-day visit log on demand."""
    agent = current_agent(update, context)
    html, keyboard = eod_message(context.services, agent)
    await send_html(context.bot, agent.id, html, reply_markup=keyboard)


async def _eod_search(update: Update, context: CoachContext, agent: Agent, typed: str) -> None:
    found = context.services.store.clients.search_clients(agent.id, search_words(typed), limit=6)
    rows = [[(c.name[:30], f"{EOD_PREFIX}:v:{c.id}")] for c in found]
    await reply(update, context, agent, "reminders/eod_results", count=len(found),
                keyboard=inline_keyboard(rows) if rows else None)


async def _edit(update: Update, context: CoachContext, html: str,
                keyboard: InlineKeyboardMarkup) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(html, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise

