"""The loader accepts the shipped scripts and names file and line for every kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from coachbot.domain.locales import LOCALES
from coachbot.scripts import ScriptError, ScriptLibrary, load_library
from coachbot.scripts.fields import ID_PATTERN
from coachbot.scripts.schema import PROFILE_IDS, SPIN_STEPS

from .conftest import Mutate


def test_every_locale_loads_with_the_same_ids(library: ScriptLibrary) -> None:
    reference = library.get("zh-Hans")
    for locale in LOCALES:
        scripts = library.get(locale)
        assert scripts.locale == locale
        assert list(scripts.profiles) == list(reference.profiles)
        assert set(scripts.questions) == set(reference.questions)
        assert list(scripts.needs) == list(reference.needs)
        assert list(scripts.objections) == list(reference.objections)
        assert list(scripts.playbooks) == list(reference.playbooks)
        assert list(scripts.scenarios) == list(reference.scenarios)
        assert list(scripts.referrals) == list(reference.referrals)


def test_content_meets_the_brief(library: ScriptLibrary) -> None:
    scripts = library.get("zh-Hans")
    assert set(scripts.profiles) == set(PROFILE_IDS)
    for profile in scripts.profiles.values():
        for step in SPIN_STEPS:
            assert 4 <= len(profile.questions[step]) <= 8, (profile.id, step)
    assert len(scripts.needs) >= 10
    assert len(scripts.objections) >= 8
    assert all(2 <= len(o.responses) <= 3 for o in scripts.objections.values())
    assert set(scripts.referrals) == {
        "policy_delivered", "claim_paid", "review_done", "birthday_thanks", "event_attended"}
    assert len(scripts.scenarios) >= 4
    assert set(scripts.prep) == set(scripts.profiles)


def test_ids_fit_in_callback_data(library: ScriptLibrary) -> None:
    scripts = library.get("en")
    ids = [*scripts.profiles, *scripts.questions, *scripts.needs, *scripts.products,
           *scripts.objections, *scripts.playbooks, *scripts.referrals, *scripts.scenarios]
    ids += [item for book in scripts.playbooks.values() for step in book.steps
            for item in (step.id, *step.checklist)]
    assert all(ID_PATTERN.match(i) for i in ids)
    # a typical callback: prefix, two ids and a number, well under Telegram's 64 bytes
    assert len(f"pb:{max(ids, key=len)}:{max(ids, key=len)}:99".encode()) <= 64


def _fails(root: Path, *expected: str) -> str:
    with pytest.raises(ScriptError) as caught:
        load_library(root)
    message = str(caught.value)
    for part in expected:
        assert part in message, message
    return message


def test_missing_required_key(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate("en", "objections", "    label: Too expensive\n", "")
    _fails(scripts_copy, f"{path}:{line - 1}", "missing required key 'label'")


def test_wrong_type(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate("zh-Hans", "stages", "meet_every_days: 14", "meet_every_days: often")
    _fails(scripts_copy, f"{path}:{line}", "should be a whole number")


def test_unknown_key(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate("zh-Hant", "referrals", "    when: 理賠款入帳", "    wen: 理賠款入帳")
    _fails(scripts_copy, f"{path}:{line}", "unknown key 'wen'")


def test_key_in_one_locale_only(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate(
        "en", "objections", "  buy_online:\n",
        "  too_late:\n    label: Too late\n    keywords: [too late]\n    behind: Timing.\n"
        "    responses:\n      a: {name: A, say: \"Why?\"}\n      b: {name: B, say: \"When?\"}\n"
        "  buy_online:\n")
    _fails(scripts_copy, f"{path}:{line}", "objections.too_late is not in", "zh-Hans")


def test_key_missing_in_one_locale(scripts_copy: Path, mutate: Mutate) -> None:
    minutes = "              minutes: 當天整理會談紀要發給對方\n"
    path, _ = mutate("zh-Hant", "playbooks", minutes, "")
    _fails(scripts_copy, str(path), "checklist.minutes is missing here")


def test_shared_value_differs_between_locales(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate("en", "spin", "a lot for work? Does the family worry about that?\n"
                        "          probes: [accident]",
                        "a lot for work? Does the family worry about that?\n"
                        "          probes: [savings]")
    _fails(scripts_copy, f"{path}:{line + 1}", "probes is ['savings'] here but ['accident']",
           "must be the same in every locale")


def test_unknown_reference(scripts_copy: Path, mutate: Mutate) -> None:
    found = {loc: mutate(loc, "prep", "questions: [ys_s_job,", "questions: [ys_s_jobb,")
             for loc in LOCALES}
    path, line = found["zh-Hans"]  # shared values are checked on the reference locale first
    _fails(scripts_copy, f"{path}:{line}", "unknown question id 'ys_s_jobb'")


def test_reference_differing_by_locale(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate("en", "prep", "questions: [ys_s_job,", "questions: [ys_s_jobb,")
    _fails(scripts_copy, f"{path}:{line}", "must be the same in every locale")


def test_id_must_be_callback_safe(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate("en", "objections", "  later:\n", "  Later_Than_Sixteen_Chars:\n")
    _fails(scripts_copy, f"{path}:{line}", "id 'Later_Than_Sixteen_Chars' must be 1-16")


def test_unknown_placeholder(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate("en", "referrals", "{{ client_name }}, was the summary",
                        "{{ client }}, was the summary")
    _fails(scripts_copy, f"{path}:{line}", "unknown placeholder '{{ client }}'")


def test_stray_brace(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate("zh-Hans", "referrals", "{{ person }}也买了好几份保单",
                        "{person}也买了好几份保单")
    _fails(scripts_copy, f"{path}:{line}", "stray brace")


def test_duplicate_key(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate("zh-Hans", "objections", "  later:\n", "  scam:\n    label: x\n  later:\n")
    _fails(scripts_copy, f"{path}:{line}", "key 'scam' appears twice")


def test_broken_yaml(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate("en", "stages", "  face: {label: Face to face}",
                        "  face: {label: Face to face")
    _fails(scripts_copy, f"{path}:{line + 1}", "not valid YAML")


def test_missing_file(scripts_copy: Path) -> None:
    path = scripts_copy / "zh-Hant" / "practice.yaml"
    path.unlink()
    _fails(scripts_copy, f"{path}:1", "missing")


def test_response_must_ask_back(scripts_copy: Path, mutate: Mutate) -> None:
    path, line = mutate("en", "objections",
                        "say: Of course - it's a family decision. What do you think your partner "
                        "will care about most? Shall we find a time that suits you both, so I can "
                        "explain it in person?",
                        "say: Of course, it's a family decision.")
    _fails(scripts_copy, f"{path}:{line}", "should ask the client a question back")


def test_prep_question_from_another_profile(scripts_copy: Path, mutate: Mutate) -> None:
    found = {loc: mutate(loc, "prep", "questions: [ys_s_job,", "questions: [yf_s_costs,")
             for loc in LOCALES}
    path, line = found["zh-Hans"]
    _fails(scripts_copy, f"{path}:{line}", "belongs to profile 'young_family'")


def test_tier_bands_are_not_script_data(scripts_copy: Path, mutate: Mutate) -> None:
    """The premium bands are the domain's one rule (domain.tiers); a copy in the scripts drifted
    once (200,000 was 高客 here and 贵宾 in the code), so the schema refuses one."""
    found = {loc: mutate(loc, "stages", "  hnw:\n", "  hnw:\n    premium_min: 200000\n")
             for loc in LOCALES}
    path, line = found["zh-Hans"]
    _fails(scripts_copy, f"{path}:{line + 1}", "unknown key 'premium_min'")


def test_all_problems_reported_together(scripts_copy: Path, mutate: Mutate) -> None:
    mutate("en", "stages", "meet_every_days: 14", "meet_every_days: often")
    mutate("zh-Hans", "stages", "meet_every_days: 3", "meet_every_days: -1")
    with pytest.raises(ScriptError) as caught:
        load_library(scripts_copy)
    assert len(caught.value.problems) == 2
