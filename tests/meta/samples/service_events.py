"""Sample contexts for the service-event templates (gatherings, claims, servicing)."""

from __future__ import annotations

from datetime import date
from typing import Any

from coachbot.domain.models import ServiceEvent
from coachbot.services.service_events import ServiceOutcome
from tests.meta.samples.clients import CLIENT
from tests.meta.samples.general import HOSTILE

DAY = date(2026, 11, 23)
PAID = ServiceEvent(1, 7, "claim", "paid", HOSTILE, date(2026, 11, 2), DAY)
EVENTS = [PAID, ServiceEvent(2, 7, "gathering", "attended", HOSTILE, DAY, DAY),
          ServiceEvent(3, 7, "servicing", "open", None, DAY)]

SAMPLES: dict[str, dict[str, Any]] = {
    "service_events/menu": {"client": CLIENT},
    "service_events/ask_title": {"client": CLIENT, "kind": "claim"},
    # the longest form: a stage suggestion and a referral moment at once
    "service_events/recorded": {"client": CLIENT,
                                "outcome": ServiceOutcome(EVENTS[1], "B", "event_attended")},
    "service_events/list": {"client": CLIENT, "events": EVENTS},
}
