"""Dates and times as agents type them: birthdays, one-off reminder times, follow-up days.

dateparser was evaluated for this: it handles whole English phrases well but misses most
Chinese relative phrases (后天上午10点, 下周五, 半小时后, 月底), reads "Friday at 10" and
"12月1日" wrongly, finds false dates in free text ("Sun Li", "call April") and cannot say
whether a time was given. So the phrases agents actually type are read by the small tables
below, and dateparser is only a fallback for a whole answer in a wording the tables don't
know ("a fortnight from now"), never a search inside free text.

A clock hour without am/pm or a part of the day ("3点", "at 3") from 1 to 6 is afternoon:
agents book client meetings, not 3 a.m. calls ("03:00" is taken literally). Parts of the day
alone give a time too: 上午/morning 09:00, 中午/noon 12:00, 下午/afternoon 14:00, 晚上 20:00.
"下周五"/"next Friday" is Friday of next week (weeks start on Monday); a bare "周五"/"Friday"
is the next Friday from today (a week on if it is today and the time has passed). A time
already past today with no day named is tomorrow; a day without a time is 09:00 (has_time
False), which for "今天"/"today" may already be past: such a reminder is simply due now.

Day/month order of numeric dates (document of record):
- year first ("1985-03-02", "1985/3/2", "1985.3.2", "19850302", "1985年3月2日"): Y M D.
- year last ("2/3/1985"): day first (HK/SG/MY and British habit) unless day_first=False.
- no year: "03-02" (dash) is ISO's --MM-DD, month first; "3/2" and "3.2" are month first
  (Chinese habit) unless day_first=True. Lunar dates are always month first.
- when only the other order is a valid date ("13/5", "5/13/1985"), the other order is taken.

A date that is not quite right is refused, never read as a neighbouring one. Month and day
numbers are read whole ("十三月" is month 13, not 三月 with "十" left over; "十月四十日" is day
40) and only in their usual spellings (一..十二, 初一..初十, 十一..三十, 廿X, 卅; "一二月" is no
month). A leap month without a year must be one that occurs (闰二月..闰十一月 between 1900 and
2100: no 闰正月 or 闰腊月); with a year, that year must have it. Such a span is found with the
value None, so quick add reports a bad date; a reminder time containing one is not understood
(rather than set on another day).
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol, TypeVar

import cn2an
from dateparser.date import DateDataParser

from coachbot.domain.calendar import YearlyDate, next_occurrence

MIN_YEAR, MAX_YEAR = 1900, 2100
DEFAULT_TIME = time(9, 0)

# --- words and numbers -----------------------------------------------------------------------

_LUNAR = r"(?P<lunar>(?:农历|農曆|农曆|農历|阴历|陰曆|陰历|旧历|舊曆|舊历|lunar)\s*)?"
_CN_DIGITS = "〇零一二两兩三四五六七八九十廿卅"
_LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12, "臘": 12}
# Leap months that occur at all between MIN_YEAR and MAX_YEAR (lunar-python): a yearless
# "闰正月" or "闰腊月" names no date anyone was born on.
_LEAP_MONTHS = frozenset(range(2, 12))
# 两 counts (两个月: two months), it does not name a month or day: not among these digits
_CJK_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_CJK = re.compile(r"(?P<tens>[二三四五六七八九])?十(?P<ones>[一二三四五六七八九])?"
                        r"|(?P<score>[廿卅])(?P<after>[一二三四五六七八九])?"
                        r"|(?P<digit>[一二三四五六七八九])")
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


def _small_number(text: str) -> int | None:
    """A month or day number (1-39) in digits or in its usual Chinese spelling; None for any
    other spelling ("一二", "十十", "零", "两"), which is no date but a typo or another number."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    m = _SMALL_CJK.fullmatch(text)
    if m is None:
        return None
    if m["digit"]:
        return _CJK_DIGIT[m["digit"]]
    if m["score"]:
        return (20 if m["score"] == "廿" else 30) + (_CJK_DIGIT[m["after"]] if m["after"] else 0)
    tens = _CJK_DIGIT[m["tens"]] if m["tens"] else 1
    return tens * 10 + (_CJK_DIGIT[m["ones"]] if m["ones"] else 0)


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
    if leap and year is None and month not in _LEAP_MONTHS:
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
        found = _yearly(year, preferred[1], preferred[0])
    return found


def _cjk(m: re.Match[str], day_first: bool | None) -> YearlyDate | None:
    month_text, day_text = m["m"], m["d"]
    month = _LUNAR_MONTHS.get(month_text) or _small_number(month_text)
    day = _small_number(day_text.removeprefix("初"))
    if day_text.startswith("初") and (day is None or day > 10):
        return None  # 初一..初十 only: "初十五" is no day
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
_CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ORDINAL = r"(?:st|nd|rd|th)?"
# (pattern, reader, sure): sure patterns look like nothing but a date, so an invalid one is a
# wrong date ("1985-02-30", "十三月初五"); others may be something else ("3/40" a ratio).
_DATE_PATTERNS: tuple[tuple[str, Callable[[re.Match[str], bool | None], YearlyDate | None],
                            bool], ...] = (
    # Numbers are taken whole, never from inside a longer one: "十三月" is month 13 (refused),
    # not 三月 with a "十" left over.
    (_LUNAR + r"(?:(?<![\d〇零一二三四五六七八九])(?P<y>\d{4}|[〇零一二三四五六七八九]{4})"
     r"\s*年\s*)?(?P<leap>[闰閏]\s*)?"
     rf"(?P<m>(?<!\d)\d+|(?<![{_CN_DIGITS}初])[{_CN_DIGITS}]+|[正冬腊臘])\s*月份?\s*"
     rf"(?P<d>初\s*[{_CN_DIGITS}]+|\d+|[{_CN_DIGITS}]+)(?![\d{_CN_DIGITS}])\s*(?:日|号|號)?",
     _cjk, True),
    (_LUNAR + r"(?<!\d)(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)",
     _year_first, True),
    (_LUNAR + r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\d)",
     _year_first, True),
    (r"(?<!\d)(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)", _year_last,
     True),
    (_LUNAR + r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[-/])(?P<b>\d{1,2})(?![\d]|[-/.]\d)",
     _two_part, False),
    (_LUNAR + r"(?<![\w.])(?P<d>\d{1,2})" + _ORDINAL + r"\s*(?:of\s+)?" + _MONTH_NAMES
     + r"(?:,?\s*(?P<y>\d{4}))?(?!\d)", _month_name, False),
    (_LUNAR + r"(?<![\w])" + _MONTH_NAMES + r"\s*(?P<d>\d{1,2})" + _ORDINAL
     + r"(?![\d:]|[a-z])(?:,?\s*(?P<y>\d{4})(?!\d))?", _month_name, False),
)
_COMPILED_DATES = tuple((re.compile(p, re.IGNORECASE), f, sure) for p, f, sure in _DATE_PATTERNS)
# A whole answer may also use a dot between month and day ("3.2"); in free text that is a number.
_DOTTED = (re.compile(_LUNAR + r"(?P<a>\d{1,2})(?P<sep>\.)(?P<b>\d{1,2})", re.IGNORECASE),
           _two_part, False)


def parse_yearly_date(text: str, *, day_first: bool | None = None) -> YearlyDate | None:
    """A birthday or anniversary typed as a whole ("1985-03-02", "农历八月十五", "March 2")."""
    cleaned = normalize(text).rstrip("。.")
    for pattern, build, _ in (*_COMPILED_DATES, _DOTTED):
        m = pattern.fullmatch(cleaned)
        if m is not None:
            return build(m, day_first)
    return None


def find_yearly_dates(text: str, *, day_first: bool | None = None) -> list[DateMatch]:
    """Every date-like span in free text, leftmost-longest, valid or not (value None)."""
    hits = []
    cleaned = normalize(text)
    for pattern, build, _ in _COMPILED_DATES:
        for m in pattern.finditer(cleaned):
            hits.append(DateMatch(build(m, day_first), m.start(), m.end()))
    return _non_overlapping(hits)


class _Span(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


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



@dataclass(frozen=True)
class _Day:
    """A named day: kind is offset, weekday, month_end, month_start, day_of_month or date; or
    "invalid": a span that is surely meant as a date but is none (the whole text is refused)."""

    kind: str
    n: int = 0  # offset in days, weekday 0-6, or months ahead
    week_shift: int | None = None  # weekday: weeks after this one; None for a bare weekday
    named: YearlyDate | None = None


@dataclass(frozen=True)
class _Duration:
    amount: float
    unit: str  # a timedelta keyword, or "months"


@dataclass(frozen=True)
class _Part:
    hour: int  # default hour when no clock time is given
    shift: str  # how a bare hour reads: "am", "noon", "pm"
    day_offset: int | None = None  # 今晚/明早/tonight name the day too


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    ampm: str | None
    padded: bool  # "03:00": a 24-hour clock, no afternoon guess
    chinese_bare: bool  # "三点" without minutes: may be "three points"


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    value: _Day | _Duration | _Part | _Clock


_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6,
             "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_WEEK_SHIFT = {"下下": 2, "下": 1, "next": 1}  # 这/本/this/coming: this week's
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "後天": 2,
                  "大后天": 3, "大後天": 3, "today": 0, "tomorrow": 1, "tmr": 1, "tmrw": 1,
                  "day after tomorrow": 2, "the day after tomorrow": 2}
_PARTS = {
    "凌晨": _Part(6, "am"), "清晨": _Part(7, "am"), "早上": _Part(9, "am"),
    "早晨": _Part(9, "am"), "上午": _Part(9, "am"), "早": _Part(9, "am"),
    "中午": _Part(12, "noon"), "下午": _Part(14, "pm"), "傍晚": _Part(18, "pm"),
    "晚上": _Part(20, "pm"), "夜里": _Part(21, "pm"), "夜裡": _Part(21, "pm"),
    "晚": _Part(20, "pm"), "今早": _Part(9, "am", 0), "明早": _Part(9, "am", 1),
    "今晚": _Part(20, "pm", 0), "今夜": _Part(21, "pm", 0), "明晚": _Part(20, "pm", 1),
    "morning": _Part(9, "am"), "this morning": _Part(9, "am", 0), "noon": _Part(12, "noon"),
    "afternoon": _Part(14, "pm"), "this afternoon": _Part(14, "pm", 0),
    "evening": _Part(19, "pm"), "this evening": _Part(19, "pm", 0), "night": _Part(20, "pm"),
    "tonight": _Part(20, "pm", 0),
}
_UNITS = {"分钟": "minutes", "分鐘": "minutes", "小时": "hours", "小時": "hours",
          "钟头": "hours", "鐘頭": "hours", "天": "days", "日": "days", "周": "weeks",
          "週": "weeks", "星期": "weeks", "礼拜": "weeks", "禮拜": "weeks", "月": "months",
          "m": "minutes", "h": "hours", "d": "days", "w": "weeks", "mo": "months"}

_ZH_HOUR = rf"(?P<h>\d{{1,2}}|{_CJK_NUM}{{1,3}})"
_ZH_MIN = rf"(?P<mi>\d{{1,2}}|{_CJK_NUM}{{1,3}})"
_AMPM = r"(?P<ampm>[ap]\.?m\.?)(?![a-z])"
_EN_COUNT = r"(?P<n>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"
_EN_UNIT = r"(?P<unit>min(?:ute)?s?|h(?:(?:ou)?rs?)?|days?|weeks?|months?)(?![a-z])"
_ZH_WEEK = r"(?:周|週|星期|礼拜|禮拜)"
_ZH_SHIFT = r"(?P<shift>下下|下|这|這|本)?(?:个|個)?"
_EN_WEEKDAY = r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_EN_WEEKDAY_ABBR = r"(?P<wd>mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?"
_ZH_PARTS = "|".join(sorted((p for p in _PARTS if len(p) > 1 and not p.isascii()), key=len,
                            reverse=True))
_EN_PARTS = "|".join(sorted((p.replace(" ", r"\s+") for p in _PARTS if p.isascii()), key=len,
                            reverse=True))

_TIME_PATTERNS: tuple[tuple[str, str], ...] = (
    ("day", r"(?P<rel>大后天|大後天|今天|今日|明天|明日|后天|後天)"),
    ("day", r"(?<![a-z])(?:on\s+)?(?P<rel>(?:the\s+)?day\s+after\s+tomorrow|today|tomorrow"
            r"|tmrw?)(?![a-z])"),
    ("day", _ZH_SHIFT + _ZH_WEEK + r"(?P<wd>[一二三四五六日天1-7])"),
    ("day", _ZH_SHIFT + r"(?:周末|週末)(?P<weekend>)"),
    ("day", r"(?P<shift>下)(?:个|個)?" + _ZH_WEEK + r"(?P<monday>)(?![一二三四五六日天1-7末])"),
    ("day", r"(?<![a-z])(?:on\s+)?(?:(?P<shift>this|next|coming)\s+)?" + _EN_WEEKDAY
            + r"(?![a-z])"),
    # "Sun", "Wed" and friends only with this/next or a clock after them (Sun is a surname)
    ("day", r"(?<![a-z])(?:on\s+)?(?P<shift>this|next|coming)\s+" + _EN_WEEKDAY_ABBR
            + r"(?![a-z])"),
    ("day", r"(?<![a-z])" + _EN_WEEKDAY_ABBR + r"(?=\s*\d)"),
    ("day", r"(?<![a-z])(?P<shift>this|next)\s+weekend(?P<weekend>)(?![a-z])"),
    ("day", r"(?<![a-z])next\s+week\s+(?:on\s+)?" + _EN_WEEKDAY + r"(?P<nextweek>)(?![a-z])"),
    ("day", r"(?<![a-z])(?:on\s+)?" + _EN_WEEKDAY + r"\s+next\s+week(?P<nextweek>)(?![a-z])"),
    ("day", r"(?<![a-z])next\s+week(?P<monday>)(?![a-z])"),
    # a day of this month, or of the next once it has passed ("15号交保费", "on the 5th")
    ("day", r"(?<![\d月/.-])(?P<dom>3[01]|[12]\d|0?[1-9])\s*[号號](?![楼樓线線房室门門床位])"),
    ("day", r"(?<![a-z])(?:on\s+)?the\s+(?P<dom>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)(?![a-z])"),
    ("day", r"(?P<next>下个?|下個)?月(?P<edge>底|末|初)"),
    ("day", r"(?<![a-z])end\s+of\s+(?:the\s+)?(?P<next>next\s+)?month(?P<edge>)(?![a-z])"),
    ("span", rf"(?P<n>\d+|{_CJK_NUM}+|半)\s*(?:个|個)?(?P<half>半)?\s*(?P<unit>分钟|分鐘|小时"
             r"|小時|钟头|鐘頭|天|日|周|週|星期|礼拜|禮拜|月)\s*(?:以后|以後|之后|之後|后|後)"),
    ("span", r"(?<![a-z])in\s+(?:(?P<halfan>half\s+an?)|" + _EN_COUNT + r")\s*" + _EN_UNIT),
    ("span", r"(?<![a-z])" + _EN_COUNT + r"\s*" + _EN_UNIT + r"\s+(?:later|from\s+now)"),
    ("part", rf"(?P<part>{_ZH_PARTS})"),
    ("part", r"(?P<part>[早晚])(?=\s*(?:\d|[一二三四五六七八九十两兩]+[点點]))"),
    ("part", r"(?<![a-z])(?:at\s+)?(?:in\s+the\s+)?(?P<part>" + _EN_PARTS + r")(?![a-z])"),
    ("clock", _ZH_HOUR + r"\s*[点點时時](?:\s*(?P<half>半)|\s*(?P<q>[一三])刻|\s*" + _ZH_MIN
              + r"\s*分?)?(?:钟|鐘)?"),
    # "15:00", "9:30am", ISO's "T09:30"; the end of a range ("10:00-11:00") goes with it
    ("clock", r"(?:(?<=\d)T|(?<![\d:.])(?:at\s+)?)(?P<h>[01]?\d|2[0-3])\s*:\s*(?P<mi>[0-5]\d)"
              r"(?::[0-5]\d)?(?!\d)(?:\s*" + _AMPM + r")?(?:\s*[-~到至]\s*\d{1,2}:\d\d(?!\d))?"),
    ("clock", r"(?<![\d:.])(?:at\s+)?(?P<h>1[0-2]|0?[1-9])(?:\.(?P<mi>[0-5]\d))?\s*" + _AMPM),
    ("clock", r"(?<![a-z])at\s+(?P<h>[01]?\d|2[0-3])(?:\s*o'?clock)?(?![\d:/.-]|\s*[ap]\.?m)"),
    ("clock", r"(?<![\d:.])(?P<h>1[0-2]|0?[1-9])\s*o'?clock"),
)
_COMPILED_TIMES = tuple((kind, re.compile(p, re.IGNORECASE)) for kind, p in _TIME_PATTERNS)


def _read_day(g: dict[str, str | None]) -> _Day:
    shift = _WEEK_SHIFT.get((g.get("shift") or "").lower(), 0) if g.get("shift") else None
    if g.get("rel"):
        return _Day("offset", _RELATIVE_DAYS[re.sub(r"\s+", " ", (g["rel"] or "").lower())])
    if g.get("wd"):
        if g.get("nextweek") is not None:
            shift = 1
        return _Day("weekday", _WEEKDAYS[(g["wd"] or "").lower()[:3]], shift)
    if g.get("dom"):
        return _Day("day_of_month", int(g["dom"] or 0))
    if g.get("weekend") is not None:
        return _Day("weekday", 5, shift)
    if g.get("monday") is not None:
        return _Day("weekday", 0, 1)
    ahead = 1 if g.get("next") or g.get("edge") == "初" else 0
    return _Day("month_start" if g.get("edge") == "初" else "month_end", ahead)


def _read(kind: str, m: re.Match[str]) -> _Hit | None:
    """A regex match turned into a hit with plain values (None if the numbers are off)."""
    g = m.groupdict()
    value: _Day | _Duration | _Part | _Clock
    if kind == "day":
        value = _read_day(g)
    elif kind == "span":
        amount = 0.5 if g.get("halfan") or g["n"] == "半" else _number(g["n"] or "")
        if amount is None:
            return None
        unit_text = (g["unit"] or "").lower()  # English units by first letter(s): m, h, d, w, mo
        unit = _UNITS.get(unit_text) or _UNITS["mo" if unit_text.startswith("mo") else
                                               unit_text[0]]
        value = _Duration(amount + (0.5 if g.get("half") else 0), unit)
    elif kind == "part":
        value = _PARTS[re.sub(r"\s+", " ", (g["part"] or "").lower())]
    else:
        hour = _number(g["h"] or "")
        minute: int | None = 30 if g.get("half") else 0
        if g.get("q"):
            minute = 15 if g["q"] == "一" else 45
        elif g.get("mi"):
            minute = _number(g["mi"] or "")
        if hour is None or minute is None or hour > 24 or minute > 59:
            return None
        h_text = g["h"] or ""
        value = _Clock(hour, minute, (g.get("ampm") or "").lower()[:1] or None,
                       h_text.startswith("0") and len(h_text) == 2,
                       not h_text.isdigit() and not (g.get("half") or g.get("q") or g.get("mi")))
    return _Hit(m.start(), m.end(), value)


def _scan(text: str, day_first: bool | None) -> list[_Hit]:
    """Every time word in text, as non-overlapping hits (leftmost, then longest)."""
    hits: list[_Hit] = []
    for pattern, build, sure in _COMPILED_DATES:
        for m in pattern.finditer(text):
            named = build(m, day_first)
            if named is not None:
                hits.append(_Hit(m.start(), m.end(), _Day("date", named=named)))
            elif sure or m.groupdict().get("lunar"):  # kept so that no other reading is made of it
                hits.append(_Hit(m.start(), m.end(), _Day("invalid")))
    for kind, pattern in _COMPILED_TIMES:
        for m in pattern.finditer(text):
            hit = _read(kind, m)
            if hit is not None:
                hits.append(hit)
    chosen = _non_overlapping(hits)
    return [h for i, h in enumerate(chosen) if _plausible(h, chosen[i - 1] if i else None, text)]


def _plausible(hit: _Hit, before: _Hit | None, text: str) -> bool:
    """Drop "一点"/"两点" meaning "a bit"/"two points": a bare Chinese-numeral hour must start
    the text, follow another time word, or say 钟."""
    if not isinstance(hit.value, _Clock) or not hit.value.chinese_bare:
        return True
    if text[hit.start:hit.end].endswith(("钟", "鐘")) or not text[:hit.start].strip():
        return True
    return before is not None and not text[before.end:hit.start].strip()


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _resolve_day(value: _Day, today: date) -> date:
    """The date a day hit names, from today."""
    if value.kind == "offset":
        return today + timedelta(days=value.n)
    if value.kind == "weekday":
        if value.week_shift:
            monday = today - timedelta(days=today.weekday())
            return monday + timedelta(weeks=value.week_shift, days=value.n)
        return today + timedelta(days=(value.n - today.weekday()) % 7)
    if value.kind == "month_end":
        first = _add_months(today.replace(day=1), value.n)
        return first.replace(day=monthrange(first.year, first.month)[1])
    if value.kind == "month_start":
        return _add_months(today.replace(day=1), value.n)
    if value.kind == "day_of_month":
        for ahead in range(3):  # the 31st may skip a month or two
            first = _add_months(today.replace(day=1), ahead)
            if value.n <= monthrange(first.year, first.month)[1]:
                found = first.replace(day=value.n)
                if found >= today:
                    return found
    assert value.named is not None
    return _concrete(value.named, today)


def _after(duration: _Duration, today: date) -> date:
    if duration.unit == "months":
        return _add_months(today, round(duration.amount))
    return today + timedelta(**{duration.unit: duration.amount})


def _concrete(named: YearlyDate, today: date) -> date:
    """A date typed for a reminder: as given with a year, else the next one from today."""
    if named.year is None:
        return next_occurrence(named, today)
    origin = named.origin()
    assert origin is not None
    return origin


def _hour(clock: _Clock, part: _Part | None) -> int:
    """24-hour clock from what was typed; a bare 1-6 o'clock means afternoon (working hours)."""
    hour = clock.hour
    if clock.ampm == "p":
        return hour + 12 if hour < 12 else hour
    if clock.ampm == "a":
        return 0 if hour == 12 else hour
    if part is not None:
        if (part.shift == "pm" and hour < 12) or (part.shift == "noon" and hour <= 3):
            return hour + 12
        return hour
    return hour + 12 if 1 <= hour <= 6 and not clock.padded else hour


def _at(day: date, hour: int, minute: int, tz: tzinfo | None) -> datetime:
    """A wall-clock time on a day (hour 24 is the midnight after that day)."""
    extra, hour = divmod(hour, 24)
    return datetime.combine(day + timedelta(days=extra), time(hour, minute), tzinfo=tz)


def _rest(text: str, used: list[_Hit]) -> str:
    """The text with the time words taken out, tidied."""
    kept, cursor = [], 0
    for hit in sorted(used, key=lambda h: h.start):
        kept.append(text[cursor:hit.start])
        cursor = hit.end
    kept.append(text[cursor:])
    joined = ""
    for piece in (p.strip() for p in kept if p.strip()):
        # Chinese needs no space where a time word was taken out; other scripts do
        glue = "" if joined and _CJK_CHAR.match(joined[-1]) and _CJK_CHAR.match(piece) else " "
        joined = f"{joined}{glue}{piece}" if joined else piece
    joined = re.sub(r"\s+", " ", joined)
    joined = re.sub(r"(?i)^(?:on|at|in|by)\s+|\s+(?:on|at|in|by)$", "", joined)
    return joined.strip(" ,，。.;；:：、-—~")


def _first(hits: list[_Hit], kind: type) -> _Hit | None:
    return next((h for h in hits if isinstance(h.value, kind)), None)


def _has_invalid_date(hits: list[_Hit]) -> bool:
    return any(isinstance(h.value, _Day) and h.value.kind == "invalid" for h in hits)


def parse_when(text: str, now: datetime, locale: str, *,
               day_first: bool | None = None) -> WhenParse | None:
    """When a one-off reminder is due; now must be aware and in the agent's own zone."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    cleaned = normalize(text)
    hits = _scan(cleaned, (True if locale == "en" else None) if day_first is None else day_first)
    if _has_invalid_date(hits):
        return None  # "农历十三月初五 下午3点": not today at 15:00, not understood
    day_hit, span_hit = _first(hits, _Day), _first(hits, _Duration)
    part_hit, clock_hit = _first(hits, _Part), _first(hits, _Clock)
    if not (day_hit or span_hit or part_hit or clock_hit):
        return _fallback(cleaned, now, locale)
    tz, today = now.tzinfo, now.date()
    used = [h for h in (day_hit, span_hit, part_hit, clock_hit) if h is not None]

    if span_hit is not None and isinstance(span_hit.value, _Duration) and (
            span_hit.value.unit in ("minutes", "hours")):
        delta = timedelta(**{span_hit.value.unit: span_hit.value.amount})
        at = (now.astimezone(UTC) + delta).astimezone(tz).replace(second=0, microsecond=0)
        return WhenParse(at, _rest(cleaned, [span_hit]), True)

    part = part_hit.value if part_hit is not None and isinstance(part_hit.value, _Part) else None
    named_day = day_hit is not None or span_hit is not None
    bare_weekday = False
    if day_hit is not None and isinstance(day_hit.value, _Day):
        day = _resolve_day(day_hit.value, today)
        bare_weekday = day_hit.value.kind == "weekday" and day_hit.value.week_shift is None
    elif span_hit is not None and isinstance(span_hit.value, _Duration):
        day = _after(span_hit.value, today)
    elif part is not None and part.day_offset is not None:
        day, named_day = today + timedelta(days=part.day_offset), True
    else:
        day = today

    if clock_hit is not None and isinstance(clock_hit.value, _Clock):
        at, has_time = _at(day, _hour(clock_hit.value, part), clock_hit.value.minute, tz), True
    elif part is not None:
        at, has_time = _at(day, part.hour, 0, tz), True
    else:
        at, has_time = _at(day, DEFAULT_TIME.hour, DEFAULT_TIME.minute, tz), False

    if has_time and at <= now and (not named_day or bare_weekday):
        # a time already past today: tomorrow; a weekday that is today: a week on
        step = timedelta(weeks=1) if bare_weekday else timedelta(days=1)
        at = _at(at.date() + step, at.hour, at.minute, tz)
    return WhenParse(at, _rest(cleaned, used), has_time)


def _fallback_parser(languages: list[str], base: datetime) -> DateDataParser:
    return DateDataParser(languages=languages, settings={
        "RELATIVE_BASE": base, "PREFER_DATES_FROM": "future",
        "RETURN_TIME_AS_PERIOD": True, "REQUIRE_PARTS": ["day"]})


def _languages(locale: str, text: str) -> list[str]:
    return ["en"] if locale == "en" or text.isascii() else ["zh", "en"]


def _fallback(text: str, now: datetime, locale: str) -> WhenParse | None:
    """dateparser on the whole text, for wordings our tables don't know; never in the past."""
    base = now.replace(tzinfo=None, second=0, microsecond=0)
    data = _fallback_parser(_languages(locale, text), base).get_date_data(text)
    if data.date_obj is None:
        return None
    found = data.date_obj.replace(tzinfo=None)
    if data.period in ("time", "part_of_day"):
        at = _at(found.date(), found.hour, found.minute, now.tzinfo)
        return WhenParse(at, "", True) if at > now else None
    if found.date() < now.date():
        return None
    return WhenParse(_at(found.date(), DEFAULT_TIME.hour, DEFAULT_TIME.minute, now.tzinfo), "",
                     False)


@dataclass(frozen=True)
class NextStep:
    """A next step as typed ("下周三 送计划书"): the day, what to do, and a time if one was
    given ("下周三下午3点 送计划书")."""

    day: date
    what: str
    at: time | None = None


def parse_next_step(text: str, today: date, *, day_first: bool | None = None) -> \
        NextStep | None:
    """A follow-up typed as one line: the day it falls (as parse_day reads it) and the rest of
    the line as what to do, so "下周三 送计划书" keeps both. None without a day, or for a day
    already past; a time of day alone ("3点 送计划书") means today."""
    cleaned = normalize(text)
    hits = _scan(cleaned, day_first)
    day_hit, span_hit = _first(hits, _Day), _first(hits, _Duration)
    part_hit, clock_hit = _first(hits, _Part), _first(hits, _Clock)
    used = [h for h in (day_hit, span_hit, part_hit, clock_hit) if h is not None]
    if day_hit is not None and isinstance(day_hit.value, _Day):
        day = _resolve_day(day_hit.value, today)
    elif span_hit is not None and isinstance(span_hit.value, _Duration):
        if span_hit.value.unit in ("minutes", "hours"):
            day = today
        else:
            day = _after(span_hit.value, today)
    elif clock_hit is not None or (part_hit is not None and isinstance(part_hit.value, _Part)
                                   and part_hit.value.day_offset is not None):
        offset = part_hit.value.day_offset if part_hit is not None and isinstance(
            part_hit.value, _Part) else None
        day = today + timedelta(days=offset or 0)
    else:
        day = parse_day(cleaned, today, day_first=day_first)  # dateparser's wordings
        return NextStep(day, "") if day is not None and day >= today else None
    if day < today:
        return None
    at: time | None = None
    part = part_hit.value if part_hit is not None and isinstance(part_hit.value, _Part) else None
    if clock_hit is not None and isinstance(clock_hit.value, _Clock):
        hour = _hour(clock_hit.value, part) % 24
        at = time(hour, clock_hit.value.minute)
    elif part is not None:
        at = time(part.hour, 0)
    return NextStep(day, _rest(cleaned, used), at)


def parse_day(text: str, today: date, *, day_first: bool | None = None) -> date | None:
    """A day typed as an answer ("明天", "下周一", "12/3", "next monday", "in 3 days")."""
    cleaned = normalize(text)
    hits = _scan(cleaned, day_first)
    if _has_invalid_date(hits):
        return None
    for hit in hits:
        if isinstance(hit.value, _Day):
            return _resolve_day(hit.value, today)
        if isinstance(hit.value, _Duration):
            if hit.value.unit in ("minutes", "hours"):
                return None
            return _after(hit.value, today)
    if not cleaned:
        return None
    base = datetime.combine(today, DEFAULT_TIME)
    data = _fallback_parser(_languages("", cleaned), base).get_date_data(cleaned)
    if data.date_obj is None or data.date_obj.date() < today:
        return None
    return data.date_obj.date()
