"""Precision and recall of the fact extractor, per fact key and per language.

The frozen notes (data/frozen/notes_*.yaml) were written and labelled independently; they are
scored, never edited. The fresh notes (data/notes_fresh_*.yaml) were written by the rules'
author after the first version of the rules, as a check on wording the rules were not written
against; their first score (before any fix) is kept in FRESH_FIRST_RUN.
Run with -s to print the tables.

Scoring: a scalar key is one item (right value = true positive; a wrong value counts as a false
positive and a false negative); set keys (child_stage, existing_cover, health_event) count one
item per member; existing_cover [] is the item "none"; children_ages is one item (as a multiset).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from coachbot.domain.coaching.extract import FACT_KEYS, as_values, extract

DATA = Path(__file__).parent / "data"
LOCALES = ("zh-Hans", "zh-Hant", "en")
PRECISION, RECALL = 0.90, 0.75
FRESH_FIRST_RUN = {"zh-Hans": (0.90, 0.82), "zh-Hant": (0.97, 0.85), "en": (0.89, 0.82),
                   "all": (0.92, 0.83)}


def _items(key: str, value: Any) -> set[Any]:
    if key == "health_event":
        return {(e["who"], e["what"]) if isinstance(e, dict) else tuple(e) for e in value}
    if key in ("child_stage", "existing_cover"):
        return set(value) or {"none"}
    if key == "children_ages":
        return {tuple(sorted(value))}
    return {value}


def score(path: Path) -> tuple[dict[str, Counter[str]], list[str]]:
    """Per key: tp, fp, fn counts; and a line per mistake."""
    notes = yaml.safe_load(path.read_text(encoding="utf-8"))["notes"]
    counts: dict[str, Counter[str]] = {}
    mistakes = []
    for note in notes:
        gold = note["facts"] or {}
        found = as_values(extract(note["text"]))
        for key in set(gold) | set(found):
            want = _items(key, gold[key]) if key in gold else set()
            got = _items(key, found[key]) if key in found else set()
            tally = counts.setdefault(key, Counter())
            tally.update(tp=len(want & got), fp=len(got - want), fn=len(want - got))
            if want != got:
                mistakes.append(f"{note['text']!r} {key}: want {want} got {got}")
    return counts, mistakes


def _pr(tally: Counter[str]) -> tuple[float, float]:
    found, wanted = tally["tp"] + tally["fp"], tally["tp"] + tally["fn"]
    return (tally["tp"] / found if found else 1.0, tally["tp"] / wanted if wanted else 1.0)


def _total(counts: dict[str, Counter[str]]) -> Counter[str]:
    return sum(counts.values(), Counter())


def test_every_labelled_key_is_one_the_extractor_knows() -> None:
    for locale in LOCALES:
        notes = yaml.safe_load((DATA / "frozen" / f"notes_{locale}.yaml").read_text("utf-8"))
        assert {key for n in notes["notes"] for key in (n["facts"] or {})} <= set(FACT_KEYS)


@pytest.mark.parametrize("locale", LOCALES)
def test_frozen_notes_precision_and_recall(locale: str) -> None:
    counts, mistakes = score(DATA / "frozen" / f"notes_{locale}.yaml")
    precision, recall = _pr(_total(counts))
    print(f"\nfrozen {locale}: precision {precision:.2f} recall {recall:.2f}")
    print("\n".join(mistakes))
    assert precision >= PRECISION and recall >= RECALL


def test_frozen_notes_overall_and_per_key_table() -> None:
    per_key: dict[str, Counter[str]] = {}
    for locale in LOCALES:
        counts, _ = score(DATA / "frozen" / f"notes_{locale}.yaml")
        for key, tally in counts.items():
            per_key.setdefault(key, Counter()).update(tally)
    print("\n| fact | precision | recall | items |\n| --- | --- | --- | --- |")
    for key in FACT_KEYS:
        if key in per_key:
            p, r = _pr(per_key[key])
            n = per_key[key]["tp"] + per_key[key]["fn"]
            print(f"| {key} | {p:.2f} | {r:.2f} | {n} |")
    precision, recall = _pr(_total(per_key))
    print(f"| all | {precision:.2f} | {recall:.2f} | |")
    assert precision >= PRECISION and recall >= RECALL


@pytest.mark.parametrize("locale", LOCALES)
def test_fresh_notes(locale: str) -> None:
    counts, mistakes = score(DATA / f"notes_fresh_{locale}.yaml")
    precision, recall = _pr(_total(counts))
    first = FRESH_FIRST_RUN[locale]
    print(f"\nfresh {locale}: precision {precision:.2f} recall {recall:.2f} "
          f"(first run {first[0]:.2f} / {first[1]:.2f})")
    print("\n".join(mistakes))
    assert precision >= PRECISION and recall >= RECALL
