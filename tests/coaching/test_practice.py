"""A role-play: the scripted prospect answers in character, hidden needs surface, a score."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from coachbot.domain.coaching import (
    PracticeSession,
    QuestionType,
    ScriptedProspect,
    ask,
    score,
    start_practice,
)
from coachbot.domain.coaching.practice import reveals, told_topics
from coachbot.domain.coaching.text import matches
from coachbot.domain.locales import LOCALES
from coachbot.scripts import ScriptLibrary, load_library
from coachbot.scripts.model import Scenario
from coachbot.scripts.nodes import ScriptError

from .conftest import Mutate


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


@pytest.mark.parametrize(("locale", "pitch"), [
    ("zh-Hans", "我们这款重疾险一年只要八千块。"),
    ("zh-Hant", "我哋呢個計劃一年只要八千蚊。"),
    ("en", "Our plan is only $30 a month."),
])
def test_the_prospect_never_asks_back_what_it_was_just_told(
        library: ScriptLibrary, now: datetime, locale: str, pitch: str) -> None:
    scenario = library.get(locale).scenarios["young_parents"]
    asking = next(s for s in scenario.answers["pitch"] if s.asks == "premium")
    session = start_practice(scenario, locale, now)
    session, reply = ask(session, pitch, scenario, now)
    assert session.turns[0].qtype == "pitch" and session.turns[0].told == ("premium",)
    assert reply != asking.say
    assert reply == next(s for s in scenario.answers["pitch"] if s.after == "premium").say
    # later, the prospect still knows the price: no "how much is it?" from the N lines either
    session, reply = ask(session, pitch, scenario, now)
    assert "premium" in session.told and reply != asking.say
    for line in scenario.answers["N"]:
        if line.asks == "premium":
            assert line.say not in [t.reply for t in session.turns]


def test_told_topics() -> None:
    assert told_topics("一年只要八千块", "zh-Hans") == {"premium"}
    assert told_topics("保额五十万，每年交一万二", "zh-Hans") == {"premium", "cover"}
    assert told_topics("您爸爸前几年生病花了多少钱？", "zh-Hans") == frozenset()
    assert told_topics("It pays out 500k on diagnosis for just $80 a month", "en") == \
        {"premium", "cover"}
    assert told_topics("How much do you spend a month?", "en") == frozenset()


@pytest.mark.parametrize(("locale", "question"), [
    ("zh-Hans", "您爸爸前几年生病花了多少钱？"),
    ("zh-Hant", "你老豆上年入院，最後自己俾咗幾多錢？"),
    ("en", "How much did the family end up paying when your dad was ill?"),
])
def test_family_illness_questions_are_problem_questions_and_get_the_illness_story(
        library: ScriptLibrary, now: datetime, locale: str, question: str) -> None:
    scenario = library.get(locale).scenarios["young_parents"]
    session = start_practice(scenario, locale, now)
    session, reply = ask(session, question, scenario, now)
    assert session.turns[0].qtype == "P"
    illness = next(n for n in scenario.hidden_needs if n.need == "critical_illness")
    assert reply == illness.reveal  # not the mortgage figures


def test_hidden_needs_follow_the_profile_must_haves_first(library: ScriptLibrary,
                                                         now: datetime) -> None:
    scripts = library.get("zh-Hans")
    for scenario in scripts.scenarios.values():
        profile = scripts.profiles[scenario.profile]
        session = start_practice(scenario, "zh-Hans", now, profile)
        assert set(session.hidden) <= set(profile.needs)
        levels = [profile.needs[need] for need in session.hidden]
        assert levels == sorted(levels, key=lambda level: level != "must")
        assert levels[0] == "must"


def test_a_hidden_need_outside_the_profile_is_refused(mutate: Mutate,
                                                      scripts_copy: Path) -> None:
    mutate("zh-Hans", "practice", "      income_protect:\n        triggers: [收入",
           "      staff_benefits:\n        triggers: [收入")
    for locale in ("zh-Hant", "en"):
        mutate(locale, "practice", "      income_protect:\n", "      staff_benefits:\n")
    with pytest.raises(ScriptError) as err:
        load_library(scripts_copy)
    assert "'staff_benefits' is not a need of profile 'young_family'" in str(err.value)
