"""The activity plan follows the methodology's arithmetic."""

import pytest

from coachbot.domain.plan import activity_plan, parse_target


def test_two_policies_mean_twenty_prospects_eighty_visits_and_4_a_day():
    plan = activity_plan(2)
    assert (plan.prospects, plan.proposals, plan.visits_per_month) == (20, 6, 80)
    assert plan.exact_visits_per_day == 3.2
    assert plan.visits_per_day == 4  # nobody makes 3.2 visits: one whole figure, rounded up
    assert plan.visits_per_prospect == 4  # 4 visits per prospect, not per close
    assert plan.hours_per_day == 4.0


@pytest.mark.parametrize(("target", "exact", "per_day"),
                         [(1, 1.6, 2), (3, 4.8, 5), (5, 8.0, 8), (10, 16.0, 16)])
def test_visits_a_day_scale_with_the_target(target, exact, per_day):
    plan = activity_plan(target)
    assert (plan.exact_visits_per_day, plan.visits_per_day) == (exact, per_day)


@pytest.mark.parametrize("bad", [0, -1, 101])
def test_targets_outside_1_to_100_are_refused(bad):
    with pytest.raises(ValueError):
        activity_plan(bad)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("3", 3), (" 12 ", 12), ("３", 3), ("4件", 4), ("2 policies", 2), ("100", 100),
     ("0", None), ("101", None), ("two", None), ("", None), ("3.5", None), ("-2", None)],
)
def test_typed_targets(typed, expected):
    assert parse_target(typed) == expected
