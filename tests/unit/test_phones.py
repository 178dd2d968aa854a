"""Phone numbers as agents type them, stored as E.164."""

import pytest

from coachbot.domain.phones import find_phones, format_phone, normalize_phone, phone_digits


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("13800138000", "CN", "+8613800138000"),
        ("+86 138-0013-8000", "CN", "+8613800138000"),
        ("+86 138-0013-8000", "SG", "+8613800138000"),
        ("138 0013 8000", "CN", "+8613800138000"),
        ("１３８００１３８０００", "CN", "+8613800138000"),  # full-width digits
        ("＋８６ １３８００１３８０００", "HK", "+8613800138000"),
        ("0086 13800138000", "CN", "+8613800138000"),
        ("008613800138000", "HK", "+8613800138000"),
        ("021-6123 4567", "CN", "+862161234567"),  # Shanghai landline
        ("(852) 9123 4567", "HK", "+85291234567"),
        ("(852) 9123 4567", "CN", "+85291234567"),  # country code typed without "+"
        ("852 6123 4567", "HK", "+85261234567"),
        ("9123 4567", "HK", "+85291234567"),
        ("91234567", "SG", "+6591234567"),
        ("+65 9123 4567", "CN", "+6591234567"),
        ("0912 345 678", "TW", "+886912345678"),
        ("0912-345-678", "TW", "+886912345678"),
        ("02 2345 6789", "TW", "+886223456789"),
        ("012-345 6789", "MY", "+60123456789"),
        ("+60 12-345 6789", "MY", "+60123456789"),
        ("13800138000", "HK", "+8613800138000"),  # a mainland mobile in a HK agent's book
        ("13800138000", "TW", "+8613800138000"),
        ("0912 345 678", "HK", "+886912345678"),  # a Taiwan mobile with its trunk 0
        ("012-345 6789", "SG", "+60123456789"),
        ("+1 650 253 0000", "XX", "+16502530000"),
        ("138 0013 8000 ext 12", "CN", "+8613800138000"),
    ],
)
def test_valid_numbers_become_e164(typed, region, e164):
    assert normalize_phone(typed, region) == e164


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("1380013800", "CN"),  # one digit short
        ("138001380001", "CN"),  # one too many
        ("12345", "CN"),
        ("91234567", "CN"),  # valid in both HK and SG: which one is not ours to guess
        ("6502530000", "XX"),  # no region and no "+"
        ("abc", "CN"),
        ("", "CN"),
        ("+999 1234 5678", "CN"),
        ("19850302", "CN"),
        ("21230515", "SG"),  # a Singapore-length typo is not silently a Hong Kong landline
    ],
)
def test_invalid_numbers_are_none(typed, region):
    assert normalize_phone(typed, region) is None


def test_digits_for_search():
    assert phone_digits("+8613800138000") == "8613800138000"
    assert phone_digits("+85291234567") == "85291234567"


@pytest.mark.parametrize(
    ("e164", "region", "shown"),
    [
        ("+8613800138000", "CN", "138 0013 8000"),
        ("+8613800138000", "HK", "+86 138 0013 8000"),
        ("+85291234567", "HK", "9123 4567"),
        ("+85291234567", "CN", "+852 9123 4567"),
        ("+886912345678", "TW", "0912 345 678"),
        ("+6591234567", "SG", "9123 4567"),
        ("+60123456789", "MY", "012-345 6789"),
        ("+60123456789", "SG", "+60 12-345 6789"),
    ],
)
def test_national_format_at_home_international_abroad(e164, region, shown):
    assert format_phone(e164, region) == shown


def test_format_leaves_garbage_as_it_is():
    assert format_phone("not a number", "CN") == "not a number"


def test_find_phones_in_free_text():
    found = find_phones("陈大文 (852) 6123 4567 备用 1380013800", "CN")
    assert [(p.e164, p.start, p.end) for p in found] == [
        ("+85261234567", 4, 19), (None, 23, 33)]
    assert find_phones("no number here", "SG") == []
