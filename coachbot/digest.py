"""The daily digest: today's greetings and reviews for one agent, built from indexed queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coachbot import reminders
from coachbot.calendar import Festival, festivals_between
from coachbot.plan import activity_plan
from coachbot.regions import REGIONS
from coachbot.store import Agent, Store

GREETING_KINDS = ("birthday", "family_birthday", "wedding", "custom", "policy_anniversary")
MAX_PER_SECTION = 8
SECTIONS = ("greetings", "follow_ups", "premiums", "callbacks", "reviews", "overdue")


@dataclass(frozen=True)
class Entry:
    """One line of the digest, backed by a to-do item the buttons act on."""

    item_id: int
    kind: str
    client_id: int | None
    name: str
    day: date
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Digest:
    """Everything the agent should know this morning."""

    day: date
    late: bool = False
    greetings: list[Entry] = field(default_factory=list)
    festivals: list[Entry] = field(default_factory=list)
    follow_ups: list[Entry] = field(default_factory=list)
    premiums: list[Entry] = field(default_factory=list)
    callbacks: list[Entry] = field(default_factory=list)
    reviews: list[Entry] = field(default_factory=list)
    overdue: list[Entry] = field(default_factory=list)
    visits_target: float = 0.0
    yesterday: dict[str, int] = field(default_factory=dict)
    # how many entries of each section did not fit (the template reads every key)
    more: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))

    @property
    def yesterday_total(self) -> int:
        return sum(self.yesterday.values())

    @property
    def entries(self) -> list[Entry]:
        return [*self.greetings, *self.festivals, *self.follow_ups, *self.premiums,
                *self.callbacks, *self.reviews, *self.overdue]

    @property
    def is_empty(self) -> bool:
        return not self.entries


def festival_region(region: str) -> str:
    """Agents outside our five markets get the mainland's lunar festivals."""
    return region if region in REGIONS else "CN"


def build_digest(store: Store, agent: Agent, day: date, *, since: date | None = None,
                 late: bool = False) -> Digest:
    """The digest for `day` (covering from `since` when earlier digests were missed)."""
    with store.atomic():  # its to-do items in one commit, not one commit per entry
        return _build_digest(store, agent, day, since, late)


def _build_digest(store: Store, agent: Agent, day: date, since: date | None,
                  late: bool) -> Digest:
    first = max(since or day, day - timedelta(days=reminders.CATCH_UP_DAYS))
    digest = Digest(day=day, late=late,
                    visits_target=activity_plan(agent.monthly_target).visits_per_day)
    handled = _Handled(store, agent.id)

    for occ in store.occasions_between(agent.id, first, day):
        detail = {"yearly": occ.yearly, "ref_id": occ.ref_id,
                  "days_ago": (day - occ.next_date).days}
        entry = handled.entry(occ.kind, occ.client_id, str(occ.ref_id), occ.next_date,
                              occ.client_name, detail)
        if entry:
            digest.greetings.append(entry)
    for festival in festivals_between(festival_region(agent.region), first, day):
        entry = handled.entry("festival", None, festival.key, festival.date, festival.key,
                              {"festival": _festival_detail(festival)})
        if entry:
            digest.festivals.append(entry)
    for cid, name, contact_id, next_step, when, summary in store.follow_ups_due(agent.id, day):
        entry = handled.entry("follow_up", cid, str(contact_id), date.fromisoformat(when), name,
                              {"next_step": next_step, "summary": summary})
        if entry:
            digest.follow_ups.append(entry)
    notice_days = [day + timedelta(days=n) for n in reminders.PREMIUM_NOTICE_DAYS]
    for cid, name, pid, product, premium, currency, due in store.premiums_due(agent.id,
                                                                              notice_days):
        due_day = date.fromisoformat(due)
        entry = handled.entry("premium", cid, f"{pid}:{due}", day, name, {
            "product": product, "premium": premium, "currency": currency,
            "due": due_day, "days": (due_day - day).days})
        if entry:
            digest.premiums.append(entry)
    delivered = day - timedelta(days=reminders.CALLBACK_AFTER_DAYS)
    for cid, name, pid, product, _ in store.deliveries_on(agent.id, delivered):
        entry = handled.entry("callback", cid, str(pid), day, name, {
            "product": product,
            "cooling_off_ends": delivered + timedelta(days=reminders.COOLING_OFF_DAYS)})
        if entry:
            digest.callbacks.append(entry)
    for cid, name, tier, due in store.reviews_due(agent.id, day):
        entry = handled.entry("review", cid, due, day, name, {"tier": tier})
        if entry:
            digest.reviews.append(entry)
    for cid, name, due, last in store.overdue_contacts(agent.id, day):
        days_since = (day - datetime.fromisoformat(last).date()).days if last else None
        entry = handled.entry("stay_in_touch", cid, due, day, name, {"days": days_since})
        if entry:
            digest.overdue.append(entry)
    _trim(digest)
    zone = ZoneInfo(agent.timezone)
    start = datetime.combine(day - timedelta(days=1), time(0), zone)
    digest.yesterday = store.contacts_count_between(agent.id, start, start + timedelta(days=1))
    return digest


def _festival_detail(festival: Festival) -> dict[str, Any]:
    return {"key": festival.key, "names": dict(festival.name or {}), "kind": festival.kind}


def _trim(digest: Digest) -> None:
    """Keep each section short on a phone; say how many more there are."""
    for section in SECTIONS:
        entries = getattr(digest, section)
        if len(entries) > MAX_PER_SECTION:
            digest.more[section] = len(entries) - MAX_PER_SECTION
            setattr(digest, section, entries[:MAX_PER_SECTION])


class _Handled:
    """Creates the to-do item of each entry and leaves out what the agent already handled."""

    def __init__(self, store: Store, agent_id: int) -> None:
        self.store, self.agent_id = store, agent_id

    def entry(self, kind: str, client_id: int | None, ref: str, day: date, name: str,
              detail: dict[str, Any]) -> Entry | None:
        item = self.store.ensure_item(self.agent_id, kind=kind, client_id=client_id, ref=ref,
                                      occasion_date=day)
        if item.status in ("done", "skipped") or (item.status == "snoozed"):
            return None
        return Entry(item.id, kind, client_id, name, day, detail)
