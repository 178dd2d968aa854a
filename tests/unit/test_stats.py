"""Activity arithmetic: local days, periods, targets, streaks, the funnel and leaderboards."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coachbot.domain import stats
from coachbot.domain.stats import Activity, Fact

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_fact_belongs_to_the_local_day_of_the_report():
    late_evening = Fact(1, "visit", at=datetime(2026, 11, 23, 15, 30, tzinfo=UTC))  # 23:30 CST
    after_midnight = Fact(1, "visit", at=datetime(2026, 11, 23, 16, 30, tzinfo=UTC))
    assert stats.local_day(late_evening, SHANGHAI) == date(2026, 11, 23)
    assert stats.local_day(after_midnight, SHANGHAI) == date(2026, 11, 24)
    assert stats.local_day(Fact(1, "policy", day=date(2026, 11, 1)), SHANGHAI) == \
        date(2026, 11, 1)


def test_facts_add_up_per_agent_and_day_and_other_currencies_are_kept_apart():
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    facts = [Fact(1, "visit", at=at), Fact(1, "visit", at=at), Fact(1, "contact", at=at),
             Fact(1, "name", at=at), Fact(1, "prospect", at=at), Fact(1, "proposal", at=at),
             Fact(1, "policy", day=date(2026, 11, 23), amount=12000, currency="CNY"),
             Fact(1, "policy", day=date(2026, 11, 23), amount=5000, currency="HKD"),
             Fact(2, "visit", at=at)]
    table = stats.daily_activity(facts, SHANGHAI, currency="CNY")
    assert table[1][date(2026, 11, 23)] == Activity(visits=2, contacts=3, names=1, prospects=1,
                                                    proposals=1, policies=2, premium=12000,
                                                    unconverted=(("HKD", 5000.0),))
    converted = stats.daily_activity(facts, SHANGHAI, currency="CNY", rates={"HKD": 0.92})
    assert converted[1][date(2026, 11, 23)].premium == 12000 + 4600
    assert converted[1][date(2026, 11, 23)].unconverted == ()
    assert stats.total(table, 2, date(2026, 11, 23), date(2026, 11, 23)).visits == 1
    assert stats.total(table, 3, date(2026, 11, 1), date(2026, 11, 30)) == Activity()


def test_unknown_fact_kinds_are_refused():
    with pytest.raises(ValueError):
        stats.one(Fact(1, "gossip", day=date(2026, 11, 1)))


@pytest.mark.parametrize(("day", "monday", "sunday"), [
    (date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 29)),
    (date(2026, 11, 29), date(2026, 11, 23), date(2026, 11, 29)),
    (date(2027, 1, 1), date(2026, 12, 28), date(2027, 1, 3)),
])
def test_weeks_run_monday_to_sunday(day, monday, sunday):
    assert stats.week_bounds(day) == (monday, sunday)


def test_a_report_covers_the_whole_period_before():
    assert stats.previous_period("week", date(2026, 11, 30)) == \
        (date(2026, 11, 23), date(2026, 11, 29))
    assert stats.previous_period("month", date(2026, 12, 1)) == \
        (date(2026, 11, 1), date(2026, 11, 30))
    assert stats.previous_period("month", date(2027, 1, 1)) == \
        (date(2026, 12, 1), date(2026, 12, 31))
    assert stats.period_to_date("month", date(2026, 2, 14)) == (date(2026, 2, 1),
                                                                 date(2026, 2, 14))


@pytest.mark.parametrize(("monthly", "daily"), [(1, 2), (2, 4), (3, 5), (0, 2)])
def test_daily_visit_target_is_the_plans_whole_number(monthly, daily):
    # 2 policies -> 3.2 visits a day: the target everywhere is 4 (rounded up)
    assert stats.daily_visit_target(monthly) == daily


def test_hitting_the_day():
    assert stats.hit_daily_target(Activity(visits=4), 2)
    assert not stats.hit_daily_target(Activity(visits=3, contacts=9), 2)


def test_team_weekly_target_is_the_leaders_or_from_members_goals():
    assert stats.team_weekly_target(12, [2, 2, 2]) == 12
    assert stats.team_weekly_target(0, [2, 2, 2]) == 2  # 72 a year / 52 weeks, rounded up
    assert stats.team_weekly_target(0, [10] * 10) == 24
    assert stats.team_weekly_target(0, []) == 1


def test_streak_counts_consecutive_weeks_with_a_policy():
    mondays = {date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 10, 19)}
    # this week (23rd) is still under way: the streak runs back from last week
    assert stats.streak(mondays, date(2026, 11, 25)) == 3
    assert stats.streak(mondays | {date(2026, 11, 23)}, date(2026, 11, 25)) == 4
    # a gap ends it
    assert stats.streak(mondays, date(2026, 12, 2)) == 0
    assert stats.streak(set(), date(2026, 12, 2)) == 0


def test_policy_weeks_from_the_daily_table():
    table = stats.daily_activity(
        [Fact(1, "policy", day=date(2026, 11, 18)), Fact(1, "visit",
                                                         at=datetime(2026, 11, 10, tzinfo=UTC))],
        SHANGHAI)
    assert stats.policy_weeks(table, 1) == {date(2026, 11, 16)}


def test_funnel_against_the_1_3_10_plan():
    funnel = stats.funnel(Activity(names=30, prospects=20, proposals=6, policies=2), 2)
    assert funnel.stages == (30, 20, 6, 2)
    assert (funnel.planned_prospects, funnel.planned_proposals, funnel.target) == (20, 6, 2)
    assert funnel.proposal_rate == pytest.approx(0.3)
    assert funnel.close_rate == pytest.approx(1 / 3)
    assert stats.funnel(Activity(), 2).proposal_rate is None
    assert pytest.approx(0.3) == stats.MODEL_PROPOSAL_RATE


def test_leaderboard_ranks_ties_share_a_place_and_order_breaks_ties():
    activity = {1: Activity(policies=2, visits=1), 2: Activity(policies=3),
                3: Activity(policies=2, visits=9), 4: Activity()}
    ranks = stats.leaderboard(activity, "policies", order=[3, 1, 2, 4])
    assert [(r.place, r.agent_id, r.value) for r in ranks] == \
        [(1, 2, 3.0), (2, 3, 2.0), (2, 1, 2.0), (4, 4, 0.0)]
    assert [r.agent_id for r in stats.leaderboard(activity, "visits")] == [3, 1, 2, 4]
    with pytest.raises(ValueError):
        stats.leaderboard(activity, "clients")


def test_idle_days_count_from_the_last_log_or_joining():
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    joined = now - timedelta(days=10)
    assert stats.idle_days(now - timedelta(days=3, hours=1), joined, now) == 3
    assert stats.is_idle(None, joined, now)
    assert not stats.is_idle(None, now - timedelta(days=1), now)
    assert not stats.is_idle(now - timedelta(hours=5), joined, now)


def test_activity_adds_and_knows_when_nothing_was_logged():
    assert Activity(visits=1) + Activity(visits=2, premium=5.0) == Activity(visits=3,
                                                                             premium=5.0)
    assert not Activity().logged_anything and Activity(names=1).logged_anything
    assert stats.sum_activity([Activity(policies=1)] * 3).policies == 3
