"""Service events (gatherings, claims, policy servicing, renewals) and what they set in motion.

The methodology's prospect stages are defined by what happened: C 可邀约 is the stage at which
the agent invites a prospect to an event, and A 可促成 needs an event attended. A client who is
helped through a claim, or who comes to a gathering, is at a high point: the moment to ask for
a referral. Recording the event is what moves the suggestion, not a tap on a stage button.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from coachbot.domain.models import SERVICE_STATUSES, ServiceEvent

RESOLVED_STATUSES = frozenset({"attended", "missed", "paid", "declined", "done"})
# (kind, status) -> the referral moment it opens (ids of scripts/<locale>/referrals.yaml)
REFERRAL_MOMENTS = {("claim", "paid"): "claim_paid", ("gathering", "attended"): "event_attended"}
# a high point fades: the card keeps suggesting the referral for two weeks after it
REFERRAL_WINDOW = timedelta(days=14)


def is_valid(kind: str, status: str) -> bool:
    """Whether a status belongs to a kind of event."""
    return status in SERVICE_STATUSES.get(kind, ())


def first_status(kind: str) -> str:
    """Where an event of this kind starts (invited, filed, open)."""
    return SERVICE_STATUSES[kind][0]


def resolved_on(status: str, day: date, today: date) -> date | None:
    """When an event was resolved: a gathering on its own date (if past), anything else today."""
    if status not in RESOLVED_STATUSES:
        return None
    return min(day, today)


def referral_moment(event: ServiceEvent) -> str | None:
    """The referral moment this event opens, if any."""
    return REFERRAL_MOMENTS.get((event.kind, event.status))


def referral_due(events: Sequence[ServiceEvent], today: date) -> ServiceEvent | None:
    """The latest event that opened a referral moment in the last two weeks, if any."""
    recent = [e for e in events if referral_moment(e) and e.resolved_on
              and today - e.resolved_on <= REFERRAL_WINDOW]
    return max(recent, key=lambda e: (e.resolved_on, e.id), default=None)


def invited(events: Sequence[ServiceEvent]) -> bool:
    """Invited to a gathering (whatever came of it)."""
    return any(e.kind == "gathering" for e in events)


def attended(events: Sequence[ServiceEvent]) -> bool:
    """Came to a gathering."""
    return any(e.kind == "gathering" and e.status == "attended" for e in events)
