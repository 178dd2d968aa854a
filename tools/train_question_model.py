"""Train the question-type model shipped as coachbot/domain/coaching/question_model.json.

    .venv/bin/python tools/train_question_model.py          # cross-validate, then write the model
    .venv/bin/python tools/train_question_model.py --cv     # cross-validation figures only
    .venv/bin/python tools/train_question_model.py --cv-sets  # leave one whole set out

Training data: the labelled development sets, tests/coaching/data/questions_*.yaml (items
and fresh), tests/coaching/data/frozen/questions_*.yaml and every
tests/coaching/data/train_extra_<locale>.yaml (written as training data only). frozen2/ was
scored twice and is retired: the Chinese model trains on it too; the English model is
trained as before (FROZEN2_GROUPS).
One Chinese model for zh-Hans and zh-Hant (the text is folded into Simplified first), one
English model. Multinomial logistic regression, trained by AdaGrad with L2, pure Python.

--cv-sets holds out one whole set at a time (dev, fresh, frozen, frozen2, extra; both
locales of a group together, since a set's zh-Hans and zh-Hant items were written side by
side), trains on the rest and scores the held-out set. The rules were written against dev,
fresh and frozen (RULES_SEEN), so only the other sets show what the rules' bonus is worth on
unseen wording; the pooled figure over them chooses L2 and the bonus.
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

from coachbot.domain.coaching.classifier import QuestionType, rule_analysis  # noqa: E402
from coachbot.domain.coaching.question_model import (  # noqa: E402
    ngram_features,
    rule_features,
    scores,
)

DATA = ROOT / "tests" / "coaching" / "data"
OUT = ROOT / "coachbot" / "domain" / "coaching" / "question_model.json"
LABELS = [str(t) for t in QuestionType]
GROUPS = {"zh": ("zh-Hans", "zh-Hant"), "en": ("en",)}
# (L2, rules' bonus). en: chosen by 5-fold cross-validation on the development sets with the
# rules' choice replaced by one right as often as the rules are on unseen wording (0.65; on the
# development sets the rules score ~0.95 because they were written against them): see
# --simulate. Simulated CV: en 0.831.
# zh: chosen with the pruning below by --cv-sets, pooled over the held-out sets the rules never
# saw (frozen2 and extra, 750 items; averaged over training seeds 7-9): 0.894, on a flat ridge
# (L2 0.001-0.01 with the bonus 2-4 and pruning 0.05-0.3 all give 0.88-0.90; L2 0.05-0.1 with
# a bonus of 0.5 does as well unpruned but loses 0.02-0.04 once pruned). The old (0.03, 2.0)
# scores 0.868 there.
CHOSEN = {"zh": (0.003, 3.0), "en": (0.03, 1.0)}
# Weights smaller than this are dropped from the shipped JSON (and from --cv-sets' models).
# zh: with L2 0.003 the weights are large enough for 0.2 to cost nothing held out; it keeps
# the Chinese model at about 550 kB (all 0.03 would make it 2 MB).
PRUNE = {"zh": 0.2, "en": 0.03}
FROZEN2_GROUPS = ("zh",)  # groups that also train on the retired frozen2/ set
RULES_SEEN = ("dev", "fresh", "frozen")  # sets the rules were written against


def load(locale: str, frozen2: bool = False) -> list[dict[str, str]]:
    dev = yaml.safe_load((DATA / f"questions_{locale}.yaml").read_text(encoding="utf-8"))
    frozen = yaml.safe_load((DATA / "frozen" / f"questions_{locale}.yaml").read_text("utf-8"))
    sets = [("dev", dev["items"]), ("fresh", dev.get("fresh") or []),
            ("frozen", frozen["items"])]
    if frozen2:
        sets.append(("frozen2", yaml.safe_load(
            (DATA / "frozen2" / f"questions_{locale}.yaml").read_text("utf-8"))["items"]))
    extra = DATA / f"train_extra_{locale}.yaml"
    if extra.exists():
        sets.append(("extra", yaml.safe_load(extra.read_text(encoding="utf-8"))["items"]))
    return [{"text": i["text"], "type": i["type"], "locale": locale, "source": source}
            for source, items in sets for i in items]


def featurize(text: str, locale: str, use_rules: bool) -> tuple[list[str], str]:
    seen = rule_analysis(text, locale)
    feats = ngram_features(seen.norm, seen.chinese)
    if use_rules:
        feats += rule_features(seen.fired, str(seen.kind), seen.asking)
    return feats, str(seen.kind)


def train(rows: list[tuple[list[str], str]], l2: float, epochs: int = 15, lr: float = 0.5,
          seed: int = 7) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    weights: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(LABELS, 0.0))
    grad2: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(LABELS, 1e-8))
    bias = dict.fromkeys(LABELS, 0.0)
    order = list(range(len(rows)))
    rnd = random.Random(seed)
    for _ in range(epochs):
        rnd.shuffle(order)
        for idx in order:
            feats, gold = rows[idx]
            logits = scores(weights, bias, feats)
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


def shipped(weights: dict[str, dict[str, float]], prune: float) -> dict[str, dict[str, float]]:
    """The weights as written to the JSON: rounded, the small ones dropped."""
    kept = {f: {k: round(v, 2) for k, v in row.items() if abs(v) >= prune}
            for f, row in weights.items()}
    return {f: row for f, row in sorted(kept.items()) if row}


def predict(model, feats: list[str], rule_kind: str, mix: float) -> str:
    logits = scores(model[0], model[1], feats)
    if mix:
        logits[rule_kind] += mix
    return max(LABELS, key=lambda k: logits[k])


def cross_validate(items, use_rules: bool, l2: float, mixes, folds: int = 5,
                   simulate: float | None = None):
    """Per-item predictions for each mix weight, k-fold (stratified by position).

    simulate: replace the rules' choice by one right with this probability (when wrong: the
    rules' own wrong choice, else a random wrong label), since the rules were written against
    these very sets and are far better on them than on unseen wording.
    """
    feats = [featurize(i["text"], i["locale"], use_rules) for i in items]
    if simulate is not None:
        rnd = random.Random(3)
        for k, item in enumerate(items):
            if rnd.random() >= simulate:
                kind = feats[k][1]
                if kind == item["type"]:
                    kind = rnd.choice([x for x in LABELS if x != item["type"]])
            else:
                kind = item["type"]
            feats[k] = (feats[k][0], kind)
    preds = {m: [None] * len(items) for m in mixes}
    for fold in range(folds):
        test = [k for k in range(len(items)) if k % folds == fold]
        train_rows = [(feats[k][0], items[k]["type"]) for k in range(len(items))
                      if k % folds != fold]
        model = train(train_rows, l2)
        for k in test:
            for m in mixes:
                preds[m][k] = predict(model, feats[k][0], feats[k][1], m)
    return preds


def cross_validate_sets(items, use_rules: bool, l2: float, mixes, prune: float):
    """Per-item predictions for each mix weight, holding out one whole set (source) at a time;
    the models are pruned as the shipped one is."""
    feats = [featurize(i["text"], i["locale"], use_rules) for i in items]
    preds = {m: [None] * len(items) for m in mixes}
    for source in dict.fromkeys(i["source"] for i in items):
        train_rows = [(feats[k][0], i["type"]) for k, i in enumerate(items)
                      if i["source"] != source]
        weights, bias = train(train_rows, l2)
        model = (shipped(weights, prune), bias)
        for k, item in enumerate(items):
            if item["source"] == source:
                for m in mixes:
                    preds[m][k] = predict(model, feats[k][0], feats[k][1], m)
    return preds


def report_sets(items, preds, label: str) -> None:
    """Accuracy per held-out set and locale, and pooled over the sets the rules never saw."""
    locales = sorted({i["locale"] for i in items})
    for m, p in preds.items():
        cells = []
        for source in dict.fromkeys(i["source"] for i in items):
            for locale in locales:
                ks = [k for k, i in enumerate(items) if i["source"] == source
                      and i["locale"] == locale]
                if ks:
                    acc = sum(p[k] == items[k]["type"] for k in ks) / len(ks)
                    cells.append(f"{source}/{locale} {acc:.3f}")
        unseen = [k for k, i in enumerate(items) if i["source"] not in RULES_SEEN]
        if unseen:
            acc = sum(p[k] == items[k]["type"] for k in unseen) / len(unseen)
            cells.append(f"unseen-by-rules pooled {acc:.3f} (n={len(unseen)})")
        print(f"{label} mix={m}: " + ", ".join(cells))


def report(items, preds, label: str) -> None:
    for m, p in preds.items():
        cells = []
        for locale in sorted({i["locale"] for i in items}):
            for source in ("all", "fresh"):
                ks = [k for k, i in enumerate(items) if i["locale"] == locale
                      and (source == "all" or i["source"] == source)]
                acc = sum(p[k] == items[k]["type"] for k in ks) / len(ks)
                cells.append(f"{locale}/{source} {acc:.3f}")
        print(f"{label} mix={m}: " + ", ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cv", action="store_true")
    parser.add_argument("--cv-sets", action="store_true", help="leave one whole set out")
    parser.add_argument("--l2", type=float, default=None, help="default: CHOSEN per group")
    parser.add_argument("--mix", type=float, default=None, help="default: CHOSEN per group")
    parser.add_argument("--prune", type=float, default=None, help="default: PRUNE per group")
    parser.add_argument("--rules", action="store_true", help="rule features in the model")
    parser.add_argument("--mixes", default="0,0.5,1,2,4,100")
    parser.add_argument("--only", default="zh,en")
    parser.add_argument("--simulate", default="", help="e.g. zh=0.8,en=0.65")
    args = parser.parse_args()
    mixes = [float(x) for x in args.mixes.split(",")]
    groups = {g: [i for loc in locs for i in load(loc, g in FROZEN2_GROUPS)]
              for g, locs in GROUPS.items() if g in args.only.split(",")}
    if args.cv_sets:
        for g, items in groups.items():
            l2 = CHOSEN[g][0] if args.l2 is None else args.l2
            prune = PRUNE[g] if args.prune is None else args.prune
            preds = cross_validate_sets(items, args.rules, l2, mixes, prune)
            report_sets(items, preds, f"{g} rules={args.rules} l2={l2} prune={prune}")
        return
    if args.cv:
        for g, items in groups.items():
            random.Random(1).shuffle(items)
            sim = dict(x.split("=") for x in args.simulate.split(",") if x)
            l2 = CHOSEN[g][0] if args.l2 is None else args.l2
            preds = cross_validate(items, args.rules, l2, mixes,
                                   simulate=float(sim[g]) if g in sim else None)
            report(items, preds, f"{g} rules={args.rules} l2={l2} simulate={sim.get(g)}")
        return
    out: dict[str, object] = {}
    for g, items in groups.items():
        l2, mix = CHOSEN[g]
        l2 = l2 if args.l2 is None else args.l2
        mix = mix if args.mix is None else args.mix
        rows = [(featurize(i["text"], i["locale"], args.rules)[0], i["type"]) for i in items]
        weights, bias = train(rows, l2)
        prune = PRUNE[g] if args.prune is None else args.prune
        out[g] = {"mix": mix, "bias": {k: round(v, 3) for k, v in bias.items()},
                  "weights": shipped(weights, prune)}
    OUT.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
