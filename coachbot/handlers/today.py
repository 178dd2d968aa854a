"""The daily digest (/today and the morning push) and what its buttons do."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Update

from coachbot.domain import reminders
from coachbot.domain.models import Agent
from coachbot.domain.reminders import ReminderItem
from coachbot.handlers.coaching import suggest_referral
from coachbot.handlers.common import (
    CoachContext,
    callback_parts,
    current_agent,
    edit_or_reply,
    reply,
    send_html,
)
from coachbot.push.digest import digest_message
from coachbot.push.items import GREETING_KINDS, SNOOZES, edit_greeting, item_name, show_item
from coachbot.services import book, records
from coachbot.services.container import Services
from coachbot.services.digest import build_digest

PREFIX = "rm"
# one letter per kind in an entry's callback data (rm:e:<kind>:<client>:<yyyymmdd>:<ref>)
KIND_CODES = {"birthday": "b", "family_birthday": "f", "wedding": "w", "custom": "c",
              "policy_anniversary": "a", "festival": "h", "follow_up": "u", "premium": "p",
              "callback": "k", "review": "r", "stay_in_touch": "s"}
KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}


# -- the digest ---------------------------------------------------------------------------
def _item_from_entry(services: Services, agent: Agent, fields: list[str]) -> \
        ReminderItem | None:
    """The to-do item behind rm:e:<kind>:<client>:<yyyymmdd>:<ref>, created on first use;
    None for data that is not ours (a client of another agent, a bad date)."""
    if len(fields) < 4 or fields[0] not in KINDS_BY_CODE:
        return None
    code, client, day, ref = fields[0], fields[1], fields[2], ":".join(fields[3:])
    try:
        when = datetime.strptime(day, "%Y%m%d").date()
    except ValueError:
        return None
    client_id = int(client) if client.isdigit() else None
    if client_id is None and client != "-":
        return None
    if client_id is not None and services.store.clients.get_client(agent.id, client_id) is None:
        return None
    return services.store.schedule.ensure_item(agent.id, kind=KINDS_BY_CODE[code],
                                               client_id=client_id,
                                               ref=ref, occasion_date=when)


async def today(update: Update, context: CoachContext) -> None:
    """/today: the digest on demand."""
    agent = current_agent(update, context)
    services = context.services
    day = book.agent_today(agent, services.clock.now())
    digest = build_digest(services.store, agent, day)
    html, keyboard = digest_message(services, agent, digest)
    chat = update.effective_chat
    assert chat is not None
    await send_html(context.bot, chat.id, html, reply_markup=keyboard)


# -- one to-do item -----------------------------------------------------------------------
async def on_callback(update: Update, context: CoachContext) -> None:
    """rm:o:<item> opens it (rm:e:... a digest entry never opened before); rm:sent|skip|alt|
    done:<item>; rm:snz:<item>:<h|d|w>."""
    query = update.callback_query
    assert query is not None
    agent = current_agent(update, context)
    parts = callback_parts(update, PREFIX)
    store = context.services.store
    if parts[:1] == ["e"]:
        item = _item_from_entry(context.services, agent, parts[1:])
        parts = ["o"]
    else:
        item = store.schedule.get_item(agent.id, int(parts[1])) \
            if len(parts) >= 2 and parts[1].isdigit() else None
    if item is None:
        await query.answer()
        await reply(update, context, agent, "general/stale_button")
        return
    action = parts[0]
    now = context.services.clock.now()
    if action == "o":
        await query.answer()
        await show_item(context.bot, context.services, agent, item)
    elif action == "alt" and item.kind in GREETING_KINDS:
        await query.answer()
        item = store.schedule.update_item(agent.id, item.id, variant=item.variant + 1) or item
        await edit_greeting(context.bot, context.services, agent, item)
    elif action in ("sent", "done"):
        await query.answer()
        if item.client_id is not None and action == "sent":
            records.log_contact(store, agent.id, item.client_id, at=now, channel="message",
                                summary=context.services.renderer.label(
                                  agent.locale, f"reminders.logged_{item.kind}"))
        if item.kind == "review" and item.client_id is not None:
            records.mark_reviewed(store, agent.id, item.client_id)
        store.schedule.update_item(agent.id, item.id, status="done")
        await edit_or_reply(update, context, agent, "reminders/item_done", item=item,
                            name=item_name(context.services, agent, item))
        if item.kind == "review" and item.client_id is not None:
            await suggest_referral(update, context, agent, item.client_id, "review_done")
    elif action == "skip":
        await query.answer()
        store.schedule.update_item(agent.id, item.id, status="skipped")
        await edit_or_reply(update, context, agent, "reminders/item_skipped", item=item,
                            name=item_name(context.services, agent, item))
    elif action == "snz" and len(parts) == 3 and parts[2] in SNOOZES:
        await query.answer()
        until = snooze_until(agent, now, parts[2])
        store.schedule.update_item(agent.id, item.id, status="snoozed", snooze_until=until)
        local = until.astimezone(ZoneInfo(agent.timezone))
        await edit_or_reply(update, context, agent, "reminders/item_snoozed", item=item,
                            name=item_name(context.services, agent, item), until=local)
    else:
        await query.answer()
        await reply(update, context, agent, "general/stale_button")


def snooze_until(agent: Agent, now: datetime, choice: str) -> datetime:
    """Later today (+3 h, after quiet hours), tomorrow or next week at digest time."""
    zone = ZoneInfo(agent.timezone)
    local = now.astimezone(zone)
    if choice == "h":
        return reminders.after_quiet_hours(local + reminders.LATER_TODAY, agent.quiet_start,
                                           agent.quiet_end)
    days = 1 if choice == "d" else 7
    at = reminders.clock_time(agent.digest_time)
    return datetime.combine(local.date() + timedelta(days=days), time(at.hour, at.minute), zone)


