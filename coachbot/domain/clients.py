"""Client-book rules: what a valid client looks like, search keys, and search words."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pypinyin import lazy_pinyin

MAX_NAME = 60
MAX_TEXT = 1000
MAX_TAG = 20
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def clean_text(value: str, limit: int = MAX_TEXT) -> str:
    """Trim, drop control characters, cap the length (what the agent typed, made safe to keep)."""
    kept = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return kept.strip()[:limit]


def clean_name(value: str) -> str | None:
    """A client's name as typed, or None if nothing usable is left."""
    name = " ".join(clean_text(value, MAX_NAME * 2).split())[:MAX_NAME]
    return name or None


def clean_tag(value: str) -> str | None:
    tag = clean_text(value, MAX_TAG * 2).lstrip("#").strip().lower()
    tag = re.sub(r"\s+", "_", tag)[:MAX_TAG]
    return tag or None


def search_key(name: str) -> str:
    """Name, full pinyin and pinyin initials, lower case: `zs`, `zhangsan`, `张三` all match."""
    lowered = name.lower()
    if not CJK.search(name):
        initials = "".join(word[0] for word in lowered.split() if word)
        return f"{lowered} {initials}"
    syllables = lazy_pinyin(name, errors="ignore")
    # each syllable's first letter: what Style.FIRST_LETTER gives, without converting again
    # (the same for every CJK character pypinyin knows; tests/unit/test_search_key.py)
    initials = "".join(syllable[0] for syllable in syllables if syllable)
    return f"{lowered} {''.join(syllables)} {initials}".lower()


def name_key(name: str) -> str:
    """A name as compared to tell two people apart: width, case, spaces and punctuation
    ignored, traditional characters as simplified, Latin words in any order ("Tan David" is
    "David Tan", 陳大文 is 陈大文)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    if CJK.search(text):
        text = to_simplified(text)
    words = re.findall(r"\w+", text)
    if not CJK.search(text):
        words.sort()
    return "".join(words)


def same_name(first: str, second: str) -> bool:
    return name_key(first) == name_key(second)


@functools.cache
def _converter() -> Any:
    import opencc  # its dictionaries load once, on first use

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Chinese text in Simplified characters (OpenCC t2s); other text as it is."""
    return str(_converter().convert(text)) if CJK.search(text) else text


def search_words(query: str) -> list[str]:
    """Split a search into words; phone-like words keep only digits."""
    words = []
    for word in clean_text(query, 100).split():
        digits = re.sub(r"[\s\-+()]", "", word)
        words.append(digits if digits.isdigit() else word.lower())
    return [w for w in words if w][:5]


@dataclass(frozen=True)
class Duplicate:
    """Why a new client looks like one already in the book."""

    client_id: int
    name: str
    reason: str  # "phone" | "name_birthday"
