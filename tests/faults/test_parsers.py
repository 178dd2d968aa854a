"""Property tests of the pure parsers: whatever an agent types, they never raise, and what
they return is well formed (E.164 phones, real dates, HH:MM clocks, balanced HTML parts
within Telegram's limit)."""

from __future__ import annotations

import html
import math
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachbot.domain.calendar import YearlyDate
from coachbot.domain.dates import parse_day, parse_when, parse_yearly_date
from coachbot.domain.phones import normalize_phone
from coachbot.domain.preferences import parse_clock_time
from coachbot.domain.quickadd import (
    BAD_DATE,
    BAD_PHONE,
    NO_NAME,
    UNSURE_NAME,
    UNSURE_PHONE,
    parse_quick_add,
)
from coachbot.render.templates import split_message, utf16_len
from coachbot.sandbox.html import parse_html
from coachbot.services.book import MAX_AMOUNT, parse_amount
from tests.conftest import LONG
from tests.faults.inputs import ANY_CHAR, DATEISH, TEXT, WORDS

EXAMPLES = 3000 if LONG else 300
fuzz = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not LONG,
                suppress_health_check=list(HealthCheck))
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REGIONS = st.sampled_from(["CN", "HK", "TW", "SG", "MY", "XX"])
E164 = re.compile(r"^\+[1-9]\d{5,14}$")
# what agents type into these fields: words the parsers know, glued to random pieces
TYPED = TEXT | st.lists(st.sampled_from(DATEISH) | st.integers(-5, 10**9).map(str),
                        min_size=1, max_size=8).map("".join)


def same_yearly_date(value: YearlyDate) -> bool:
    return YearlyDate.from_storage(value.to_storage()) == value


@fuzz
@given(TYPED, REGIONS)
def test_quick_add_reads_any_line_into_well_formed_fields(line, region):
    parsed = parse_quick_add(line, region, TODAY)
    assert parsed.name is None or (parsed.name == parsed.name.strip() and parsed.name)
    assert parsed.phone is None or E164.match(parsed.phone)
    assert parsed.birthday is None or same_yearly_date(parsed.birthday)
    assert parsed.gender in (None, "m", "f")
    assert set(parsed.problems) <= {BAD_PHONE, BAD_DATE, NO_NAME, UNSURE_NAME, UNSURE_PHONE}
    assert (parsed.name is None) == bool({NO_NAME, UNSURE_NAME} & set(parsed.problems))


@fuzz
@given(TYPED, st.sampled_from(["zh-Hans", "zh-Hant", "en"]), st.booleans() | st.none())
def test_when_is_an_aware_time_in_the_agents_zone(text, locale, day_first):
    when = parse_when(text, NOW, locale, day_first=day_first)
    if when is not None:
        assert when.at.utcoffset() == NOW.utcoffset()
        assert isinstance(when.rest, str) and isinstance(when.has_time, bool)


@fuzz
@given(TYPED, st.booleans() | st.none())
def test_a_yearly_date_is_a_real_date(text, day_first):
    value = parse_yearly_date(text, day_first=day_first)
    assert value is None or same_yearly_date(value)


@fuzz
@given(TYPED)
def test_a_day_is_a_date(text):
    value = parse_day(text, TODAY)
    assert value is None or isinstance(value, date)


@fuzz
@given(TYPED, REGIONS)
def test_a_phone_is_e164_and_normalizing_it_again_changes_nothing(text, region):
    phone = normalize_phone(text, region)
    if phone is not None:
        assert E164.match(phone)
        assert normalize_phone(phone, region) == phone


@fuzz
@given(TYPED | st.floats(allow_nan=True, allow_infinity=True).map(str))
def test_an_amount_is_finite_non_negative_and_bounded(text):
    amount = parse_amount(text)
    if amount is not None:
        assert math.isfinite(amount) and 0 <= amount <= MAX_AMOUNT
        assert math.copysign(1, amount) == 1  # never "-0", shown as "-¥0.00"


@fuzz
@given(TYPED | WORDS)
def test_a_clock_time_is_hh_mm_and_reads_back_the_same(text):
    clock = parse_clock_time(text)
    if clock is not None:
        assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", clock)
        assert parse_clock_time(clock) == clock


# -- split_message: the HTML our templates produce, cut under Telegram's limit ----------------
ESCAPED = st.text(ANY_CHAR.filter(lambda c: c != "\r"), min_size=1, max_size=3000).map(
    lambda s: html.escape(s, quote=False))
TAGS = ["b", "i", "u", "s", "code", "tg-spoiler", "blockquote", "a"]


def _wrap(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def tag(pair: tuple[str, list[str]]) -> str:
        name, inner = pair
        opening = '<a href="https://example.com/?a=1&amp;b=2">' if name == "a" else f"<{name}>"
        return opening + "".join(inner) + f"</{name}>"

    return st.tuples(st.sampled_from(TAGS), st.lists(children, min_size=1, max_size=3)).map(tag)


HTML = st.lists(st.recursive(ESCAPED | st.just("\n"), _wrap, max_leaves=12),
                min_size=1, max_size=12).map("".join)


@fuzz
@given(HTML, st.sampled_from([1000, 4096]))
def test_split_parts_fit_telegram_are_valid_html_and_keep_the_text(text, limit):
    parts = split_message(text, limit)
    for part in parts:
        assert utf16_len(part) <= limit
        parse_html(part)  # balanced tags, whole entities: Telegram accepts it
    rebuilt = "".join(parse_html(part).text for part in parts)
    assert re.sub(r"\s", "", rebuilt) == re.sub(r"\s", "", parse_html(text).text)


def test_split_counts_emoji_as_telegram_does():
    """A long line of emoji (2 UTF-16 units each) used to give parts over 4096."""
    for text in ("<b>" + "😀" * 5000 + "</b>", "😀a" * 3000, "&amp;" * 2000):
        assert all(utf16_len(part) <= 4096 for part in split_message(text))
