"""The regions our agents work in: time zone, currency, holiday calendar, number formats."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@dataclass(frozen=True)
class Region:
    """A market we serve; OTHER stands for any other IANA zone."""

    code: str
    timezone: str
    currency: str
    babel_territory: str


REGIONS: dict[str, Region] = {
    "CN": Region("CN", "Asia/Shanghai", "CNY", "CN"),
    "HK": Region("HK", "Asia/Hong_Kong", "HKD", "HK"),
    "TW": Region("TW", "Asia/Taipei", "TWD", "TW"),
    "SG": Region("SG", "Asia/Singapore", "SGD", "SG"),
    "MY": Region("MY", "Asia/Kuala_Lumpur", "MYR", "MY"),
}
OTHER = "XX"
REGION_CODES = (*REGIONS, OTHER)


def region_for_timezone(name: str) -> str:
    """The region whose zone this is, or OTHER."""
    for code, region in REGIONS.items():
        if region.timezone == name:
            return code
    aliases = {"Asia/Chongqing": "CN", "Asia/Harbin": "CN", "Asia/Urumqi": "CN",
               "Asia/Macau": "HK", "Asia/Kuching": "MY", "PRC": "CN", "Hongkong": "HK",
               "ROC": "TW", "Singapore": "SG"}
    return aliases.get(name, OTHER)


def currency_for(region: str) -> str:
    """The currency premiums are counted in for an agent of this region."""
    return REGIONS[region].currency if region in REGIONS else "CNY"


def normalize_timezone(text: str) -> str | None:
    """An IANA zone name from what the user typed ("europe/london", "UTC+8" is refused)."""
    candidate = text.strip().replace(" ", "_")
    if not candidate or len(candidate) > 64:
        return None
    lowered = {name.lower(): name for name in available_timezones()}
    name = lowered.get(candidate.lower())
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


_finder = None


def timezone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a shared location (offline lookup)."""
    global _finder
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    if _finder is None:
        from timezonefinder import TimezoneFinder

        _finder = TimezoneFinder(in_memory=False)
    return _finder.timezone_at(lat=latitude, lng=longitude)
