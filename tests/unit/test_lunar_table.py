"""The shipped lunar table (tools/build_lunar_table.py) says what lunar-python computes, for
every year it holds; years outside it are still computed."""

from __future__ import annotations

from coachbot.domain import calendar, lunar_table


def test_every_year_of_the_table_is_lunar_pythons():
    for year in range(lunar_table.FIRST_YEAR, lunar_table.LAST_YEAR + 1):
        assert calendar._table_months(year) == calendar.computed_months(year), year


def test_years_outside_the_table_are_computed():
    for year in (lunar_table.FIRST_YEAR - 1, lunar_table.LAST_YEAR + 1):
        assert dict(calendar._lunar_months(year)) == calendar.computed_months(year)
    assert calendar.lunar_to_solar(1899, 1, 1) is not None
