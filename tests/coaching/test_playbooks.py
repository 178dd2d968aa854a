"""Playbook progress: step counts, ticking, advancing, ratios and the round trip."""

from __future__ import annotations

import json

import pytest

from coachbot.domain.coaching import playbooks as pb
from coachbot.domain.coaching.playbooks import PlaybookError, PlaybookProgress
from coachbot.domain.locales import LOCALES
from coachbot.scripts import ScriptLibrary

STEP_COUNTS = {"individual": 7, "big_client": 6, "group_client": 7, "car_dealer": 15}


@pytest.mark.parametrize("locale", LOCALES)
def test_step_counts(library: ScriptLibrary, locale: str) -> None:
    books = library.get(locale).playbooks
    assert {pid: len(book.steps) for pid, book in books.items()} == STEP_COUNTS
    dealer = books["car_dealer"]
    assert [sum(s.phase == ph for s in dealer.steps) for ph in dealer.phases] == [8, 7]
    for book in books.values():
        for step in book.steps:
            assert 2 <= len(step.checklist) <= 6 and 1 <= len(step.tips) <= 3


@pytest.mark.parametrize("playbook_id", STEP_COUNTS)
def test_walk_through_every_step(library: ScriptLibrary, playbook_id: str) -> None:
    book = library.get("zh-Hans").playbooks[playbook_id]
    progress = pb.start(book)
    seen = []
    while (step := pb.current_step(progress, book)) is not None:
        seen.append(step.id)
        for item in step.checklist:
            progress = pb.tick(progress, book, item)
        assert pb.step_done(progress, step)
        progress = pb.advance(progress, book)
        progress = PlaybookProgress.from_dict(json.loads(json.dumps(progress.to_dict())))
    assert len(seen) == STEP_COUNTS[playbook_id]
    assert pb.is_finished(progress, book)
    assert pb.progress_ratio(progress, book) == 1.0
    assert pb.advance(progress, book) == progress  # stays finished


def test_ratio_untick_and_back(library: ScriptLibrary) -> None:
    book = library.get("en").playbooks["individual"]
    total = sum(len(s.checklist) for s in book.steps)
    progress = pb.tick(pb.start(book), book, "transfer")  # an item of a later step is fine
    assert pb.progress_ratio(progress, book) == pytest.approx(1 / total)
    progress = pb.tick(progress, book, "transfer", done=False)
    assert pb.progress_ratio(progress, book) == 0
    progress = pb.back(pb.advance(pb.advance(progress, book), book), book)
    assert pb.current_step(progress, book).id == "present"  # type: ignore[union-attr]


def test_unknown_item_and_wrong_playbook(library: ScriptLibrary) -> None:
    books = library.get("en").playbooks
    progress = pb.start(books["big_client"])
    with pytest.raises(PlaybookError):
        pb.tick(progress, books["big_client"], "nope")
    with pytest.raises(PlaybookError):
        pb.advance(progress, books["car_dealer"])


def test_progress_dict_is_plain() -> None:
    progress = PlaybookProgress("car_dealer", 3, frozenset({"b", "a"}))
    assert progress.to_dict() == {"playbook_id": "car_dealer", "step_index": 3,
                                  "done_items": ["a", "b"]}


def test_credit_score_weights() -> None:
    assert pb.credit_score(100, 0, 0, 0) == 50
    assert pb.credit_score(0, 100, 0, 0) == 25
    assert pb.credit_score(0, 0, 100, 0) == 15
    assert pb.credit_score(0, 0, 0, 100) == 10
    assert pb.credit_score(80, 60, 70, 50) == 40 + 15 + 10.5 + 5
    with pytest.raises(ValueError):
        pb.credit_score(101, 0, 0, 0)


@pytest.mark.parametrize(("locale", "facts"), [
    ("zh-Hans", ["银行转账", "1+2+1", "50%", "25%", "15%", "10%", "具体某一个人"]),
    ("zh-Hant", ["銀行轉帳", "1+2+1", "50%", "25%", "15%", "10%", "具體某一個人"]),
    ("en", ["bank transfer", "1+2+1", "50%", "25%", "15%", "10%", "specific person"]),
])
def test_methodology_facts_are_in_the_playbooks(library: ScriptLibrary, locale: str,
                                                facts: list[str]) -> None:
    text = " ".join(
        " ".join([s.title, s.goal, *s.checklist.values(), *s.tips])
        for book in library.get(locale).playbooks.values() for s in book.steps
    )
    for fact in facts:
        assert fact in text, fact


def _aftercare(library: ScriptLibrary, locale: str, region: str | None):
    [step] = [s for s in library.get(locale, region).playbooks["individual"].steps
              if s.id == "aftercare"]
    return step


@pytest.mark.parametrize(("locale", "region", "says"), [
    ("zh-Hant", "HK", "21 天冷靜期"), ("zh-Hant", "TW", "10 天契約撤銷期"),
    ("zh-Hans", "CN", "15 天犹豫期"), ("zh-Hans", "SG", "14 天犹豫期"),
    ("zh-Hans", "MY", "15 天犹豫期"), ("en", "HK", "21-day cooling-off period"),
    ("en", "SG", "14-day free-look period"),
])
def test_the_cooling_off_period_is_the_agents_regions(library: ScriptLibrary, locale: str,
                                                     region: str, says: str) -> None:
    step = _aftercare(library, locale, region)
    assert says in step.checklist["cooling"] and says in step.goal
    assert "10天" not in step.checklist["cooling"] or region == "TW"


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "en"])
def test_without_a_region_no_number_of_days_is_promised(library: ScriptLibrary,
                                                        locale: str) -> None:
    for region in (None, "XX"):
        step = _aftercare(library, locale, region)
        assert not any(ch.isdigit() for ch in step.checklist["cooling"] + step.goal)
        assert "{{" not in step.checklist["cooling"] + step.title


def test_an_hk_agents_playbook_says_21_days(library: ScriptLibrary, renderer) -> None:
    from coachbot.domain.coaching import playbooks as pb

    playbook = library.get("zh-Hant", "HK").playbooks["individual"]
    progress = pb.PlaybookProgress("individual", step_index=len(playbook.steps) - 1)
    html = renderer.render("zh-Hant", "coaching/playbook_step", region="HK", client=None,
                           playbook=playbook, step=pb.current_step(progress, playbook),
                           progress=progress, index=len(playbook.steps), ratio=0.5)
    assert "21 天冷靜期" in html and "10天" not in html
