"""The bot's languages, picking one from Telegram's language_code, and Babel formatting."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_time as babel_format_time
from babel.dates import get_timezone_location
from babel.numbers import format_currency as babel_format_currency
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import parse_pattern

LOCALES = ("zh-Hans", "zh-Hant", "en")
DEFAULT_LOCALE = "zh-Hans"

_HANT_CODES = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")
# parsed once: Babel would parse the pattern again on every amount of a digest
_MONEY = parse_pattern("¤#,##0")
_NUMBER = parse_pattern("#,##0.#")


def locale_from_language_code(code: str | None) -> str:
    """Our locale for a Telegram language_code; Simplified Chinese when unsure."""
    if not code:
        return DEFAULT_LOCALE
    code = code.lower().replace("_", "-")
    if code.startswith(_HANT_CODES):
        return "zh-Hant"
    if code.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


@lru_cache(maxsize=64)  # a handful of combinations, asked for on every formatted value
def babel_locale(locale: str, region: str | None = None) -> Locale:
    """The Babel locale for one of ours, refined by the agent's region where it matters."""
    if locale == "zh-Hant":
        territory = "TW" if region == "TW" else "HK"
        return Locale.parse(f"zh_Hant_{territory}")
    if locale == "en":
        territory = region if region in {"HK", "SG", "MY"} else "US"
        return Locale.parse(f"en_{territory}")
    territory = "SG" if region in {"SG", "MY"} else "CN"
    return Locale.parse(f"zh_Hans_{territory}")


def format_date(value: date, locale: str, region: str | None = None, fmt: str = "medium") -> str:
    """A date as the agent's locale writes it."""
    if type(value) is date:  # not a datetime: equal datetimes may be in different zones
        return _format_day(value, locale, region, fmt)
    return babel_format_date(value, format=fmt, locale=babel_locale(locale, region))


@lru_cache(maxsize=4096)  # every digest of a morning heads with the same day (Babel: ~25 us)
def _format_day(value: date, locale: str, region: str | None, fmt: str) -> str:
    return babel_format_date(value, format=fmt, locale=babel_locale(locale, region))


def format_datetime(
    value: datetime, locale: str, region: str | None = None, fmt: str = "medium"
) -> str:
    """A date and time in the agent's locale (the value already in the agent's zone)."""
    return babel_format_datetime(
        value, format=fmt, tzinfo=value.tzinfo, locale=babel_locale(locale, region)
    )


def format_time(value: time | datetime, locale: str, region: str | None = None) -> str:
    """A time of day, short form."""
    return babel_format_time(value, format="short", locale=babel_locale(locale, region))


def format_number(value: float | int | Decimal, locale: str, region: str | None = None) -> str:
    """A number with the locale's grouping (at most one decimal)."""
    return babel_format_decimal(value, format=_NUMBER, locale=babel_locale(locale, region))


def format_money(
    value: float | int | Decimal, currency: str, locale: str, region: str | None = None
) -> str:
    """An amount of money, whole units."""
    return babel_format_currency(
        value, currency, locale=babel_locale(locale, region), format=_MONEY,
        currency_digits=False,
    )


def zone_location(zone: str, locale: str, region: str | None = None) -> str:
    """A time zone named by where it is, in the agent's language ("英国时间")."""
    return str(get_timezone_location(zone, locale=babel_locale(locale, region)))
