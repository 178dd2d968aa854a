"""One to-do item of the day: the ready-to-forward greeting, then the item with its buttons."""

from __future__ import annotations

from telegram import Bot, CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from coachbot.domain.calendar import festivals_between
from coachbot.domain.coaching.proposals import Proposal
from coachbot.domain.models import Agent, OutboxMessage
from coachbot.domain.reminders import ReminderItem
from coachbot.render.buttons import ITEMS, PROPOSAL, open_card
from coachbot.runtime.messages import Button, inline_keyboard, send_html
from coachbot.services import book, proposals
from coachbot.services.container import Services
from coachbot.services.digest import festival_region
from coachbot.services.greetings import Greeting, build_greeting, copy_text, share_link

GREETING_KINDS = ("birthday", "family_birthday", "wedding", "custom", "policy_anniversary",
                  "festival")
SNOOZES = ("h", "d", "w")  # later today, tomorrow, next week


async def show_item(bot: Bot, services: Services, agent: Agent, item: ReminderItem) -> int:
    """Send an item: for greetings the ready text first (to forward), then its buttons."""
    if item.kind in GREETING_KINDS:
        shown = greeting_of(services, agent, item)
        if shown is not None:
            greeting, greeting_html = shown
            sent = await send_html(bot, agent.id, greeting_html,
                                   reply_markup=greeting_keyboard(services, agent, item, greeting))
            services.store.schedule.update_item(agent.id, item.id, text_message_id=sent.message_id)
    view = book.card_view(services.store, agent, item.client_id, services.clock.now(),
                          services.settings.tier_thresholds) if item.client_id else None
    proposal = _proposal_of(services, agent, item)
    waiting = proposal.waiting_days(book.agent_today(agent, services.clock.now())) \
        if proposal is not None else None
    renderer = services.renderer
    html = renderer.render(agent.locale, "reminders/item", region=agent.region, agent=agent,
                           item=item, view=view, name=item_name(services, agent, item),
                           proposal=proposal, waiting=waiting,
                           scripts=services.library.get(agent.locale))
    message = await send_html(bot, agent.id, html,
                              reply_markup=_item_keyboard(services, agent, item, proposal))
    return message.message_id


def _proposal_of(services: Services, agent: Agent, item: ReminderItem) -> Proposal | None:
    """The proposal a follow-up item is about (None for other kinds, or one not the agent's)."""
    if item.kind != "proposal" or not (item.ref.isascii() and item.ref.isdigit()):
        return None
    return proposals.get_proposal(services.store, agent.id, int(item.ref))


async def deliver_item(bot: Bot, services: Services, message: OutboxMessage) -> int | None:
    """A snoozed item coming back."""
    agent = services.store.agents.get_agent(message.agent_id)
    item = services.store.schedule.get_item(message.agent_id, int(message.payload["item_id"]))
    if agent is None or item is None or item.status in ("done", "skipped"):
        return None
    if item.kind == "proposal":
        proposal = _proposal_of(services, agent, item)
        if proposal is None or proposal.answered:
            return None  # the client answered the proposal while it was snoozed
    return await show_item(bot, services, agent, item)


def _item_keyboard(services: Services, agent: Agent, item: ReminderItem,
                   proposal: Proposal | None = None) -> InlineKeyboardMarkup:
    def b(key: str, data: str) -> Button:
        return services.renderer.label(agent.locale, f"reminders.{key}"), data

    rows: list[list[Button]] = []
    if item.kind in GREETING_KINDS and item.kind != "festival":
        rows.append([b("sent", ITEMS.data("sent", item.id)),
                     b("alt", ITEMS.data("alternative", item.id))])
    elif item.kind == "festival":
        rows.append([b("done", ITEMS.data("done", item.id)),
                     b("alt", ITEMS.data("alternative", item.id))])
    else:
        rows.append([b(f"done_{item.kind}", ITEMS.data("sent", item.id))])
    rows.append([b(f"snooze_{s}", ITEMS.data("snooze", item.id, s)) for s in SNOOZES])
    last = [b("skip", ITEMS.data("skip", item.id))]
    if item.client_id is not None:
        last.append(b("open_card", open_card(item.client_id, new=True)))
    rows.append(last)
    if proposal is not None:
        rows.append([b("open_proposal", PROPOSAL.data("open", proposal.id, "new"))])
    return inline_keyboard(rows)


def greeting_of(services: Services, agent: Agent, item: ReminderItem) -> \
        tuple[Greeting, str] | None:
    """The ready-to-forward greeting of an occasion, in its current wording, and its HTML."""
    names = _festival_names(agent, item)
    greeting = build_greeting(services.store, agent, item, festival_names=names)
    if greeting is None:
        return None
    return greeting, services.renderer.render(greeting.locale, greeting.template,
                                              region=agent.region, **greeting.context)


def greeting_html_of(services: Services, agent: Agent, item: ReminderItem) -> str | None:
    """The ready-to-forward greeting's HTML."""
    shown = greeting_of(services, agent, item)
    return shown[1] if shown is not None else None


def greeting_keyboard(services: Services, agent: Agent, item: ReminderItem,
                      greeting: Greeting) -> InlineKeyboardMarkup:
    """Under a greeting: copy it (one tap, then paste in WeChat, LINE...) and, for a client with
    a Hong Kong, Singapore or Malaysia mobile, open WhatsApp with it typed in."""
    renderer = services.renderer
    text = copy_text(renderer, greeting, region=agent.region)
    row = [InlineKeyboardButton(renderer.label(agent.locale, "reminders.copy"),
                                copy_text=CopyTextButton(text))]
    client = services.store.clients.get_client(agent.id, item.client_id) \
        if item.client_id else None
    link = share_link(text, client.phone) if client is not None else None
    if link is not None:
        row.append(InlineKeyboardButton(renderer.label(agent.locale, "reminders.whatsapp"),
                                        url=link))
    return InlineKeyboardMarkup([row])


async def edit_greeting(bot: Bot, services: Services, agent: Agent, item: ReminderItem) -> None:
    """Show another wording: replace the ready text in place."""
    shown = greeting_of(services, agent, item)
    if shown is None:
        return
    greeting, html = shown
    keyboard = greeting_keyboard(services, agent, item, greeting)
    if item.text_message_id:
        try:
            await bot.edit_message_text(html, chat_id=agent.id, message_id=item.text_message_id,
                                        parse_mode=ParseMode.HTML, reply_markup=keyboard)
            return
        except BadRequest:
            pass  # too old to edit, or unchanged: send it fresh below
    sent = await send_html(bot, agent.id, html, reply_markup=keyboard)
    services.store.schedule.update_item(agent.id, item.id, text_message_id=sent.message_id)


def _festival_names(agent: Agent, item: ReminderItem) -> dict[str, str]:
    if item.kind != "festival":
        return {}
    for festival in festivals_between(festival_region(agent.region), item.occasion_date,
                                      item.occasion_date):
        if festival.key == item.ref:
            return dict(festival.name or {})
    return {}


def item_name(services: Services, agent: Agent, item: ReminderItem) -> str:
    """Who or what the item is about: the client's name, or the festival's in the locale."""
    if item.kind == "festival":
        names = _festival_names(agent, item)
        return services.renderer.label(agent.locale, f"festivals.{item.ref}",
                                       default=names.get(agent.locale, item.ref))
    client = services.store.clients.get_client(agent.id, item.client_id) if item.client_id else None
    return client.name if client else "—"
