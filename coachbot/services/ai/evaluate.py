"""How good the model is at our tasks, on the frozen labelled sets; live, or replayed offline.

`coachbot eval` asks the configured model to label every question of
tests/coaching/data/frozen/questions_<locale>.yaml and to read the facts of every note of
notes_<locale>.yaml, through the same services the bot uses (redaction, validation), and
reports the classifier's accuracy and the facts' precision and recall, counted over fact units
(domain/coaching/fact_schema.fact_units), each beside the rules' on the same items (the rules
the bot falls back to: services/ai/facts.py's FactReader.rules). A run
can record the model's answers to a JSON file; `--recorded FILE` replays them offline with the
same checks, which is how CI runs it. A failed or missing answer counts as wrong.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from coachbot.domain.coaching.classifier import BlendedClassifier, QuestionClassifier
from coachbot.domain.coaching.fact_schema import check_facts, compare_facts
from coachbot.domain.locales import LOCALES
from coachbot.services.ai import prompts
from coachbot.services.ai.facts import FactRules, rule_facts
from coachbot.services.ai.setup import AiServices

RECORDING_FORMAT = 1


@dataclass
class ClassifierScore:
    """Question types in one locale: the model's (or recorded) and the rules' accuracy."""

    locale: str
    total: int = 0
    correct: int = 0
    failures: int = 0
    rules_correct: int = 0
    confusion: dict[str, int] = field(default_factory=dict)  # "label>answer" -> count

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def rules_accuracy(self) -> float:
        return self.rules_correct / self.total if self.total else 0.0


@dataclass
class FactsScore:
    """Facts from notes in one locale, counted over fact units."""

    locale: str
    notes: int = 0
    correct: int = 0
    predicted: int = 0
    labelled: int = 0
    failures: int = 0
    rules_correct: int = 0
    rules_predicted: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.labelled if self.labelled else 0.0

    @property
    def rules_precision(self) -> float:
        return self.rules_correct / self.rules_predicted if self.rules_predicted else 0.0

    @property
    def rules_recall(self) -> float:
        return self.rules_correct / self.labelled if self.labelled else 0.0


@dataclass
class EvalReport:
    """The evaluation's figures, and where the answers came from."""

    source: str  # "live" or "recorded"
    model: str
    prompt_version: str
    classifier: list[ClassifierScore] = field(default_factory=list)
    facts: list[FactsScore] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as text, one line per figure."""
        out = [f"Model evaluation ({self.source} answers of {self.model}, prompts "
               f"{self.prompt_version}); failed or missing answers count as wrong"]
        for c in self.classifier:
            out.append(f"  question types {c.locale:8} {c.correct}/{c.total} = "
                       f"{c.accuracy:.1%} (rules {c.rules_accuracy:.1%}), "
                       f"{c.failures} failed")
        for f in self.facts:
            out.append(f"  facts          {f.locale:8} precision {f.precision:.1%} "
                       f"({f.correct}/{f.predicted}), recall {f.recall:.1%} "
                       f"({f.correct}/{f.labelled}) over {f.notes} notes, {f.failures} failed "
                       f"(rules precision {f.rules_precision:.1%} "
                       f"({f.rules_correct}/{f.rules_predicted}), recall {f.rules_recall:.1%})")
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for c, item in zip(self.classifier, data["classifier"], strict=True):
            item.update(accuracy=round(c.accuracy, 4), rules_accuracy=round(c.rules_accuracy, 4))
        for f, item in zip(self.facts, data["facts"], strict=True):
            item.update(precision=round(f.precision, 4), recall=round(f.recall, 4),
                        rules_precision=round(f.rules_precision, 4),
                        rules_recall=round(f.rules_recall, 4))
        return data


def load_sets(data_dir: Path, locale: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The frozen questions and notes of a locale."""
    questions = yaml.safe_load((data_dir / f"questions_{locale}.yaml").read_text("utf-8"))
    notes = yaml.safe_load((data_dir / f"notes_{locale}.yaml").read_text("utf-8"))
    return list(questions["items"]), list(notes["notes"])


def new_recording(model: str) -> dict[str, Any]:
    return {"format": RECORDING_FORMAT, "model": model,
            "prompt_version": prompts.PROMPT_VERSION,
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "classify": {}, "facts": {}}


@dataclass
class _Answers:
    """Where the answers come from: the model, live (and recorded when asked), or a recording."""

    ai: AiServices | None
    recorded: dict[str, Any] | None
    record: dict[str, Any] | None
    gate: asyncio.Semaphore

    @property
    def live(self) -> bool:
        return self.recorded is None

    async def question_type(self, locale: str, text: str) -> str | None:
        if not self.live:
            value = (self.recorded or {}).get("classify", {}).get(locale, {}).get(text)
            return value if value in prompts.QUESTION_TYPES else None
        assert self.ai is not None
        async with self.gate:
            found = await self.ai.classifier.aclassify(text, locale, agent_id=None)
        value = str(found.qtype) if found.source == "model" else None
        if self.record is not None:
            self.record["classify"].setdefault(locale, {})[text] = value
        return value

    async def facts(self, locale: str, text: str) -> dict[str, Any] | None:
        if not self.live:
            value = (self.recorded or {}).get("facts", {}).get(locale, {}).get(text)
            try:
                return check_facts(value).facts if value is not None else None
            except ValueError:
                return None
        assert self.ai is not None
        async with self.gate:
            found = await self.ai.facts.read(agent_id=None, text=text, locale=locale)
        value = found.facts if found.source == "model" else None
        if self.record is not None:
            self.record["facts"].setdefault(locale, {})[text] = value
        return value


async def evaluate(data_dir: Path, *, ai: AiServices | None = None,
                   recorded: dict[str, Any] | None = None,
                   locales: Sequence[str] = LOCALES, limit: int | None = None,
                   record: dict[str, Any] | None = None, concurrency: int = 4,
                   rules: QuestionClassifier | None = None,
                   fact_rules: FactRules | None = None) -> EvalReport:
    """Score live answers (ai, a model configured) or recorded ones (recorded, offline);
    live answers are added to `record` when given (see new_recording). The rules' figures
    beside them: `rules` and `fact_rules`, by default the ones the bot falls back to."""
    if (ai is None or not ai.model_on) and recorded is None:
        raise ValueError("no model configured and no recorded answers")
    answers = _Answers(ai, recorded, record, asyncio.Semaphore(max(1, concurrency)))
    model = ai.gateway.chat.model if answers.live and ai and ai.gateway and ai.gateway.chat \
        else str((recorded or {}).get("model", "?"))
    version = prompts.PROMPT_VERSION if answers.live \
        else str((recorded or {}).get("prompt_version"))
    report = EvalReport("live" if answers.live else "recorded", model, version)
    if fact_rules is None:
        fact_rules = ai.facts.rules if ai is not None else rule_facts
    for locale in locales:
        questions, notes = load_sets(data_dir, locale)
        report.classifier.append(await _score_questions(
            answers, locale, questions[:limit], rules or BlendedClassifier()))
        report.facts.append(await _score_notes(answers, locale, notes[:limit], fact_rules))
    return report


async def _score_questions(answers: _Answers, locale: str, questions: list[dict[str, Any]],
                           rules: QuestionClassifier) -> ClassifierScore:
    types = await asyncio.gather(*(answers.question_type(locale, q["text"]) for q in questions))
    score = ClassifierScore(locale, total=len(questions))
    confusion: Counter[str] = Counter()
    for item, got in zip(questions, types, strict=True):
        label = str(item["type"])
        score.correct += got == label
        score.failures += got is None
        score.rules_correct += str(rules.classify(item["text"], locale)) == label
        if got != label:
            confusion[f"{label}>{got}"] += 1
    score.confusion = dict(confusion.most_common())
    return score


async def _score_notes(answers: _Answers, locale: str, notes: list[dict[str, Any]],
                       rules: FactRules) -> FactsScore:
    found = await asyncio.gather(*(answers.facts(locale, n["text"]) for n in notes))
    facts = FactsScore(locale, notes=len(notes))
    for note, read in zip(notes, found, strict=True):
        labelled = note.get("facts") or {}
        match = compare_facts(read or {}, labelled)
        facts.correct += match.correct
        facts.predicted += match.predicted
        facts.labelled += match.labelled
        facts.failures += read is None
        by_rules = compare_facts(check_facts(dict(rules(note["text"], locale, "note"))).facts,
                                 labelled)
        facts.rules_correct += by_rules.correct
        facts.rules_predicted += by_rules.predicted
    return facts


def read_recording(path: Path) -> dict[str, Any]:
    """Recorded answers from a file written by `coachbot eval --record`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != RECORDING_FORMAT:
        raise ValueError(f"{path} is not a recording of model answers (format "
                         f"{RECORDING_FORMAT})")
    return data


def write_recording(path: Path, recording: dict[str, Any]) -> None:
    path.write_text(json.dumps(recording, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")
