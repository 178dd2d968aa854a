"""Train the question-type model shipped as coachbot/domain/coaching/question_model.json.

    .venv/bin/python tools/train_question_model.py           # train on every set, write the model
    .venv/bin/python tools/train_question_model.py --loso    # leave-one-set-out estimate only

Training data: every labelled question set in tests/coaching/data/, per language:
  dev      questions_*.yaml (items and fresh)
  frozen   frozen/questions_*.yaml
  frozen2  frozen2/questions_*.yaml (scored twice as an independent set, then retired to
           development data)
  extra    train_extra_*.yaml, where one exists (extra training data, written by the engineer
           who trained the model; the English rules were then extended against it)
  extra2   train_extra2_*.yaml, where one exists (a second batch, written after those rules)
One Chinese model for zh-Hans and zh-Hant (the text is folded into Simplified first), one
English model. Multinomial logistic regression over n-grams, trained by AdaGrad with L2 in pure
Python with a fixed seed and order, so the same data gives the same JSON on any machine.

--loso estimates accuracy on unseen wording: each set in turn is held out whole (both Chinese
scripts at once), the model is trained on the others and scores it, with the rules' choice added
at each weight in --mixes. The rules were written against some sets (RULES_SAW), which flatters
the blend there; the rules' weight is chosen on the folds the rules never saw (English: extra2;
Chinese: frozen2 and extra, before the Chinese rules were extended), the model's settings on all
folds at weight 0. Figures: classifier.py.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coachbot.domain.coaching import question_model  # noqa: E402
from coachbot.domain.coaching.classifier import (  # noqa: E402
    PRIORITY,
    QuestionType,
    rule_analysis,
)

DATA = ROOT / "tests" / "coaching" / "data"
OUT = ROOT / "coachbot" / "domain" / "coaching" / "question_model.json"
LABELS = [str(t) for t in QuestionType]
ORDER = [str(t) for t in PRIORITY]  # ties go as in BlendedClassifier
GROUPS = {"zh": ("zh-Hans", "zh-Hant"), "en": ("en",)}
SETS = ("dev", "frozen", "frozen2", "extra", "extra2")
# the sets the rules were written against, per model
# (zh: the Chinese rules were extended looking at frozen2 and the extra set's errors)
RULES_SAW = {"zh": ("dev", "frozen", "frozen2", "extra"),
             "en": ("dev", "frozen", "frozen2", "extra")}
# (L2, rules' weight) per model, chosen by --loso (L2 0.01 / 0.1 and the weights 0-3 scored no
# better): see classifier.py's docstring.
# zh: chosen with its pruning by leaving out frozen2 and the extra set (750 items) before the
# rules were extended, pooled over training seeds 7-9: 0.894 on a flat ridge (L2 0.001-0.01,
# weight 2-4, pruning 0.05-0.3 all 0.88-0.90; the old (0.03, 2.0) 0.868).
CHOSEN = {"zh": (0.003, 3.0), "en": (0.03, 0.5)}
# weights smaller than this are dropped from the JSON (and from --loso's models); zh's larger
# weights at its small L2 lose nothing held out at 0.2, which keeps its model near 550 kB
PRUNE = {"zh": 0.2, "en": 0.03}
SEED = 7
SCALE = 100  # weights are shipped as integer hundredths


def load_set(name: str, locale: str) -> list[dict[str, str]]:
    """One labelled set in one language (empty when the set has no file for it)."""
    if name == "dev":
        path = DATA / f"questions_{locale}.yaml"
    elif name.startswith("extra"):
        path = DATA / f"train_{name}_{locale}.yaml"
    else:
        path = DATA / name / f"questions_{locale}.yaml"
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = [*raw["items"], *(raw.get("fresh") or [])]
    return [{"text": i["text"], "type": i["type"], "locale": locale, "set": name}
            for i in items]


def load(group: str) -> list[dict[str, str]]:
    return [item for name in SETS for locale in GROUPS[group] for item in load_set(name, locale)]


def featurize(text: str, locale: str) -> tuple[list[str], str]:
    """The model's features of one utterance, and the rules' choice."""
    seen = rule_analysis(text, locale)
    return question_model.ngram_features(seen.norm, seen.chinese), str(seen.kind)


def train(rows: list[tuple[list[str], str]], l2: float, epochs: int = 15, lr: float = 0.5,
          seed: int = SEED) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    weights: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(LABELS, 0.0))
    grad2: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(LABELS, 1e-8))
    bias = dict.fromkeys(LABELS, 0.0)
    order = list(range(len(rows)))
    rnd = random.Random(seed)
    for _ in range(epochs):
        rnd.shuffle(order)
        for idx in order:
            feats, gold = rows[idx]
            logits = question_model.scores(weights, bias, feats)
            top = max(logits.values())
            exp = {k: math.exp(v - top) for k, v in logits.items()}
            total = sum(exp.values())
            for label in LABELS:
                g = exp[label] / total - (label == gold)
                bias[label] -= 0.05 * g
                for feat in feats:
                    w = weights[feat]
                    step = g + l2 * w[label]
                    grad2[feat][label] += step * step
                    w[label] -= lr * step / grad2[feat][label] ** 0.5
    return dict(weights), bias


def predict(model, feats: list[str], rule_kind: str, mix: float) -> str:
    logits = question_model.scores(model[0], model[1], feats)
    logits[rule_kind] += mix
    best = max(logits.values())
    return next(k for k in ORDER if logits[k] == best)


def loso(items: list[dict[str, str]], l2: float, mixes: list[float], prune: float = 0.03,
         ) -> dict[float, list[str | None]]:
    """Per-item predictions with each set held out in turn, for each rules' weight."""
    feats = [featurize(i["text"], i["locale"]) for i in items]
    preds: dict[float, list[str | None]] = {m: [None] * len(items) for m in mixes}
    for held in SETS:
        test = [k for k, i in enumerate(items) if i["set"] == held]
        if not test:
            continue
        model = shipped(*train([(feats[k][0], i["type"]) for k, i in enumerate(items)
                                if i["set"] != held], l2), prune)
        for k in test:
            for m in mixes:
                preds[m][k] = predict(model, feats[k][0], feats[k][1], m)
    return preds


def loso_table(group: str, items: list[dict[str, str]], preds) -> list[str]:
    """Accuracy per held-out set and language, then pooled over all sets and over the sets
    the rules never saw."""
    lines = []
    for locale in GROUPS[group]:
        for m, p in preds.items():
            cells = []
            for name in (*SETS, "all", "unseen"):
                ks = [k for k, i in enumerate(items) if i["locale"] == locale and (
                    i["set"] == name or name == "all"
                    or (name == "unseen" and i["set"] not in RULES_SAW[group]))]
                if ks:
                    acc = sum(p[k] == items[k]["type"] for k in ks) / len(ks)
                    cells.append(f"{name} {acc:.3f}")
            lines.append(f"{locale} mix={m:g}: " + ", ".join(cells))
    return lines


def shipped(weights: dict[str, dict[str, float]], bias: dict[str, float], prune: float = 0.03,
            ) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """The weights as the JSON keeps them: hundredths, those under `prune` dropped."""
    rows = {f: {k: round(v * SCALE) / SCALE for k, v in row.items() if abs(v) >= prune}
            for f, row in weights.items()}
    return {f: row for f, row in rows.items() if row}, {k: round(v, 3) for k, v in bias.items()}


def fit(items: list[dict[str, str]], l2: float) -> tuple[dict, dict]:
    rows = [(featurize(i["text"], i["locale"])[0], i["type"]) for i in items]
    return train(rows, l2)


def encode(models: dict[str, dict]) -> str:
    """The compact JSON that question_model.model_scores reads: per feature, the weights in
    LABELS order as integers (x SCALE), as `shipped` rounds them."""
    out: dict[str, object] = {"labels": LABELS, "scale": SCALE, "models": {}}
    for g, model in sorted(models.items()):
        weights, bias = shipped(model["weights"], model["bias"], PRUNE[g])
        out["models"][g] = {  # type: ignore[index]
            "mix": model["mix"], "bias": [bias[k] for k in LABELS],
            "weights": {f: [round(row.get(k, 0.0) * SCALE) for k in LABELS]
                        for f, row in sorted(weights.items())}}
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loso", action="store_true", help="leave-one-set-out figures only")
    parser.add_argument("--l2", type=float, default=None, help="default: CHOSEN per model")
    parser.add_argument("--mixes", default="0,0.5,1,1.5,2,3,100")
    parser.add_argument("--only", default="zh,en", help="with --loso: which models")
    args = parser.parse_args()
    groups = {g: load(g) for g in GROUPS if g in args.only.split(",") or not args.loso}
    if args.loso:
        mixes = [float(x) for x in args.mixes.split(",")]
        for g, items in groups.items():
            l2 = CHOSEN[g][0] if args.l2 is None else args.l2
            print(f"{g} l2={l2} ({len(items)} items)", flush=True)
            for line in loso_table(g, items, loso(items, l2, mixes, PRUNE[g])):
                print("  " + line, flush=True)
        return
    models = {}
    for g, items in groups.items():
        l2, mix = CHOSEN[g]
        weights, bias = fit(items, l2 if args.l2 is None else args.l2)
        models[g] = {"mix": mix, "bias": bias, "weights": weights}
    OUT.write_text(encode(models), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
