"""What differs by region in what the coach says: the cooling-off period (犹豫期 / 冷靜期 /
契約撤銷期 / free-look) of each market, read from cooling_off.yaml with its citations, and the
placeholders the playbooks fill from it.

A playbook text may say {{ cooling_off }} ("21 天冷静期"), {{ cooling_off_term }} ("冷静期")
and {{ cooling_off_rule }} (what the agent explains to the client); they are filled for the
agent's region when the scripts are asked for with one, and with words that name no number
when the region is unknown.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from coachbot.scripts.fields import PLACEHOLDER

COOLING_OFF_FILE = Path(__file__).parent / "cooling_off.yaml"
REGION_PLACEHOLDERS = ("cooling_off", "cooling_off_term", "cooling_off_rule")
_LOCALES = ("zh-Hans", "zh-Hant", "en")

# when the agent's region is not one of ours: the words, no number
_UNKNOWN = {
    "zh-Hans": {"cooling_off": "犹豫期", "cooling_off_term": "犹豫期",
                "cooling_off_rule": "天数和退费规则以保单条款为准"},
    "zh-Hant": {"cooling_off": "冷靜期", "cooling_off_term": "冷靜期",
                "cooling_off_rule": "天數和退費規則以保單條款為準"},
    "en": {"cooling_off": "cooling-off period", "cooling_off_term": "cooling-off period",
           "cooling_off_rule": "the number of days and the refund are as the policy states"},
}


@dataclass(frozen=True)
class CoolingOff:
    """One market's cooling-off rule and the evidence for it."""

    region: str
    days: int  # calendar days from the day after the client receives the policy
    verified: bool  # False: a widely published figure still to check against the regulator
    term: Mapping[str, str]  # by locale: 犹豫期, 冷靜期, free-look period ...
    agent_says: Mapping[str, str]  # by locale: the rule as the agent explains it
    source: Mapping[str, str]  # body, document, url, note
    recheck: str | None = None

    def phrase(self, locale: str) -> str:
        """"21 天冷静期", "21-day cooling-off period"."""
        term = self.term.get(locale) or self.term["en"]
        return f"{self.days}-day {term}" if locale == "en" else f"{self.days} 天{term}"


@functools.cache
def cooling_off_rules() -> dict[str, CoolingOff]:
    """Every region's rule, by region code (read once)."""
    data = yaml.safe_load(COOLING_OFF_FILE.read_text(encoding="utf-8"))
    rules = {}
    for region, entry in data.items():
        rules[region] = CoolingOff(
            region=region, days=int(entry["days"]), verified=bool(entry["verified"]),
            term=dict(entry["term"]), agent_says=dict(entry["agent_says"]),
            source={key: str(value) for key, value in entry["source"].items()},
            recheck=entry.get("recheck"))
    return rules


def cooling_off(region: str | None) -> CoolingOff | None:
    """The rule of the agent's region, or None outside our markets."""
    return cooling_off_rules().get(region or "")


def region_values(locale: str, region: str | None) -> dict[str, str]:
    """The playbooks' region placeholders filled for this locale and region."""
    rule = cooling_off(region)
    lang = locale if locale in _LOCALES else "en"
    if rule is None:
        return dict(_UNKNOWN[lang])
    return {"cooling_off": rule.phrase(lang),
            "cooling_off_term": rule.term.get(lang) or rule.term["en"],
            "cooling_off_rule": rule.agent_says.get(lang) or rule.agent_says["en"]}


_T = TypeVar("_T")


def filled(value: _T, values: Mapping[str, str]) -> _T:
    """A copy of scripts data (dataclasses, dicts, tuples, text) with {{ name }} filled."""
    return _fill(value, values)  # type: ignore[no-any-return]


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        if "{{" not in value:
            return value
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _fill(getattr(value, f.name), values)
                   for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(_fill(item, values) for item in value)
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    return value
