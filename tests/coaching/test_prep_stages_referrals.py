"""Preparation sheets, stage rules and referral scripts."""

from __future__ import annotations

import json

import pytest

from coachbot.domain.coaching import ClientFacts, prepare, referral_lines
from coachbot.domain.coaching.referrals import fill
from coachbot.domain.coaching.stages import grade_name, next_stage, service_plan
from coachbot.scripts import ScriptLibrary


def test_prep_sheet_for_a_young_family(library: ScriptLibrary) -> None:
    facts = ClientFacts(age=35, has_spouse=True, children_ages=[4], policy_products=["medical"])
    sheet = prepare("young_family", facts, library, "zh-Hans")
    assert sheet.opening and len(sheet.predict) >= 2 and sheet.dont_assume
    assert [q.id for q in sheet.questions][:2] == ["yf_s_family", "yf_s_costs"]
    assert "health_medical" in sheet.covered
    assert sheet.likely_gaps == ("income_protect", "child_education", "critical_illness")
    json.dumps(sheet.to_dict(), ensure_ascii=False)


def test_prep_swaps_questions_that_do_not_fit(library: ScriptLibrary) -> None:
    no_kids = ClientFacts(age=30, has_spouse=True)
    sheet = prepare("young_family", no_kids, library, "en")
    ids = [q.id for q in sheet.questions]
    assert "yf_s_family" not in ids and "yf_p_school" not in ids
    assert len(ids) == len(library.get("en").prep["young_family"].questions)
    assert [q.step for q in sheet.questions] == sorted(
        (q.step for q in sheet.questions), key="SPIN".index)


@pytest.mark.parametrize(("traits", "grade"), [
    ((True, True, True, True), "A"), ((True, True, True, False), "B"),
    ((True, False, True, False), "C"), ((False, False, False, True), "D"),
    ((False, False, False, False), None),
])
def test_name_grades(traits: tuple[bool, bool, bool, bool], grade: str | None) -> None:
    assert grade_name(*traits) == grade


def test_stage_advice(library: ScriptLibrary) -> None:
    stages = library.get("zh-Hans").stages
    assert [next_stage(s) for s in "DCBA"] == ["C", "B", "A", None]
    assert stages.prospect_stages["D"].label.endswith("可养客")
    assert stages.prospect_stages["A"].meet_every_days < stages.prospect_stages["C"].meet_every_days
    plan = service_plan("hnw", stages).service
    assert plan.every_days < service_plan("regular", stages).service.every_days
    assert set(plan.how) <= set(stages.channels)
    assert stages.name_grades["C"].traits == 2


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "en"])
def test_referral_lines_name_the_person(library: ScriptLibrary, locale: str) -> None:
    for moment in library.get(locale).referrals:
        lines = referral_lines(moment, library, locale, client_name="Ms Lam", person="Ada")
        assert any("Ada" in line for line in lines)
        assert all("{{" not in line and "}}" not in line for line in lines)


def test_fill_leaves_unknown_placeholders() -> None:
    assert fill("{{ person }} / {{ x }}", {"person": "Ada"}) == "Ada / {{ x }}"
