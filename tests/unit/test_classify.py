"""The methodology's classifications."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from coachbot.domain import classify
from coachbot.domain.coaching.proposals import Proposal
from coachbot.domain.models import Client, Contact, GroupRole, Policy, ServiceEvent
from coachbot.domain.plan import activity_plan

THRESHOLDS = {"CNY": (20_000, 200_000), "SGD": (4_000, 40_000)}


def client(**values):
    return Client(id=1, agent_id=1, kind=values.pop("kind", "person"), name="张三", **values)


@pytest.mark.parametrize(("traits", "grade"), [
    ({"financial", "health", "accepts", "decision"}, "A"),
    ({"financial", "health", "accepts"}, "B"), ({"financial", "decision"}, "C"),
    ({"health"}, "D"), (set(), None)])
def test_grade_counts_the_four_traits(traits, grade):
    assert classify.grade_of(client(traits=frozenset(traits))).grade == grade


def test_a_manual_grade_wins_and_says_so():
    found = classify.grade_of(client(traits=frozenset({"health"}), grade_override="A"))
    assert (found.grade, found.from_traits, found.overridden) == ("A", "D", True)


@pytest.mark.parametrize(("premium", "tier"), [
    (0, "regular"), (19_999, "regular"), (20_000, "vip"), (199_999, "vip"), (200_000, "hnw"),
    (2_000_000, "hnw"), (2_000_001, "hnw")])
def test_tiers_by_annual_premium(premium, tier):
    policies = [Policy(id=1, client_id=1, product="x", annual_premium=premium)]
    assert classify.client_tier(policies, "CNY", THRESHOLDS) == tier


def test_no_live_policy_means_no_tier_and_currency_matters():
    lapsed = [Policy(id=1, client_id=1, product="x", annual_premium=50_000, status="lapsed")]
    assert classify.client_tier(lapsed, "CNY", THRESHOLDS) is None
    live = [Policy(id=1, client_id=1, product="x", annual_premium=5_000)]
    assert classify.client_tier(live, "SGD", THRESHOLDS) == "vip"
    assert classify.client_tier(live, "XYZ", THRESHOLDS) == "regular"  # falls back to CNY


def test_contact_frequency_by_override_tier_or_stage():
    assert classify.contact_every_days(client(contact_every_days=5), "hnw") == 5
    assert classify.contact_every_days(client(), "vip") == 30
    assert classify.contact_every_days(client(stage="B"), None) == 7
    assert classify.contact_every_days(client(), None) is None


def contact(channel):
    return Contact(id=1, client_id=1, at=datetime(2026, 1, 1, tzinfo=UTC), channel=channel)


def test_stage_suggestions_move_forward_only():
    assert classify.suggest_stage(client(stage="C"), [contact("event")]) == "B"
    assert classify.suggest_stage(client(stage="D"), [contact("face")] * 3) == "C"
    assert classify.suggest_stage(client(stage="D"), [contact("face")] * 2) is None
    assert classify.suggest_stage(client(stage="A"), [contact("event")]) is None
    assert classify.suggest_stage(client(), [contact("event")]) is None
    # A only once a proposal is explained with no objection open (issue 15)
    mined = client(stage="B", needs_summary={"needs": ["x"]})
    assert classify.suggest_stage(mined, [contact("face"), contact("event")]) is None
    prepared = Proposal(id=1, client_id=1, prepared_on=date(2026, 1, 1))
    assert classify.suggest_stage(mined, [], proposal=prepared) is None
    assert classify.suggest_stage(client(stage="C"), [], proposal=prepared) == "B"
    explained = replace(prepared, explained_on=date(2026, 1, 5))
    assert classify.suggest_stage(mined, [], proposal=explained) == "A"
    objecting = replace(explained, objection="too_expensive", objection_open=True)
    assert classify.suggest_stage(mined, [], proposal=objecting) is None


def gathering(status):
    return ServiceEvent(id=1, client_id=1, kind="gathering", status=status, title=None,
                        day=date(2026, 1, 1))


def test_gatherings_drive_the_stage_as_the_methodology_defines_it():
    """C 可邀约 is where you invite, B follows the gathering; A is the proposal's to give."""
    assert classify.suggest_stage(client(stage="D"), [], [gathering("invited")]) == "C"
    assert classify.suggest_stage(client(stage="C"), [], [gathering("invited")]) is None
    assert classify.suggest_stage(client(stage="C"), [], [gathering("missed")]) is None
    assert classify.suggest_stage(client(stage="C"), [], [gathering("attended")]) == "B"
    ready = client(stage="B", needs_summary={"needs": ["x"]})
    assert classify.suggest_stage(ready, [contact("face")], [gathering("invited")]) is None
    assert classify.suggest_stage(ready, [contact("face")], [gathering("attended")]) is None
    explained = Proposal(id=1, client_id=1, prepared_on=date(2026, 1, 1),
                         explained_on=date(2026, 1, 5))
    assert classify.suggest_stage(ready, [contact("face")], [gathering("attended")],
                                  proposal=explained) == "A"


def test_credit_score_weights_50_25_15_10():
    scores = {"potential": 80, "negative": 100, "reputation": 60, "operations": 40}
    assert classify.credit_score(scores) == 80 * .5 + 100 * .25 + 60 * .15 + 40 * .1
    assert classify.credit_score({"potential": 80}) is None


def test_group_assessment_value_checks_and_one_two_one():
    roles = [GroupRole("user", "A", True), GroupRole("decider", "B", True),
             GroupRole("purchaser", None, False)]
    found = classify.assess_group({"loss_ratio": 0.41, "expense_ratio": 0.23, "guide": True},
                                  roles)
    assert (found.loss_ratio_ok, found.expense_ratio_ok) == (False, True)
    assert (found.roles_won, found.roles_known, found.one_two_one) == (2, 2, True)
    assert classify.assess_group(None, []).credit_score is None


def test_book_summary_and_the_funnel_gap():
    clients = [client(stage="B", traits=frozenset({"health"})), client(kind="group")]
    policies = [Policy(id=1, client_id=1, product="x", source="referral")]
    summary = classify.summarize_book(clients, {1: "vip"}, policies)
    assert (summary.total, summary.groups, summary.proposals, summary.prospects) == (2, 1, 1, 1)
    assert summary.sources["referral"] == 1 and summary.tiers["vip"] == 1
    gap = classify.activity_needed(summary, activity_plan(2))
    assert (gap.prospects, gap.proposals, gap.closes) == (19, 5, 1)


def test_month_bounds():
    assert classify.month_bounds(date(2026, 12, 15)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert classify.month_bounds(date(2028, 2, 3)) == (date(2028, 2, 1), date(2028, 2, 29))
