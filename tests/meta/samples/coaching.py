"""Sample contexts for the coaching templates (real script data, hostile client values)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from coachbot.domain.coaching import playbooks as pb
from coachbot.domain.coaching import practice, spin
from coachbot.domain.coaching.facts import ClientFacts
from coachbot.domain.coaching.needs import NextStep
from coachbot.domain.coaching.prep import prepare
from coachbot.domain.coaching.proposals import Proposal
from coachbot.scripts.loader import load_library
from coachbot.services import coach
from coachbot.services.proposals import Accepted
from tests.meta.samples.clients import CLIENT, POLICY
from tests.meta.samples.general import HOSTILE

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
LIBRARY = load_library()
SCRIPTS = LIBRARY.get("zh-Hans")
FACTS = ClientFacts(age=35, has_spouse=True, children_ages=[3])
SESSION = spin.record_answer(spin.start_session(7, "young_family", NOW),
                             "房贷压力大，孩子还小" + HOSTILE, NOW, question_id="yf_s_family")
SUMMARY = spin.summarize(SESSION, LIBRARY, "zh-Hans", FACTS).to_dict()
SUMMARY["next_step"] = {"key": "move_to_stage", "data": {"stage": "B"}}
PLAYBOOK = SCRIPTS.playbooks["car_dealer"]
PROGRESS = pb.tick(pb.start(PLAYBOOK), PLAYBOOK, next(iter(PLAYBOOK.steps[0].checklist)))
SCENARIO = SCRIPTS.scenarios["young_parents"]
PRACTICE, ANSWER = practice.ask(practice.start_practice(SCENARIO, "zh-Hans", NOW),
                                "如果您生病了，房贷怎么办？" + HOSTILE, SCENARIO, NOW)

EARNS_ALONE = ClientFacts(age=41, has_spouse=True, spouse_known=True, spouse_works=False,
                          children_ages=[5, 2], mortgage=True, sole_breadwinner=True,
                          health_events=[("father", "stroke")], stage="B")
NEEDS = spin.summarize(SESSION, LIBRARY, "zh-Hans", EARNS_ALONE)
TYPE_QUESTION = coach.TypeQuestion(7, HOSTILE, "young_family", "conflict")
SHOWN = spin.show_step(SESSION, LIBRARY, "zh-Hans", EARNS_ALONE)
SPIN_VIEW = coach.SpinView(
    record_id=1, client=CLIENT, session=SHOWN, profile="young_family", step_index=1,
    questions=tuple(coach.SpinQuestion(i + 1, q, i == 0, i == 1) for i, q in
                    enumerate(spin.step_questions(SHOWN, LIBRARY, "zh-Hans"))),
    current=2, answers_here=1, pending_voice=1, resumed=True, recorded="voice",
    type_changed_from="young_single", ask_type=TYPE_QUESTION)
DAY = NOW.date()
PROPOSAL = Proposal(id=4, client_id=7, title=HOSTILE, products=("term_life", "critical_illness"),
                    sum_insured=2_000_000, premium=1_000, frequency="monthly", currency="CNY",
                    prepared_on=DAY, sent_on=DAY, explain_on=DAY, explained_on=DAY,
                    reaction=HOSTILE, objection="too_expensive", objection_open=True)
DECLINED = Proposal(id=5, client_id=7, products=("annuity",), premium=8000, outcome="declined",
                    outcome_on=DAY, decline_reason="price")
ACCEPTED = Proposal(id=6, client_id=7, products=("medical",), outcome="accepted", policy_id=3)
ACTIONS = [coach.NextAction(CLIENT, key, data, 0, 2, "B", "vip") for key, data in (
    ("handle_objection", {"objection": "too_expensive"}), ("close", {}),
    ("explain_proposal", {"due": True, "on": "2026-11-23"}),
    ("explain_proposal", {"due": False, "on": "2026-11-25"}), ("chase_proposal", {"days": 6}),
    ("follow_up", {"step": HOSTILE}), ("book_explanation", {}),
    ("prepare_proposal", {"stage": "A"}), ("prepare_proposal", {"stage": "B"}),
    ("continue_spin", {}), ("mine_needs", {}), ("invite_event", {}), ("nurture", {}),
    ("after_sale", {}), ("revisit", {"reason": "price"}), ("review_policies", {}),
    ("stay_in_touch", {}), ("first_meeting", {"grade": "A"}), ("long_line", {"grade": "C"}),
    ("none", {}))]

SAMPLES: dict[str, dict[str, Any]] = {
    "coaching/menu": {"client": CLIENT},
    "coaching/pick_spin": {"query": HOSTILE, "count": 0},
    "coaching/pick_prep": {"query": "", "count": 3},
    "coaching/spin_paused": {"client": CLIENT},
    "coaching/spin_closed": {},
    "coaching/prep": {"client": CLIENT, "scripts": SCRIPTS,
                      "sheet": prepare("young_family", FACTS, LIBRARY, "zh-Hans")},
    "coaching/playbooks": {"client": CLIENT, "playbooks": list(SCRIPTS.playbooks.values())},
    "coaching/playbook_step": {"client": CLIENT, "playbook": PLAYBOOK,
                               "step": pb.current_step(PROGRESS, PLAYBOOK),
                               "progress": PROGRESS, "index": 1,
                               "ratio": pb.progress_ratio(PROGRESS, PLAYBOOK)},
    "coaching/objections": {"missed": HOSTILE},
    "coaching/objection": {"objection": SCRIPTS.objections["too_expensive"]},
    "coaching/referral_moments": {"client": CLIENT},
    "coaching/referral_person": {"client": CLIENT,
                                 "moment": SCRIPTS.referrals["policy_delivered"]},
    "coaching/referral": {"client": CLIENT, "person": HOSTILE,
                          "lines": ["说" + HOSTILE, "再说"],
                          "moment": SCRIPTS.referrals["claim_paid"]},
    "coaching/referral_nudge": {"client": CLIENT,
                                "moment": SCRIPTS.referrals["review_done"]},
    "coaching/practice_pick": {"scenarios": list(SCRIPTS.scenarios.values())},
    "coaching/practice_start": {"scenario": SCENARIO},
    "coaching/practice_turn": {"turn": PRACTICE.turns[-1], "scenario": SCENARIO,
                               "answer": ANSWER},
    "coaching/practice_score": {"score": practice.score(PRACTICE), "scripts": SCRIPTS,
                                "turns": 1},
    "coaching/type_question": {"question": TYPE_QUESTION, "scripts": SCRIPTS},
    "coaching/spin_view": {"view": SPIN_VIEW, "scripts": SCRIPTS},
    "coaching/needs": {"client": CLIENT, "summary": NEEDS.to_dict(), "scripts": SCRIPTS},
    "coaching/next_step": {"step": NextStep("handle_objection", {"objection": "too_expensive"}),
                           "scripts": SCRIPTS},
    "coaching/spin_finished": {"finish": coach.SpinFinish(CLIENT, NEEDS, None, "B"),
                               "scripts": SCRIPTS},
    "coaching/action": {"action": ACTIONS[0], "scripts": SCRIPTS},
    "coaching/next_actions": {"actions": ACTIONS, "scripts": SCRIPTS},
    "coaching/proposal": {"proposal": PROPOSAL, "client": CLIENT, "scripts": SCRIPTS,
                          "currency": "CNY", "suggested_stage": "A", "notice": "explained"},
    "coaching/proposals": {"proposals": [PROPOSAL, DECLINED, ACCEPTED], "client": CLIENT,
                           "scripts": SCRIPTS, "currency": "CNY"},
    "coaching/proposal_ask": {"client": CLIENT, "field": "premium", "error": "bad_amount"},
    "coaching/proposal_accepted": {"client": CLIENT, "accepted": Accepted(ACCEPTED, POLICY),
                                   "currency": "CNY"},
    "coaching/proposal_declined": {"client": CLIENT, "proposal": DECLINED},
}
