"""Phone numbers as agents type them, stored in E.164 (parsing and formats: phonenumbers)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

import phonenumbers
from phonenumbers import (
    Leniency,
    PhoneNumber,
    PhoneNumberFormat,
    PhoneNumberMatcher,
    PhoneNumberType,
)

MARKETS = ("CN", "HK", "TW", "SG", "MY")
# Country calling codes of our markets, for "(852) 9123 4567" typed without the "+".
_CALLING_CODES = ("852", "886", "86", "65", "60")
_DIGITS = re.compile(r"\d")


def _parse(text: str, region: str | None) -> PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _possible(text: str, region: str) -> bool:
    """Whether text has the length of a mobile or landline number of the region."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return False
    return any(phonenumbers.is_possible_number_for_type(number, kind)
               for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE))


def _valid(text: str, region: str) -> PhoneNumber | None:
    """The valid number text stands for, trying the agent's region first (see normalize_phone)."""
    default = region if region in phonenumbers.SUPPORTED_REGIONS else None
    number = _parse(text, default)
    if number is not None or text.lstrip().startswith("+"):
        return number
    digits = "".join(_DIGITS.findall(text))
    if digits.startswith("00"):  # an international prefix from anywhere
        number = _parse("+" + digits[2:], None)
        if number is not None:
            return number
    if digits.startswith(_CALLING_CODES):
        number = _parse("+" + digits, None)
        if number is not None:
            return number
    # A number from one of the other markets typed without its code (a mainland mobile in a
    # Hong Kong agent's book): only when its length cannot be one of the agent's region, and
    # only when exactly one market reads it as valid.
    if default is not None and _possible(text, default):
        return None
    others = [n for n in (_parse(text, r) for r in MARKETS if r != default) if n is not None]
    return others[0] if len(others) == 1 else None


def normalize_phone(text: str, region: str) -> str | None:
    """E.164 ("+8613800138000") for a number typed in any usual way, or None if not valid."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not 5 <= len(_DIGITS.findall(text)) <= 17:
        return None
    number = _valid(text, region)
    if number is None:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_digits(e164: str) -> str:
    """Only the digits, country code included ("8613800138000"), for searching."""
    return "".join(_DIGITS.findall(e164))


@lru_cache(maxsize=4096)  # cards and lists show the same stored numbers over and over
def format_phone(e164: str, region: str) -> str:
    """National format for a number of the agent's own region, international otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    same = phonenumbers.region_code_for_number(number) == region
    return phonenumbers.format_number(
        number, PhoneNumberFormat.NATIONAL if same else PhoneNumberFormat.INTERNATIONAL)


@dataclass(frozen=True)
class PhoneMatch:
    """A phone-like span of text; e164 is None when the number is not valid."""

    e164: str | None
    start: int
    end: int


_LONG_DIGITS = re.compile(r"\+?\(?\d[\d\s()\-]{4,}\d")


def find_phones(text: str, region: str) -> list[PhoneMatch]:
    """Every phone-like span in free text (phonenumbers' matcher, then any other long digit
    run), each with its E.164 form or None when it is not a valid number."""
    default = region if region in phonenumbers.SUPPORTED_REGIONS else None
    found: list[PhoneMatch] = []
    for match in PhoneNumberMatcher(text, default, leniency=Leniency.POSSIBLE):
        # the matcher parsed the span in the agent's region already: when that is a valid
        # number it is the one normalize_phone would find first, without parsing it again
        e164 = phonenumbers.format_number(match.number, PhoneNumberFormat.E164) \
            if phonenumbers.is_valid_number(match.number) \
            else normalize_phone(match.raw_string, region)
        found.append(PhoneMatch(e164, match.start, match.end))
    for run in _LONG_DIGITS.finditer(text):
        start, end = run.span()
        if len(_DIGITS.findall(run.group())) < 6:
            continue
        if not any(p.start < end and start < p.end for p in found):
            found.append(PhoneMatch(normalize_phone(run.group(), region), start, end))
    return sorted(found, key=lambda p: p.start)


WHATSAPP_REGIONS = frozenset({"HK", "SG", "MY"})  # where clients are messaged on WhatsApp
WHATSAPP_TEXT_LIMIT = 1000  # characters of a prefilled message kept in the link


def whatsapp_link(e164: str | None, text: str | None = None) -> str | None:
    """A wa.me link that opens a chat with a Hong Kong, Singapore or Malaysia mobile, with the
    message typed in (the agent still presses send); None for other numbers (mainland clients
    are on WeChat, Taiwan's on LINE: no link of that kind to open a chat by number)."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.region_code_for_number(number) not in WHATSAPP_REGIONS:
        return None
    if phonenumbers.number_type(number) not in (PhoneNumberType.MOBILE,
                                                PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    link = f"https://wa.me/{phone_digits(e164)}"
    if text:
        link += "?text=" + quote(text[:WHATSAPP_TEXT_LIMIT], safe="")
    return link
