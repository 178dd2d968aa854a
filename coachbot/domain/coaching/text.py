"""Keyword matching that works for Chinese (no spaces) and English (word boundaries)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_SENTENCE_END = re.compile(r"[。！？!?；;\n]+|\.(?:\s|$)")
_ZH_NEGATION = ("不", "没", "沒", "别", "別", "唔", "冇", "未")
_EN_NEGATION = re.compile(r"\b(?:not|no|never|don't|doesn't|didn't|won't|wouldn't)\s+(?:\w+\s+)?$")


def is_english(locale: str) -> bool:
    """True for locales matched by words rather than by characters."""
    return locale.lower().startswith("en")


@lru_cache(maxsize=4096)  # keywords and answers are normalized again at every SPIN step
def normalize(text: str) -> str:
    """Full-width to half-width, lower case, one kind of apostrophe, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=4096)
def _word_pattern(keyword: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in keyword.split()]
    return re.compile(r"(?<![\w'])" + r"\s+".join(words) + r"(?:s|es|ed|d|ing)?(?![\w'])")


def find(text: str, keyword: str, locale: str) -> int:
    """Where a keyword occurs in normalized text (-1 if absent)."""
    keyword = normalize(keyword)
    if not keyword:
        return -1
    if is_english(locale):
        match = _word_pattern(keyword).search(text)
        return match.start() if match else -1
    return text.find(keyword)


def matches(text: str, keywords: Iterable[str], locale: str) -> list[str]:
    """The keywords that occur in the text (the text is normalized here)."""
    norm = normalize(text)
    return [kw for kw in keywords if find(norm, kw, locale) >= 0]


def negated(text: str, position: int, locale: str) -> bool:
    """Whether the word at position in normalized text is negated just before it."""
    before = text[max(0, position - 20):position]
    if is_english(locale):
        return bool(_EN_NEGATION.search(before))
    return before[-1:] in _ZH_NEGATION or before[-2:-1] in _ZH_NEGATION


def affirmed(text: str, keywords: Iterable[str], locale: str) -> list[str]:
    """Keywords present and not negated (我想 counts, 我不想 does not)."""
    norm = normalize(text)
    found = []
    for kw in keywords:
        pos = find(norm, kw, locale)
        if pos >= 0 and not negated(norm, pos, locale):
            found.append(kw)
    return found


def sentences(text: str) -> list[str]:
    """The text cut into sentences, empty pieces dropped."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def snippet(text: str, keyword: str, locale: str, width: int = 60) -> str:
    """The sentence of the text where the keyword occurs, cut to about width characters."""
    for sentence in sentences(text):
        if find(normalize(sentence), keyword, locale) >= 0:
            return sentence if len(sentence) <= width else sentence[: width - 1] + "…"
    return text if len(text) <= width else text[: width - 1] + "…"
