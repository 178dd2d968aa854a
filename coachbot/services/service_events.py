"""Record the service that moves a client: gatherings (invited, attended) and claims / policy
servicing / renewals helped with. What happened drives the stage suggestion and the referral
moment (no Telegram here; the handler shows service_events/recorded.j2 with the outcome)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from coachbot.domain import classify
from coachbot.domain import service_events as rules
from coachbot.domain.clients import clean_text
from coachbot.domain.models import SERVICE_STATUSES, Agent, ServiceEvent
from coachbot.services import records
from coachbot.services.book import agent_today
from coachbot.store import Store

TITLE_LENGTH = 60


@dataclass(frozen=True)
class ServiceOutcome:
    """An event as stored, and what it sets in motion."""

    event: ServiceEvent
    suggested_stage: str | None  # the stage move the client's record now suggests
    referral_moment: str | None  # a referral moment this change just opened (claim_paid...)


def clean_title(typed: str) -> str | None:
    """What the agent typed as the gathering's name or the claim's description."""
    return clean_text(typed, TITLE_LENGTH)


def record_event(store: Store, agent: Agent, client_id: int, kind: str, now: datetime, *,
                 status: str | None = None, title: str | None = None,
                 day: date | None = None) -> ServiceOutcome | None:
    """Record a gathering or a claim / servicing request for one of the agent's clients.

    None when the kind or status is unknown or the client isn't the agent's. An attended
    gathering is also logged as a contact: the agent met the client there.
    """
    if kind not in SERVICE_STATUSES:
        return None
    status = status or rules.first_status(kind)
    if not rules.is_valid(kind, status):
        return None
    today = agent_today(agent, now)
    day = day or today
    with store.atomic():
        event = store.service.add_event(agent.id, client_id, kind=kind, status=status,
                                        title=title, day=day,
                                        resolved_on=rules.resolved_on(status, day, today))
        if event is None:
            return None
        if status == "attended":
            _log_attendance(store, agent, event, now)
    return _outcome(store, agent, event, opened=True)


def update_status(store: Store, agent: Agent, event_id: int, status: str,
                  now: datetime) -> ServiceOutcome | None:
    """Move an event on: invited -> attended, filed -> paid, open -> done."""
    before = store.service.get_event(agent.id, event_id)
    if before is None or not rules.is_valid(before.kind, status):
        return None
    today = agent_today(agent, now)
    with store.atomic():
        event = store.service.set_status(agent.id, event_id, status=status,
                                         resolved_on=rules.resolved_on(status, before.day, today))
        assert event is not None
        if status == "attended" and before.status != "attended":
            _log_attendance(store, agent, event, now)
    return _outcome(store, agent, event, opened=before.status != status)


def events_of(store: Store, agent_id: int, client_id: int, *,
              limit: int = 10) -> list[ServiceEvent]:
    """A client's gatherings and claims, newest first (service_events/list.j2)."""
    return store.service.events_of(agent_id, client_id, limit=limit)


def _log_attendance(store: Store, agent: Agent, event: ServiceEvent, now: datetime) -> None:
    """The agent met the client at the gathering: a contact on that day resets the timer."""
    when = event.resolved_on or event.day
    at = now if when >= agent_today(agent, now) else \
        datetime.combine(when, time(12), ZoneInfo(agent.timezone))
    records.log_contact(store, agent.id, event.client_id, at=at, channel="event",
                        summary=event.title)


def _outcome(store: Store, agent: Agent, event: ServiceEvent, *, opened: bool) -> ServiceOutcome:
    client = store.clients.get_client(agent.id, event.client_id)
    assert client is not None
    contacts = store.clients.contacts_of(agent.id, client.id, limit=20)
    events = store.service.events_of(agent.id, client.id, limit=50)
    proposal = store.proposals.latest_by_client(agent.id, [client.id]).get(client.id)
    return ServiceOutcome(event, classify.suggest_stage(client, contacts, events, proposal),
                          rules.referral_moment(event) if opened else None)
