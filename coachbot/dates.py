"""Dates and times as agents type them: birthdays, one-off reminder times, follow-up days.

dateparser was evaluated for this (see tests/unit/test_dates.py): it handles whole English
phrases well but misses most Chinese relative phrases (后天上午10点, 下周五, 半小时后, 月底),
reads "Friday at 10" and "12月1日" wrongly, finds false dates in free text ("Sun Li", "call
April") and cannot say whether a time was given. So the phrases agents actually type are read
by the small tables below, and dateparser is only a fallback for a whole answer in a wording
the tables don't know ("a fortnight from now"), never a search inside free text.

Day/month order of numeric dates (document of record):
- year first ("1985-03-02", "1985/3/2", "1985.3.2", "19850302", "1985年3月2日"): Y M D.
- year last ("2/3/1985"): day first (HK/SG/MY and British habit) unless day_first=False.
- no year: "03-02" (dash) is ISO's --MM-DD, month first; "3/2" and "3.2" are month first
  (Chinese habit) unless day_first=True. Lunar dates are always month first.
- when only the other order is a valid date ("13/5", "5/13/1985"), the other order is taken.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, TypeVar

import cn2an
from dateparser.date import DateDataParser

from coachbot.calendar import YearlyDate, lunar_to_solar, next_occurrence

MIN_YEAR, MAX_YEAR = 1900, 2100
DEFAULT_TIME = time(9, 0)

# --- words and numbers -----------------------------------------------------------------------

_LUNAR = r"(?P<lunar>(?:农历|農曆|农曆|農历|阴历|陰曆|陰历|旧历|舊曆|舊历|lunar)\s*)?"
_CN_DIGITS = "〇零一二两兩三四五六七八九十廿卅"
_LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12, "臘": 12}
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_NAMES = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
                r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
                r"(?![a-z])\.?")
_EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
               "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12}


def normalize(text: str) -> str:
    """NFKC (full-width digits and colons to ASCII) and trimmed; spans of find_* index this."""
    return unicodedata.normalize("NFKC", text).strip()


def _number(text: str) -> int | None:
    """An integer written in digits, Chinese numerals (cn2an) or small English words."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    if text in _EN_NUMBERS:
        return _EN_NUMBERS[text]
    try:
        value = cn2an.cn2an(text.replace("卅", "三十"), "smart")
    except (ValueError, KeyError, TypeError):
        return None
    return int(value) if float(value).is_integer() else None


# --- yearly dates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DateMatch:
    """A date-like span of normalize(text); value is None when it is not a real date."""

    value: YearlyDate | None
    start: int
    end: int


def _yearly(year: int | None, month: int | None, day: int | None, lunar: bool = False,
            leap: bool = False) -> YearlyDate | None:
    if month is None or day is None:
        return None
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return YearlyDate(month, day, lunar=lunar, leap=leap, year=year)
    except ValueError:
        return None


def _either_order(year: int | None, first: int, second: int, day_first: bool,
                  lunar: bool = False) -> YearlyDate | None:
    """The date in the preferred order, else in the other one if only that one is valid."""
    preferred = (second, first) if day_first else (first, second)
    found = _yearly(year, *preferred, lunar=lunar)
    if found is None and not lunar:
        found = _yearly(year, *reversed(preferred))
    return found


def _cjk(m: re.Match[str], day_first: bool | None) -> YearlyDate | None:
    month_text, day_text = m["m"], m["d"]
    month = _LUNAR_MONTHS.get(month_text) or _number(month_text)
    day = _number(day_text.removeprefix("初"))
    # 初X days, 廿X days, 正/冬/腊 months and 闰 are lunar vocabulary even without 农历.
    lunar = bool(m["lunar"] or m["leap"] or day_text[0] in "初廿卅"
                 or month_text in _LUNAR_MONTHS)
    year = _number(m["y"]) if m["y"] else None
    return _yearly(year, month, day, lunar=lunar, leap=bool(m["leap"]))


def _year_first(m: re.Match[str], day_first: bool | None) -> YearlyDate | None:
    return _yearly(int(m["y"]), int(m["m"]), int(m["d"]), lunar=bool(m["lunar"]))


def _year_last(m: re.Match[str], day_first: bool | None) -> YearlyDate | None:
    return _either_order(int(m["y"]), int(m["a"]), int(m["b"]), day_first is not False)


def _two_part(m: re.Match[str], day_first: bool | None) -> YearlyDate | None:
    lunar = bool(m["lunar"])
    prefer_day = bool(day_first) and m["sep"] != "-" and not lunar
    return _either_order(None, int(m["a"]), int(m["b"]), prefer_day, lunar=lunar)


def _month_name(m: re.Match[str], day_first: bool | None) -> YearlyDate | None:
    year = int(m["y"]) if m["y"] else None
    return _yearly(year, _MONTHS[m["mon"][:3].lower()], int(m["d"]), lunar=bool(m["lunar"]))


_CJK_NUM = f"[{_CN_DIGITS}]"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_PATTERNS: tuple[tuple[str, Callable[[re.Match[str], bool | None], YearlyDate | None]],
                      ...] = (
    (_LUNAR + r"(?:(?P<y>\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*)?(?P<leap>[闰閏]\s*)?"
     r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九正冬腊臘])\s*月份?\s*"
     r"(?P<d>初十|初[一二三四五六七八九]|3[01]|[12]\d|0?[1-9](?!\d)|[二三]?十[一二三四五六七八九]?"
     r"|廿[一二三四五六七八九]?|卅|[一二三四五六七八九])\s*(?:日|号|號)?", _cjk),
    (_LUNAR + r"(?<!\d)(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)",
     _year_first),
    (_LUNAR + r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\d)",
     _year_first),
    (r"(?<!\d)(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)", _year_last),
    (_LUNAR + r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[-/])(?P<b>\d{1,2})(?![\d]|[-/.]\d)",
     _two_part),
    (_LUNAR + r"(?<![\w.])(?P<d>\d{1,2})" + _ORDINAL + r"\s*(?:of\s+)?" + _MONTH_NAMES
     + r"(?:,?\s*(?P<y>\d{4}))?(?!\d)", _month_name),
    (_LUNAR + r"(?<![\w])" + _MONTH_NAMES + r"\s*(?P<d>\d{1,2})" + _ORDINAL
     + r"(?![\d:]|[a-z])(?:,?\s*(?P<y>\d{4})(?!\d))?", _month_name),
)
_COMPILED_DATES = tuple((re.compile(p, re.IGNORECASE), f) for p, f in _DATE_PATTERNS)
# A whole answer may also use a dot between month and day ("3.2"); in free text that is a number.
_DOTTED = (re.compile(_LUNAR + r"(?P<a>\d{1,2})(?P<sep>\.)(?P<b>\d{1,2})", re.IGNORECASE),
           _two_part)


def parse_yearly_date(text: str, *, day_first: bool | None = None) -> YearlyDate | None:
    """A birthday or anniversary typed as a whole ("1985-03-02", "农历八月十五", "March 2")."""
    cleaned = normalize(text).rstrip("。.")
    for pattern, build in (*_COMPILED_DATES, _DOTTED):
        m = pattern.fullmatch(cleaned)
        if m is not None:
            return build(m, day_first)
    return None


def find_yearly_dates(text: str, *, day_first: bool | None = None) -> list[DateMatch]:
    """Every date-like span in free text, leftmost-longest, valid or not (value None)."""
    hits = []
    cleaned = normalize(text)
    for pattern, build in _COMPILED_DATES:
        for m in pattern.finditer(cleaned):
            hits.append(DateMatch(build(m, day_first), m.start(), m.end()))
    return _non_overlapping(hits)


class _Span(Protocol):
    start: int
    end: int


_S = TypeVar("_S", bound=_Span)


def _non_overlapping(hits: list[_S]) -> list[_S]:
    """Leftmost first, then longest; later hits overlapping a chosen one are dropped."""
    chosen: list[_S] = []
    for hit in sorted(hits, key=lambda h: (h.start, h.start - h.end)):
        if not chosen or hit.start >= chosen[-1].end:
            chosen.append(hit)
    return chosen


# --- one-off times ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WhenParse:
    """When a reminder is due (aware, in now's zone) and what it is about."""

    at: datetime
    rest: str
    has_time: bool


