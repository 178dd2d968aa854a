"""`coachbot eval`: the model's figures on the frozen sets, live or replayed offline."""

from __future__ import annotations

import json
from pathlib import Path

from coachbot.cli import main
from coachbot.domain.coaching.classifier import BlendedClassifier
from coachbot.domain.locales import LOCALES
from coachbot.domain.privacy import redact
from coachbot.fakellm import Reply
from coachbot.services.ai import evaluate
from coachbot.services.ai.facts import rule_facts

FROZEN = Path(__file__).parents[1] / "coaching" / "data" / "frozen"


def _recording() -> tuple[dict, dict]:
    """Recorded answers made from the labels with known mistakes, and the figures to expect:
    every 4th question answered "other" (or "S" when the label is other), every 9th missing;
    every 3rd note's first fact dropped, every 5th note given a wrong extra fact, every 7th
    one that fails the schema."""
    rec = evaluate.new_recording("recorded-model")
    expected: dict = {}
    for locale in LOCALES:
        questions, notes = evaluate.load_sets(FROZEN, locale)
        answers, correct, failures = {}, 0, 0
        for i, item in enumerate(questions):
            if i % 9 == 8:
                failures += 1
                continue
            wrong = i % 4 == 3
            answers[item["text"]] = ("S" if item["type"] == "other" else "other") if wrong \
                else item["type"]
            correct += not wrong
        rec["classify"][locale] = answers
        facts, good, predicted, labelled = {}, 0, 0, 0
        for i, note in enumerate(notes):
            truth = evaluate.check_facts(note["facts"] or {}).facts
            units = evaluate.compare_facts(truth, truth).labelled
            answer = dict(truth)
            if i % 3 == 0 and answer:
                first = next(iter(answer))
                units_left = evaluate.compare_facts({k: v for k, v in answer.items()
                                                     if k != first}, truth).correct
                del answer[first]
            else:
                units_left = units
            if i % 5 == 0 and "age" not in truth:
                answer["age"] = 77
                predicted += 1
            if i % 7 == 0 and "employees" not in truth:
                answer["employees"] = -3  # fails the schema: dropped, not counted
            facts[note["text"]] = answer
            good += units_left
            predicted += units_left
            labelled += units
        rec["facts"][locale] = facts
        expected[locale] = (correct, failures, len(questions), good, predicted, labelled)
    return rec, expected


async def test_recorded_answers_are_scored_offline():
    rec, expected = _recording()
    report = await evaluate.evaluate(FROZEN, recorded=rec)
    assert report.source == "recorded" and report.model == "recorded-model"
    rules = BlendedClassifier()  # the offline classifier the bot falls back to
    for c, f in zip(report.classifier, report.facts, strict=True):
        correct, failures, total, good, predicted, labelled = expected[c.locale]
        assert (c.correct, c.failures, c.total) == (correct, failures, total)
        questions, _ = evaluate.load_sets(FROZEN, c.locale)
        assert c.rules_correct == sum(str(rules.classify(q["text"], c.locale)) == q["type"]
                                      for q in questions)
        assert (f.correct, f.predicted, f.labelled) == (good, predicted, labelled)
        assert 0.5 < f.precision < 1 and 0.5 < f.recall < 1
        # beside them, what the rules the bot falls back to find in the same notes
        _, notes = evaluate.load_sets(FROZEN, f.locale)
        by_rules = [evaluate.compare_facts(rule_facts(n["text"], f.locale), n["facts"] or {})
                    for n in notes]
        assert f.rules_correct == sum(m.correct for m in by_rules)
        assert f.rules_predicted == sum(m.predicted for m in by_rules)
        assert f.rules_precision > 0.85 and f.rules_recall > 0.6


def test_the_eval_command_runs_offline_from_a_recording(tmp_path, capsys, monkeypatch):
    rec, expected = _recording()
    path = tmp_path / "answers.json"
    evaluate.write_recording(path, rec)
    monkeypatch.delenv("COACHBOT_LLM_MODEL", raising=False)
    assert main(["eval", "--recorded", str(path), "--data", str(FROZEN)]) == 0
    out = capsys.readouterr().out
    correct, _, total, *_ = expected["zh-Hans"]
    assert f"question types zh-Hans  {correct}/{total} = " in out
    facts_lines = [line for line in out.splitlines() if line.startswith("  facts ")]
    assert len(facts_lines) == 3 and all("(rules precision " in line for line in facts_lines)
    assert main(["eval", "--recorded", str(path), "--data", str(FROZEN), "--json",
                 "--locale", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["locale"] for c in data["classifier"]] == ["en"]
    assert main(["eval", "--data", str(FROZEN)]) == 2  # no model and nothing recorded
    assert "no model configured" in capsys.readouterr().err


async def test_a_live_run_records_answers_that_replay_to_the_same_figures(make_ai, llm):
    questions, notes = evaluate.load_sets(FROZEN, "en")
    labels = {redact(q["text"]).text: q["type"] for q in questions}
    facts = {redact(n["text"]).text: n["facts"] for n in notes}

    def answer(request) -> Reply:
        said = request.messages[-1]["content"]
        if "SPIN selling" in request.messages[0]["content"] and said in labels:
            return Reply(json.dumps({"type": labels[said]}))
        said = said.split("\n", 1)[-1]
        return Reply(json.dumps(facts.get(said, {})))

    llm.responder = answer
    llm.script(Reply(status=500), Reply(status=500), Reply(status=500))  # one item fails
    ai = make_ai()
    record = evaluate.new_recording("fake-model")
    live = await evaluate.evaluate(FROZEN, ai=ai, locales=["en"], limit=6, record=record,
                                   concurrency=1)
    [c], [f] = live.classifier, live.facts
    assert (c.total, c.failures) == (6, 1) and c.correct == 5
    assert f.precision == 1.0 and f.recall == 1.0
    replayed = await evaluate.evaluate(FROZEN, recorded=json.loads(json.dumps(record)),
                                       locales=["en"], limit=6)
    assert replayed.classifier == live.classifier and replayed.facts == live.facts
