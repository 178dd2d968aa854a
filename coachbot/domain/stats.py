"""Activity arithmetic: per agent and day, weeks and months, the 1:3:10 funnel, streaks, ranks."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain.plan import PROPOSALS_PER_CLOSE, PROSPECTS_PER_CLOSE, activity_plan

VISIT_CHANNELS = frozenset({"face", "event"})  # a visit is meeting the client, alone or at an event
FACT_KINDS = ("visit", "contact", "name", "prospect", "proposal", "policy")
METRICS = ("policies", "premium", "visits")
PERIODS = ("week", "month")
IDLE_DAYS = 3  # a member who logged nothing for this long gets flagged to the leader
WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class Fact:
    """One thing an agent did: a contact, a name added, a funnel move, a policy sold.

    Timestamped facts carry `at` (aware); a policy sold on a start date carries `day` only.
    """

    agent_id: int
    kind: str
    at: datetime | None = None
    day: date | None = None
    amount: float = 0.0
    currency: str | None = None


_COUNTED = ("visits", "contacts", "names", "prospects", "proposals", "policies", "premium")


@dataclass(frozen=True)
class Activity:
    """Counts over some days: what groups and leaders may see (never who the clients were).

    Premium is in the report's currency (other currencies converted at the team's rates);
    what has no rate is kept apart in `unconverted`, by currency, never dropped."""

    visits: int = 0
    contacts: int = 0  # every logged contact, visits included
    names: int = 0  # clients added to the name list
    prospects: int = 0  # clients who became prospects
    proposals: int = 0  # clients who reached the proposal stage
    policies: int = 0
    premium: float = 0.0
    unconverted: tuple[tuple[str, float], ...] = ()  # (currency, amount), sorted

    def __add__(self, other: Activity) -> Activity:
        sums = {name: getattr(self, name) + getattr(other, name) for name in _COUNTED}
        if not (self.unconverted or other.unconverted):
            return Activity(**sums)
        merged: dict[str, float] = dict(self.unconverted)
        for currency, amount in other.unconverted:
            merged[currency] = merged.get(currency, 0.0) + amount
        return Activity(**sums, unconverted=tuple(sorted(merged.items())))

    @property
    def logged_anything(self) -> bool:
        """Whether anything at all was recorded."""
        return any(getattr(self, f.name) for f in fields(self))

    @property
    def has_premium(self) -> bool:
        """Any premium at all, converted or not."""
        return bool(self.premium or self.unconverted)

    def metric(self, name: str) -> float:
        """The value a leaderboard ranks by: policies, premium or visits."""
        if name not in METRICS:
            raise ValueError(name)
        return float(getattr(self, name))


DailyActivity = dict[int, dict[date, Activity]]


def local_day(fact: Fact, zone: ZoneInfo) -> date:
    """The calendar day a fact belongs to, in the zone the report is made for."""
    if fact.day is not None:
        return fact.day
    assert fact.at is not None
    return fact.at.astimezone(zone).date()


def one(fact: Fact, currency: str | None = None,
        rates: Mapping[str, float] | None = None) -> Activity:
    """The Activity a single fact adds. A premium in the report's currency counts as is, one
    in another currency at the team's rate (units of the report's currency for one unit), and
    one without a rate is kept apart by currency: an HK$ policy on a CNY team's board is
    converted or shown as HK$, never counted as 0."""
    if fact.kind == "visit":
        return Activity(visits=1, contacts=1)
    if fact.kind == "contact":
        return Activity(contacts=1)
    if fact.kind == "name":
        return Activity(names=1)
    if fact.kind == "prospect":
        return Activity(prospects=1)
    if fact.kind == "proposal":
        return Activity(proposals=1)
    if fact.kind == "policy":
        if currency is None or fact.currency in (None, currency):
            return Activity(policies=1, premium=fact.amount)
        rate = (rates or {}).get(fact.currency)
        if rate is not None:
            return Activity(policies=1, premium=round(fact.amount * rate, 2))
        return Activity(policies=1, unconverted=((fact.currency, fact.amount),)
                        if fact.amount else ())
    raise ValueError(f"unknown fact kind {fact.kind!r}")


def daily_activity(facts: Iterable[Fact], zone: ZoneInfo, currency: str | None = None,
                   rates: Mapping[str, float] | None = None) -> DailyActivity:
    """Facts bucketed per agent and local day (premiums in `currency`, converted at `rates`)."""
    table: dict[int, dict[date, Activity]] = defaultdict(lambda: defaultdict(Activity))
    for fact in facts:
        day = local_day(fact, zone)
        table[fact.agent_id][day] = table[fact.agent_id][day] + one(fact, currency, rates)
    return {agent: dict(days) for agent, days in table.items()}


def total(table: DailyActivity, agent_id: int, first: date, last: date) -> Activity:
    """One agent's activity from `first` to `last`, both included."""
    days = table.get(agent_id, {})
    result = Activity()
    for day, activity in days.items():
        if first <= day <= last:
            result = result + activity
    return result


def totals(table: DailyActivity, agent_ids: Iterable[int], first: date,
           last: date) -> dict[int, Activity]:
    """Each agent's activity over the period (zero for those who did nothing)."""
    return {agent_id: total(table, agent_id, first, last) for agent_id in agent_ids}


def sum_activity(activities: Iterable[Activity]) -> Activity:
    """The team's total."""
    result = Activity()
    for activity in activities:
        result = result + activity
    return result


# -- periods ------------------------------------------------------------------------------
def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week `day` falls in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_bounds(day: date) -> tuple[date, date]:
    """First and last day of the month `day` falls in."""
    first = day.replace(day=1)
    following = (first.replace(year=first.year + 1, month=1) if first.month == 12
                 else first.replace(month=first.month + 1))
    return first, following - timedelta(days=1)


def previous_period(kind: str, day: date) -> tuple[date, date]:
    """The whole week or month before the one `day` falls in (what a report on `day` covers)."""
    if kind == "week":
        monday, _ = week_bounds(day)
        return week_bounds(monday - timedelta(days=1))
    if kind == "month":
        first, _ = month_bounds(day)
        return month_bounds(first - timedelta(days=1))
    raise ValueError(kind)


def period_to_date(kind: str, today: date) -> tuple[date, date]:
    """This week or month, from its first day to today."""
    first, _ = week_bounds(today) if kind == "week" else month_bounds(today)
    return first, today


# -- targets ------------------------------------------------------------------------------
def daily_visit_target(monthly_target: int) -> int:
    """Visits a day that count as hitting the day: the plan's whole number (3.2 -> 4)."""
    return activity_plan(max(1, monthly_target)).visits_per_day


def hit_daily_target(activity: Activity, monthly_target: int) -> bool:
    """Whether a day's visits reached the agent's daily target."""
    return activity.visits >= daily_visit_target(monthly_target)


def team_weekly_target(weekly_target: int, monthly_targets: Iterable[int]) -> int:
    """The team's policies a week: the leader's number, or the members' monthly goals x 12/52."""
    if weekly_target > 0:
        return weekly_target
    yearly = sum(max(0, t) for t in monthly_targets) * 12
    return max(1, math.ceil(yearly / WEEKS_PER_YEAR))


# -- streaks (周周举绩) --------------------------------------------------------------------
def policy_weeks(table: DailyActivity, agent_id: int) -> set[date]:
    """Mondays of the weeks in which the agent sold at least one policy."""
    return {week_bounds(day)[0] for day, activity in table.get(agent_id, {}).items()
            if activity.policies}


def streak(weeks: set[date], current_week: date) -> int:
    """Consecutive weeks with a policy up to this week; a week still under way may be empty."""
    monday = week_bounds(current_week)[0]
    if monday not in weeks:
        monday -= timedelta(days=7)
    count = 0
    while monday in weeks:
        count += 1
        monday -= timedelta(days=7)
    return count


# -- funnel -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Funnel:
    """Names -> prospects -> proposals -> closes over a period, against the 1:3:10 plan."""

    names: int
    prospects: int
    proposals: int
    closes: int
    target: int  # policies planned for the period

    @property
    def planned_prospects(self) -> int:
        """Prospects the plan needs for the target (10 per close)."""
        return self.target * PROSPECTS_PER_CLOSE

    @property
    def planned_proposals(self) -> int:
        """Proposals the plan needs for the target (3 per close)."""
        return self.target * PROPOSALS_PER_CLOSE

    @property
    def proposal_rate(self) -> float | None:
        """Share of prospects that reached a proposal (the model says 3 in 10)."""
        return self.proposals / self.prospects if self.prospects else None

    @property
    def close_rate(self) -> float | None:
        """Share of proposals that closed (the model says 1 in 3)."""
        return self.closes / self.proposals if self.proposals else None

    @property
    def stages(self) -> tuple[int, int, int, int]:
        """Names, prospects, proposals, closes: the bars of a funnel chart."""
        return self.names, self.prospects, self.proposals, self.closes


MODEL_PROPOSAL_RATE = PROPOSALS_PER_CLOSE / PROSPECTS_PER_CLOSE  # 30%
MODEL_CLOSE_RATE = 1 / PROPOSALS_PER_CLOSE  # 33%


def funnel(activity: Activity, target: int) -> Funnel:
    """The period's funnel from its activity."""
    return Funnel(activity.names, activity.prospects, activity.proposals, activity.policies,
                  max(0, target))


# -- leaderboards -------------------------------------------------------------------------
@dataclass(frozen=True)
class Rank:
    """A place on a leaderboard; ties share a place (1, 1, 3)."""

    place: int
    agent_id: int
    value: float


def leaderboard(activity: Mapping[int, Activity], metric: str,
                order: Sequence[int] | None = None) -> list[Rank]:
    """Agents ranked by a metric, best first; `order` breaks ties (default: agent id)."""
    position = {agent_id: i for i, agent_id in enumerate(order or sorted(activity))}
    ranked = sorted(activity, key=lambda a: (-activity[a].metric(metric),
                                             position.get(a, len(position)), a))
    result: list[Rank] = []
    for index, agent_id in enumerate(ranked):
        value = activity[agent_id].metric(metric)
        place = result[-1].place if result and result[-1].value == value else index + 1
        result.append(Rank(place, agent_id, value))
    return result


# -- who went quiet -----------------------------------------------------------------------
def idle_days(last_logged: datetime | None, joined: datetime, now: datetime) -> int:
    """Whole days since the member last logged anything (or joined, if never)."""
    since = max(filter(None, (last_logged, joined)))
    return max(0, (now - since) // timedelta(days=1))


def is_idle(last_logged: datetime | None, joined: datetime, now: datetime,
            days: int = IDLE_DAYS) -> bool:
    """Logged nothing for `days` days."""
    return idle_days(last_logged, joined, now) >= days
