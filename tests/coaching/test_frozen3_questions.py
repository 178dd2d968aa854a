"""Question-type accuracy on the third independent set, tests/coaching/data/frozen3/.

Written by someone who had seen neither the classifier nor any earlier set (100 utterances
per language: mainland, Singapore/Malaysia, Hong Kong Cantonese-flavoured and Taiwan Chinese;
Singapore, Malaysian, Hong Kong and plain English), committed before the classifier changed,
and never shown to the engineers who then improved it. It was scored three times, by a
command that prints only per-language accuracy: the classifier as it was (0.78 / 0.81 / 0.87
for zh-Hans / zh-Hant / en), after the English work (0.78 / 0.80 / 0.92), and after the
Chinese work, the shipped model (0.92 / 0.91 / 0.92). The rules alone score 0.69 / 0.69 /
0.78 on it. The floors are the shipped figures rounded down to 0.05; once a later change is
tuned by looking at this set's errors, it stops being independent: write a fourth.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from coachbot.domain.coaching import classify_question

FROZEN3 = Path(__file__).parent / "data" / "frozen3"
FLOOR = {"zh-Hans": 0.90, "zh-Hant": 0.90, "en": 0.90}


@pytest.mark.parametrize("locale", sorted(FLOOR))
def test_accuracy_on_the_third_independent_set(locale: str) -> None:
    raw = yaml.safe_load((FROZEN3 / f"questions_{locale}.yaml").read_text(encoding="utf-8"))
    items = raw["items"]
    assert len(items) == 100
    share = sum(classify_question(i["text"], locale) == i["type"] for i in items) / len(items)
    assert share >= FLOOR[locale]
