"""Question types from the model when one is configured, from the rules otherwise."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coachbot.domain.coaching.classifier import (
    BlendedClassifier,
    QuestionClassifier,
    QuestionType,
)
from coachbot.services.ai import prompts
from coachbot.services.ai.gateway import ModelGateway, ModelUnavailable

logger = logging.getLogger(__name__)

CLASSIFY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"type": {"enum": list(prompts.QUESTION_TYPES)},
                   "need": {"type": ["string", "null"]}},
    "required": ["type"],
}
MODEL, RULES = "model", "rules"
CACHE_SIZE = 512


@dataclass(frozen=True)
class Classification:
    """A question's type, the hidden need it is about (role-play), and who decided.

    failure is None when the model answered or none is configured, else why the rules did
    (budget, failed)."""

    qtype: QuestionType
    need: str | None = None
    source: str = RULES
    failure: str | None = None


class ModelQuestionClassifier:
    """A QuestionClassifier backed by the model, falling back to the rules.

    The protocol's classify() is synchronous (the domain calls it mid-rule); a model answers
    asynchronously. So: `await aclassify(...)` asks the model and remembers its answer, and
    classify() returns the remembered answer for the same words, or the rules' one. A handler
    awaits aclassify() and may then pass this object wherever a QuestionClassifier goes.
    """

    def __init__(self, gateway: ModelGateway | None,
                 rules: QuestionClassifier | None = None) -> None:
        self.gateway = gateway
        self.rules = rules or BlendedClassifier()
        self._seen: OrderedDict[tuple[str, str], QuestionType] = OrderedDict()

    def classify(self, text: str, locale: str) -> QuestionType:
        """The model's remembered type for these words, else the rules' type."""
        found = self._seen.get((text, locale))
        return found if found is not None else self.rules.classify(text, locale)

    async def aclassify(self, text: str, locale: str, *, agent_id: int | None,
                        topics: Mapping[str, str] | None = None,
                        names: tuple[str, ...] = ()) -> Classification:
        """Ask the model (with role-play topics, which need the words are about)."""
        if self.gateway is None or self.gateway.chat is None:
            return Classification(self.rules.classify(text, locale))
        system, messages = prompts.classify_messages(text, topics)
        allowed = set(topics or ())

        def validate(value: Any) -> tuple[QuestionType, str | None]:
            if not isinstance(value, dict) or value.get("type") not in prompts.QUESTION_TYPES:
                raise ValueError("no valid type")
            need = value.get("need")
            return QuestionType(value["type"]), need if need in allowed else None

        try:
            qtype, need = await self.gateway.ask_json(
                agent_id=agent_id, feature="classify", system=system, messages=messages,
                validate=validate, schema=CLASSIFY_SCHEMA, names=names, max_tokens=40)
        except ModelUnavailable as exc:
            return Classification(self.rules.classify(text, locale), None, RULES, exc.reason)
        self._remember(text, locale, qtype)
        return Classification(qtype, need, MODEL)

    def _remember(self, text: str, locale: str, qtype: QuestionType) -> None:
        self._seen[(text, locale)] = qtype
        self._seen.move_to_end((text, locale))
        while len(self._seen) > CACHE_SIZE:
            self._seen.popitem(last=False)
