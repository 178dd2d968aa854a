"""The daily digest: today's greetings, follow-ups, proposals waiting for an answer and
reviews, for one agent or many at once, built from indexed queries; building it only reads.

Ranked, not listed: a day has room for a few things done well (about the day's visit target),
so the digest puts first what matters most - follow-ups the agent promised and let slip
(tagged "逾期 N 天"), anything about an A or B prospect (close to signing; a proposal the
client has not answered is one), today's greetings and deadlines - and folds the rest behind
a count (rest_page() gives the folded part).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from coachbot.domain import reminders
from coachbot.domain.calendar import Festival, festivals_between
from coachbot.domain.models import Agent
from coachbot.domain.plan import ActivityPlan, activity_plan
from coachbot.domain.regions import REGIONS
from coachbot.domain.reminders import HANDLED, ItemKey
from coachbot.domain.stats import VISIT_CHANNELS
from coachbot.scripts.regional import cooling_off
from coachbot.services import proposals
from coachbot.store import Store

GREETING_KINDS = ("birthday", "family_birthday", "wedding", "custom", "policy_anniversary")
MAX_PER_SECTION = 8
SECTIONS = ("greetings", "follow_ups", "proposals", "premiums", "callbacks", "reviews",
            "overdue")
HOT_STAGES = ("A", "B")  # prospects about to sign (可促成) or at the proposal (计划书)
MIN_SHOWN, MAX_SHOWN = 3, 8  # how many entries the morning shows before folding the rest
REST_PAGE = 10  # entries a page of the folded rest shows


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


class Ranked(NamedTuple):
    """An entry in the order it matters: tier (0 first), then the tie-breakers."""

    entry: Entry
    tier: int
    overdue_days: int  # a follow-up past the day agreed: "逾期 N 天" (0 otherwise)
    stage: str | None  # the client's prospect stage (A/B are "hot")

    @property
    def hot(self) -> bool:
        """The client is an A or B prospect."""
        return self.stage in HOT_STAGES


@dataclass
class Digest:
    """Everything the agent should know this morning: the sections as found, and the same
    entries ranked (`top` shown, `rest` folded)."""

    day: date
    late: bool = False
    greetings: list[Entry] = field(default_factory=list)
    festivals: list[Entry] = field(default_factory=list)
    follow_ups: list[Entry] = field(default_factory=list)
    proposals: list[Entry] = field(default_factory=list)  # sent, then no answer for days
    premiums: list[Entry] = field(default_factory=list)
    callbacks: list[Entry] = field(default_factory=list)
    reviews: list[Entry] = field(default_factory=list)
    overdue: list[Entry] = field(default_factory=list)
    visits_target: int = 0  # the plan's whole visits a day (plan.visits_per_day)
    yesterday: dict[str, int] = field(default_factory=dict)
    # how many entries of each section did not fit (the template reads every key)
    more: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    plan: ActivityPlan | None = None
    month_visits: int | None = None  # visits logged this month so far, today included
    top: list[Ranked] = field(default_factory=list)  # shown first, in order
    rest: list[Ranked] = field(default_factory=list)  # folded behind a count

    @property
    def yesterday_total(self) -> int:
        return sum(self.yesterday.values())

    @property
    def entries(self) -> list[Entry]:
        """The entries shown (one button each): the top of the ranking (every entry of a
        digest that was never ranked)."""
        if self.top or self.rest:
            return [r.entry for r in self.top]
        return self.all_entries

    @property
    def all_entries(self) -> list[Entry]:
        """Every entry found, section by section."""
        return [*self.greetings, *self.festivals, *self.follow_ups, *self.proposals,
                *self.premiums, *self.callbacks, *self.reviews, *self.overdue]

    @property
    def rest_by_kind(self) -> list[tuple[str, int]]:
        """What the folded rest holds: (kind, count), most first."""
        counts: dict[str, int] = {}
        for ranked in self.rest:
            counts[ranked.entry.kind] = counts.get(ranked.entry.kind, 0) + 1
        return sorted(counts.items(), key=lambda kc: (-kc[1], kc[0]))

    @property
    def is_empty(self) -> bool:
        return not self.top and not self.rest and not self.all_entries


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
    # one read transaction: the sections see one snapshot, and the statements skip taking and
    # dropping the database's read lock each (~5 us a statement, a tenth of one agent's digest)
    with _collector_paused(), store.atomic():
        return _Builder(store, requests, day).build()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A batch of digests makes tens of thousands of objects that outlive it (entries, their
    details, their ranks) and no reference cycles; the garbage collector, triggered by the
    count of objects made, would walk them again and again while they are made (0.24 s of
    the bench's 1.5 s day). Paused, it walks them once, at its next pass after the batch."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Builder:
    """Fills every agent's digest from one query per section. The queries leave out what the
    agent has already handled and give each remaining entry's to-do item where one exists."""

    def __init__(self, store: Store, requests: Sequence[DigestRequest], day: date) -> None:
        self.store, self.day = store, day
        self.agents = {r.agent.id: r.agent for r in requests}
        self.first = {r.agent.id: max(r.since or day, day - timedelta(days=reminders.CATCH_UP_DAYS))
                      for r in requests}
        self.digests: dict[int, Digest] = {}
        for r in requests:
            plan = activity_plan(max(1, r.agent.monthly_target))
            self.digests[r.agent.id] = Digest(day=day, late=r.late,
                                              visits_target=plan.visits_per_day, plan=plan)
        # each agent's clients' prospect stages, as the sections that read them found them
        self.stages: dict[int, dict[int, str | None]] = {agent_id: {} for agent_id in self.agents}
        self.ids = list(self.agents)
        self.itemized: set[int] = set()  # agents with to-do items in the digest's days
        # the agents split by whether they have any (True) and those sections' queries
        self.groups: list[tuple[list[int], bool]] = []

    def build(self) -> dict[int, Digest]:
        """Reads only: a digest writes nothing (to-do items are made when an entry is opened),
        so a morning's 100,000 lines cost no writes and leave no rows behind."""
        if not self.agents:
            return {}
        # to-do items are made when an entry is opened: agents with none dated in the digest's
        # days (every agent, before the morning's first tap) have no item to look up there
        itemized = self.itemized = self.store.due.agents_with_items(
            self.ids, min(self.first.values()), self.day)
        self.groups = [(group, items) for group, items in (
            ([i for i in self.ids if i in itemized], True),
            ([i for i in self.ids if i not in itemized], False)) if group]
        for section in (self._greetings, self._festivals, self._follow_ups, self._proposals,
                        self._premiums, self._callbacks, self._reviews, self._overdue):
            section()
        zone_days = self._zone_days()
        self._hold_snoozed(zone_days)
        for agent_id, digest in self.digests.items():
            _rank(digest, self.stages[agent_id])
            _trim(digest)
        self._yesterday(zone_days)
        self._month_visits(zone_days)
        return self.digests

    def _greetings(self) -> None:
        day, digests, first = self.day, self.digests, min(self.first.values())
        for ids, items in self.groups:
            for agent_id, cid, name, kind, ref_id, yearly, when, item, stage in \
                    self.store.due.occasions_between(ids, first, day, items=items):
                self.stages[agent_id][cid] = stage
                next_date = date.fromisoformat(when)
                if next_date >= self.first[agent_id]:
                    digests[agent_id].greetings.append(Entry(
                        item, kind, cid, name, next_date,
                        {"yearly": yearly, "ref_id": ref_id, "days_ago": (day - next_date).days},
                        str(ref_id)))

    def _follow_ups(self) -> None:
        digests = self.digests
        for agent_id, cid, name, contact_id, next_step, when, summary, item, stage in \
                self.store.due.follow_ups_due(self.ids, self.day, limit=MAX_PER_SECTION):
            self.stages[agent_id][cid] = stage
            agreed = date.fromisoformat(when)
            digests[agent_id].follow_ups.append(Entry(
                item, "follow_up", cid, name, agreed,
                {"next_step": next_step, "summary": summary,
                 "overdue_days": max(0, (self.day - agreed).days)}, str(contact_id)))

    def _proposals(self) -> None:
        """Proposals the client has not answered for days: call and ask how it read."""
        day = self.day
        for agent_id, waiting in proposals.follow_ups(self.store, list(self.agents.values()), day,
                                                      limit=MAX_PER_SECTION).items():
            for f in waiting:
                self.stages[agent_id][f.client_id] = f.stage
                self.digests[agent_id].proposals.append(Entry(
                    f.item_id, "proposal", f.client_id, f.client_name, day,
                    {"title": f.title, "products": f.products, "days": f.days,
                     "since": f.waiting_since}, str(f.proposal_id)))

    def _premiums(self) -> None:
        day, digests = self.day, self.digests
        notice_days = [day + timedelta(days=n) for n in reminders.PREMIUM_NOTICE_DAYS]
        for ids, items in self.groups:
            for agent_id, cid, name, pid, product, premium, currency, due, item in \
                    self.store.due.premiums_due(ids, notice_days, day, items=items):
                due_day = date.fromisoformat(due)
                digests[agent_id].premiums.append(Entry(
                    item, "premium", cid, name, day,
                    {"product": product, "premium": premium, "currency": currency,
                     "due": due_day, "days": (due_day - day).days}, f"{pid}:{due}"))

    def _callbacks(self) -> None:
        day = self.day
        delivered = day - timedelta(days=reminders.CALLBACK_AFTER_DAYS)
        for agent_id, cid, name, pid, product, item in \
                self.store.due.deliveries_on(self.ids, delivered, day):
            # the agent's market's period (HK 21 days, TW 10 ...); unknown outside our markets
            rule = cooling_off(self.agents[agent_id].region)
            ends = reminders.cooling_off_end(delivered, rule.days) if rule else None
            self.digests[agent_id].callbacks.append(Entry(
                item, "callback", cid, name, day,
                {"product": product, "cooling_off_ends": ends,
                 "cooling_off_days": rule.days if rule else None}, str(pid)))

    def _reviews(self) -> None:
        day, digests = self.day, self.digests
        for ids, items in self.groups:
            for agent_id, cid, name, tier, due, item in \
                    self.store.due.reviews_due(ids, day, limit=MAX_PER_SECTION, items=items):
                digests[agent_id].reviews.append(Entry(item, "review", cid, name, day,
                                                       {"tier": tier}, due))

    def _overdue(self) -> None:
        day, digests = self.day, self.digests
        for ids, items in self.groups:
            for agent_id, cid, name, due, last, stage, item in \
                    self.store.due.overdue_contacts(ids, day, items=items):
                self.stages[agent_id][cid] = stage
                days_since = (day - datetime.fromisoformat(last).date()).days if last else None
                digests[agent_id].overdue.append(Entry(item, "stay_in_touch", cid, name, day,
                                                       {"days": days_since}, due))

    def _festivals(self) -> None:
        # computed here, not in SQL: their to-do items are looked up by key
        calendars: dict[tuple[str, date], list[Festival]] = {}  # most agents share a few
        due: list[tuple[ItemKey, Festival]] = []
        for agent_id in self.ids:
            agent = self.agents[agent_id]
            region, first = festival_region(agent.region), self.first[agent_id]
            if (region, first) not in calendars:
                calendars[(region, first)] = festivals_between(region, first, self.day)
            due += [(ItemKey(agent_id, "festival", None, festival.key, festival.date), festival)
                    for festival in calendars[(region, first)]]
        asked = [key for key, _ in due if key.agent_id in self.itemized]
        states = dict(zip(asked, self.store.due.item_states(asked), strict=True))
        for key, festival in due:
            state = states.get(key)
            if state is None or state.status not in HANDLED:
                self.digests[key.agent_id].festivals.append(Entry(
                    state.id if state else None, "festival", None, festival.key, festival.date,
                    {"festival": _festival_detail(festival)}, festival.key))

    def _hold_snoozed(self, zone_days: dict[str, tuple[datetime, datetime, datetime]]) -> None:
        """A premium, review or catch-up is a new occurrence each day it stays due, so snoozing
        one "till next week" would not keep the next day's away: an entry whose earlier day's
        item is snoozed past the start of today stays out of the digest. On the day the snooze
        ends the item itself comes back (the sweep sends it), so that day's entry stays out
        too. Greetings and follow-ups keep one item across days and need none of this."""
        today_starts = {agent_id: zone_days[agent.timezone][2] - timedelta(days=1)
                        for agent_id, agent in self.agents.items()}
        held: dict[int, set[tuple[str, int | None, str]]] = {}
        for agent_id, kind, client_id, ref, day, until in self.store.schedule.snoozed_since(
                self.ids, min(today_starts.values())):
            if day < self.day and until > today_starts[agent_id]:
                held.setdefault(agent_id, set()).add((kind, client_id, ref))
        for agent_id, keys in held.items():
            digest = self.digests[agent_id]
            for name in SECTIONS:
                entries = getattr(digest, name)
                kept = [e for e in entries if (e.kind, e.client_id, e.ref) not in keys]
                if len(kept) != len(entries):
                    setattr(digest, name, kept)

    def _zone_days(self) -> dict[str, tuple[datetime, datetime, datetime]]:
        """Per time zone of these agents (they share a handful): the start of yesterday, of
        this month and of tomorrow there."""
        days: dict[str, tuple[datetime, datetime, datetime]] = {}
        for agent in self.agents.values():
            if agent.timezone not in days:
                zone = ZoneInfo(agent.timezone)
                days[agent.timezone] = (
                    datetime.combine(self.day - timedelta(days=1), time(0), zone),
                    datetime.combine(self.day.replace(day=1), time(0), zone),
                    datetime.combine(self.day + timedelta(days=1), time(0), zone))
        return days

    def _yesterday(self, zone_days: dict[str, tuple[datetime, datetime, datetime]]) -> None:
        windows = []
        for agent_id, agent in self.agents.items():
            start = zone_days[agent.timezone][0]
            windows.append((agent_id, start, start + timedelta(days=1)))
        counts = self.store.due.contacts_by_channel(windows)
        for agent_id, digest in self.digests.items():
            digest.yesterday = counts.get(agent_id, {})

    def _month_visits(self, zone_days: dict[str, tuple[datetime, datetime, datetime]]) -> None:
        """Visits this month so far (today included), for "本月 8/80"."""
        windows = []
        for agent_id, agent in self.agents.items():
            _, start, end = zone_days[agent.timezone]
            windows.append((agent_id, start, end))
        counts = self.store.due.contacts_counted(windows, VISIT_CHANNELS)
        for agent_id, digest in self.digests.items():
            digest.month_visits = counts.get(agent_id, 0)


def _festival_detail(festival: Festival) -> dict[str, Any]:
    return {"key": festival.key, "names": dict(festival.name or {}), "kind": festival.kind}


# -- ranking -------------------------------------------------------------------------------
def shown_count(plan: ActivityPlan | None) -> int:
    """How many entries the morning shows before folding: about a day's worth (the visits
    target and one more), never fewer than 3 or more than 8."""
    wanted = (plan.visits_per_day if plan else MIN_SHOWN) + 1
    return max(MIN_SHOWN, min(MAX_SHOWN, wanted))


def rank_entry(entry: Entry, stage: str | None) -> Ranked:
    """Where an entry goes: 0 a follow-up let slip, 1 anything about an A/B prospect and every
    proposal waiting for the client's answer (a B prospect's open proposal, whatever stage the
    agent has set), 2 today's greetings and deadlines, 3 the other follow-ups due today, 4
    greetings missed and premiums due within the week, 5 reviews and premiums further off,
    6 staying in touch."""
    kind, hot = entry.kind, stage in HOT_STAGES
    # by kind (100,000 entries a morning): the tiers above, each kind's own
    if kind == "follow_up":
        overdue = int(entry.detail.get("overdue_days") or 0)
        return Ranked(entry, 0 if overdue else 1 if hot else 3, overdue, stage)
    if kind == "proposal":
        tier = 1
    elif kind == "stay_in_touch":
        tier = 1 if hot else 6
    elif kind == "review":
        tier = 1 if hot else 5
    elif kind in GREETING_KINDS:
        tier = 2 if not entry.detail.get("days_ago") else 4
    elif kind in ("festival", "callback"):
        tier = 2
    elif kind == "premium":
        days = entry.detail.get("days") or 0
        tier = 2 if days <= 1 else 4 if days <= 7 else 5
    else:
        tier = 1 if hot else 6
    return Ranked(entry, tier, 0, stage)


def _order(ranked: Ranked) -> tuple[int, int, bool, str]:
    # tier, the longest overdue first, A/B prospects first (False sorts first), then the name
    return (ranked.tier, -ranked.overdue_days, ranked.stage not in HOT_STAGES,
            ranked.entry.name)


def _rank(digest: Digest, stages: dict[int, str | None]) -> None:
    """Rank every entry found (before the sections are trimmed): top shown, rest folded.
    `stages`: the agent's clients' prospect stages (a festival has no client: 0)."""
    ranked = [rank_entry(e, stages.get(e.client_id or 0)) for e in digest.all_entries]
    ranked.sort(key=_order)
    shown = shown_count(digest.plan)
    digest.top, digest.rest = ranked[:shown], ranked[shown:]


@dataclass(frozen=True)
class RestPage:
    """One page of what the morning folded (the "show the rest" button)."""

    day: date
    ranked: list[Ranked]
    page: int
    pages: int
    total: int
    first_number: int  # the number of the page's first entry, counting on from the top

    @property
    def entries(self) -> list[Entry]:
        """The page's entries (one button each)."""
        return [r.entry for r in self.ranked]


def rest_page(store: Store, agent: Agent, day: date, page: int = 0) -> RestPage:
    """What the digest folded for `day`, a page at a time, in the same order."""
    digest = build_digest(store, agent, day)
    total = len(digest.rest)
    pages = max(1, -(-total // REST_PAGE))
    page = min(max(page, 0), pages - 1)
    chunk = digest.rest[page * REST_PAGE:(page + 1) * REST_PAGE]
    return RestPage(day, chunk, page, pages, total, len(digest.top) + page * REST_PAGE + 1)


def _trim(digest: Digest) -> None:
    """Keep each section short on a phone; say how many more there are."""
    for section in SECTIONS:
        entries = getattr(digest, section)
        if len(entries) > MAX_PER_SECTION:
            digest.more[section] = len(entries) - MAX_PER_SECTION
            setattr(digest, section, entries[:MAX_PER_SECTION])
