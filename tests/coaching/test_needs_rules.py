"""Must-have vs nice-to-have from facts, evidence matched to its need, the next step by the
methodology's stage rules, and the one action per client (each rule with the issue's cases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coachbot.domain.coaching import actions, spin
from coachbot.domain.coaching.facts import ClientFacts
from coachbot.domain.coaching.needs import NextStep, need_priorities, next_step
from coachbot.domain.coaching.proposals import FOLLOW_UP_DAYS, Proposal, stage_for
from coachbot.scripts import ScriptLibrary

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TODAY = NOW.date()
ZHANG = ClientFacts(age=41, has_spouse=True, spouse_known=True, spouse_works=False,
                    children_ages=[10, 10], mortgage=True, stage="B")


def levels(library: ScriptLibrary, profile: str, facts: ClientFacts) -> dict[str, str]:
    return {need: level for need, (level, _) in
            need_priorities(profile, facts, library.get("zh-Hans")).items()}


def test_sole_breadwinner_with_a_mortgage_needs_income_and_debt_cover(library: ScriptLibrary) \
        -> None:
    # even when the client was typed 单身青年, the facts make these musts
    found = levels(library, "young_single", ZHANG)
    assert found["income_protect"] == "must" and found["debt_cover"] == "must"
    assert found["child_education"] == "must"
    reasons = need_priorities("young_single", ZHANG, library.get("zh-Hans"))
    assert reasons["income_protect"][1] == ("earns_alone", "minor_children")


@pytest.mark.parametrize(("facts", "profile", "musts", "nice"), [
    (ClientFacts(children_ages=[3]), "young_family", {"child_education", "income_protect"}, set()),
    (ClientFacts(business_owner=True, employees=12), "business_owner", {"biz_continuity"},
     {"staff_benefits"}),
    (ClientFacts(retire_in_years=5, age=55), "pre_retiree", {"retirement", "health_medical"},
     set()),
    (ClientFacts(health_events=[("father", "stroke")]), "young_single",
     {"critical_illness", "health_medical"}, set()),
    (ClientFacts(high_net_worth=True), "high_net_worth", {"legacy"}, set()),
    (ClientFacts(mortgage=True, has_spouse=True, spouse_works=True), "young_family", set(),
     {"debt_cover"}),
])
def test_fact_rules(library: ScriptLibrary, facts: ClientFacts, profile: str, musts: set[str],
                    nice: set[str]) -> None:
    found = levels(library, profile, facts)
    assert all(found[need] == "must" for need in musts)
    assert all(found[need] == "nice" for need in nice)


def answered(profile: str, answers: list[tuple[str, str, str]]) -> spin.SpinSession:
    session = spin.start_session(1, profile, NOW)
    for step, question, text in answers:
        while session.step != step:
            session = spin.skip_step(session, NOW)
        session = spin.record_answer(session, text, NOW, question_id=question)
    return session


@pytest.mark.parametrize("question", ["ys_n_meal", "yf_n_lumpsum"])
def test_the_mortgage_worry_is_income_and_debt_not_medical(library: ScriptLibrary,
                                                           question: str) -> None:
    profile = "young_single" if question.startswith("ys") else "young_family"
    session = answered(profile, [("N", question, "对，万一我倒下了，房贷有人还…")])
    summary = spin.summarize(session, library, "zh-Hans", ZHANG)
    paid = {f.need for f in summary.needs if "payoff" in f.sources}
    assert paid == {"income_protect", "debt_cover"}
    assert "health_medical" not in paid


def test_after_the_needs_talk_a_proposal_not_a(library: ScriptLibrary) -> None:
    session = answered("young_family", [("S", "yf_s_costs", "两个孩子，老婆没上班，房贷每月一万五"),
                                        ("P", "yf_p_pressure", "我想给家里留一份保障")])
    summary = spin.summarize(session, library, "zh-Hans", ZHANG)
    assert summary.next_step.key == "prepare_proposal"  # B stays B, no A without a proposal
    early = spin.summarize(session, library, "zh-Hans", ClientFacts(stage="C"))
    assert early.next_step == NextStep("move_to_stage", {
        "stage": "B", "action": "prepare_proposal", "needs": early.next_step.data["needs"],
        "also": early.next_step.data["also"]})


def proposal(**values: object) -> Proposal:
    return Proposal(id=1, client_id=1, prepared_on=TODAY - timedelta(days=10), **values)


@pytest.mark.parametrize(("values", "key", "stage"), [
    ({}, "book_explanation", "B"),
    ({"explain_on": TODAY}, "book_explanation", "B"),
    ({"explained_on": TODAY}, "move_to_stage", "A"),
    ({"explained_on": TODAY, "objection": "too_expensive", "objection_open": True},
     "handle_objection", None),
    ({"outcome": "accepted"}, "after_sale", None),
    ({"outcome": "declined", "decline_reason": "price"}, "revisit", None),
])
def test_the_proposal_decides_the_step(values: dict[str, object], key: str,
                                       stage: str | None) -> None:
    step = next_step("young_family", [], ("S",), ZHANG, proposal(**values))
    assert step.key == key and step.data.get("stage") == stage


def test_stage_from_the_proposal() -> None:
    assert stage_for(proposal(), "C") == "B"
    assert stage_for(proposal(), "B") is None
    assert stage_for(proposal(explained_on=TODAY), "B") == "A"
    assert stage_for(proposal(explained_on=TODAY, objection_open=True), "B") is None
    assert stage_for(proposal(outcome="declined"), "A") is None
    assert stage_for(None, "B") is None


def situation(**values: object) -> actions.Situation:
    return actions.Situation(client_id=1, name="张三", **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("values", "key"), [
    ({"stage": "B", "proposal": proposal(explained_on=TODAY, objection_open=True)},
     "handle_objection"),
    ({"stage": "A", "proposal": proposal(explained_on=TODAY)}, "close"),
    ({"stage": "B", "proposal": proposal(explain_on=TODAY)}, "explain_proposal"),
    ({"stage": "B", "proposal": proposal(sent_on=TODAY - timedelta(days=FOLLOW_UP_DAYS))},
     "chase_proposal"),
    ({"stage": "C", "follow_up_on": TODAY, "follow_up": "约喝茶"}, "follow_up"),
    ({"stage": "B", "proposal": proposal(explain_on=TODAY + timedelta(days=3))},
     "explain_proposal"),
    ({"stage": "B", "proposal": proposal()}, "book_explanation"),
    ({"stage": "B", "needs_clear": True}, "prepare_proposal"),
    ({"stage": "B", "spin_open": True}, "continue_spin"),
    ({"stage": "B"}, "mine_needs"),
    ({"stage": "C"}, "invite_event"),
    ({"stage": "D"}, "nurture"),
    ({"proposal": proposal(outcome="accepted", outcome_on=TODAY)}, "after_sale"),
    ({"proposal": proposal(outcome="declined")}, "revisit"),
    ({"review_due": TODAY}, "review_policies"),
    ({"contact_due": TODAY - timedelta(days=3)}, "stay_in_touch"),
    ({"grade": "A"}, "first_meeting"),
    ({}, "grade_name"),
    ({"grade": "C"}, "long_line"),
    ({"grade": "D", "tier": "regular"}, "none"),
    ({"is_group": True}, "none"),
])
def test_one_action_per_client(values: dict[str, object], key: str) -> None:
    assert actions.decide(situation(**values), TODAY).key == key


def test_ungraded_names_are_the_cards_work_not_next_lists() -> None:
    fresh = [actions.Situation(client_id=i, name=f"客户{i}") for i in range(3)]
    assert actions.rank(fresh, TODAY, limit=10) == []


def test_spin_done_and_meeting_booked_is_not_sent_back_to_spin() -> None:
    booked = situation(stage="B", needs_clear=True,
                       proposal=proposal(explain_on=TODAY + timedelta(days=2)))
    action = actions.decide(booked, TODAY)
    assert action.key == "explain_proposal" and not action.data["due"]


def test_next_orders_by_urgency_stage_tier_and_lateness() -> None:
    ranked = actions.rank([
        situation(stage="D"),
        actions.Situation(2, "乙", stage="B", tier="hnw", needs_clear=True),
        actions.Situation(3, "丙", stage="A", proposal=proposal(explained_on=TODAY)),
        actions.Situation(4, "丁", stage="B", needs_clear=True),
        actions.Situation(5, "戊"),
    ], TODAY, limit=10)
    assert [r.situation.client_id for r in ranked] == [3, 2, 4, 1]
