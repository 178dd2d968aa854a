"""The callback wire format: readable action names in code, short codes on the wire."""

from __future__ import annotations

import pytest

from coachbot.render.buttons import ALL, CARD, CLIENT_LIST, ITEMS, ButtonSet, open_card


def test_data_spells_prefix_code_and_arguments():
    assert CARD.data("open", 42) == "cl:o:42"
    assert open_card(42, new=True) == "cl:o:42:new"
    assert CARD.data("set_stage", 7, "A") == "cl:ss:7:A"


def test_parse_gives_back_the_action_name_and_arguments():
    assert CARD.parse("cl:ss:7:A") == ("set_stage", ["7", "A"])
    assert CARD.parse("cl:zz:7") is None  # an unknown code
    assert CARD.parse("rc:fam:7") is None  # another set's data
    assert CARD.parse("cl") is None


def test_a_fallback_takes_data_whose_first_field_is_itself_data():
    assert CLIENT_LIST.data("page", "gA", 2) == "ls:gA:2"
    assert CLIENT_LIST.parse("ls:gA:2") == ("page", ["gA", "2"])
    assert CLIENT_LIST.parse("ls:menu") == ("filters", [])


@pytest.mark.parametrize("forged", ["²", "٣", "１２", str(2**63), "9" * 30])
def test_numbers_that_are_no_ids_come_back_blank(forged):
    assert CARD.parse(f"cl:o:{forged}") == ("open", [""])
    assert CARD.parse(f"cl:o:{2**63 - 1}") == ("open", [str(2**63 - 1)])


def test_data_longer_than_telegram_allows_is_refused():
    ref = "x" * 60
    assert not ITEMS.fits("entry", "h", "-", "20261123", ref)
    with pytest.raises(ValueError, match="64 bytes"):
        ITEMS.data("entry", "h", "-", "20261123", ref)


def test_an_action_name_of_no_set_is_a_programming_error():
    with pytest.raises(KeyError):
        CARD.data("opne", 1)


def test_codes_are_unique_within_a_set_and_prefixes_across_sets():
    with pytest.raises(ValueError, match="share a code"):
        ButtonSet("zz", one="a", two="a")
    prefixes = [s.prefix for s in ALL]
    assert len(prefixes) == len(set(prefixes))
