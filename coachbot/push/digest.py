"""The daily digest: its text and one button per entry (the morning push and /today)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from telegram import Bot, InlineKeyboardMarkup

from coachbot.domain.models import Agent, OutboxMessage
from coachbot.domain.regions import currency_for
from coachbot.render.buttons import ENTRY_KINDS, ITEMS
from coachbot.runtime.messages import Button, inline_keyboard, send_html
from coachbot.services.container import Services
from coachbot.services.digest import Digest, Entry, RestPage, build_digest

ICONS = {"birthday": "🎂", "family_birthday": "🎈", "wedding": "💍", "custom": "📅",
         "policy_anniversary": "📄", "festival": "🎊", "follow_up": "🤝", "premium": "💴",
         "callback": "☎️", "review": "🔍", "stay_in_touch": "👋", "proposal": "📑"}


def digest_message(services: Services, agent: Agent, digest: Digest) -> \
        tuple[str, InlineKeyboardMarkup | None]:
    """The digest's HTML and its buttons (one per entry, two to a row)."""
    renderer = services.renderer
    html = renderer.render(agent.locale, "reminders/digest", region=agent.region, agent=agent,
                           digest=digest, currency=currency_for(agent.region),
                           scripts=services.library.get(agent.locale))
    buttons: list[Button] = [(_entry_caption(services, agent, e), _entry_data(services, agent, e))
                             for e in digest.entries]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    if digest.rest:  # the folded rest: one button, a page at a time
        rows.append([(renderer.label(agent.locale, "reminders.show_rest", n=len(digest.rest)),
                      ITEMS.data("rest", yyyymmdd(digest.day), 0))])
    return html, inline_keyboard(rows) if rows else None


def rest_message(services: Services, agent: Agent, page: RestPage) -> \
        tuple[str, InlineKeyboardMarkup | None]:
    """One page of the folded rest: its text, a button per entry, and the next page."""
    renderer = services.renderer
    html = renderer.render(agent.locale, "reminders/digest_rest", region=agent.region,
                           agent=agent, page=page, currency=currency_for(agent.region),
                           scripts=services.library.get(agent.locale))
    buttons: list[Button] = [(_entry_caption(services, agent, e), _entry_data(services, agent, e))
                             for e in page.entries]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    if page.page + 1 < page.pages:
        rows.append([(renderer.label(agent.locale, "reminders.next_page"),
                      ITEMS.data("rest", yyyymmdd(page.day), page.page + 1))])
    return html, inline_keyboard(rows) if rows else None


@lru_cache(maxsize=1024)  # a morning's 30,000 buttons carry a handful of days
def yyyymmdd(day: date) -> str:
    """A day as callback data spells it."""
    return day.isoformat().replace("-", "")


def _entry_data(services: Services, agent: Agent, entry: Entry) -> str:
    """The entry's to-do item, or what it takes to create it on the first tap."""
    if entry.item_id is not None:
        return ITEMS.data("open", entry.item_id)
    data = ITEMS.data_if_fits("entry", ENTRY_KINDS[entry.kind], entry.client_id or "-",
                              yyyymmdd(entry.day), entry.ref)
    if data is not None:
        return data
    # a long holiday name as ref: make its to-do item now and point at that
    item = services.store.schedule.ensure_item(agent.id, kind=entry.kind, client_id=entry.client_id,
                                               ref=entry.ref, occasion_date=entry.day)
    return ITEMS.data("open", item.id)


def _entry_caption(services: Services, agent: Agent, entry: Entry) -> str:
    """A digest button: an icon and the client's (or festival's) name, short for a phone."""
    name = entry.name
    if entry.kind == "festival":
        names = entry.detail["festival"]["names"]
        name = services.renderer.label(agent.locale, f"festivals.{entry.name}",
                                       default=names.get(agent.locale, entry.name))
    short = name if len(name) <= 14 else name[:13] + "…"
    return f"{ICONS.get(entry.kind, '•')} {short}"


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
