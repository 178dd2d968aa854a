"""The fact reader's rules: the coach's own extractor, answering in the model's JSON form."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from coachbot.domain.coaching.extract import FACT_KEYS, as_values, extract
from coachbot.domain.coaching.fact_schema import (
    FACT_SCHEMA,
    check_facts,
    fact_units,
    from_rule_values,
)
from coachbot.fakellm import Reply
from coachbot.services.ai.facts import rule_facts
from coachbot.services.ai.gateway import Limits

DATA = Path(__file__).parents[1] / "coaching" / "data"
NOTES = sorted(DATA.glob("**/notes_*.yaml"))
NOTE = "老婆全职带两个孩子，房贷每月1.5万"


def test_the_rules_and_the_schema_know_the_same_keys():
    assert set(FACT_KEYS) == set(FACT_SCHEMA["properties"])


@pytest.mark.parametrize("path", NOTES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_answer_of_the_rules_passes_the_schema_whole(path):
    for note in yaml.safe_load(path.read_text(encoding="utf-8"))["notes"]:
        found = rule_facts(note["text"], "zh-Hans")
        checked = check_facts(found)
        assert checked.dropped == (), note["text"]
        assert fact_units(checked.facts) == fact_units(found), note["text"]


def test_a_note_read_by_the_rules_as_a_model_would_answer_it():
    assert rule_facts(NOTE, "zh-Hans") == {"spouse": True, "spouse_works": False,
                                           "children": 2, "mortgage": True,
                                           "mortgage_monthly": 15000}
    found = rule_facts("客户没买过任何保险。两个孩子，老大8岁老二5岁，爸爸去年中风", "zh-Hans")
    assert found["existing_cover"] == [] and found["children_ages"] == [8, 5]
    assert found["health_event"] == [{"who": "father", "what": "stroke"}]


def test_values_the_schema_has_no_word_for_are_left_out():
    values = {"health_event": frozenset({("father", "illness"), ("mother", "stroke")}),
              "child_stage": frozenset({"primary", "baby"}), "children_ages": (8, 5)}
    assert from_rule_values(values) == {
        "health_event": [{"who": "mother", "what": "stroke"}],
        "child_stage": ["baby", "primary"], "children_ages": [8, 5]}
    assert from_rule_values({"health_event": frozenset({("father", "illness")})}) == {}


def test_a_spin_answer_is_the_clients_own_words():
    answer = "嗯，我是护士，在医院上班"
    assert as_values(extract(answer)) == {}  # in an agent's note, "我" is the agent
    assert rule_facts(answer, "zh-Hans") == {}
    assert rule_facts(answer, "zh-Hans", "spin_answer") == {"occupation": "nurse"}


async def test_a_failing_model_falls_back_to_the_coachs_rules(make_ai, llm, agent):
    ai = make_ai(limits=Limits(retries=0, daily_calls=50, daily_tokens=0, backoff=0.0))
    llm.script(Reply(status=500))
    found = await ai.facts.read(agent_id=agent, text=NOTE, locale="zh-Hans")
    assert (found.source, found.failure) == ("rules", "failed")
    assert found.facts == rule_facts(NOTE, "zh-Hans") and found.notice
