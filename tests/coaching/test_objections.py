"""Objection matching by keywords in each locale, best match first."""

from __future__ import annotations

import pytest

from coachbot.domain.coaching import match_objection
from coachbot.scripts import ScriptLibrary


@pytest.mark.parametrize(("locale", "text", "expected"), [
    ("zh-Hans", "客户说保费太贵了，负担不起", "too_expensive"),
    ("zh-Hans", "他说已经在单位有保险了", "have_insurance"),
    ("zh-Hans", "她说要回去问问老公", "ask_spouse"),
    ("zh-Hans", "客户觉得保险都是骗人的", "scam"),
    ("zh-Hans", "说以后再说吧，明年再看", "later"),
    ("zh-Hans", "刚买房，手头紧", "no_money_now"),
    ("zh-Hans", "听说理赔很难，拒赔的多", "bad_claims"),
    ("zh-Hans", "他说网上买更便宜", "buy_online"),
    ("zh-Hant", "客戶話太貴，負擔唔起", "too_expensive"),
    ("zh-Hant", "佢話冇錢，剛買房", "no_money_now"),
    ("zh-Hant", "她說要同屋企人商量", "ask_spouse"),
    ("zh-Hant", "客戶覺得自己身體好，唔需要", "no_need"),
    ("zh-Hant", "他怕我做不長，之後沒人管", "trust_agent"),
    ("en", "Client says it's too expensive for them", "too_expensive"),
    ("en", "She doesn't need it, she's healthy", "no_need"),
    ("en", "He already has insurance through work", "have_insurance"),
    ("en", "Needs to talk to my wife first", "ask_spouse"),
    ("en", "Thinks insurance is a scam", "scam"),
    ("en", "Said maybe next year, no rush", "later"),
    ("en", "He's worried claims are hard and they never pay", "bad_claims"),
])
def test_best_match(library: ScriptLibrary, locale: str, text: str, expected: str) -> None:
    found = match_objection(text, library, locale)
    assert found and found[0].id == expected, [o.id for o in found]


def test_several_objections_ranked(library: ScriptLibrary) -> None:
    found = [o.id for o in match_objection("太贵了，而且要和老婆商量", library, "zh-Hans")]
    assert set(found[:2]) == {"too_expensive", "ask_spouse"}


def test_english_matches_whole_words(library: ScriptLibrary) -> None:
    assert match_objection("Let's consider the contract", library, "en") == []


def test_no_match(library: ScriptLibrary) -> None:
    assert match_objection("今天天气不错", library, "zh-Hans") == []


def test_every_response_is_a_question_back(library: ScriptLibrary) -> None:
    for locale in ("zh-Hans", "zh-Hant", "en"):
        for objection in library.get(locale).objections.values():
            for response in objection.responses:
                assert "?" in response.say or "？" in response.say
