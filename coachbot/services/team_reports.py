"""What team reports, leaderboards and /stats show, built from the store's activity counts.

Privacy by construction: everything here is made of Activity counts and members' display
names. No Client, Policy or Contact object ever enters these records, so no template that
renders them (in a group or for a leader) can show who a client is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain import stats
from coachbot.domain.models import Agent
from coachbot.domain.money import MoneyView, currency_code, parse_exchange_rate
from coachbot.domain.plan import ActivityPlan, activity_plan
from coachbot.domain.regions import currency_for
from coachbot.domain.stats import Activity, Funnel
from coachbot.domain.teams import Member, Pipeline, Team, display_name
from coachbot.render.templates import Renderer
from coachbot.services.money import month_money
from coachbot.store import Store

STREAK_WEEKS = 52  # how far back a 周周举绩 streak is counted
SHOW_STREAKS_FROM = 2  # weeks in a row worth a mention in the group
CHART_DAYS = 28


@dataclass(frozen=True)
class MemberLine:
    """One member in a group report: the name the group may see and their counts."""

    number: int
    agent_id: int
    name: str
    activity: Activity
    daily_target: int
    streak: int = 0

    @property
    def hit(self) -> bool:
        """Whether the member's visits reached their daily target."""
        return self.activity.visits >= self.daily_target


@dataclass(frozen=True)
class MorningReport:
    """Yesterday's team activity, the week so far against target, streaks."""

    team_name: str
    day: date
    members: list[MemberLine]
    total: Activity
    week_first: date
    week_last: date
    week_is_current: bool
    week_total: Activity
    week_target: int
    streaks: list[MemberLine]
    currency: str

    @property
    def hitters(self) -> list[MemberLine]:
        """Members who hit their daily visits."""
        return [m for m in self.members if m.hit]


@dataclass(frozen=True)
class PeriodReport:
    """A finished week or month: per member, the team's total and funnel."""

    kind: str
    team_name: str
    first: date
    last: date
    members: list[MemberLine]
    total: Activity
    funnel: Funnel
    currency: str


@dataclass(frozen=True)
class BoardRow:
    """One line of a leaderboard (premium in the team's currency, plus any amounts in
    currencies the leader has set no rate for)."""
    place: int
    name: str
    value: float
    unconverted: tuple[tuple[str, float], ...] = ()

    @property
    def on_board(self) -> bool:
        """Whether the member has anything to show for the measure."""
        return bool(self.value or self.unconverted)


@dataclass(frozen=True)
class Board:
    """A leaderboard: week or month to date, by policies, premium or visits. On the first day
    of a period with nothing logged yet, the whole previous period instead (`previous`)."""

    team_name: str
    period: str
    metric: str
    first: date
    last: date
    rows: list[BoardRow]
    currency: str
    previous: bool = False  # the period just ended, shown because this one has just begun
    today: date | None = None

    @property
    def single_day(self) -> bool:
        """The period so far is today only (say "今天", not "12月7日–12月7日")."""
        return self.first == self.last

    @property
    def anyone(self) -> bool:
        return any(row.on_board for row in self.rows)


@dataclass(frozen=True)
class MemberStatus:
    """What a leader sees of one member in private: counts against targets, days quiet."""

    member: Member
    week: Activity
    month: Activity
    week_visit_target: int
    idle_days: int

    @property
    def idle(self) -> bool:
        """Logged nothing for IDLE_DAYS days or more."""
        return self.idle_days >= stats.IDLE_DAYS


@dataclass(frozen=True)
class PersonalStats:
    """An agent's own numbers for /stats."""

    today: date
    today_activity: Activity
    week: Activity
    month: Activity
    plan: ActivityPlan
    daily_target: int
    week_visit_target: int
    funnel: Funnel
    pipeline: Pipeline
    streak: int
    days: list[date]
    visits_by_day: list[int]
    days_on_target: int
    currency: str
    # the month in money, totals only (no client in it: a leader's nudge renders these too)
    money: MoneyView | None = None


def team_zone(leader: Agent) -> ZoneInfo:
    """A team's days follow its leader's time zone."""
    return ZoneInfo(leader.timezone)


def team_currency(team: Team, leader: Agent) -> str:
    """What the team's premiums are counted in: the team's own, else its leader's region's."""
    return team.currency or currency_for(leader.region)


def team_money(store: Store, team: Team, leader: Agent) -> tuple[str, dict[str, float]]:
    """The team's currency and the leader's conversion rates into it."""
    return team_currency(team, leader), store.teams.rates(team.id)


def week_visit_target(monthly_target: int) -> int:
    """Visits a week the plan needs: the month's visits spread over 52/12 weeks."""
    return round(activity_plan(max(1, monthly_target)).visits_per_month * 12 / 52)


def morning_report(store: Store, team: Team, leader: Agent, day: date) -> MorningReport:
    """The report for `day` (yesterday, when it is sent in the morning)."""
    zone = team_zone(leader)
    members = store.teams.members(team.id)
    ids = [m.agent_id for m in members]
    week_first, week_last = stats.week_bounds(day)
    since = week_first - timedelta(weeks=STREAK_WEEKS)
    currency, rates = team_money(store, team, leader)
    table = stats.daily_activity(store.activity.activity_facts(ids, week_first, day, zone), zone,
                                 currency, rates)
    policies = stats.daily_activity(
        store.activity.activity_facts(ids, since, day, zone, kinds={"policy"}), zone)
    lines = []
    for number, member in enumerate(members, start=1):
        weeks = stats.policy_weeks(policies, member.agent_id)
        lines.append(MemberLine(number, member.agent_id, _group_name(member),
                                stats.total(table, member.agent_id, day, day),
                                stats.daily_visit_target(member.monthly_target),
                                # counted from the day the report is read: on a Monday, the
                                # week just finished is complete and must have had a policy
                                stats.streak(weeks, day + timedelta(days=1))))
    week = stats.sum_activity(stats.totals(table, ids, week_first, day).values())
    target = stats.team_weekly_target(team.weekly_target, [m.monthly_target for m in members])
    streaks = sorted((m for m in lines if m.streak >= SHOW_STREAKS_FROM),
                     key=lambda m: (-m.streak, m.number))
    return MorningReport(team.name, day, lines, stats.sum_activity(m.activity for m in lines),
                         week_first, week_last, day + timedelta(days=1) <= week_last, week,
                         target, streaks, currency)


def period_report(store: Store, team: Team, leader: Agent, kind: str,
                  first: date, last: date) -> PeriodReport:
    """A finished week or month, members ranked by policies then visits."""
    zone = team_zone(leader)
    members = store.teams.members(team.id)
    currency, rates = team_money(store, team, leader)
    table = stats.daily_activity(
        store.activity.activity_facts([m.agent_id for m in members], first, last,
                                      zone), zone, currency, rates)
    ranked = sorted(members, key=lambda m: (
        -stats.total(table, m.agent_id, first, last).policies,
        -stats.total(table, m.agent_id, first, last).visits))
    lines = [MemberLine(number, m.agent_id, _group_name(m),
                        stats.total(table, m.agent_id, first, last),
                        stats.daily_visit_target(m.monthly_target))
             for number, m in enumerate(ranked, start=1)]
    total = stats.sum_activity(line.activity for line in lines)
    monthly = [m.monthly_target for m in members]
    target = (stats.team_weekly_target(team.weekly_target, monthly) if kind == "week"
              else sum(monthly))
    return PeriodReport(kind, team.name, first, last, lines, total, stats.funnel(total, target),
                        currency)


def board(store: Store, team: Team, leader: Agent, period: str, metric: str,
          now: datetime) -> Board:
    """The leaderboard of this week or month so far."""
    if period not in stats.PERIODS or metric not in stats.METRICS:
        raise ValueError((period, metric))
    zone = team_zone(leader)
    today = now.astimezone(zone).date()
    first, last = stats.period_to_date(period, today)
    members = store.teams.members(team.id)
    ids = [m.agent_id for m in members]
    currency, rates = team_money(store, team, leader)
    earlier, _ = stats.previous_period(period, today)
    table = stats.daily_activity(
        store.activity.activity_facts(ids, earlier if first == today else first, last, zone),
        zone, currency, rates)
    activity = stats.totals(table, ids, first, last)
    previous = first == today and not any(_counts(a, metric) for a in activity.values())
    if previous:  # Monday morning (or the 1st): last week's (month's) board, said so
        first, last = stats.previous_period(period, today)
        activity = stats.totals(table, ids, first, last)
    names = {m.agent_id: _group_name(m) for m in members}
    rows = [BoardRow(r.place, names[r.agent_id], r.value,
                     activity[r.agent_id].unconverted if metric == "premium" else ())
            for r in stats.leaderboard(activity, metric, ids)]
    return Board(team.name, period, metric, first, last, _unconverted_above_nothing(rows),
                 currency, previous, today)


def _unconverted_above_nothing(rows: list[BoardRow]) -> list[BoardRow]:
    """Premium in a currency without a rate can't be ranked against the rest, but it is more
    than nothing: such members come after those with a value and before those with none."""
    ordered = sorted(rows, key=lambda row: (-row.value, not row.on_board))
    placed: list[BoardRow] = []
    for index, row in enumerate(ordered):
        same = placed and (placed[-1].value, placed[-1].on_board) == (row.value, row.on_board)
        placed.append(replace(row, place=placed[-1].place if same else index + 1))
    return placed


def _counts(activity: Activity, metric: str) -> bool:
    """Whether an activity shows on a board by this measure."""
    return bool(activity.metric(metric) or (metric == "premium" and activity.unconverted))


def team_status(store: Store, team: Team, leader: Agent, now: datetime) -> list[MemberStatus]:
    """Each member's week and month against target, and how long since they logged anything."""
    zone = team_zone(leader)
    today = now.astimezone(zone).date()
    members = store.teams.members(team.id)
    ids = [m.agent_id for m in members]
    week_first, _ = stats.week_bounds(today)
    month_first, _ = stats.month_bounds(today)
    first = min(week_first, month_first)
    currency, rates = team_money(store, team, leader)
    table = stats.daily_activity(store.activity.activity_facts(ids, first, today, zone), zone,
                                 currency, rates)
    logged = store.activity.last_logged(ids)
    return [MemberStatus(m, stats.total(table, m.agent_id, week_first, today),
                         stats.total(table, m.agent_id, month_first, today),
                         week_visit_target(m.monthly_target),
                         stats.idle_days(logged[m.agent_id], m.joined_at, now))
            for m in members]


def personal_stats(store: Store, agent: Agent, now: datetime) -> PersonalStats:
    """/stats: the agent's day, week and month, funnel against 1:3:10, streak, last 4 weeks.
    Premiums in the agent's currency, others at their team's rates (or shown apart)."""
    zone = ZoneInfo(agent.timezone)
    today = now.astimezone(zone).date()
    week_first, _ = stats.week_bounds(today)
    month_first, _ = stats.month_bounds(today)
    chart_first = today - timedelta(days=CHART_DAYS - 1)
    first = min(week_first, month_first, chart_first)
    currency = currency_for(agent.region)
    member = store.teams.membership(agent.id)
    team = store.teams.get_team(member.team_id) if member else None
    leader = store.agents.get_agent(team.leader_id) if team else None
    # the team's rates convert into the team's currency: usable here when that is the agent's
    rates = store.teams.rates(team.id) if team and leader and \
        team_currency(team, leader) == currency else {}
    table = stats.daily_activity(store.activity.activity_facts([agent.id], first, today, zone),
                                 zone, currency, rates)
    policies = stats.daily_activity(store.activity.activity_facts(
        [agent.id], today - timedelta(weeks=STREAK_WEEKS), today, zone, kinds={"policy"}), zone)
    month = stats.total(table, agent.id, month_first, today)
    days = [chart_first + timedelta(days=i) for i in range(CHART_DAYS)]
    daily = [stats.total(table, agent.id, day, day).visits for day in days]
    target = stats.daily_visit_target(agent.monthly_target)
    on_target = sum(1 for day in _days(month_first, today)
                    if stats.total(table, agent.id, day, day).visits >= target)
    return PersonalStats(
        today=today, today_activity=stats.total(table, agent.id, today, today),
        week=stats.total(table, agent.id, week_first, today), month=month,
        plan=activity_plan(max(1, agent.monthly_target)), daily_target=target,
        week_visit_target=week_visit_target(agent.monthly_target),
        funnel=stats.funnel(month,
                            agent.monthly_target), pipeline=store.activity.pipeline(agent.id),
        streak=stats.streak(stats.policy_weeks(policies, agent.id), today), days=days,
        visits_by_day=daily, days_on_target=on_target, currency=currency,
        money=month_money(store, agent, now).without_names())


def tip_key(day: date, keys: list[str]) -> str:
    """The coaching tip of the day: they take turns, the same one for the whole team."""
    ordered = sorted(keys)
    return ordered[day.toordinal() % len(ordered)]


def percent(value: float | None) -> int | None:
    """A rate as a whole percentage (None stays None)."""
    return None if value is None else math.floor(value * 100 + 0.5)


def _group_name(member: Member) -> str:
    return display_name(member.first_name, member.nickname, member.show_nickname)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# -- the team's currency and rates (set by the leader) ---------------------------------------
@dataclass(frozen=True)
class CurrencyPanel:
    """What the leader sees of the team's money settings."""

    currency: str
    own: bool  # set for the team (False: the leader's region's, by default)
    rates: dict[str, float]
    notice: str | None = None  # set | removed | bad


def currency_panel(store: Store, team: Team, leader: Agent,
                   notice: str | None = None) -> CurrencyPanel:
    """The team's currency and conversion rates, for the template teams/currency."""
    return CurrencyPanel(team_currency(team, leader), team.currency is not None,
                         store.teams.rates(team.id), notice)


def set_team_currency(store: Store, team: Team, typed: str) -> Team | None:
    """Count the team's premiums in this currency ("CNY", "港币"); None if not a currency."""
    code = currency_code(typed)
    if code is None:
        return None
    return store.teams.update_team(team.id, currency=code)


def set_team_rate(store: Store, team: Team, leader: Agent, typed: str) -> \
        tuple[str, float] | None:
    """A rate the leader typed ("HKD 0.92": 1 HKD = 0.92 of the team's currency), stored; a
    rate of the team's own currency is refused. None if it can't be read."""
    parsed = parse_exchange_rate(typed)
    if parsed is None or parsed[0] == team_currency(team, leader):
        return None
    store.teams.set_rate(team.id, parsed[0], parsed[1])
    return parsed


def remove_team_rate(store: Store, team: Team, currency: str) -> None:
    """Stop converting this currency: its premiums are shown apart again."""
    store.teams.set_rate(team.id, currency, None)


# -- the command menu a group sees -------------------------------------------------------------
GROUP_COMMANDS = ("board", "link", "help")  # what a team's group can use; the rest is private


def group_menu(renderer: Renderer, locale: str) -> list[tuple[str, str]]:
    """(command, description) for BotCommandScopeAllGroupChats: only what works in a group,
    described for the group (labels group_commands.*)."""
    return [(name, renderer.label(locale, f"group_commands.{name}")) for name in GROUP_COMMANDS]
