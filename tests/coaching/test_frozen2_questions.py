"""Question-type accuracy on the second frozen set, tests/coaching/data/frozen2/.

The set was written independently of the classifier and was never opened, printed or read
while building it: the model's features, regularisation and the rules' weight were chosen by
cross-validation on the development sets only (tests/coaching/data/questions_*.yaml and
frozen/), see tools/train_question_model.py. It was scored twice in total, by a command that
prints only per-language accuracy: 0.92 / 0.89 / 0.79 (zh-Hans / zh-Hant / en) for the first
model, 0.90 / 0.93 / 0.80 for the shipped one (before: rules only, 0.76 / 0.86 / 0.63).
The floors are the shipped figures rounded down to 0.05; English is still short of 0.85.

The set is now retired: the Chinese model trains on it (tools/train_question_model.py,
FROZEN2_GROUPS), so for zh-Hans and zh-Hant this is a training-set check, not an estimate.
Held out (--cv-sets), the Chinese model scores 0.98 / 0.95 on it. English is still unseen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from coachbot.domain.coaching import classify_question

FROZEN2 = Path(__file__).parent / "data" / "frozen2"
FLOOR = {"zh-Hans": 0.90, "zh-Hant": 0.90, "en": 0.80}


@pytest.mark.parametrize("locale", sorted(FLOOR))
def test_accuracy_on_the_second_frozen_set(locale: str) -> None:
    raw = yaml.safe_load((FROZEN2 / f"questions_{locale}.yaml").read_text(encoding="utf-8"))
    items = raw["items"]
    share = sum(classify_question(i["text"], locale) == i["type"] for i in items) / len(items)
    assert share >= FLOOR[locale]
