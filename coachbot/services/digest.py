"""The daily digest: today's greetings, follow-ups and reviews, for one agent or many at once,
built from indexed queries; building it only reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from coachbot.domain import reminders
from coachbot.domain.calendar import Festival, festivals_between
from coachbot.domain.models import Agent
from coachbot.domain.plan import activity_plan
from coachbot.domain.regions import REGIONS
from coachbot.domain.reminders import HANDLED, ItemKey
from coachbot.store import Store

GREETING_KINDS = ("birthday", "family_birthday", "wedding", "custom", "policy_anniversary")
MAX_PER_SECTION = 8
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
    """Fills every agent's digest from one query per section. The queries leave out what the
    agent has already handled and give each remaining entry's to-do item where one exists."""

    def __init__(self, store: Store, requests: Sequence[DigestRequest], day: date) -> None:
        self.store, self.day = store, day
        self.agents = {r.agent.id: r.agent for r in requests}
        self.first = {r.agent.id: max(r.since or day, day - timedelta(days=reminders.CATCH_UP_DAYS))
                      for r in requests}
        self.digests = {r.agent.id: Digest(
            day=day, late=r.late,
            visits_target=activity_plan(r.agent.monthly_target).visits_per_day)
            for r in requests}

    def build(self) -> dict[int, Digest]:
        """Reads only: a digest writes nothing (to-do items are made when an entry is opened),
        so a morning's 100,000 lines cost no writes and leave no rows behind."""
        if not self.agents:
            return {}
        ids = list(self.agents)
        for section in (self._greetings, self._festivals, self._follow_ups, self._premiums,
                        self._callbacks, self._reviews, self._overdue):
            section(ids)
        for digest in self.digests.values():
            _trim(digest)
        self._yesterday()
        return self.digests

    def _greetings(self, ids: list[int]) -> None:
        day, digests = self.day, self.digests
        for agent_id, cid, name, kind, ref_id, yearly, when, item in \
                self.store.due.occasions_between(ids, min(self.first.values()), day):
            next_date = date.fromisoformat(when)
            if next_date >= self.first[agent_id]:
                digests[agent_id].greetings.append(Entry(
                    item, kind, cid, name, next_date,
                    {"yearly": yearly, "ref_id": ref_id, "days_ago": (day - next_date).days},
                    str(ref_id)))

    def _follow_ups(self, ids: list[int]) -> None:
        digests = self.digests
        for agent_id, cid, name, contact_id, next_step, when, summary, item in \
                self.store.due.follow_ups_due(ids, self.day, limit=MAX_PER_SECTION):
            digests[agent_id].follow_ups.append(Entry(
                item, "follow_up", cid, name, date.fromisoformat(when),
                {"next_step": next_step, "summary": summary}, str(contact_id)))

    def _premiums(self, ids: list[int]) -> None:
        day, digests = self.day, self.digests
        notice_days = [day + timedelta(days=n) for n in reminders.PREMIUM_NOTICE_DAYS]
        for agent_id, cid, name, pid, product, premium, currency, due, item in \
                self.store.due.premiums_due(ids, notice_days, day):
            due_day = date.fromisoformat(due)
            digests[agent_id].premiums.append(Entry(
                item, "premium", cid, name, day,
                {"product": product, "premium": premium, "currency": currency, "due": due_day,
                 "days": (due_day - day).days}, f"{pid}:{due}"))

    def _callbacks(self, ids: list[int]) -> None:
        day = self.day
        delivered = day - timedelta(days=reminders.CALLBACK_AFTER_DAYS)
        cooling_off_ends = delivered + timedelta(days=reminders.COOLING_OFF_DAYS)
        for agent_id, cid, name, pid, product, item in \
                self.store.due.deliveries_on(ids, delivered, day):
            self.digests[agent_id].callbacks.append(Entry(
                item, "callback", cid, name, day,
                {"product": product, "cooling_off_ends": cooling_off_ends}, str(pid)))

    def _reviews(self, ids: list[int]) -> None:
        day, digests = self.day, self.digests
        for agent_id, cid, name, tier, due, item in \
                self.store.due.reviews_due(ids, day, limit=MAX_PER_SECTION):
            digests[agent_id].reviews.append(Entry(item, "review", cid, name, day,
                                                   {"tier": tier}, due))

    def _overdue(self, ids: list[int]) -> None:
        day, digests = self.day, self.digests
        for agent_id, cid, name, due, last, item in self.store.due.overdue_contacts(ids, day):
            days_since = (day - datetime.fromisoformat(last).date()).days if last else None
            digests[agent_id].overdue.append(Entry(item, "stay_in_touch", cid, name, day,
                                                   {"days": days_since}, due))

    def _festivals(self, ids: list[int]) -> None:
        # computed here, not in SQL: their to-do items are looked up by key
        calendars: dict[tuple[str, date], list[Festival]] = {}  # most agents share a few
        due: list[tuple[ItemKey, Festival]] = []
        for agent_id in ids:
            agent = self.agents[agent_id]
            region, first = festival_region(agent.region), self.first[agent_id]
            if (region, first) not in calendars:
                calendars[(region, first)] = festivals_between(region, first, self.day)
            due += [(ItemKey(agent_id, "festival", None, festival.key, festival.date), festival)
                    for festival in calendars[(region, first)]]
        states = self.store.due.item_states([key for key, _ in due])
        for (key, festival), state in zip(due, states, strict=True):
            if state is None or state.status not in HANDLED:
                self.digests[key.agent_id].festivals.append(Entry(
                    state.id if state else None, "festival", None, festival.key, festival.date,
                    {"festival": _festival_detail(festival)}, festival.key))

    def _yesterday(self) -> None:
        windows = []
        for agent_id, agent in self.agents.items():
            start = datetime.combine(self.day - timedelta(days=1), time(0),
                                     ZoneInfo(agent.timezone))
            windows.append((agent_id, start, start + timedelta(days=1)))
        counts = self.store.due.contacts_by_channel(windows)
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
