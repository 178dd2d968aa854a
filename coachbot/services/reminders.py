"""The day's to-do items (what the digest lists) and one-off reminders: what their buttons do."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain import reminders
from coachbot.domain.models import Agent
from coachbot.domain.reminders import OneOff, ReminderItem
from coachbot.services import records
from coachbot.store import Store

ONE_OFF_SNOOZE = timedelta(hours=1)
# the contact a done item counts as, where it is not a message (a proposal is chased by phone,
# a cooling-off callback, 回访, is a call)
DONE_CHANNELS = {"proposal": "phone", "callback": "phone"}


# -- the day's items ------------------------------------------------------------------------
def get_item(store: Store, agent_id: int, item_id: int) -> ReminderItem | None:
    """One of the agent's to-do items."""
    return store.schedule.get_item(agent_id, item_id)


def item_for_entry(store: Store, agent_id: int, kind: str, client_id: int | None, ref: str,
                   day: date) -> ReminderItem | None:
    """The to-do item behind a digest entry, created on first use; None for a client that is
    not the agent's."""
    if client_id is not None and store.clients.get_client(agent_id, client_id) is None:
        return None
    return store.schedule.ensure_item(agent_id, kind=kind, client_id=client_id, ref=ref,
                                      occasion_date=day)


def next_wording(store: Store, agent_id: int, item: ReminderItem) -> ReminderItem:
    """The greeting's next wording."""
    return store.schedule.update_item(agent_id, item.id, variant=item.variant + 1) or item


def complete_item(store: Store, agent_id: int, item: ReminderItem, now: datetime, *,
                  contact_summary: str | None) -> None:
    """Done: a message sent (with a summary) counts as a contact with the item's client, a
    review done moves the next review on."""
    if item.client_id is not None and contact_summary is not None:
        records.log_contact(store, agent_id, item.client_id, at=now,
                            channel=DONE_CHANNELS.get(item.kind, "message"),
                            summary=contact_summary)
    if item.kind == "review" and item.client_id is not None:
        records.mark_reviewed(store, agent_id, item.client_id)
    store.schedule.update_item(agent_id, item.id, status="done")


def skip_item(store: Store, agent_id: int, item: ReminderItem) -> None:
    """Not this time."""
    store.schedule.update_item(agent_id, item.id, status="skipped")


def snooze_item(store: Store, agent: Agent, item: ReminderItem, now: datetime,
                choice: str) -> datetime:
    """Bring the item back later (the sweep re-sends it); when, in UTC."""
    until = snooze_until(agent, now, choice)
    store.schedule.update_item(agent.id, item.id, status="snoozed", snooze_until=until)
    return until


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


# -- one-off reminders ----------------------------------------------------------------------
def add_one_off(store: Store, agent_id: int, *, client_id: int | None, text: str,
                due_at: datetime) -> OneOff:
    """Remind the agent of something at a time."""
    return store.schedule.add_one_off(agent_id, client_id=client_id, text=text, due_at=due_at)


def get_one_off(store: Store, agent_id: int, reminder_id: int) -> OneOff | None:
    """One of the agent's one-off reminders."""
    return store.schedule.get_one_off(agent_id, reminder_id)


def pending_one_offs(store: Store, agent_id: int) -> list[OneOff]:
    """The reminders still to come, soonest first."""
    return store.schedule.pending_one_offs(agent_id)


def cancel_one_off(store: Store, agent_id: int, reminder_id: int) -> None:
    """Never mind that one."""
    store.schedule.cancel_one_off(agent_id, reminder_id)


def reschedule_one_off(store: Store, agent_id: int, reminder_id: int, due_at: datetime) -> None:
    """A new time for a reminder."""
    store.schedule.reschedule_one_off(agent_id, reminder_id, due_at)


def snooze_one_off(store: Store, agent_id: int, reminder_id: int, now: datetime) -> None:
    """Remind again in an hour."""
    store.schedule.reschedule_one_off(agent_id, reminder_id, now + ONE_OFF_SNOOZE)
