"""Client facts from free text: the model when configured, the rules otherwise.

The agent confirms what is found with one tap before anything is saved, so this only reads:
it returns schema-checked facts (domain/coaching/fact_schema.py), who found them, and the
notice to show when the model could not help. The rules are the extractor the coach keeps
facts with (domain/coaching/extract.py), answering in the model's JSON form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from coachbot.domain.coaching.extract import as_values, extract
from coachbot.domain.coaching.fact_schema import (
    FACT_SCHEMA,
    CheckedFacts,
    check_facts,
    from_rule_values,
)
from coachbot.render.templates import Renderer
from coachbot.services.ai import prompts
from coachbot.services.ai.gateway import ModelGateway, ModelUnavailable
from coachbot.services.ai.notices import render_notice

MODEL, RULES = "model", "rules"
KINDS = ("note", "visit_log", "spin_answer", "forwarded", "transcript")
MAX_CHARS = 4000
FACTS_TOKENS = 400

FactRules = Callable[[str, str, str], Mapping[str, Any]]  # (text, locale, kind) -> facts


def rule_facts(text: str, locale: str, kind: str = "note") -> dict[str, Any]:
    """What the rules read in a text, as a model would answer (fact_schema's JSON form). A
    SPIN answer is the client's own words ("我" is the client), as services/knowledge reads
    it; any other kind lets the rules tell from the text. The rules read every locale's
    writing alike, so locale is not needed."""
    first_person = True if kind == "spin_answer" else None
    return from_rule_values(as_values(extract(text, first_person=first_person)))


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
                 rules: FactRules = rule_facts) -> None:
        self.gateway = gateway if gateway is not None and gateway.chat is not None else None
        self.renderer = renderer
        self.rules = rules

    async def read(self, *, agent_id: int | None, text: str, locale: str,
                   names: Iterable[str] = (), kind: str = "note",
                   region: str = "CN") -> FoundFacts:
        """The facts the text states. names: the client's and their family's names, sent as
        placeholders; region: the agent's, to recognise local phone numbers."""
        text = text.strip()[:MAX_CHARS]
        kind = kind if kind in KINDS else "note"
        if self.gateway is None:
            return self._by_rules(text, locale, kind)
        system, messages = prompts.facts_messages(text, kind)
        try:
            checked: CheckedFacts = await self.gateway.ask_json(
                agent_id=agent_id, feature="facts", system=system, messages=messages,
                validate=check_facts, schema=FACT_SCHEMA, names=tuple(names), region=region,
                max_tokens=FACTS_TOKENS)
        except ModelUnavailable as exc:
            found = self._by_rules(text, locale, kind)
            notice = render_notice(self.renderer, locale, "facts", exc.reason)
            return FoundFacts(found.facts, RULES, found.dropped, notice, exc.reason)
        return FoundFacts(checked.facts, MODEL, checked.dropped)

    def _by_rules(self, text: str, locale: str, kind: str) -> FoundFacts:
        checked = check_facts(dict(self.rules(text, locale, kind)))
        return FoundFacts(checked.facts, RULES, checked.dropped)
