"""Formatting of client data for display: yearly dates (solar or lunar) and phone numbers."""

from __future__ import annotations

from datetime import date

from babel.dates import format_skeleton
from lunar_python.util import LunarUtil

from coachbot.domain.calendar import YearlyDate
from coachbot.domain.locales import babel_locale
from coachbot.domain.phones import format_phone

LUNAR_WORD = {"zh-Hans": "农历", "zh-Hant": "農曆"}


def yearly_text(stored: str, locale: str, region: str | None = None) -> str:
    """"农历八月十五", "1985年3月2日", "2 Mar" — as the agent's locale writes it."""
    yearly = YearlyDate.from_storage(stored)
    if yearly.lunar:
        return _lunar_text(yearly, locale)
    sample = date(yearly.year or 2000, yearly.month, yearly.day)
    skeleton = "yMMMd" if yearly.year else "MMMd"
    return format_skeleton(skeleton, sample, locale=babel_locale(locale, region))


def _lunar_text(yearly: YearlyDate, locale: str) -> str:
    if locale == "en":
        leap = "leap " if yearly.leap else ""
        year = f" {yearly.year}" if yearly.year else ""
        return f"lunar {leap}{yearly.month}/{yearly.day}{year}"
    month = LunarUtil.MONTH[yearly.month] + "月"
    day = LunarUtil.DAY[yearly.day]
    leap = "闰" if yearly.leap else ""
    text = f"{LUNAR_WORD.get(locale, '农历')}{leap}{month}{day}"
    if locale == "zh-Hant":
        text = text.replace("闰", "閏").replace("腊", "臘")
    return f"{text}（{yearly.year}）" if yearly.year else text


def phone_text(e164: str, region: str | None) -> str:
    """A phone number in national form for the agent's region, international otherwise."""
    return format_phone(e164, region or "CN")
