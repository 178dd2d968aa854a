"""An agent's preferences: the choices offered, and checking what the agent typed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from coachbot.domain.clients import clean_text, to_simplified
from coachbot.domain.regions import OTHER, REGIONS, normalize_timezone, region_for_timezone

DIGEST_TIME_CHOICES = ("07:00", "07:30", "08:00", "08:30", "09:00")
EOD_TIME_CHOICES = ("18:00", "18:30", "19:00", "20:00", "20:30", "21:00")
TARGET_CHOICES = (1, 2, 3, 4, 5, 6)
TONE_CHOICES = ("warm", "formal")
MAX_SIGNATURE = 40
REGION_CHOICES = (*REGIONS, OTHER)

_FULLWIDTH = str.maketrans("０１２３４５６７８９：", "0123456789:")
_CLOCK = re.compile(
    r"^\s*(?P<period>上午|早上|早晨|中午|下午|晚上|傍晚)?\s*(?P<h>\d{1,2})"
    r"(?:\s*[:：点點時时.]\s*(?P<m>\d{1,2}|半)?\s*分?)?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?\s*$",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"^\s*(?P<h>\d{2})(?P<m>\d{2})\s*$")
_AFTERNOON = {"下午", "晚上", "傍晚"}


@dataclass(frozen=True)
class Place:
    """Where the agent works: a region code and an IANA zone."""

    region: str
    timezone: str


def place_for_region(code: str) -> Place | None:
    """A region picked from the buttons (not OTHER, which needs a zone)."""
    region = REGIONS.get(code)
    return Place(region.code, region.timezone) if region else None


def choice_for_typed(text: str, choices: Mapping[str, Iterable[str]]) -> str | None:
    """The choice an agent typed instead of tapping: the one whose caption (in any language
    offered) is the text, or the only one containing it ("香港" for "中国香港", "english").
    None when nothing or more than one choice fits ("中国" is in three regions' captions)."""
    typed = _caption_key(text)
    if not typed:
        return None
    keys = {value: {_caption_key(caption) for caption in captions}
            for value, captions in choices.items()}
    exact = [value for value, captions in keys.items() if typed in captions]
    if exact:
        return exact[0] if len(exact) == 1 else None
    if len(typed) < 2:
        return None
    within = [value for value, captions in keys.items() if any(typed in c for c in captions)]
    return within[0] if len(within) == 1 else None


def _caption_key(text: str) -> str:
    """A caption as compared: letters and digits only, case folded (no ✓, emoji, spaces),
    in Simplified characters ("繁体" is "繁體中文"'s)."""
    return "".join(ch for ch in to_simplified(text).casefold() if ch.isalnum())


def place_for_zone_text(text: str) -> Place | None:
    """A zone typed by the agent ("Europe/London"), if it is a real IANA zone."""
    zone = normalize_timezone(text)
    return Place(region_for_timezone(zone), zone) if zone else None


def parse_clock_time(text: str) -> str | None:
    """A time of day as "HH:MM" from "8:30", "0830", "8点半", "下午6点", "7pm"; else None."""
    cleaned = text.translate(_FULLWIDTH).strip().lower()
    match = _COMPACT.match(cleaned) or _CLOCK.match(cleaned)
    if match is None:
        return None
    groups = match.groupdict()
    hour = int(groups["h"])
    minute_text = groups.get("m")
    minute = 30 if minute_text == "半" else int(minute_text or 0)
    period = groups.get("period")
    ampm = (groups.get("ampm") or "").replace(".", "")
    if (period in _AFTERNOON or ampm == "pm") and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def parse_signature(text: str) -> str | None:
    """How the agent signs greetings ("小王 · 平安人寿"), one line, or None if unusable."""
    line = " ".join(clean_text(text, MAX_SIGNATURE * 2).split())
    return line[:MAX_SIGNATURE] or None
