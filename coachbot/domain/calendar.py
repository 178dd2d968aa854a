"""Yearly dates (solar or lunar birthdays and anniversaries) and each region's festivals.

Lunar arithmetic comes from lunar-python, public holidays from `holidays`; this module only
adds the rules for celebrating a yearly date in years where it does not exist as such, and
merges both sources into one list of festivals with stable keys (texts live in templates).

Storage format of a YearlyDate (`to_storage`/`from_storage`), one compact ASCII string:

    [L](YYYY|-)-[*]MM-DD

- "1985-03-02"   solar, with year            - "--03-02"     solar, month and day only
- "L1985-08-15"  lunar, lunar year 1985      - "L--08-15"    lunar, no year
- "L2025-*06-10" lunar, leap 6th month       - "L--*06-30"   leap 6th month, no year

"L" marks a lunar date, "*" a leap (闰) month; "--" is ISO 8601's "no year". The year of a
lunar date is the lunar year (a 12th-month birthday may fall in January of the next solar year).
"""

from __future__ import annotations

import re
from calendar import isleap, monthrange
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

import holidays
from lunar_python import LunarYear, Solar

from coachbot.domain import lunar_table

REGIONS = ("CN", "HK", "TW", "SG", "MY")
FestivalKind = Literal["lunar", "solar", "public"]

_STORAGE = re.compile(r"(L?)(\d{4}|-)-(\*?)(\d{2})-(\d{2})")


@dataclass(frozen=True)
class YearlyDate:
    """A date that comes back every year; the year is optional (many share only month/day)."""

    month: int
    day: int
    lunar: bool = False
    leap: bool = False
    year: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError("month must be 1..12")
        if self.leap and not self.lunar:
            raise ValueError("only a lunar month can be a leap month")
        if self.year is not None and not 1 <= self.year <= 9999:
            raise ValueError("year must be 1..9999")
        if self.lunar:
            if not 1 <= self.day <= 30:
                raise ValueError("a lunar day is 1..30")
            if self.year is not None:
                month = _lunar_months(self.year).get((self.month, self.leap))
                if month is None or self.day > month[1]:
                    raise ValueError("no such day in that lunar year")
        else:
            longest = monthrange(self.year if self.year is not None else 2000, self.month)[1]
            if not 1 <= self.day <= longest:
                raise ValueError("no such day in that month")

    def to_storage(self) -> str:
        """The compact string described in the module docstring."""
        year = f"{self.year:04d}" if self.year is not None else "-"
        return (f"{'L' if self.lunar else ''}{year}-{'*' if self.leap else ''}"
                f"{self.month:02d}-{self.day:02d}")

    @classmethod
    def from_storage(cls, text: str) -> YearlyDate:
        """Read what to_storage wrote; ValueError if it is not such a string."""
        match = _STORAGE.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"not a stored yearly date: {text!r}")
        lunar, year, leap, month, day = match.groups()
        return cls(int(month), int(day), lunar=bool(lunar), leap=bool(leap),
                   year=None if year == "-" else int(year))

    def origin(self) -> date | None:
        """The solar date of the first occurrence (the birth date), if the year is known."""
        return None if self.year is None else _occurrence(self, self.year)


@lru_cache(maxsize=1024)
def _lunar_months(year: int) -> Mapping[tuple[int, bool], tuple[date, int]]:
    """(month, leap) -> (solar date of its first day, number of days) for one lunar year:
    from lunar_table (what lunar-python computes, 1900-2100), else computed."""
    if lunar_table.FIRST_YEAR <= year <= lunar_table.LAST_YEAR:
        return MappingProxyType(_table_months(year))
    return MappingProxyType(computed_months(year))


def _table_months(year: int) -> dict[tuple[int, bool], tuple[date, int]]:
    first, thirties, leap = lunar_table.YEARS[year - lunar_table.FIRST_YEAR]
    order = [(m, False) for m in range(1, 13)]
    if leap:
        order.insert(leap, (leap, True))
    months: dict[tuple[int, bool], tuple[date, int]] = {}
    for index, key in enumerate(order):
        days = 30 if thirties >> index & 1 else 29
        months[key] = (date.fromordinal(first), days)
        first += days
    return months


def computed_months(year: int) -> dict[tuple[int, bool], tuple[date, int]]:
    """(month, leap) -> (solar date of its first day, days) of one lunar year by lunar-python's
    astronomy (about 10 ms a year; tools/build_lunar_table.py tabulates it)."""
    months: dict[tuple[int, bool], tuple[date, int]] = {}
    for month in LunarYear.fromYear(year).getMonths():
        if month.getYear() != year:
            continue
        first = Solar.fromJulianDay(month.getFirstJulianDay())
        start = date(first.getYear(), first.getMonth(), first.getDay())
        months[(abs(month.getMonth()), month.isLeap())] = (start, month.getDayCount())
    return months


def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> date | None:
    """The solar date of a lunar date, or None if that lunar year has no such day."""
    found = _lunar_months(year).get((month, leap))
    if found is None or not 1 <= day <= found[1]:
        return None
    return found[0] + timedelta(days=day - 1)


def _occurrence(d: YearlyDate, year: int) -> date:
    """When d is celebrated in this solar year (solar d) or this lunar year (lunar d)."""
    if not d.lunar:
        if d.month == 2 and d.day == 29 and not isleap(year):
            return date(year, 2, 28)
        return date(year, d.month, d.day)
    months = _lunar_months(year)
    # A leap-month date falls back to the regular month in years without that leap month;
    # a regular-month date is never celebrated again in the leap month.
    start, length = months.get((d.month, d.leap)) or months[(d.month, False)]
    return start + timedelta(days=min(d.day, length) - 1)


def next_occurrence(d: YearlyDate, on_or_after: date) -> date:
    """The first solar date >= on_or_after on which d is celebrated (never before its origin)."""
    origin = d.origin()
    start = max(on_or_after, origin) if origin is not None else on_or_after
    # Lunar year y-1 reaches into January/February of solar year y; y+1 always has one later.
    years = (start.year, start.year + 1) if not d.lunar else (
        start.year - 1, start.year, start.year + 1)
    return min(c for c in (_occurrence(d, y) for y in years) if c >= start)


def occurrences_between(d: YearlyDate, start: date, end: date) -> list[date]:
    """Every date from start to end (inclusive) on which d is celebrated."""
    found: list[date] = []
    cursor = start
    while cursor <= end:
        hit = next_occurrence(d, cursor)
        if hit > end:
            break
        found.append(hit)
        cursor = hit + timedelta(days=1)
    return found


def age_on(d: YearlyDate, on: date) -> int | None:
    """Completed years on that day (周岁), or None without a year or before the origin."""
    origin = d.origin()
    if d.year is None or origin is None or on < origin:
        return None
    if not d.lunar:
        return on.year - d.year - (1 if _occurrence(d, on.year) > on else 0)
    for year in (on.year, on.year - 1, on.year - 2):
        if _occurrence(d, year) <= on:
            return year - d.year
    raise AssertionError("unreachable: a lunar year two years back has passed")


# --- festivals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Festival:
    """A day to greet clients on; name is set for public holidays only (else: templates)."""

    key: str
    date: date
    kind: FestivalKind
    # our locale ("zh-Hans", "zh-Hant", "en") -> name; read-only, left out of the hash
    name: Mapping[str, str] | None = field(default=None, hash=False)
    holiday: bool = field(default=False)  # a public holiday in the region that day


_ALL = frozenset(REGIONS)
_GREATER_CHINA = frozenset({"CN", "HK", "TW"})

# key, lunar month, lunar day, regions that greet on it
_LUNAR_FESTIVALS: tuple[tuple[str, int, int, frozenset[str]], ...] = (
    ("spring_festival", 1, 1, _ALL),
    ("lantern", 1, 15, _ALL),
    ("dragon_boat", 5, 5, _ALL),
    ("qixi", 7, 7, _GREATER_CHINA),
    ("mid_autumn", 8, 15, _ALL),
    ("double_ninth", 9, 9, _GREATER_CHINA),
)

_MON, _FRI, _SUN = 0, 4, 6


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


# key, regions, rule(year) -> date
_SOLAR_FESTIVALS: tuple[tuple[str, frozenset[str], Callable[[int], date]], ...] = (
    ("new_year", _ALL, lambda y: date(y, 1, 1)),
    ("womens_day", frozenset({"CN"}), lambda y: date(y, 3, 8)),  # 三八节: a greeting day in CN
    ("mothers_day", _ALL, lambda y: _nth_weekday(y, 5, _SUN, 2)),
    ("fathers_day", _ALL - {"TW"}, lambda y: _nth_weekday(y, 6, _SUN, 3)),
    ("fathers_day", frozenset({"TW"}), lambda y: date(y, 8, 8)),  # 爸爸節 (8-8, "ba-ba")
    ("teachers_day", frozenset({"CN"}), lambda y: date(y, 9, 10)),
    ("teachers_day", frozenset({"TW"}), lambda y: date(y, 9, 28)),  # Confucius' birthday
    ("teachers_day", frozenset({"SG"}), lambda y: _nth_weekday(y, 9, _FRI, 1)),
    ("teachers_day", frozenset({"MY"}), lambda y: date(y, 5, 16)),  # Hari Guru
    ("christmas", _ALL, lambda y: date(y, 12, 25)),
)



def _holiday_languages(region: str) -> dict[str, tuple[str, ...]]:
    """Our locale -> the `holidays` languages to try for it, best first."""
    return {
        "zh-Hans": ("zh_CN",),
        "zh-Hant": ("zh_HK", "zh_TW") if region == "HK" else ("zh_TW", "zh_HK"),
        "en": (f"en_{region}", "en_US"),
    }


# Public holidays that are one of our own keys (matched on the en_US name, suffixes removed).
_HOLIDAY_ALIASES = {
    "new year's day": "new_year",
    "founding day of the republic of china": "new_year",  # TW's 元旦
    "chinese new year's eve": "spring_festival_eve",
    "dragon boat festival": "dragon_boat",
    "mid-autumn festival": "mid_autumn",
    "double ninth festival": "double_ninth",
    "christmas day": "christmas",
    "confucius' birthday": "teachers_day",  # TW's Teachers' Day
}
_NOT_A_FESTIVAL = re.compile(r"observed|substitut|day off|additional", re.IGNORECASE)
_PARENTHESES = re.compile(r"\s*\([^)]*\)")


def _slug(name: str) -> str:
    """A stable key from an English holiday name ("The Buddha's Birthday" -> buddhas_birthday)."""
    text = re.sub(r"['’.]", "", name.lower())
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return text.removeprefix("the_")


def _holiday_key(english: str) -> str | None:
    """Our key for a `holidays` entry, or None for observed/substitute days off."""
    if _NOT_A_FESTIVAL.search(english):
        return None
    base = _PARENTHESES.sub("", english).strip()
    lowered = base.lower()
    if lowered in _HOLIDAY_ALIASES:
        return _HOLIDAY_ALIASES[lowered]
    if "chinese new year" in lowered or "lunar new year" in lowered:
        return "spring_festival"
    return _slug(base)


def _holiday_names(region: str, year: int, language: str, subdiv: str | None = None
                   ) -> dict[date, list[str]]:
    try:
        table = holidays.country_holidays(region, subdiv=subdiv, years=year, language=language)
    except (NotImplementedError, KeyError):
        return {}
    return {day: table.get_list(day) for day in table}


def _public_holidays(region: str, year: int) -> list[tuple[date, str, dict[str, str]]]:
    """(date, en_US name, {our locale: name}) for each public holiday of the region."""
    supported = holidays.list_localized_countries().get(region, [])
    if region == "MY":
        # Malaysia's list is per state: keep what most states observe (e.g. Deepavali,
        # everywhere but Sarawak); names only in English (no Chinese localisation).
        subdivs = holidays.country_holidays("MY").subdivisions
        counts: dict[tuple[date, str], int] = {}
        for subdiv in subdivs:
            for day, listed in _holiday_names(region, year, "en_US", subdiv).items():
                for name in listed:
                    counts[(day, name)] = counts.get((day, name), 0) + 1
        return sorted((day, name, {"en": name}) for (day, name), count in counts.items()
                      if count * 2 > len(subdivs))
    english = _holiday_names(region, year, "en_US")
    localised: dict[str, dict[date, list[str]]] = {}
    for locale, candidates in _holiday_languages(region).items():
        for language in candidates:
            if language in supported:
                localised[locale] = _holiday_names(region, year, language)
                break
    entries = []
    for day in sorted(english):
        for index, name in enumerate(english[day]):
            names = {locale: table[day][index] for locale, table in localised.items()
                     if len(table.get(day, ())) == len(english[day])}
            entries.append((day, name, names))
    return entries


@lru_cache(maxsize=256)
def _festivals(region: str, year: int) -> tuple[Festival, ...]:
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}")
    ours: dict[tuple[str, date], Festival] = {}

    def add(key: str, day: date, kind: FestivalKind) -> None:
        ours[(key, day)] = Festival(key, day, kind)

    for key, lunar_month, lunar_day, regions in _LUNAR_FESTIVALS:
        if region in regions:
            add(key, _occurrence(YearlyDate(lunar_month, lunar_day, lunar=True), year), "lunar")
    add("spring_festival_eve", _lunar_months(year)[(1, False)][0] - timedelta(days=1), "lunar")
    add("winter_solstice", _winter_solstice(year), "lunar")
    for key, regions, rule in _SOLAR_FESTIVALS:
        if region in regions:
            add(key, rule(year), "solar")

    keys = {key for key, _ in ours}
    public: list[Festival] = []
    previous: dict[str, date] = {}
    for day, english, names in _public_holidays(region, year):
        holiday_key = _holiday_key(english)
        if holiday_key is None:
            continue
        key = holiday_key
        if key in keys:  # one of ours: mark it as a day off, don't list it twice
            if (key, day) in ours:
                ours[(key, day)] = Festival(key, day, ours[(key, day)].kind, holiday=True)
            continue
        if previous.get(key) == day - timedelta(days=1):  # a multi-day holiday: its first day
            previous[key] = day
            continue
        previous[key] = day
        public.append(Festival(key, day, "public", MappingProxyType(names), holiday=True))
    return tuple(sorted([*ours.values(), *public], key=lambda f: (f.date, f.key)))


def _winter_solstice(year: int) -> date:
    """冬至 of this solar year (a solar term, always 21-23 December)."""
    table = Solar.fromYmd(year, 12, 1).getLunar().getJieQiTable()
    for name in ("冬至", "DONG_ZHI"):
        solar = table.get(name)
        if solar is not None and solar.getYear() == year:
            return date(year, solar.getMonth(), solar.getDay())
    raise AssertionError(f"no winter solstice found in {year}")


def festivals(region: str, year: int) -> list[Festival]:
    """Every festival and public holiday of a region (CN, HK, TW, SG, MY) in a solar year."""
    return list(_festivals(region, year))


def festivals_between(region: str, start: date, end: date) -> list[Festival]:
    """Festivals of a region from start to end, inclusive, in date order."""
    return [f for year in range(start.year, end.year + 1) for f in _festivals(region, year)
            if start <= f.date <= end]
