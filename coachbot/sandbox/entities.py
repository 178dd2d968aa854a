"""Message text as Telegram stores it: UTF-16 offsets, trimming, automatic entities."""

from __future__ import annotations

import re
from typing import Any

from coachbot.sandbox.html import entity_sort_key, utf16_len

_TRIMMED = " \t\r\n"
# Entities Telegram finds by itself in any message text.
_AUTO_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’”]")),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
)
# Entities inside which Telegram finds nothing.
_OPAQUE = frozenset({"code", "pre", "text_link", "custom_emoji", "url", "text_mention"})


def utf16_offset(text: str, index: int) -> int:
    """UTF-16 offset of the character at Python index `index`."""
    return utf16_len(text[:index])


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The substring covering UTF-16 units [offset, offset + length)."""
    encoded = text.encode("utf-16-le")
    return encoded[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip leading/trailing whitespace as Telegram does, keeping entities aligned."""
    stripped_left = text.lstrip(_TRIMMED)
    shift = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip(_TRIMMED)
    end = utf16_len(result)
    kept = []
    for entity in entities:
        start = max(int(entity["offset"]) - shift, 0)
        stop = min(int(entity["offset"]) + int(entity["length"]) - shift, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return result, kept


def find_auto_entities(
    text: str, existing: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Commands, mentions, hashtags, URLs and e-mails, outside code/pre/link entities."""
    existing = existing or []
    blocked = [
        (int(e["offset"]), int(e["offset"]) + int(e["length"]))
        for e in existing if e["type"] in _OPAQUE
    ]
    found: list[dict[str, Any]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start = utf16_offset(text, match.start())
            length = utf16_len(match.group(0))
            span = (start, start + length)
            if any(a < span[1] and span[0] < b for a, b in blocked):
                continue
            found.append({"type": kind, "offset": start, "length": length})
            blocked.append(span)
    return found


def with_auto_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`entities` plus the automatic ones, in Telegram's order."""
    merged = [*entities, *find_auto_entities(text, entities)]
    merged.sort(key=entity_sort_key)
    return merged
