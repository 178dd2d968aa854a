"""Regenerate the Traditional -> Simplified table the classifier's rules need (uses OpenCC)."""

from __future__ import annotations

import re
from pathlib import Path

import opencc

COACHING = Path(__file__).parents[2] / "coachbot" / "domain" / "coaching"
CLASSIFIER = COACHING / "classifier.py"
EXTRACTOR = COACHING / "extract.py"


def rule_characters() -> set[str]:
    """Every CJK character in the classifier's Chinese rules and question gate, and in the
    fact extractor (whose rules are read after folding)."""
    source = CLASSIFIER.read_text(encoding="utf-8")
    block = source[source.index("_ZH_IF ="):source.index("_EN_BAD =")]
    block += source[source.index("_ZH_QUESTION"):source.index("_EN_QUESTION")]
    block += EXTRACTOR.read_text(encoding="utf-8")
    return set(re.findall(r"[\u3400-\u9fff]", block))


def fold_pairs() -> tuple[str, str]:
    """(traditional, simplified) strings covering every rule character."""
    chars = rule_characters()
    converters = [opencc.OpenCC(name) for name in ("t2s", "hk2s", "tw2s")]
    pairs: dict[str, str] = {}
    for code in range(0x4E00, 0xA000):
        char = chr(code)
        for converter in converters:
            simple = converter.convert(char)
            if simple != char and simple in chars:
                pairs.setdefault(char, simple)
    keys = sorted(pairs)
    return "".join(keys), "".join(pairs[k] for k in keys)


def wrapped(text: str, width: int = 40) -> str:
    """A long string as indented, concatenated source lines."""
    return "\n".join(f'    "{text[i:i + width]}"' for i in range(0, len(text), width))
