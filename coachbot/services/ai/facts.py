"""Client facts from free text: the model when configured, the rules otherwise.

The agent confirms what is found with one tap before anything is saved, so this only reads:
it returns schema-checked facts (domain/coaching/fact_schema.py), who found them, and the
notice to show when the model could not help.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from coachbot.domain.coaching.fact_schema import FACT_SCHEMA, CheckedFacts, check_facts
from coachbot.render.templates import Renderer
from coachbot.services.ai import prompts
from coachbot.services.ai.gateway import ModelGateway, ModelUnavailable
from coachbot.services.ai.notices import render_notice

MODEL, RULES = "model", "rules"
KINDS = ("note", "visit_log", "spin_answer", "forwarded", "transcript")
MAX_CHARS = 4000
FACTS_TOKENS = 400

FactRules = Callable[[str, str], Mapping[str, Any]]  # (text, locale) -> facts


def no_rules(text: str, locale: str) -> Mapping[str, Any]:
    """Until the rule-based extractor is wired in: nothing found offline."""
    return {}


@dataclass(frozen=True)
class FoundFacts:
    """Facts read from one text, for the agent to confirm; dropped: keys the checker refused."""

    facts: dict[str, Any]
    source: str  # model | rules
    dropped: tuple[str, ...] = ()
    notice: str | None = None
    failure: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class FactReader:
    """Reads client facts from notes, visit logs, SPIN answers, forwards and transcripts."""

    def __init__(self, gateway: ModelGateway | None, renderer: Renderer,
                 rules: FactRules = no_rules) -> None:
        self.gateway = gateway if gateway is not None and gateway.chat is not None else None
        self.renderer = renderer
        self.rules = rules

    async def read(self, *, agent_id: int | None, text: str, locale: str,
                   names: Iterable[str] = (), kind: str = "note",
                   region: str = "CN") -> FoundFacts:
        """The facts the text states. names: the client's and their family's names, sent as
        placeholders; region: the agent's, to recognise local phone numbers."""
        text = text.strip()[:MAX_CHARS]
        if self.gateway is None:
            return self._by_rules(text, locale)
        system, messages = prompts.facts_messages(text, kind if kind in KINDS else "note")
        try:
            checked: CheckedFacts = await self.gateway.ask_json(
                agent_id=agent_id, feature="facts", system=system, messages=messages,
                validate=check_facts, schema=FACT_SCHEMA, names=tuple(names), region=region,
                max_tokens=FACTS_TOKENS)
        except ModelUnavailable as exc:
            found = self._by_rules(text, locale)
            notice = render_notice(self.renderer, locale, "facts", exc.reason)
            return FoundFacts(found.facts, RULES, found.dropped, notice, exc.reason)
        return FoundFacts(checked.facts, MODEL, checked.dropped)

    def _by_rules(self, text: str, locale: str) -> FoundFacts:
        checked = check_facts(dict(self.rules(text, locale)))
        return FoundFacts(checked.facts, RULES, checked.dropped)
