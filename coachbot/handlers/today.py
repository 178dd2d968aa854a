"""The daily digest (/today and the morning push) and what its buttons do."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import InlineKeyboardButtonLimit, ParseMode
from telegram.error import BadRequest

from coachbot.domain import reminders
from coachbot.domain.calendar import festivals_between
from coachbot.domain.models import Agent, OutboxMessage
from coachbot.domain.regions import currency_for
from coachbot.domain.reminders import ReminderItem
from coachbot.handlers.coaching import suggest_referral
from coachbot.handlers.common import (
    Button,
    CoachContext,
    callback_parts,
    current_agent,
    edit_or_reply,
    inline_keyboard,
    reply,
    send_html,
)
from coachbot.services import book, records
from coachbot.services.container import Services
from coachbot.services.digest import Digest, Entry, build_digest, festival_region
from coachbot.services.greetings import build_greeting

PREFIX = "rm"
GREETING_KINDS = ("birthday", "family_birthday", "wedding", "custom", "policy_anniversary",
                  "festival")
ICONS = {"birthday": "🎂", "family_birthday": "🎈", "wedding": "💍", "custom": "📅",
         "policy_anniversary": "📄", "festival": "🎊", "follow_up": "🤝", "premium": "💴",
         "callback": "☎️", "review": "🔍", "stay_in_touch": "👋"}
SNOOZES = ("h", "d", "w")  # later today, tomorrow, next week
# one letter per kind in an entry's callback data (rm:e:<kind>:<client>:<yyyymmdd>:<ref>)
KIND_CODES = {"birthday": "b", "family_birthday": "f", "wedding": "w", "custom": "c",
              "policy_anniversary": "a", "festival": "h", "follow_up": "u", "premium": "p",
              "callback": "k", "review": "r", "stay_in_touch": "s"}
KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}


# -- the digest ---------------------------------------------------------------------------
def digest_message(services: Services, agent: Agent, digest: Digest) -> \
        tuple[str, InlineKeyboardMarkup | None]:
    """The digest's HTML and its buttons (one per entry, two to a row)."""
    renderer = services.renderer
    html = renderer.render(agent.locale, "reminders/digest", region=agent.region, agent=agent,
                           digest=digest, currency=currency_for(agent.region))
    buttons: list[Button] = [(_entry_caption(services, agent, e), _entry_data(services, agent, e))
                             for e in digest.entries]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    return html, inline_keyboard(rows) if rows else None


def _entry_data(services: Services, agent: Agent, entry: Entry) -> str:
    """The entry's to-do item, or what it takes to create it on the first tap."""
    if entry.item_id is not None:
        return f"{PREFIX}:o:{entry.item_id}"
    day = entry.day.isoformat().replace("-", "")  # yyyymmdd (strftime is slower)
    data = f"{PREFIX}:e:{KIND_CODES[entry.kind]}:{entry.client_id or '-'}:{day}:{entry.ref}"
    if len(data.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
        return data
    # a long holiday name as ref: make its to-do item now and point at that
    item = services.store.schedule.ensure_item(agent.id, kind=entry.kind, client_id=entry.client_id,
                                               ref=entry.ref, occasion_date=entry.day)
    return f"{PREFIX}:o:{item.id}"


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


def _entry_caption(services: Services, agent: Agent, entry: Entry) -> str:
    """A digest button: an icon and the client's (or festival's) name, short for a phone."""
    name = entry.name
    if entry.kind == "festival":
        names = entry.detail["festival"]["names"]
        name = services.renderer.label(agent.locale, f"festivals.{entry.name}",
                                       default=names.get(agent.locale, entry.name))
    short = name if len(name) <= 14 else name[:13] + "…"
    return f"{ICONS.get(entry.kind, '•')} {short}"


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


async def deliver_digest(bot: Bot, services: Services, message: OutboxMessage) -> int | None:
    """The morning push (queued by the sweep)."""
    agent = services.store.agents.get_agent(message.agent_id)
    if agent is None:
        return None
    day = date.fromisoformat(message.payload["day"])
    since = date.fromisoformat(message.payload.get("since", message.payload["day"]))
    digest = build_digest(services.store, agent, day, since=since, late=message.late)
    html, keyboard = digest_message(services, agent, digest)
    sent = await send_html(bot, message.chat_id, html, reply_markup=keyboard)
    return sent.message_id


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
        await _edit_greeting(context, agent, item)
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
                            name=_item_name(context.services, agent, item))
        if item.kind == "review" and item.client_id is not None:
            await suggest_referral(update, context, agent, item.client_id, "review_done")
    elif action == "skip":
        await query.answer()
        store.schedule.update_item(agent.id, item.id, status="skipped")
        await edit_or_reply(update, context, agent, "reminders/item_skipped", item=item,
                            name=_item_name(context.services, agent, item))
    elif action == "snz" and len(parts) == 3 and parts[2] in SNOOZES:
        await query.answer()
        until = snooze_until(agent, now, parts[2])
        store.schedule.update_item(agent.id, item.id, status="snoozed", snooze_until=until)
        local = until.astimezone(ZoneInfo(agent.timezone))
        await edit_or_reply(update, context, agent, "reminders/item_snoozed", item=item,
                            name=_item_name(context.services, agent, item), until=local)
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


async def show_item(bot: Bot, services: Services, agent: Agent, item: ReminderItem) -> int:
    """Send an item: for greetings the ready text first (to forward), then its buttons."""
    if item.kind in GREETING_KINDS:
        greeting_html = _greeting_html(services, agent, item)
        if greeting_html is not None:
            sent = await send_html(bot, agent.id, greeting_html)
            services.store.schedule.update_item(agent.id, item.id, text_message_id=sent.message_id)
    view = book.card_view(services.store, agent, item.client_id, services.clock.now(),
                          services.settings.tier_thresholds) if item.client_id else None
    renderer = services.renderer
    html = renderer.render(agent.locale, "reminders/item", region=agent.region, agent=agent,
                           item=item, view=view, name=_item_name(services, agent, item))
    message = await send_html(bot, agent.id, html, reply_markup=_item_keyboard(services, agent,
                                                                               item))
    return message.message_id


async def deliver_item(bot: Bot, services: Services, message: OutboxMessage) -> int | None:
    """A snoozed item coming back."""
    agent = services.store.agents.get_agent(message.agent_id)
    item = services.store.schedule.get_item(message.agent_id, int(message.payload["item_id"]))
    if agent is None or item is None or item.status in ("done", "skipped"):
        return None
    return await show_item(bot, services, agent, item)


def _item_keyboard(services: Services, agent: Agent, item: ReminderItem) -> InlineKeyboardMarkup:
    def b(key: str, data: str) -> Button:
        return services.renderer.label(agent.locale, f"reminders.{key}"), data

    rows: list[list[Button]] = []
    if item.kind in GREETING_KINDS and item.kind != "festival":
        rows.append([b("sent", f"{PREFIX}:sent:{item.id}"), b("alt", f"{PREFIX}:alt:{item.id}")])
    elif item.kind == "festival":
        rows.append([b("done", f"{PREFIX}:done:{item.id}"), b("alt", f"{PREFIX}:alt:{item.id}")])
    else:
        rows.append([b(f"done_{item.kind}", f"{PREFIX}:sent:{item.id}")])
    rows.append([b(f"snooze_{s}", f"{PREFIX}:snz:{item.id}:{s}") for s in SNOOZES])
    last = [b("skip", f"{PREFIX}:skip:{item.id}")]
    if item.client_id is not None:
        last.append(b("open_card", f"cl:o:{item.client_id}:new"))
    rows.append(last)
    return inline_keyboard(rows)


def _greeting_html(services: Services, agent: Agent, item: ReminderItem) -> str | None:
    names = _festival_names(agent, item)
    greeting = build_greeting(services.store, agent, item, festival_names=names)
    if greeting is None:
        return None
    return services.renderer.render(greeting.locale, greeting.template, region=agent.region,
                                    **greeting.context)


async def _edit_greeting(context: CoachContext, agent: Agent, item: ReminderItem) -> None:
    """Show another wording: replace the ready text in place."""
    html = _greeting_html(context.services, agent, item)
    if html is None:
        return
    if item.text_message_id:
        try:
            await context.bot.edit_message_text(html, chat_id=agent.id,
                                                message_id=item.text_message_id,
                                                parse_mode=ParseMode.HTML)
            return
        except BadRequest:
            pass  # too old to edit, or unchanged: send it fresh below
    sent = await send_html(context.bot, agent.id, html)
    context.services.store.schedule.update_item(agent.id, item.id, text_message_id=sent.message_id)


def _festival_names(agent: Agent, item: ReminderItem) -> dict[str, str]:
    if item.kind != "festival":
        return {}
    for festival in festivals_between(festival_region(agent.region), item.occasion_date,
                                      item.occasion_date):
        if festival.key == item.ref:
            return dict(festival.name or {})
    return {}


def _item_name(services: Services, agent: Agent, item: ReminderItem) -> str:
    if item.kind == "festival":
        names = _festival_names(agent, item)
        return services.renderer.label(agent.locale, f"festivals.{item.ref}",
                                       default=names.get(agent.locale, item.ref))
    client = services.store.clients.get_client(agent.id, item.client_id) if item.client_id else None
    return client.name if client else "—"
