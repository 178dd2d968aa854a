"""A small trained model next to the question rules: logistic regression over n-grams.

Features are character 1-3-grams of the folded Chinese text, or English word 1-2-grams with
the first word(s), last word and question mark (char 3-5-grams, stems, word trigrams and
skip-grams did no better in leave-one-set-out estimates); the rules' choice is added to the
model's score with a fixed weight per language (`mix` in the JSON). The weights are trained at
build time by tools/train_question_model.py on every labelled question set in
tests/coaching/data/ and shipped as question_model.json in this package, as integer hundredths
per label (compact, and read without decoding); the file is read once, on first use.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

EN_CHAR_NGRAMS: tuple[int, ...] = ()  # char 3-5-grams lowered cross-validated accuracy
_WORD = re.compile(r"[a-z0-9$']+|[^\sa-z0-9$']")


def ngram_features(norm: str, chinese: bool) -> list[str]:
    """The text features of one normalised utterance (no duplicates, stable order)."""
    feats: list[str] = []
    if chinese:
        padded = f"^{norm}$"
        for n in (1, 2, 3):
            feats += [f"c{n}:{padded[i:i + n]}" for i in range(len(padded) - n + 1)]
    else:
        words = ["^", *_WORD.findall(norm), "$"]
        feats += [f"w:{w}" for w in words[1:-1]]
        feats += [f"b:{a} {b}" for a, b in pairwise(words)]
        if len(words) > 2:  # how the utterance opens and ends
            feats += [f"f:{words[1]}", f"f2:{' '.join(words[1:3])}", f"l:{words[-2]}"]
        feats.append(f"q:{int(norm.endswith('?'))}")
        padded = f" {norm} "
        for n in EN_CHAR_NGRAMS:
            feats += [f"c{n}:{padded[i:i + n]}" for i in range(len(padded) - n + 1)]
    return list(dict.fromkeys(feats))


def scores(weights: dict[str, dict[str, float]], bias: dict[str, float],
           features: list[str]) -> dict[str, float]:
    """Log-linear score per label."""
    out = dict(bias)
    for feat in features:
        row = weights.get(feat)
        if row:
            for label, w in row.items():
                out[label] += w
    return out


@cache
def load_model() -> dict[str, Any]:
    """The shipped weights, as written by tools/train_question_model.py: {"labels": [...],
    "scale": n, "models": {"zh"|"en": {"mix": m, "bias": [...], "weights": {feature: [...]}}}},
    each feature's weights as integers in label order (divide by scale)."""
    path = resources.files("coachbot.domain.coaching").joinpath("question_model.json")
    return json.loads(path.read_text(encoding="utf-8"))


def model_scores(name: str, features: list[str]) -> tuple[dict[str, float], float]:
    """The shipped model's log-linear score per label for these features, and its rules'
    weight (the same scores as `scores` on the unpacked weights)."""
    model = load_model()
    part = model["models"][name]
    rows = part["weights"]
    total = [0] * len(model["labels"])
    for feat in features:
        row = rows.get(feat)
        if row:
            for i, w in enumerate(row):
                total[i] += w
    scale = model["scale"]
    return ({label: b + t / scale for label, b, t in zip(model["labels"], part["bias"], total,
                                                          strict=True)}, part["mix"])
