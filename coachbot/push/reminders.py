"""One-off reminders falling due, and the end-of-day prompt to log the day's visits."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardMarkup

from coachbot.domain.models import Agent, OutboxMessage
from coachbot.render.buttons import END_OF_DAY, ONE_OFFS, open_card
from coachbot.runtime.messages import Button, inline_keyboard, send_html
from coachbot.services import agenda, book
from coachbot.services.container import Services
from coachbot.services.visits import day_bounds

EOD_CHOICES = 8


async def deliver_one_off(bot: Bot, services: Services, message: OutboxMessage) -> int | None:
    """A one-off reminder falling due."""
    store = services.store
    agent = store.agents.get_agent(message.agent_id)
    reminder = store.schedule.get_one_off(message.agent_id, int(message.payload["reminder_id"]))
    if agent is None or reminder is None or reminder.status == "cancelled":
        return None
    client = store.clients.get_client(agent.id, reminder.client_id) if reminder.client_id else None
    renderer = services.renderer
    rows: list[list[Button]] = [[
        (renderer.label(agent.locale, "reminders.done"), ONE_OFFS.data("done", reminder.id)),
        (renderer.label(agent.locale, "reminders.in_an_hour"),
         ONE_OFFS.data("snooze", reminder.id))]]
    if client is not None:
        rows.append([(renderer.label(agent.locale, "reminders.open_card"),
                      open_card(client.id, new=True))])
    html = renderer.render(agent.locale, "reminders/one_off", region=agent.region,
                           reminder=reminder, client=client)
    sent = await send_html(bot, message.chat_id, html, reply_markup=inline_keyboard(rows))
    return sent.message_id


def eod_message(services: Services, agent: Agent) -> tuple[str, InlineKeyboardMarkup]:
    """Today's visits so far, and a button per client likely seen today to log a visit."""
    store, now = services.store, services.clock.now()
    start, end = day_bounds(agent, now)
    today_contacts = store.clients.contacts_between(agent.id, start, end)
    visited = {c.client_id for c in today_contacts if c.channel in ("face", "event")}
    today = book.agent_today(agent, now)
    candidates = store.clients.eod_candidates(agent.id, today, limit=EOD_CHOICES)
    buttons = [(("✅ " if cid in visited else "") + name[:16], END_OF_DAY.data("visited", cid))
               for cid, name in candidates]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    renderer = services.renderer
    rows.append([(renderer.label(agent.locale, "reminders.eod_other"), END_OF_DAY.data("find")),
                 (renderer.label(agent.locale, "buttons.done"), END_OF_DAY.data("end"))])
    visits = sum(1 for c in today_contacts if c.channel in ("face", "event"))
    progress = agenda.visit_progress(store, agent, now)
    html = renderer.render(agent.locale, "reminders/eod", region=agent.region, agent=agent,
                           visits=visits, contacts=len(today_contacts), progress=progress,
                           target=progress.plan.visits_per_day)
    return html, inline_keyboard(rows)


async def deliver_eod(bot: Bot, services: Services, message: OutboxMessage) -> int | None:
    """The end-of-day prompt: log today's visits in a few taps."""
    agent = services.store.agents.get_agent(message.agent_id)
    if agent is None:
        return None
    html, keyboard = eod_message(services, agent)
    sent = await send_html(bot, message.chat_id, html, reply_markup=keyboard)
    return sent.message_id
