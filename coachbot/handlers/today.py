"""The daily digest (/today; the morning push is push/digest.py) and what its buttons do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update

from coachbot.domain.reminders import ReminderItem
from coachbot.handlers.coaching import suggest_referral
from coachbot.handlers.common import CoachContext, chat_id_of, current_agent
from coachbot.handlers.dispatch import Action, Buttons, Command, Feature, Press, owned
from coachbot.push.digest import digest_message, rest_message
from coachbot.push.items import GREETING_KINDS, SNOOZES, edit_greeting, item_name, show_item
from coachbot.render.buttons import ENTRY_KINDS_BY_CODE, ITEMS
from coachbot.runtime.messages import edit_in_place, send_html
from coachbot.services import book, reminders
from coachbot.services.digest import build_digest, rest_page

ItemStep = Callable[[Press, ReminderItem], Awaitable[None]]


async def today(update: Update, context: CoachContext) -> None:
    """/today: the digest on demand."""
    agent = current_agent(update, context)
    services = context.services
    day = book.agent_today(agent, services.clock.now())
    digest = build_digest(services.store, agent, day)
    html, keyboard = digest_message(services, agent, digest)
    await send_html(context.bot, chat_id_of(update), html, reply_markup=keyboard)


async def _rest(press: Press) -> None:
    """rm:rest:<yyyymmdd>:<page>: what the digest folded, a page at a time (the first page a
    new message under the digest, the next ones in its place)."""
    page_number = press.int_arg(1)
    try:
        day = datetime.strptime(press.arg(0), "%Y%m%d").date()
    except ValueError:
        day = None
    if len(press.args) != 2 or day is None or page_number is None:
        await press.stale()
        return
    page = rest_page(press.store, press.agent, day, page_number)
    html, keyboard = rest_message(press.services, press.agent, page)
    query = press.update.callback_query
    if page_number > 0 and query is not None:
        await edit_in_place(query, html, keyboard)
    else:
        await send_html(press.context.bot, press.chat_id, html, reply_markup=keyboard)


# -- one to-do item -----------------------------------------------------------------------
def _on_item(step: ItemStep) -> Action:
    """rm:<action>:<item>[:<choice>]: only an item of the presser's."""
    return owned(lambda press, item_id: reminders.get_item(press.store, press.agent.id,
                                                           item_id), step)


async def _entry(press: Press) -> None:
    """rm:e:<kind>:<client|->:<yyyymmdd>:<ref>: a digest entry never opened before; its item
    is created now (nothing for data that is not ours: another agent's client, a bad date)."""
    kind, client, day, ref = press.arg(0), press.arg(1), press.arg(2), press.rest(3)
    try:
        when = datetime.strptime(day, "%Y%m%d").date()
    except ValueError:
        when = None
    client_id = int(client) if client.isdigit() else None
    item = None
    if len(press.args) >= 4 and kind in ENTRY_KINDS_BY_CODE and when is not None \
            and (client_id is not None or client == "-"):
        item = reminders.item_for_entry(press.store, press.agent.id, ENTRY_KINDS_BY_CODE[kind],
                                        client_id, ref, when)
    if item is None:
        await press.stale()
        return
    await _open(press, item)


async def _open(press: Press, item: ReminderItem) -> None:
    await show_item(press.context.bot, press.services, press.agent, item)


async def _alternative(press: Press, item: ReminderItem) -> None:
    """Another wording of the greeting, in place of the ready text."""
    if item.kind not in GREETING_KINDS:
        await press.stale()
        return
    item = reminders.next_wording(press.store, press.agent.id, item)
    await edit_greeting(press.context.bot, press.services, press.agent, item)


async def _done(press: Press, item: ReminderItem) -> None:
    """Sent (the greeting, the call...) or done; a review done is a moment for a referral."""
    summary = press.label(f"reminders.logged_{item.kind}") \
        if item.client_id is not None and press.action == "sent" else None
    reminders.complete_item(press.store, press.agent.id, item, press.services.clock.now(),
                            contact_summary=summary)
    await press.edit("reminders/item_done", item=item,
                     name=item_name(press.services, press.agent, item))
    if item.kind == "review" and item.client_id is not None:
        await suggest_referral(press.update, press.context, press.agent, item.client_id,
                               "review_done")


async def _skip(press: Press, item: ReminderItem) -> None:
    reminders.skip_item(press.store, press.agent.id, item)
    await press.edit("reminders/item_skipped", item=item,
                     name=item_name(press.services, press.agent, item))


async def _snooze(press: Press, item: ReminderItem) -> None:
    """rm:snz:<item>:<h|d|w>: later today, tomorrow, next week."""
    choice = press.arg(1)
    if len(press.args) != 2 or choice not in SNOOZES:
        await press.stale()
        return
    until = reminders.snooze_item(press.store, press.agent, item, press.services.clock.now(),
                                  choice)
    await press.edit("reminders/item_snoozed", item=item,
                     name=item_name(press.services, press.agent, item),
                     until=until.astimezone(ZoneInfo(press.agent.timezone)))


FEATURE = Feature(
    commands=(Command("today", today, section="day"),),
    buttons=(Buttons(ITEMS, {
        "open": _on_item(_open), "entry": _entry, "alternative": _on_item(_alternative),
        "sent": _on_item(_done), "done": _on_item(_done), "skip": _on_item(_skip),
        "snooze": _on_item(_snooze), "rest": _rest,
    }),),
)
