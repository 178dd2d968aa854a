"""The script text itself: right script per locale, no stray placeholders, phone-sized lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import opencc
import pytest
import yaml

from coachbot.scripts import SCRIPTS_ROOT
from coachbot.scripts.schema import FILES

CJK = re.compile(r"[\u3400-\u9fff]")
KEYS_NOT_TEXT = {"priority", "profile", "products", "probes", "questions", "how", "stage",
                 "tier", "has_product", "lacks_product"}


def _strings(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, str(k))
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, key)
    elif isinstance(node, str) and key not in KEYS_NOT_TEXT:
        yield key, node


def _texts(locale: str) -> list[tuple[str, str]]:
    found = []
    for name in FILES:
        data = yaml.safe_load((SCRIPTS_ROOT / locale / f"{name}.yaml").read_text("utf-8"))
        found += list(_strings(data))
    return found


# Read alone, these look Simplified to OpenCC, but in context (划算, 倒霉) they are right.
CONTEXT_DEPENDENT = {"划", "霉"}


def _simplified_only(text: str) -> set[str]:
    """Characters that neither Taiwan nor Hong Kong writing would use as they stand."""
    tw, hk = opencc.OpenCC("s2tw"), opencc.OpenCC("s2hk")
    return {c for c in text if tw.convert(c) != c and hk.convert(c) != c} - CONTEXT_DEPENDENT


def _traditional_only(text: str) -> set[str]:
    to_simple, back = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    return {c for c in text if to_simple.convert(c) != c and back.convert(c) == c}


def test_traditional_files_use_traditional_characters() -> None:
    assert _simplified_only("".join(t for _, t in _texts("zh-Hant"))) == set()


def test_simplified_files_use_simplified_characters() -> None:
    assert _traditional_only("".join(t for _, t in _texts("zh-Hans"))) == set()


def test_english_files_have_no_chinese() -> None:
    assert [t for _, t in _texts("en") if CJK.search(t)] == []


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "en"])
def test_lines_fit_a_phone(locale: str) -> None:
    limit = 80 if locale != "en" else 220  # questions and tips read at a glance
    long = [t for key, t in _texts(locale) if key in {"text", "name", "label"} and len(t) > limit]
    assert long == []


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "en"])
def test_no_placeholders_outside_referrals_and_playbooks(locale: str) -> None:
    """Referrals name people; playbooks say the region's cooling-off period (filled by
    scripts.regional). No other file has anything to fill."""
    for name in FILES:
        if name in ("referrals", "playbooks"):
            continue
        raw = (SCRIPTS_ROOT / locale / f"{name}.yaml").read_text("utf-8")
        assert "{{" not in raw, name
