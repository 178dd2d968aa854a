"""What the coach knows about a client: facts with their source, merged into one view.

Every fact comes from somewhere the agent told the bot (a note, a field of the card, a visit
log, a forwarded message, an answer in a SPIN talk, the client's records) or from the agent
directly (a confirmed or corrected fact, the client type picked by hand). Merging rules:

1. A removed fact is ignored (re-reading its source does not bring it back).
2. What the agent said or confirmed wins over anything read from text, newest first.
3. Otherwise the newest source wins; on the same day a SPIN answer beats a contact log, a
   contact log beats a note, a note beats a field.
4. Set-valued facts (child stages, existing cover, health events) are the union of their
   sources, unless the agent gave the value.
5. Two sources that disagree on a one-value fact, with no word from the agent, are a conflict:
   the newest value is used, and the conflict is reported (the type question uses it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from coachbot.domain.coaching.extract import FACT_KEYS, SET_KEYS, Finding

# where a fact came from
NOTE, FIELD, VISIT, CALL, MESSAGE, FORWARD, SPIN, AGENT, BOOK = (
    "note", "field", "visit", "call", "message", "forward", "spin", "agent", "book")
SOURCE_KINDS = (NOTE, FIELD, VISIT, CALL, MESSAGE, FORWARD, SPIN, AGENT, BOOK)
_SOURCE_RANK = {FIELD: 0, NOTE: 1, BOOK: 2, MESSAGE: 3, FORWARD: 3, CALL: 4, VISIT: 4, SPIN: 5,
                AGENT: 9}
EXTRACTED, CONFIRMED, REMOVED = "extracted", "confirmed", "removed"
STATUSES = (EXTRACTED, CONFIRMED, REMOVED)
PROFILE_KEY = "profile"  # the client type, when the agent picked it
KEYS = (*FACT_KEYS, PROFILE_KEY)
# contact channels -> source kinds
CHANNEL_SOURCES = {"face": VISIT, "phone": CALL, "message": MESSAGE, "event": VISIT,
                   "other": MESSAGE}


@dataclass(frozen=True)
class Fact:
    """One fact about a client and where it came from ("两个孩子 · 来自 12/3 拜访记录")."""

    key: str
    value: Any
    source: str  # SOURCE_KINDS
    ref: str = ""  # which item of that source: "notes", "contact:12", "spin:5"...
    on: date | None = None  # when the source was written
    evidence: str = ""  # the words the fact was read from
    status: str = EXTRACTED
    id: int | None = None

    @property
    def from_agent(self) -> bool:
        """The agent said it or confirmed it."""
        return self.source == AGENT or self.status == CONFIRMED

    def to_json(self) -> Any:
        """The value in a JSON-able form."""
        return value_to_json(self.key, self.value)


def value_to_json(key: str, value: Any) -> Any:
    """A fact value as JSON (sets as sorted lists; health events as [who, what] pairs)."""
    if key == "health_event":
        return sorted([list(pair) for pair in value])
    if key in SET_KEYS:
        return sorted(value)
    if key == "children_ages":
        return list(value)
    return value


def value_from_json(key: str, data: Any) -> Any:
    """Back from value_to_json."""
    if key == "health_event":
        return frozenset(tuple(pair) for pair in data)
    if key in SET_KEYS:
        return frozenset(data)
    if key == "children_ages":
        return tuple(data)
    return data


def from_findings(findings: Mapping[str, Finding], source: str, ref: str,
                  on: date | None) -> list[Fact]:
    """Facts read from one source."""
    return [Fact(key, finding.value, source, ref, on, finding.evidence)
            for key, finding in findings.items()]


@dataclass(frozen=True)
class Knowledge:
    """The merged facts: one winner per key, and the keys whose sources disagree."""

    facts: dict[str, Fact] = field(default_factory=dict)
    conflicts: dict[str, tuple[Fact, ...]] = field(default_factory=dict)

    def value(self, key: str, default: Any = None) -> Any:
        """The value of a fact, or the default when nothing is known."""
        fact = self.facts.get(key)
        return default if fact is None else fact.value

    def known(self, key: str) -> bool:
        return key in self.facts

    def __len__(self) -> int:
        return len(self.facts)


def _order(fact: Fact) -> tuple[bool, date, int, int]:
    return (fact.from_agent, fact.on or date.min, _SOURCE_RANK.get(fact.source, 0), fact.id or 0)


def know(facts: Iterable[Fact]) -> Knowledge:
    """Merge a client's facts (see the module docstring for the rules)."""
    by_key: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.status != REMOVED:
            by_key.setdefault(fact.key, []).append(fact)
    merged: dict[str, Fact] = {}
    conflicts: dict[str, tuple[Fact, ...]] = {}
    for key, candidates in by_key.items():
        candidates.sort(key=_order, reverse=True)
        best = candidates[0]
        if key in SET_KEYS and not best.from_agent:
            union: frozenset[Any] = frozenset().union(*(c.value for c in candidates))
            if key == "existing_cover" and len(union) > 1:
                union = union - {"social_only"}  # a policy besides social insurance
            merged[key] = replace(best, value=union)
            continue
        merged[key] = best
        if not best.from_agent:
            values = {_hashable(c.value) for c in candidates}
            if len(values) > 1:
                conflicts[key] = tuple(candidates)
    return Knowledge(merged, conflicts)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def card_lines(knowledge: Knowledge, *, keys: Iterable[str] = KEYS) -> list[Fact]:
    """The facts in the order the card shows them (family, money, work, health, cover)."""
    return [knowledge.facts[key] for key in keys if key in knowledge.facts]
