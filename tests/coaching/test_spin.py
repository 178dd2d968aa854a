"""A SPIN session from start to summary, its guards, and its round trip through dicts."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coachbot.domain.coaching import (
    ClientFacts,
    SpinError,
    SpinSession,
    advance,
    go_back,
    pause,
    record_answer,
    resume,
    skip_step,
    start_session,
    suggest_questions,
    summarize,
)
from coachbot.domain.coaching.proposals import Proposal
from coachbot.scripts import ScriptLibrary
from coachbot.scripts.model import Question

FAMILY = ClientFacts(age=34, has_spouse=True, children_ages=[3], policy_products=["medical"],
                     stage="C")


def _round_trip(session: SpinSession) -> SpinSession:
    again = SpinSession.from_dict(json.loads(json.dumps(session.to_dict())))
    assert again == session
    return again


def test_full_session(library: ScriptLibrary, now: datetime) -> None:
    later = now + timedelta(minutes=5)
    session = start_session(7, "young_family", now)
    first = suggest_questions(session, library, "zh-Hans", FAMILY)
    assert 2 <= len(first) <= 4 and all(q.step == "S" for q in first)

    session = record_answer(session, "家里三口人，儿子三岁，每个月房贷一万二。", now, first[0].id)
    session = advance(session, now)
    assert session.step == "P"
    session = record_answer(
        session, "压力最大的是房贷。我先生要是收入断了，真不知道怎么撑。", now, "yf_p_pressure")
    session = go_back(session, now)  # the agent remembers one more situation question
    assert session.step == "S"
    session = record_answer(session, "我先生在互联网公司上班，我做会计。", now, "yf_s_income")
    session = advance(session, now)
    session = advance(session, now)  # P already answered: on to I
    assert session.step == "I"
    session = skip_step(session, now)
    assert session.step == "N" and session.skipped == ("I",)

    session = pause(session, now)
    with pytest.raises(SpinError):
        record_answer(session, "…", now)
    session = _round_trip(session)
    session = resume(session, later)
    assert session.status == "active" and session.updated_at == later

    session = record_answer(session, "对，这个对我们太重要了。我想给孩子存点教育金。", later,
                            "yf_n_income")
    session = advance(session, later)
    assert session.step == "done" and session.status == "done"
    with pytest.raises(SpinError):
        record_answer(session, "more", later)
    session = _round_trip(session)

    summary = summarize(session, library, "zh-Hans", FAMILY)
    by_need = {f.need: f for f in summary.needs}
    income = by_need["income_protect"]
    assert income.priority == "must" and income.explicit and "payoff" in income.sources
    assert any("房贷" in e for e in income.evidence)
    assert by_need["child_education"].explicit  # "我想给孩子存…" states it outright
    assert by_need["critical_illness"].sources == ("profile",)
    assert not by_need["critical_illness"].explicit  # the profile's must-have, never said
    assert by_need["health_medical"].covered_by == ("medical",)
    assert summary.gaps[:2] == ("income_protect", "child_education")
    assert "health_medical" not in summary.gaps
    assert summary.steps_answered == ("S", "P", "N") and summary.steps_skipped == ("I",)
    assert summary.next_step.key == "move_to_stage"
    assert summary.next_step.data["stage"] == "B"
    assert summary.next_step.data["action"] == "prepare_proposal"
    json.dumps(summary.to_dict(), ensure_ascii=False)


def test_latent_needs_lead_to_implication_questions(library: ScriptLibrary,
                                                     now: datetime) -> None:
    session = start_session(1, "young_single", now)
    session = record_answer(session, "I do a lot of overtime and I spend everything I earn.", now)
    summary = summarize(session, library, "en", ClientFacts(age=27))
    found = {f.need: f for f in summary.needs}
    assert not found["savings"].explicit
    assert summary.next_step.key == "deepen_implication"
    assert "savings" in summary.next_step.data["needs"]


def test_negated_markers_are_not_explicit(library: ScriptLibrary, now: datetime) -> None:
    session = start_session(1, "young_family", now)
    session = record_answer(session, "我不想存教育金，房贷的事也不需要操心。", now)
    summary = summarize(session, library, "zh-Hans", FAMILY)
    found = {f.need: f for f in summary.needs}
    assert not found["income_protect"].explicit


def test_covered_needs_suggest_a_review(library: ScriptLibrary, now: datetime) -> None:
    facts = ClientFacts(age=60, policy_products=["annuity", "medical"])
    session = start_session(1, "pre_retiree", now)
    session = record_answer(session, "退休以后的生活费，还有住院看病的钱，我都想过。", now)
    summary = summarize(session, library, "zh-Hans", facts)
    assert summary.next_step.key == "review_policies"


def test_close_only_after_the_proposal_is_explained(library: ScriptLibrary,
                                                    now: datetime) -> None:
    """Stage A alone is not enough: the methodology closes on an explained proposal."""
    facts = ClientFacts(is_group=True, stage="A")
    session = start_session(1, "group_corporate", now)
    session = record_answer(session, "We want employee benefits that keep our key people.", now)
    summary = summarize(session, library, "en", facts)
    assert summary.next_step.key == "prepare_proposal"
    explained = Proposal(id=3, client_id=1, prepared_on=date(2025, 2, 1),
                         explained_on=date(2025, 2, 20))
    summary = summarize(session, library, "en", facts, explained)
    assert summary.next_step.key == "move_to_stage"
    assert summary.next_step.data["stage"] == "A"
    assert summary.next_step.data["playbook"] == "group_client"


def test_suggestions_fit_the_facts(library: ScriptLibrary, now: datetime) -> None:
    session = start_session(1, "young_family", now)
    couple_without_kids = ClientFacts(age=30, has_spouse=True)
    ids = {q.id for q in suggest_questions(session, library, "en", couple_without_kids)}
    assert "yf_s_family" not in ids and "yf_s_school" not in ids
    all_s = {q.id for q in library.get("en").profiles["young_family"].questions["S"]}
    fitting = {q for q in all_s if q not in {"yf_s_family", "yf_s_school", "yf_s_cover"}}
    assert ids <= fitting and "yf_s_plan" in fitting


def test_stage_specific_question_only_at_that_stage(library: ScriptLibrary,
                                                     now: datetime) -> None:
    session = start_session(1, "young_family", now)
    for _ in range(3):
        session = skip_step(session, now)
    assert session.step == "N"
    many = 8
    at_c = {q.id for q in _all_suggestions(session, library, FAMILY, many)}
    at_b = {q.id for q in _all_suggestions(session, library,
                                            ClientFacts(**{**FAMILY.to_dict(), "stage": "B"}),
                                            many)}
    assert "yf_n_ready" not in at_c and "yf_n_ready" in at_b


def _all_suggestions(
    session: SpinSession, library: ScriptLibrary, facts: ClientFacts, rounds: int
) -> list[Question]:
    seen: list[Question] = []
    for _ in range(rounds):
        batch = suggest_questions(session, library, "zh-Hans", facts)
        if not batch:
            break
        seen += batch
        session = record_answer(session, "嗯", session.updated_at, batch[0].id)
    return seen


def test_asked_questions_are_not_suggested_again(library: ScriptLibrary, now: datetime) -> None:
    session = start_session(1, "business_owner", now)
    first = suggest_questions(session, library, "zh-Hant", ClientFacts())
    session = record_answer(session, "做了十五年。", now, first[0].id)
    again = suggest_questions(session, library, "zh-Hant", ClientFacts())
    assert first[0].id not in {q.id for q in again}


def test_followups_prefer_needs_the_client_mentioned(library: ScriptLibrary,
                                                      now: datetime) -> None:
    session = start_session(1, "young_family", now)
    session = record_answer(session, "We both travel a lot and drive everywhere.", now)
    session = advance(session, now)
    top = suggest_questions(session, library, "en", ClientFacts(age=35, has_spouse=True))[0]
    assert "accident" in top.probes


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        start_session(1, "young_single", datetime(2025, 1, 1))


def test_empty_answer_is_refused(now: datetime) -> None:
    with pytest.raises(SpinError):
        record_answer(start_session(1, "young_single", now), "  ", now)


def test_voice_note_answer(now: datetime) -> None:
    session = record_answer(start_session(1, "young_single", now), "", now,
                            voice_file_id="AwACAgQ")
    assert session.answers[0].voice_file_id == "AwACAgQ"


ACTIONS = st.lists(st.sampled_from(["answer", "advance", "skip", "back", "pause", "resume"]),
                   max_size=25)


@settings(max_examples=60, deadline=None)
@given(actions=ACTIONS)
def test_any_sequence_keeps_the_session_consistent(actions: list[str]) -> None:
    now = datetime.fromisoformat("2025-03-01T09:30:00+00:00")
    session = start_session("c-1", "pre_retiree", now)
    for action in actions:
        try:
            session = {
                "answer": lambda s: record_answer(s, "退休后想去旅游。", now),
                "advance": lambda s: advance(s, now),
                "skip": lambda s: skip_step(s, now),
                "back": lambda s: go_back(s, now),
                "pause": lambda s: pause(s, now),
                "resume": lambda s: resume(s, now),
            }[action](session)
        except SpinError:
            continue
        assert session.step in ("S", "P", "I", "N", "done")
        assert (session.step == "done") == (session.status == "done")
        assert session.step not in session.skipped
        assert all(a.step in ("S", "P", "I", "N") for a in session.answers)
        assert SpinSession.from_dict(json.loads(json.dumps(session.to_dict()))) == session
