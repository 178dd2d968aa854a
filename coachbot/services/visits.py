"""Visits and other contacts after they were logged: what was said, the next step, the day's
visit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain.models import Agent
from coachbot.services import records
from coachbot.store import Store


def set_next_step_on(store: Store, agent_id: int, contact_id: int, day: date) -> int | None:
    """Date the next step of a logged contact; its client's id, or None if not theirs."""
    return store.clients.set_next_step(agent_id, contact_id, next_step=None, on=day)


def set_summary(store: Store, agent_id: int, contact_id: int, summary: str) -> int | None:
    """Record what was said at a logged contact; its client's id, or None if not theirs."""
    return store.clients.set_contact_summary(agent_id, contact_id, summary)


def day_bounds(agent: Agent, now: datetime) -> tuple[datetime, datetime]:
    """The agent's local today, as a UTC interval."""
    zone = ZoneInfo(agent.timezone)
    start = datetime.combine(now.astimezone(zone).date(), time(0), zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def log_visit_today(store: Store, agent: Agent, client_id: int, now: datetime) -> bool:
    """Log a face-to-face visit today, once however often it is tapped; False if the client
    is not the agent's."""
    start, end = day_bounds(agent, now)
    already = any(c.client_id == client_id and c.channel == "face"
                  for c in store.clients.contacts_between(agent.id, start, end))
    return already or records.log_contact(store, agent.id, client_id, at=now,
                                          channel="face") is not None
