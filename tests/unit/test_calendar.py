"""Yearly dates, lunar rules and regional festivals."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lunardate import LunarDate

from coachbot.domain.calendar import (
    REGIONS,
    YearlyDate,
    age_on,
    festivals,
    festivals_between,
    lunar_to_solar,
    next_occurrence,
    occurrences_between,
)


def _on(region: str, year: int, key: str) -> list[date]:
    return [f.date for f in festivals(region, year) if f.key == key]


# --- storage ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yearly", "stored"),
    [
        (YearlyDate(3, 2, year=1985), "1985-03-02"),
        (YearlyDate(3, 2), "--03-02"),
        (YearlyDate(8, 15, lunar=True, year=1985), "L1985-08-15"),
        (YearlyDate(8, 15, lunar=True), "L--08-15"),
        (YearlyDate(6, 30, lunar=True, leap=True), "L--*06-30"),
        (YearlyDate(6, 10, lunar=True, leap=True, year=2025), "L2025-*06-10"),
        (YearlyDate(2, 29), "--02-29"),
    ],
)
def test_storage_round_trips(yearly, stored):
    assert yearly.to_storage() == stored
    assert YearlyDate.from_storage(stored) == yearly


@pytest.mark.parametrize("bad", ["", "1985-3-2", "1985/03/02", "X1985-03-02", "--13-01",
                                 "--02-30", "*--06-01", "--*06-01", "L--13-01", "L--01-31"])
def test_storage_refuses_what_to_storage_never_writes(bad):
    with pytest.raises(ValueError):
        YearlyDate.from_storage(bad)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"month": 2, "day": 30},
        {"month": 2, "day": 29, "year": 2023},
        {"month": 13, "day": 1},
        {"month": 4, "day": 31},
        {"month": 6, "day": 1, "leap": True},  # a solar month is never leap
        {"month": 6, "day": 1, "lunar": True, "leap": True, "year": 2024},  # 2024: no leap 6th
        {"month": 2, "day": 30, "lunar": True, "year": 2025},  # 2025's 2nd month has 29 days
        {"month": 1, "day": 31, "lunar": True},
    ],
)
def test_dates_that_never_existed_are_refused(kwargs):
    with pytest.raises(ValueError):
        YearlyDate(**kwargs)


# --- the lunar calendar ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lunar", "solar"),
    [
        ((2026, 8, 15, False), date(2026, 9, 25)),  # Mid-Autumn 2026
        ((2027, 1, 1, False), date(2027, 2, 6)),  # Spring Festival 2027
        ((2026, 1, 1, False), date(2026, 2, 17)),
        ((2025, 6, 10, True), date(2025, 8, 3)),  # leap 6th month of 2025
        ((2025, 6, 10, False), date(2025, 7, 4)),
        ((2024, 6, 10, True), None),  # 2024 has no leap month 6
        ((2025, 2, 30, False), None),  # a 29-day month
    ],
)
def test_lunar_to_solar_known_dates(lunar, solar):
    assert lunar_to_solar(*lunar) == solar


def test_2025_has_a_leap_sixth_month_of_29_days():
    assert lunar_to_solar(2025, 6, 1, leap=True) == date(2025, 7, 25)
    assert lunar_to_solar(2025, 6, 29, leap=True) == date(2025, 8, 22)
    assert lunar_to_solar(2025, 6, 30, leap=True) is None
    assert LunarDate(2025, 6, 1, True).to_solar_date() == date(2025, 7, 25)


# lunardate (an independent table) disagrees with lunar-python on a few month starts where the
# new moon falls near midnight; for these, lunarcalendar and zhdate agree with lunar-python.
_LUNARDATE_DISAGREES = {(1954, 11, False), (1978, 8, False)}


def test_every_month_start_from_1950_to_2049_agrees_with_lunardate():
    checked = 0
    for year in range(1950, 2050):
        for month in range(1, 13):
            for leap in (False, True):
                ours = lunar_to_solar(year, month, 1, leap)
                if ours is None or (year, month, leap) in _LUNARDATE_DISAGREES:
                    continue
                assert LunarDate(year, month, 1, leap).to_solar_date() == ours, (year, month)
                checked += 1
    assert checked > 1200


# --- next occurrence -------------------------------------------------------------------------


def test_solar_birthday_this_year_or_next():
    d = YearlyDate(3, 2, year=1985)
    assert next_occurrence(d, date(2026, 1, 10)) == date(2026, 3, 2)
    assert next_occurrence(d, date(2026, 3, 2)) == date(2026, 3, 2)
    assert next_occurrence(d, date(2026, 3, 3)) == date(2027, 3, 2)


def test_feb_29_is_celebrated_on_feb_28_in_common_years():
    d = YearlyDate(2, 29, year=1996)
    assert next_occurrence(d, date(2026, 1, 1)) == date(2026, 2, 28)
    assert next_occurrence(d, date(2027, 3, 1)) == date(2028, 2, 29)
    assert occurrences_between(d, date(2026, 1, 1), date(2028, 12, 31)) == [
        date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]


def test_lunar_birthday_moves_every_solar_year():
    mid_autumn = YearlyDate(8, 15, lunar=True)
    assert next_occurrence(mid_autumn, date(2026, 1, 1)) == date(2026, 9, 25)
    assert next_occurrence(mid_autumn, date(2026, 9, 26)) == date(2027, 9, 15)


def test_day_30_in_a_29_day_month_is_the_months_last_day():
    d = YearlyDate(2, 30, lunar=True, year=1990)  # 1990's 2nd month had 30 days
    assert lunar_to_solar(1990, 2, 30) is not None
    # 2025's 2nd lunar month has 29 days: celebrated on the 29th, 2025-03-28
    assert next_occurrence(d, date(2025, 1, 1)) == date(2025, 3, 28)
    assert lunar_to_solar(2025, 2, 29) == date(2025, 3, 28)


def test_leap_month_birthday_falls_back_to_the_regular_month():
    born = YearlyDate(6, 10, lunar=True, leap=True, year=2025)
    assert born.origin() == date(2025, 8, 3)
    # 2026 has no leap month: the regular 6th month's 10th day
    assert next_occurrence(born, date(2025, 8, 4)) == lunar_to_solar(2026, 6, 10)
    # 2028 has a leap 5th month, not a 6th
    assert next_occurrence(born, date(2028, 1, 1)) == lunar_to_solar(2028, 6, 10)


def test_regular_month_birthday_is_not_repeated_in_the_leap_month():
    regular = YearlyDate(6, 10, lunar=True)
    assert next_occurrence(regular, date(2025, 1, 1)) == date(2025, 7, 4)
    # after the regular 6/10 of 2025 comes 2026's, not the leap 6/10 (2025-08-03)
    assert next_occurrence(regular, date(2025, 7, 5)) == lunar_to_solar(2026, 6, 10)
    assert date(2025, 8, 3) not in occurrences_between(regular, date(2025, 1, 1),
                                                      date(2025, 12, 31))


def test_twelfth_month_birthday_crosses_into_the_next_solar_year():
    laba = YearlyDate(12, 20, lunar=True, year=1980)
    # lunar 2025's 12th month starts 2026-01-19: its 20th is in February 2026
    assert next_occurrence(laba, date(2026, 1, 1)) == date(2026, 2, 7)
    assert next_occurrence(laba, date(2026, 2, 8)) == lunar_to_solar(2026, 12, 20)
    assert lunar_to_solar(2026, 12, 20).year == 2027  # type: ignore[union-attr]
    # a solar year can hold two, or none: 2026 holds only the one from lunar 2025
    assert occurrences_between(laba, date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 2, 7)]


def test_spring_festival_eve_on_day_30_or_29():
    eve = YearlyDate(12, 30, lunar=True)
    assert next_occurrence(eve, date(2026, 1, 1)) == date(2026, 2, 16)  # a 29-day 12th month
    assert next_occurrence(eve, date(2026, 3, 1)) == date(2027, 2, 5)


def test_no_occurrence_before_the_origin():
    wedding = YearlyDate(5, 1, year=2027)
    assert next_occurrence(wedding, date(2026, 1, 1)) == date(2027, 5, 1)
    assert occurrences_between(wedding, date(2026, 1, 1), date(2026, 12, 31)) == []


def test_occurrences_between_is_inclusive():
    d = YearlyDate(12, 1)
    assert occurrences_between(d, date(2026, 12, 1), date(2027, 12, 1)) == [
        date(2026, 12, 1), date(2027, 12, 1)]
    assert occurrences_between(d, date(2026, 12, 2), date(2027, 11, 30)) == []


_yearly = st.one_of(
    st.builds(lambda m, d, y: YearlyDate(m, min(d, 28 if m == 2 else 30), year=y),
              st.integers(1, 12), st.integers(1, 31), st.none() | st.integers(1930, 2020)),
    st.just(YearlyDate(2, 29)),
    st.builds(lambda m, d, leap: YearlyDate(m, d, lunar=True, leap=leap),
              st.integers(1, 12), st.integers(1, 30), st.booleans()),
)


@given(d=_yearly, start=st.dates(date(1950, 1, 1), date(2090, 12, 31)))
def test_next_occurrence_is_on_or_after_and_within_400_days(d, start):
    hit = next_occurrence(d, start)
    origin = d.origin()
    if origin is not None and start < origin:
        assert hit == origin  # nothing to celebrate before the date itself
        return
    assert start <= hit <= start + timedelta(days=400)
    assert next_occurrence(d, hit) == hit


# --- age -------------------------------------------------------------------------------------


def test_age_counts_completed_years():
    d = YearlyDate(3, 2, year=1985)
    assert age_on(d, date(2026, 3, 1)) == 40
    assert age_on(d, date(2026, 3, 2)) == 41
    assert age_on(d, date(1985, 3, 2)) == 0
    assert age_on(d, date(1985, 3, 1)) is None
    assert age_on(YearlyDate(3, 2), date(2026, 3, 2)) is None


def test_age_of_a_lunar_birthday_counts_lunar_birthdays():
    d = YearlyDate(12, 20, lunar=True, year=1980)  # born in January 1981
    assert d.origin() == date(1981, 1, 25) == LunarDate(1980, 12, 20).to_solar_date()
    assert age_on(d, date(2026, 2, 6)) == 44
    assert age_on(d, date(2026, 2, 7)) == 45


def test_feb_29_ages_on_feb_28():
    d = YearlyDate(2, 29, year=2000)
    assert age_on(d, date(2001, 2, 27)) == 0
    assert age_on(d, date(2001, 2, 28)) == 1


# --- festivals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "day"),
    [
        ("spring_festival", date(2026, 2, 17)),
        ("spring_festival_eve", date(2026, 2, 16)),
        ("lantern", date(2026, 3, 3)),
        ("dragon_boat", date(2026, 6, 19)),
        ("qixi", date(2026, 8, 19)),
        ("mid_autumn", date(2026, 9, 25)),
        ("double_ninth", date(2026, 10, 18)),
        ("winter_solstice", date(2026, 12, 22)),
        ("new_year", date(2026, 1, 1)),
        ("mothers_day", date(2026, 5, 10)),
        ("fathers_day", date(2026, 6, 21)),
        ("teachers_day", date(2026, 9, 10)),
        ("christmas", date(2026, 12, 25)),
        ("national_day", date(2026, 10, 1)),
        ("labor_day", date(2026, 5, 1)),
    ],
)
def test_mainland_festivals_2026(key, day):
    assert _on("CN", 2026, key) == [day]


def test_spring_festival_2027():
    assert _on("CN", 2027, "spring_festival") == [date(2027, 2, 6)]


def test_fathers_day_is_8_august_in_taiwan_third_june_sunday_elsewhere():
    assert _on("TW", 2026, "fathers_day") == [date(2026, 8, 8)]
    for region in ("CN", "HK", "SG", "MY"):
        assert _on(region, 2026, "fathers_day") == [date(2026, 6, 21)]


def test_teachers_day_by_region():
    assert _on("CN", 2026, "teachers_day") == [date(2026, 9, 10)]
    assert _on("TW", 2026, "teachers_day") == [date(2026, 9, 28)]
    assert _on("SG", 2025, "teachers_day") == [date(2025, 9, 5)]  # first Friday of September
    assert _on("SG", 2026, "teachers_day") == [date(2026, 9, 4)]
    assert _on("MY", 2026, "teachers_day") == [date(2026, 5, 16)]
    assert _on("HK", 2026, "teachers_day") == []


def test_deepavali_is_a_holiday_in_singapore_and_malaysia_only():
    assert _on("SG", 2026, "diwali") == [date(2026, 11, 8)]
    assert _on("MY", 2026, "diwali") == [date(2026, 11, 8)]
    for region in ("CN", "HK", "TW"):
        assert _on(region, 2026, "diwali") == []


def test_national_days_differ_by_region():
    assert _on("CN", 2026, "national_day") == [date(2026, 10, 1)]  # one entry for the week
    assert _on("TW", 2026, "national_day") == [date(2026, 10, 10)]
    assert _on("SG", 2026, "national_day") == [date(2026, 8, 9)]
    assert _on("MY", 2026, "national_day") == [date(2026, 8, 31)]
    assert _on("HK", 2026, "national_day") == [date(2026, 10, 1)]


def test_public_holidays_merge_into_our_own_keys():
    cn = festivals("CN", 2026)
    spring = [f for f in cn if f.key == "spring_festival"]
    assert len(spring) == 1 and spring[0].kind == "lunar" and spring[0].holiday
    assert not any("chinese_new_year" in f.key for f in cn)
    assert not any("observed" in f.key or "day_off" in f.key for f in cn)
    assert [f.key for f in festivals("TW", 2026) if f.date == date(2026, 1, 1)] == ["new_year"]
    hk = {f.key: f for f in festivals("HK", 2026)}
    assert hk["double_ninth"].holiday and hk["christmas"].holiday
    assert not hk["mid_autumn"].holiday  # Hong Kong's day off is the day after
    assert hk["day_following_mid_autumn_festival"].date == date(2026, 9, 26)


def test_public_holidays_carry_localised_names():
    hk = {f.key: f for f in festivals("HK", 2026)}
    assert hk["buddhas_birthday"].kind == "public"
    assert hk["buddhas_birthday"].name == {
        "zh-Hans": "佛诞", "zh-Hant": "佛誕", "en": "The Birthday of the Buddha"}
    national = {f.key: f for f in festivals("CN", 2026)}["national_day"]
    assert national.name == {"zh-Hans": "国庆节", "zh-Hant": "國慶節", "en": "National Day"}
    deepavali = {f.key: f for f in festivals("SG", 2026)}["diwali"]
    assert deepavali.name == {"en": "Deepavali"}  # Singapore English; no Chinese names


def test_lunar_festivals_by_region():
    for region in REGIONS:
        keys = {f.key for f in festivals(region, 2026)}
        assert {"spring_festival", "lantern", "dragon_boat", "mid_autumn",
                "winter_solstice"} <= keys
    assert "qixi" in {f.key for f in festivals("TW", 2026)}
    assert "qixi" not in {f.key for f in festivals("SG", 2026)}


def test_festivals_are_sorted_and_memoised():
    first = festivals("SG", 2026)
    assert [f.date for f in first] == sorted(f.date for f in first)
    first.clear()  # callers get their own list
    assert festivals("SG", 2026)


def test_festivals_between_spans_years():
    found = festivals_between("CN", date(2026, 12, 20), date(2027, 1, 1))
    assert [(f.key, f.date) for f in found] == [
        ("winter_solstice", date(2026, 12, 22)), ("christmas", date(2026, 12, 25)),
        ("new_year", date(2027, 1, 1))]


def test_unknown_region_is_refused():
    with pytest.raises(ValueError):
        festivals("XX", 2026)
