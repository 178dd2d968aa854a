"""Sample contexts for the coaching templates (real script data, hostile client values)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from coachbot.domain.coaching import playbooks as pb
from coachbot.domain.coaching import practice, spin
from coachbot.domain.coaching.facts import ClientFacts
from coachbot.domain.coaching.prep import prepare
from coachbot.scripts.loader import load_library
from coachbot.services.coach import Priority
from tests.meta.samples.clients import CLIENT
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

SAMPLES: dict[str, dict[str, Any]] = {
    "coaching/menu": {"client": CLIENT},
    "coaching/pick_spin": {"query": HOSTILE, "count": 0},
    "coaching/pick_prep": {"query": "", "count": 3},
    "coaching/spin_step": {"client": CLIENT, "session": SESSION, "profile":
                           SCRIPTS.profiles["young_family"],
                           "questions": spin.suggest_questions(SESSION, LIBRARY, "zh-Hans",
                                                               FACTS),
                           "resumed": True, "selected": "yf_s_costs", "step_index": 1,
                           "recorded": "voice"},
    "coaching/spin_paused": {"client": CLIENT},
    "coaching/spin_closed": {},
    "coaching/spin_summary": {"client": CLIENT, "summary": SUMMARY, "scripts": SCRIPTS},
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
    "coaching/next": {"priorities": [Priority(CLIENT, "proposal", {"stage": "B"}),
                                     Priority(CLIENT, "top_name", {"grade": "A"}),
                                     Priority(CLIENT, "follow_up", {"stage": "B"})],
                      "scripts": SCRIPTS},
    "coaching/practice_pick": {"scenarios": list(SCRIPTS.scenarios.values())},
    "coaching/practice_start": {"scenario": SCENARIO},
    "coaching/practice_turn": {"turn": PRACTICE.turns[-1], "scenario": SCENARIO,
                               "answer": ANSWER},
    "coaching/practice_score": {"score": practice.score(PRACTICE), "scripts": SCRIPTS,
                                "turns": 1},
}
