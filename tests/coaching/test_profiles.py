"""Profile inference follows the documented rules, first match wins."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachbot.domain.coaching import ClientFacts, infer_profile
from coachbot.scripts.nodes import parse_document
from coachbot.scripts.schema import PROFILE_IDS


@pytest.mark.parametrize(("facts", "profile"), [
    (ClientFacts(is_group=True, occupation="老板"), "group_corporate"),
    (ClientFacts(channel="car_dealer", age=40), "car_dealer"),
    (ClientFacts(tier="hnw", age=30), "high_net_worth"),
    (ClientFacts(annual_premium_total=250_000), "high_net_worth"),
    (ClientFacts(income_band="very_high", age=45), "high_net_worth"),
    (ClientFacts(occupation="外贸公司老板", age=46, children_ages=[12]), "business_owner"),
    (ClientFacts(occupation="Co-founder of a logistics firm"), "business_owner"),
    (ClientFacts(occupation="個體戶", age=58), "business_owner"),
    (ClientFacts(age=57, children_ages=[16]), "pre_retiree"),
    (ClientFacts(age=38, has_spouse=True, children_ages=[3, 6]), "young_family"),
    (ClientFacts(age=52, children_ages=[14]), "young_family"),
    (ClientFacts(age=51), "pre_retiree"),
    (ClientFacts(age=45, children_ages=[19, 22]), "pre_retiree"),
    (ClientFacts(age=29, has_spouse=True), "young_family"),
    (ClientFacts(age=26, occupation="程序员"), "young_single"),
    (ClientFacts(), "young_single"),
])
def test_rules(facts: ClientFacts, profile: str) -> None:
    assert infer_profile(facts) == profile


@given(
    age=st.none() | st.integers(0, 110),
    occupation=st.none() | st.text(max_size=20),
    has_spouse=st.booleans(),
    children=st.lists(st.integers(0, 60), max_size=4),
    is_group=st.booleans(),
    channel=st.sampled_from([None, "car_dealer", "bank"]),
    premium=st.floats(0, 5_000_000),
    tier=st.sampled_from([None, "regular", "vip", "hnw"]),
)
def test_always_a_known_profile(
    age: int | None, occupation: str | None, has_spouse: bool, children: list[int],
    is_group: bool, channel: str | None, premium: float, tier: str | None,
) -> None:
    facts = ClientFacts(age=age, occupation=occupation, has_spouse=has_spouse,
                        children_ages=children, is_group=is_group, channel=channel,
                        annual_premium_total=premium, tier=tier)
    assert infer_profile(facts) in PROFILE_IDS


def test_facts_round_trip() -> None:
    facts = ClientFacts(age=40, has_spouse=True, children_ages=[5], policy_products=["medical"],
                        stage="B")
    assert ClientFacts.from_dict(facts.to_dict()) == facts


def test_yaml_booleans_are_only_true_and_false() -> None:
    doc = parse_document("a: yes\nb: true\nN: no\n", "x.yaml")
    assert doc.data == {"a": "yes", "b": True, "N": "no"}
    assert doc.line(("N",)) == 3
