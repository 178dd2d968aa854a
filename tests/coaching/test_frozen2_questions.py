"""A regression floor on tests/coaching/data/frozen2/ (training data, not an independent set).

frozen2 was written without seeing the classifier and scored twice as an independent set
(0.92 / 0.89 / 0.79, then 0.90 / 0.93 / 0.80 for zh-Hans / zh-Hant / en). It was then retired
to development data: the English rules were extended against it and the shipped model is
trained on it (tools/train_question_model.py), so its score here says nothing about unseen
wording. This test only catches a model file that no longer fits its own training data (a
rules or feature change without retraining, a broken JSON). The held-out estimates are in
coachbot/domain/coaching/classifier.py's docstring.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from coachbot.domain.coaching import classify_question

FROZEN2 = Path(__file__).parent / "data" / "frozen2"
FLOOR = 0.95  # the shipped model fits every item; a retrain that drops below is a regression


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "en"])
def test_the_model_still_fits_frozen2(locale: str) -> None:
    raw = yaml.safe_load((FROZEN2 / f"questions_{locale}.yaml").read_text(encoding="utf-8"))
    items = raw["items"]
    share = sum(classify_question(i["text"], locale) == i["type"] for i in items) / len(items)
    assert share >= FLOOR
