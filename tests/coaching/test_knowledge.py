"""What the coach knows: facts merged by the documented rules; ClientFacts and the client type."""

from __future__ import annotations

from datetime import date

import pytest

from coachbot.domain.coaching.extract import as_values, extract
from coachbot.domain.coaching.facts import ClientFacts, with_knowledge
from coachbot.domain.coaching.knowledge import (
    CONFIRMED,
    REMOVED,
    Fact,
    know,
    value_from_json,
    value_to_json,
)
from coachbot.domain.coaching.numbers import cn_int, find_amounts
from coachbot.domain.coaching.profiles import decide_profile

MAR, APR, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def test_the_agents_word_wins_then_the_newest_source() -> None:
    facts = [Fact("children", 2, "note", "notes", MAR), Fact("children", 3, "visit", "c:1", APR),
             Fact("spouse", True, "note", "notes", MAR)]
    known = know(facts)
    assert known.value("children") == 3 and "children" in known.conflicts
    known = know([*facts, Fact("children", 2, "agent", "", MAR)])
    assert known.value("children") == 2 and "children" not in known.conflicts
    known = know([Fact("children", 2, "note", "notes", MAR, status=CONFIRMED),
                  Fact("children", 3, "visit", "c:1", MAY)])
    assert known.value("children") == 2  # a confirmed fact beats a newer extracted one


def test_same_day_spin_beats_a_contact_beats_a_note_and_removed_is_ignored() -> None:
    known = know([Fact("spouse", False, "note", "notes", MAR),
                  Fact("spouse", True, "visit", "c:1", MAR),
                  Fact("spouse", False, "spin", "s:1:0", MAR)])
    assert known.value("spouse") is False
    known = know([Fact("age", 40, "note", "notes", MAR, status=REMOVED)])
    assert not known.known("age") and len(known) == 0


def test_set_facts_are_the_union_of_their_sources() -> None:
    known = know([Fact("health_event", frozenset({("father", "stroke")}), "note", "n", MAR),
                  Fact("health_event", frozenset({("mother", "cancer")}), "visit", "c", APR),
                  Fact("existing_cover", frozenset({"social_only"}), "note", "n", MAR),
                  Fact("existing_cover", frozenset({"medical"}), "visit", "c", APR)])
    assert known.value("health_event") == {("father", "stroke"), ("mother", "cancer")}
    assert known.value("existing_cover") == {"medical"}  # a policy besides social insurance
    assert not known.conflicts


@pytest.mark.parametrize(("key", "value"), [
    ("health_event", frozenset({("father", "stroke")})), ("child_stage", frozenset({"baby"})),
    ("children_ages", (5, 2)), ("existing_cover", frozenset()), ("spouse", True),
    ("mortgage_monthly", 15000), ("industry", "garment"),
])
def test_values_round_trip_through_json(key: str, value: object) -> None:
    assert value_from_json(key, value_to_json(key, value)) == value


def facts_from(text: str, **base: object) -> ClientFacts:
    found = extract(text)
    known = know([Fact(k, f.value, "note", "notes", MAR) for k, f in found.items()])
    return with_knowledge(ClientFacts(**base), known)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "profile", "reason"), [
    ("老婆全职带两个孩子，房贷每月1.5万", "young_family", "children"),
    ("做服装生意 女儿上初中", "business_owner", "owner"),
    ("还没结婚，在医院当护士，月薪一万二左右", "young_single", "single"),
    ("今年45，再过十年退休，公务员", "pre_retiree", "retiring"),
    ("有三套房，一套自住两套出租", "high_net_worth", "wealth"),
    ("Married no kids yet, both working in banks", "young_family", "spouse"),
    ("約咗佢下星期三飲茶再傾", "young_single", "thin"),
    ("", "young_single", "thin"),
])
def test_the_client_type_follows_the_facts(text: str, profile: str, reason: str) -> None:
    decision = decide_profile(facts_from(text))
    assert (decision.profile, decision.reason, decision.sure) == (profile, reason,
                                                                  reason != "thin")


def test_disagreeing_sources_make_the_type_a_question_until_the_agent_answers() -> None:
    facts = [Fact("spouse", False, "note", "notes", MAR), Fact("spouse", True, "visit", "c", APR)]
    decision = decide_profile(with_knowledge(ClientFacts(), know(facts)))
    assert decision.ask and decision.reason == "conflict"
    picked = [*facts, Fact("profile", "young_single", "agent", "", MAY)]
    decision = decide_profile(with_knowledge(ClientFacts(), know(picked)))
    assert (decision.profile, decision.reason, decision.ask) == ("young_single", "agent", False)


def test_facts_feed_what_the_scripts_read() -> None:
    facts = facts_from("老婆全职带两个孩子，大的五岁小的两岁，房贷每月1.5万，只有社保", age=41)
    assert facts.has_spouse and facts.spouse_known and facts.spouse_works is False
    assert facts.children_ages == [5, 2] and facts.has_minor_children
    assert facts.mortgage and facts.earns_alone and not facts.has_policies
    assert "mortgage_monthly" in facts.known
    stage_only = facts_from("女儿在澳洲读大学，儿子刚上幼儿园")
    assert sorted(stage_only.children_ages) == [4, 20]
    covered = facts_from("公司给买了团险，自己另外买了百万医疗和一份意外险")
    assert covered.policy_products == ["accident", "group_life", "group_medical", "medical"]


@pytest.mark.parametrize(("text", "expected"), [
    ("两个孩子…老婆没上班", {"children": 2, "spouse": True, "spouse_works": False}),
    ("万一我倒下了，房贷有人还…", {"mortgage": True}),
    ("他爸去年中风住院", {"health_event": {("father", "stroke")}}),
    ("他朋友的爸爸得了肺癌", {}),
    ("老公做物流的，开了两家公司", {"spouse": True, "spouse_works": True}),
    ("Divorced, son stays with ex-wife", {"spouse": False, "children": 1}),
])
def test_extraction_attributes_facts_to_the_right_person(text: str,
                                                         expected: dict[str, object]) -> None:
    assert as_values(extract(text)) == expected


# A SPIN answer is the client's own words: "我" is the client. A feared or supposed illness
# ("if I fall sick, who pays the mortgage") is what the cover is for, never a health event.
@pytest.mark.parametrize("answer", [
    "我万一病倒了，房贷谁来还",
    "最怕我万一病倒了，房贷和孩子上学都没着落",
    "要是我倒下了，老婆孩子怎么办",
    "如果我哪天生了一场大病，这个家就散了",
    "一旦我住院，店里就没人看了",
    "万一，我是说万一我中风了，谁照顾我妈",
    "萬一我病咗，層樓邊個供",
    "萬一我病倒咗，屋企點算",
    "要是我哪天得了癌症，家裡就垮了",
    "If I fall sick, who pays the mortgage?",
    "What if I get cancer and can't work for a year",
    "If, God forbid, I have a stroke, my wife can't cover the loan",
    "In case I end up in hospital for months, the shop closes",
])
def test_a_supposed_illness_in_a_spin_answer_is_no_health_event(answer: str) -> None:
    assert "health_event" not in extract(answer, first_person=True)


@pytest.mark.parametrize(("answer", "events"), [
    ("我爸前年中风，现在还要人照顾", {("father", "stroke")}),
    ("我自己去年做过手术", {("self", "surgery")}),
    ("如果不是我爸前年中风，我也不会想到买保险", {("father", "stroke")}),
    ("要不是我妈得过癌症，我根本不会考虑", {("mother", "cancer")}),
    ("我老豆前年中風，而家要人照顧", {("father", "stroke")}),
    ("萬一我病倒咗點算？我阿媽上年做咗手術", {("mother", "surgery")}),
    ("My dad had a stroke last year", {("father", "stroke")}),
    ("If it weren't for my mum's cancer I wouldn't be asking", {("mother", "cancer")}),
    ("If I fall sick the mortgage stops. My father has diabetes", {("father", "chronic")}),
])
def test_a_real_illness_in_the_family_is_still_read(answer: str,
                                                     events: set[tuple[str, str]]) -> None:
    assert extract(answer, first_person=True)["health_event"].value == events


def test_a_supposed_illness_in_an_agents_note_is_no_event_either() -> None:
    assert "health_event" not in extract("他说万一自己病倒了，房贷没人还")
    assert "health_event" not in extract("Worried that if he falls ill the family has nothing")
    assert extract("他爸去年中风住院")["health_event"].value == {("father", "stroke")}


@pytest.mark.parametrize(("text", "value"), [
    ("1.5万", 15000), ("1w2", 12000), ("萬二", 12000), ("八千五", 8500), ("两万三", 23000),
    ("3.5k", 3500), ("S$4,200", 4200), ("RM5.5k", 5500), ("一万零五", 10005),
])
def test_colloquial_amounts(text: str, value: int) -> None:
    assert [v for v, _, _ in find_amounts(text)] == [value]


@pytest.mark.parametrize("text", ["四五十号人", "十几个", "两百多万", "几十万", "20-30k"])
def test_ranges_and_vague_amounts_are_not_read(text: str) -> None:
    assert find_amounts(text) == []


def test_chinese_numerals() -> None:
    assert (cn_int("三十五"), cn_int("廿"), cn_int("十二"), cn_int("两三")) == (35, 20, 12, None)
