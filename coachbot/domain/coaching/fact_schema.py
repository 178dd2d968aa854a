"""Client facts read from free text: their keys, a JSON Schema, validation and comparison.

The same keys serve the rule-based extractor and a language model: a note ("老婆全职带两个孩子,
房贷每月1.5万") becomes {"spouse": true, "spouse_works": false, "children": 2, "mortgage": true,
"mortgage_monthly": 15000}. Facts describe the client only; a key is left out when the text
does not say. Values use a small English vocabulary so that rules, models and labels agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

CHILD_STAGES = ("baby", "preschool", "primary", "secondary", "university", "adult")
COVER_KINDS = ("social_only", "group", "life", "critical_illness", "medical", "accident",
               "savings", "education", "annuity")
HEALTH_WHO = ("self", "spouse", "father", "mother", "child", "sibling")
HEALTH_WHAT = ("cancer", "stroke", "heart", "chronic", "surgery", "hospitalised")
# suggested values: the labels use these; other short snake_case words are accepted
OCCUPATIONS = ("admin", "cashier", "civil_servant", "doctor", "driver", "engineer", "lawyer",
               "nurse", "sales", "teacher", "accountant", "it", "manager", "worker")
INDUSTRIES = ("beauty", "construction", "garment", "logistics", "manufacturing", "restaurant",
              "retail", "trading", "property", "education", "technology", "finance")
SET_KEYS = ("child_stage", "existing_cover", "children_ages")

_BOOL = {"type": "boolean"}
_COUNT = {"type": "integer", "minimum": 0, "maximum": 100_000}
_AMOUNT = {"type": "number", "exclusiveMinimum": 0, "maximum": 1e9}
_WORD = {"type": "string", "pattern": "^[a-z][a-z0-9_]{1,39}$"}

FACT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ClientFacts",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "spouse": _BOOL,
        "spouse_works": _BOOL,
        "children": {"type": "integer", "minimum": 0, "maximum": 20},
        "children_ages": {"type": "array", "items": {"type": "integer", "minimum": 0,
                                                     "maximum": 80}, "maxItems": 20},
        "child_stage": {"type": "array", "items": {"enum": list(CHILD_STAGES)},
                        "uniqueItems": True},
        "mortgage": _BOOL,
        "mortgage_monthly": _AMOUNT,
        "loans": _BOOL,
        "business_owner": _BOOL,
        "employees": _COUNT,
        "industry": _WORD,
        "occupation": _WORD,
        "sole_breadwinner": _BOOL,
        "retired": _BOOL,
        "retire_in_years": {"type": "integer", "minimum": 0, "maximum": 60},
        "health_event": {
            "type": "array", "maxItems": 10,
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["who", "what"],
                      "properties": {"who": {"enum": list(HEALTH_WHO)},
                                     "what": {"enum": list(HEALTH_WHAT)}}},
        },
        "existing_cover": {"type": "array", "items": {"enum": list(COVER_KINDS)},
                           "uniqueItems": True},
        "income_monthly": _AMOUNT,
        "high_net_worth": _BOOL,
        "age": {"type": "integer", "minimum": 0, "maximum": 120},
    },
}
FACT_KEYS: tuple[str, ...] = tuple(FACT_SCHEMA["properties"])
_VALIDATORS = {key: Draft202012Validator(schema)
               for key, schema in FACT_SCHEMA["properties"].items()}
Draft202012Validator.check_schema(FACT_SCHEMA)


@dataclass(frozen=True)
class CheckedFacts:
    """Facts that passed the schema, and the keys that were dropped (unknown or invalid)."""

    facts: dict[str, Any]
    dropped: tuple[str, ...] = ()


def check_facts(raw: object) -> CheckedFacts:
    """Validate facts key by key: nulls are skipped, wrong keys or values dropped and named.

    A value that is plainly the right thing in another form is accepted ("2" children, 3.0
    years, "Primary"); anything else fails its key only, so one bad value never costs the rest.
    Raises ValueError when raw is not an object at all.
    """
    if isinstance(raw, Mapping) and set(raw) == {"facts"} and isinstance(raw["facts"], Mapping):
        raw = raw["facts"]
    if not isinstance(raw, Mapping):
        raise ValueError("facts must be a JSON object")
    facts: dict[str, Any] = {}
    dropped: list[str] = []
    for key, value in raw.items():
        if value is None:
            continue
        if key not in _VALIDATORS:
            dropped.append(str(key))
            continue
        value = _coerce(key, value)
        if _VALIDATORS[key].is_valid(value):
            facts[key] = _canonical(key, value)
        else:
            dropped.append(key)
    return CheckedFacts({k: facts[k] for k in FACT_KEYS if k in facts}, tuple(dropped))


def _coerce(key: str, value: Any) -> Any:
    kind = FACT_SCHEMA["properties"][key].get("type")
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind in ("integer", "number") and isinstance(value, str):
        text = value.replace(",", "").strip()
        try:
            number = float(text)
        except ValueError:
            return value
        return int(number) if kind == "integer" and number.is_integer() else number
    if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if kind == "string" and isinstance(value, str):
        return value.strip().lower().replace(" ", "_").replace("-", "_")
    if kind == "array" and isinstance(value, list):
        items = [_coerce_item(item) for item in value]
        unique = []
        for item in items:
            if item not in unique:
                unique.append(item)
        return unique
    return value


def _coerce_item(item: Any) -> Any:
    if isinstance(item, str):
        return item.strip().lower().replace(" ", "_").replace("-", "_")
    if isinstance(item, float) and item.is_integer():
        return int(item)
    if isinstance(item, Mapping):
        return {str(k): _coerce_item(v) for k, v in item.items()}
    return item


def _canonical(key: str, value: Any) -> Any:
    if key in ("child_stage", "existing_cover"):
        order = CHILD_STAGES if key == "child_stage" else COVER_KINDS
        return sorted(value, key=order.index)
    if key == "health_event":
        return sorted(value, key=lambda e: (HEALTH_WHO.index(e["who"]),
                                            HEALTH_WHAT.index(e["what"])))
    return value


def from_rule_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The rule extractor's values (coaching/extract.py as_values: frozensets, tuples,
    (who, what) pairs) in this schema's JSON form, so the rules answer as a model does.

    A health event the schema has no word for (the rules' bare "illness") is left out, and
    the key with it when nothing else is left; check_facts still has the last word.
    """
    found: dict[str, Any] = {}
    for key, value in values.items():
        if key == "health_event":
            events = sorted({(who, what) for who, what in value
                             if who in HEALTH_WHO and what in HEALTH_WHAT})
            if events:
                found[key] = [{"who": who, "what": what} for who, what in events]
        elif isinstance(value, (frozenset, set)):
            found[key] = sorted(value)
        elif isinstance(value, tuple):  # children_ages, as given
            found[key] = list(value)
        else:
            found[key] = value
    return found


def fact_units(facts: Mapping[str, Any]) -> set[tuple[str, Any]]:
    """The facts as countable units: one per scalar key, one per item of a set-valued key
    (an empty existing_cover, "no insurance at all", counts as the unit ("existing_cover",
    "none")). Precision and recall of an extractor are counted over these."""
    units: set[tuple[str, Any]] = set()
    for key, value in facts.items():
        if key == "health_event":
            units.update((key, (e["who"], e["what"])) for e in value)
        elif isinstance(value, list) and not value:
            units.add((key, "none"))
        elif isinstance(value, list):
            units.update((key, item) for item in value)
        elif isinstance(value, float) and value.is_integer():
            units.add((key, int(value)))
        else:
            units.add((key, value))
    return units


@dataclass(frozen=True)
class FactMatch:
    """Units found and missed for one note."""

    correct: int
    predicted: int
    labelled: int


def compare_facts(predicted: Mapping[str, Any], labelled: Mapping[str, Any]) -> FactMatch:
    """How many predicted units are right, of how many predicted and labelled."""
    found, truth = fact_units(predicted), fact_units(labelled)
    return FactMatch(len(found & truth), len(found), len(truth))
