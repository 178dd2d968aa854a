"""The daily digest: today's greetings, follow-ups and reviews, for one agent or many at once,
built from indexed queries; building it only reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from coachbot import reminders
from coachbot.calendar import Festival, festivals_between
from coachbot.plan import activity_plan
from coachbot.regions import REGIONS
from coachbot.store import Agent, Store
from coachbot.store.due import ItemKey

GREETING_KINDS = ("birthday", "family_birthday", "wedding", "custom", "policy_anniversary")
MAX_PER_SECTION = 8
HANDLED = ("done", "skipped", "snoozed")  # a to-do item in these states leaves the digest
SECTIONS = ("greetings", "follow_ups", "premiums", "callbacks", "reviews", "overdue")


class Entry(NamedTuple):
    """One line of the digest. Its to-do item (what the agent did about it) exists once the
    agent has opened it; until then the entry's key is enough to create it. (A named tuple:
    a morning makes 100,000 of them.)"""

    item_id: int | None
    kind: str
    client_id: int | None
    name: str
    day: date
    detail: dict[str, Any]
    ref: str = ""


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


@dataclass(frozen=True)
class DigestRequest:
    """One agent's digest to build: covering from `since` when earlier digests were missed."""

    agent: Agent
    since: date | None = None
    late: bool = False


def build_digest(store: Store, agent: Agent, day: date, *, since: date | None = None,
                 late: bool = False) -> Digest:
    """The digest for `day` (covering from `since` when earlier digests were missed)."""
    return build_digests(store, [DigestRequest(agent, since, late)], day)[agent.id]


def build_digests(store: Store, requests: Sequence[DigestRequest], day: date) -> \
        dict[int, Digest]:
    """The digests of many agents for `day`, by agent id, from one query per section."""
    return _Builder(store, requests, day).build()


class _Builder:
    """Collects every agent's candidate entries, then keeps those the agent has not already
    handled (their to-do items, where they exist, say so)."""

    def __init__(self, store: Store, requests: Sequence[DigestRequest], day: date) -> None:
        self.store, self.day = store, day
        self.agents = {r.agent.id: r.agent for r in requests}
        self.first = {r.agent.id: max(r.since or day, day - timedelta(days=reminders.CATCH_UP_DAYS))
                      for r in requests}
        self.digests = {r.agent.id: Digest(
            day=day, late=r.late,
            visits_target=activity_plan(r.agent.monthly_target).visits_per_day)
            for r in requests}
        self.candidates: list[tuple[str, ItemKey, str, dict[str, Any]]] = []

    def add(self, section: str, agent_id: int, kind: str, client_id: int | None, ref: str,
            day: date, name: str, detail: dict[str, Any]) -> None:
        self.candidates.append((section, ItemKey(agent_id, kind, client_id, ref, day), name,
                                detail))

    def build(self) -> dict[int, Digest]:
        """Reads only: a digest writes nothing (to-do items are made when an entry is opened),
        so a morning's 100,000 lines cost no writes and leave no rows behind."""
        store, day, ids = self.store, self.day, list(self.agents)
        if not ids:
            return {}
        for occ in store.occasions_between(ids, min(self.first.values()), day):
            if occ.next_date >= self.first[occ.agent_id]:
                self.add("greetings", occ.agent_id, occ.kind, occ.client_id, str(occ.ref_id),
                         occ.next_date, occ.client_name,
                         {"yearly": occ.yearly, "ref_id": occ.ref_id,
                          "days_ago": (day - occ.next_date).days})
        self._festivals()
        for agent_id, cid, name, contact_id, next_step, when, summary in \
                store.follow_ups_due(ids, day):
            self.add("follow_ups", agent_id, "follow_up", cid, str(contact_id),
                     date.fromisoformat(when), name, {"next_step": next_step, "summary": summary})
        notice_days = [day + timedelta(days=n) for n in reminders.PREMIUM_NOTICE_DAYS]
        for agent_id, cid, name, pid, product, premium, currency, due in \
                store.premiums_due(ids, notice_days):
            due_day = date.fromisoformat(due)
            self.add("premiums", agent_id, "premium", cid, f"{pid}:{due}", day, name, {
                "product": product, "premium": premium, "currency": currency,
                "due": due_day, "days": (due_day - day).days})
        delivered = day - timedelta(days=reminders.CALLBACK_AFTER_DAYS)
        for agent_id, cid, name, pid, product in store.deliveries_on(ids, delivered):
            self.add("callbacks", agent_id, "callback", cid, str(pid), day, name, {
                "product": product,
                "cooling_off_ends": delivered + timedelta(days=reminders.COOLING_OFF_DAYS)})
        for agent_id, cid, name, tier, due in store.reviews_due(ids, day):
            self.add("reviews", agent_id, "review", cid, due, day, name, {"tier": tier})
        for agent_id, cid, name, due, last in store.overdue_contacts(ids, day):
            days_since = (day - datetime.fromisoformat(last).date()).days if last else None
            self.add("overdue", agent_id, "stay_in_touch", cid, due, day, name,
                     {"days": days_since})
        self._entries()
        self._yesterday()
        return self.digests

    def _festivals(self) -> None:
        calendars: dict[tuple[str, date], list[Festival]] = {}  # most agents share a few
        for agent_id, agent in self.agents.items():
            region, first = festival_region(agent.region), self.first[agent_id]
            if (region, first) not in calendars:
                calendars[(region, first)] = festivals_between(region, first, self.day)
            for festival in calendars[(region, first)]:
                self.add("festivals", agent_id, "festival", None, festival.key, festival.date,
                         festival.key, {"festival": _festival_detail(festival)})

    def _entries(self) -> None:
        states = self.store.item_states([key for _, key, _, _ in self.candidates])
        digests = self.digests
        for (section, key, name, detail), state in zip(self.candidates, states, strict=True):
            if state is not None and state.status in HANDLED:  # done, skipped or snoozed
                continue
            agent_id, kind, client_id, ref, day = key
            getattr(digests[agent_id], section).append(
                Entry(state.id if state else None, kind, client_id, name, day, detail, ref))
        for digest in digests.values():
            _trim(digest)

    def _yesterday(self) -> None:
        windows = []
        for agent_id, agent in self.agents.items():
            start = datetime.combine(self.day - timedelta(days=1), time(0),
                                     ZoneInfo(agent.timezone))
            windows.append((agent_id, start, start + timedelta(days=1)))
        counts = self.store.contacts_by_channel(windows)
        for agent_id, digest in self.digests.items():
            digest.yesterday = counts.get(agent_id, {})


def _festival_detail(festival: Festival) -> dict[str, Any]:
    return {"key": festival.key, "names": dict(festival.name or {}), "kind": festival.kind}


def _trim(digest: Digest) -> None:
    """Keep each section short on a phone; say how many more there are."""
    for section in SECTIONS:
        entries = getattr(digest, section)
        if len(entries) > MAX_PER_SECTION:
            digest.more[section] = len(entries) - MAX_PER_SECTION
            setattr(digest, section, entries[:MAX_PER_SECTION])
