"""Checking what agents type for their preferences."""

import pytest

from coachbot.domain.locales import locale_from_language_code
from coachbot.domain.preferences import (
    choice_for_typed,
    parse_clock_time,
    place_for_region,
    place_for_zone_text,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("8:30", "08:30"), ("0830", "08:30"), ("8点半", "08:30"), ("早上7点", "07:00"),
     ("下午6点", "18:00"), ("7pm", "19:00"), ("12am", "00:00"), ("８：１５", "08:15"),
     ("21:05", "21:05"), ("7.30", "07:30"), ("25:00", None), ("8:75", None), ("abc", None),
     ("", None), ("<b>8</b>", None)],
)
def test_clock_times(typed, expected):
    assert parse_clock_time(typed) == expected


def test_regions_map_to_their_zones():
    assert place_for_region("HK").timezone == "Asia/Hong_Kong"
    assert place_for_region("MY").timezone == "Asia/Kuala_Lumpur"
    assert place_for_region("XX") is None
    assert place_for_region("nope") is None


def test_typed_zones_are_normalised_and_mapped_to_a_region():
    assert place_for_zone_text("europe/london").timezone == "Europe/London"
    assert place_for_zone_text("europe/london").region == "XX"
    assert place_for_zone_text("Asia/Taipei").region == "TW"
    assert place_for_zone_text("Mars/Olympus") is None
    assert place_for_zone_text("x" * 500) is None


@pytest.mark.parametrize(
    ("code", "locale"),
    [(None, "zh-Hans"), ("zh-hans", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh", "zh-Hans"),
     ("zh-hant", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh-tw", "zh-Hant"), ("en", "en"),
     ("en-GB", "en"), ("ms", "zh-Hans")],
)
def test_locale_from_telegram_language_code(code, locale):
    assert locale_from_language_code(code) == locale


REGION_CAPTIONS = {"CN": ["中国内地", "中國內地", "Mainland China"],
                   "HK": ["中国香港", "香港", "Hong Kong"], "TW": ["中国台湾", "台灣", "Taiwan"],
                   "SG": ["新加坡", "新加坡", "Singapore"],
                   "XX": ["其他地区", "其他地區", "Somewhere else"]}


@pytest.mark.parametrize(("typed", "value"), [
    ("新加坡", "SG"), (" singapore ", "SG"), ("✓ 中国香港", "HK"), ("香港", "HK"),
    ("hong kong", "HK"), ("内地", "CN"), ("台灣", "TW"), ("其他", "XX"),
    ("中國", None), ("港", None), ("", None), ("🙂", None), ("上海", None), ("台湾", "TW"),
])
def test_a_typed_choice_is_taken_only_when_one_caption_fits(typed: str, value: str | None) -> None:
    assert choice_for_typed(typed, REGION_CAPTIONS) == value


def test_a_language_typed_in_the_other_script_is_found() -> None:
    languages = {"zh-Hans": ["简体中文"], "zh-Hant": ["繁體中文"], "en": ["English"]}
    assert choice_for_typed("繁体", languages) == "zh-Hant"
    assert choice_for_typed("簡體", languages) == "zh-Hans"
    assert choice_for_typed("中文", languages) is None
