"""A role-play: the scripted prospect answers in character, hidden needs surface, a score."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from coachbot.domain.coaching import (
    PracticeSession,
    QuestionType,
    ScriptedProspect,
    ask,
    score,
    start_practice,
)
from coachbot.domain.coaching.practice import reveals
from coachbot.domain.coaching.text import matches
from coachbot.domain.locales import LOCALES
from coachbot.scripts import ScriptLibrary
from coachbot.scripts.model import Scenario


def test_good_session_scored(library: ScriptLibrary, now: datetime) -> None:
    scenario = library.get("zh-Hans").scenarios["young_parents"]
    session = start_practice(scenario, "zh-Hans", now)
    replies = []
    for question in [
        "您家里几口人？孩子多大了？",
        "现在每个月的开销里，哪一块让您压力最大？",
        "如果您先生的收入突然断了，房贷谁来还？",
        "万一家里有人生了大病，治疗的钱从哪里出？",
        "如果有一份保障，万一收入中断房贷照样有人还，对您家有帮助吗？",
        "要是确诊大病就能先拿到一笔钱，是不是就不用到处借了？",
    ]:
        session, reply = ask(session, question, scenario, now)
        replies.append(reply)
    assert [t.qtype for t in session.turns] == ["S", "P", "I", "I", "N", "N"]
    assert replies[2] == scenario.hidden_needs[0].reveal  # income_protect
    assert session.revealed == ("income_protect", "critical_illness")
    assert session.paid_off == ("income_protect", "critical_illness")

    result = score(session)
    assert result.counts["I"] == 2 and result.counts["pitch"] == 0
    assert result.reached_implication and result.reached_need_payoff
    assert result.ask_ratio == 1.0
    assert result.hidden_total == 3 and len(result.hidden_found) == 2
    keys = [tip.key for tip in result.tips]
    assert 2 <= len(keys) <= 4
    assert "dig_deeper" in keys and "good_ladder" in keys
    dig = next(t for t in result.tips if t.key == "dig_deeper")
    assert dig.data["missed"] == ["child_education"]
    json.dumps(result.to_dict(), ensure_ascii=False)

    again = PracticeSession.from_dict(json.loads(json.dumps(session.to_dict())))
    assert again == session


def test_pitching_early_and_only_situation(library: ScriptLibrary, now: datetime) -> None:
    scenario = library.get("en").scenarios["young_pro_later"]
    session = start_practice(scenario, "en", now)
    for question in [
        "Our critical illness plan is only $30 a month.",
        "What do you do for work?",
        "How long have you been there?",
        "Do you smoke?",
    ]:
        session, _ = ask(session, question, scenario, now)
    result = score(session)
    keys = [tip.key for tip in result.tips]
    assert keys[0] == "pitch_later" and result.tips[0].data == {"turn": 1}
    assert "ask_problem" in keys
    assert not result.reached_implication and result.hidden_found == ()
    assert result.ask_ratio == 0.75


def test_situation_questions_never_reveal(library: ScriptLibrary, now: datetime) -> None:
    scenario = library.get("zh-Hant").scenarios["boss_group_cover"]
    session = start_practice(scenario, "zh-Hant", now)
    session, reply = ask(session, "公司的貸款和擔保是怎麼安排的？", scenario, now)
    assert session.turns[0].qtype == "S" and session.revealed == ()
    session, reply = ask(session, "萬一公司的貸款出問題，家裡會不會被牽連？", scenario, now)
    assert session.revealed == ("biz_continuity",)
    assert reply == scenario.hidden_needs[0].reveal


def test_prospect_does_not_repeat_itself(library: ScriptLibrary, now: datetime) -> None:
    scenario = library.get("en").scenarios["pre_retiree_wang"]
    session = start_practice(scenario, "en", now)
    replies = []
    for _ in range(3):
        session, reply = ask(session, "Thanks, that's helpful.", scenario, now)
        replies.append(reply)
    assert replies[-1] == scenario.fallbacks["other"]


def test_a_custom_prospect_and_classifier_plug_in(library: ScriptLibrary, now: datetime) -> None:
    scenario = library.get("en").scenarios["young_parents"]

    class Echo:
        def reply(self, question: str, qtype: QuestionType, session: PracticeSession,
                  scenario: Scenario) -> str:
            return f"{qtype}:{question}"

    class AlwaysImplication:
        def classify(self, text: str, locale: str) -> QuestionType:
            return QuestionType.I

    session = start_practice(scenario, "en", now)
    session, reply = ask(session, "mortgage?", scenario, now, Echo(), AlwaysImplication())
    assert reply == "I:mortgage?"
    assert session.revealed == ("income_protect",)  # revealing stays rule-based


@pytest.mark.parametrize("locale", LOCALES)
def test_every_hidden_need_can_be_reached_with_library_questions(
    library: ScriptLibrary, locale: str
) -> None:
    scripts = library.get(locale)
    for scenario in scripts.scenarios.values():
        questions = [q.text for step in ("P", "I")
                     for q in scripts.profiles[scenario.profile].questions[step]]
        for need in scenario.hidden_needs:
            assert any(matches(text, need.triggers, locale) for text in questions), (
                scenario.id, need.need)


def test_scripted_prospect_opening_and_reveal_helpers(library: ScriptLibrary,
                                                       now: datetime) -> None:
    scenario = library.get("zh-Hans").scenarios["young_pro_later"]
    session = start_practice(scenario, "zh-Hans", now)
    assert scenario.opening
    assert reveals("你周末骑车摔过吗？", QuestionType.CLOSED, session, scenario) == []
    hit = reveals("你周末骑车有没有受过伤？担心吗？", QuestionType.P, session, scenario)
    assert [n.need for n in hit] == ["accident"]
    assert ScriptedProspect().reply("你好", QuestionType.OTHER, session, scenario) == "嗯。"
