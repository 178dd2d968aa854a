"""Needs heard in a client's answers, weighed against the cover they already hold."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from coachbot.domain.coaching.facts import ClientFacts
from coachbot.domain.coaching.text import affirmed, matches, normalize, sentences, snippet
from coachbot.scripts.model import LocaleScripts

MAX_EVIDENCE = 3
EARLY_STAGES = (None, "D", "C")
# The playbook to close with, by profile (individual policies otherwise).
PLAYBOOK_FOR = {"group_corporate": "group_client", "car_dealer": "car_dealer"}
_CLAUSE = re.compile(r"[，,、:：]")


class AnswerLike(Protocol):
    """What needs detection reads from a recorded answer."""

    @property
    def step(self) -> str: ...

    @property
    def question_id(self) -> str | None: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class NeedFinding:
    """One need: how important, whether the client said it outright, evidence and cover."""

    need: str
    priority: str  # "must" | "nice"
    explicit: bool
    sources: tuple[str, ...]  # "answer", "payoff" (agreed to an N question), "profile"
    evidence: tuple[str, ...]
    covered_by: tuple[str, ...]  # products the client holds that cover it
    products: tuple[str, ...]  # products that would cover it

    @property
    def covered(self) -> bool:
        """Whether a policy the client holds already covers this need."""
        return bool(self.covered_by)


@dataclass(frozen=True)
class NextStep:
    """What to do next, as a key plus data; the caller renders the words."""

    key: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NeedsSummary:
    """The needs found in a SPIN session, the gaps, and the suggested next step."""

    profile: str
    needs: tuple[NeedFinding, ...]
    gaps: tuple[str, ...]
    next_step: NextStep
    steps_answered: tuple[str, ...]
    steps_skipped: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        data = asdict(self)
        for item, finding in zip(data["needs"], self.needs, strict=True):
            item["covered"] = finding.covered
        return data


@dataclass
class _Heard:
    explicit: bool = False
    sources: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    def add(self, source: str, explicit: bool, evidence: str | None) -> None:
        self.explicit = self.explicit or explicit
        if source not in self.sources:
            self.sources.append(source)
        if evidence and evidence not in self.evidence and len(self.evidence) < MAX_EVIDENCE:
            self.evidence.append(evidence)


def find_needs(
    answers: Iterable[AnswerLike], profile: str, scripts: LocaleScripts, facts: ClientFacts
) -> tuple[NeedFinding, ...]:
    """Needs from answer keywords, agreed need-payoff questions and the profile's must-haves."""
    heard: dict[str, _Heard] = {}
    for answer in answers:
        if answer.text.strip():
            _listen(answer, scripts, heard)
    for need_id, priority in scripts.profiles[profile].needs.items():
        if priority == "must" and need_id not in heard:
            heard.setdefault(need_id, _Heard()).add("profile", False, None)
    findings = [_finding(need_id, h, profile, scripts, facts) for need_id, h in heard.items()]
    order = list(scripts.needs)
    findings.sort(key=lambda f: (f.priority != "must", not f.explicit, -len(f.evidence),
                                 order.index(f.need)))
    return tuple(findings)


def _listen(answer: AnswerLike, scripts: LocaleScripts, heard: dict[str, _Heard]) -> None:
    locale = scripts.locale
    for need in scripts.needs.values():
        stated = affirmed(answer.text, need.explicit, locale)
        if stated:
            heard.setdefault(need.id, _Heard()).add(
                "answer", True, snippet(answer.text, stated[0], locale))
            continue
        for keyword in matches(answer.text, need.keywords, locale):
            sentence = snippet(answer.text, keyword, locale, width=10_000)
            explicit = bool(affirmed(sentence, scripts.explicit_markers, locale))
            heard.setdefault(need.id, _Heard()).add(
                "answer", explicit, snippet(answer.text, keyword, locale))
    question = scripts.questions.get(answer.question_id or "")
    if answer.step == "N" and question and _agrees(answer.text, scripts):
        for need_id in question.probes:
            first = sentences(answer.text)[0]
            heard.setdefault(need_id, _Heard()).add("payoff", True, first[:60])


def _agrees(text: str, scripts: LocaleScripts) -> bool:
    """Whether an answer opens by agreeing (对，…; yes, …)."""
    first = sentences(text)[0] if sentences(text) else ""
    if not scripts.locale.startswith("en"):
        first = _CLAUSE.split(normalize(first))[0]
    return bool(affirmed(first, scripts.affirmations, scripts.locale))


def _finding(
    need_id: str, heard: _Heard, profile: str, scripts: LocaleScripts, facts: ClientFacts
) -> NeedFinding:
    need = scripts.needs[need_id]
    owned = set(facts.policy_products)
    return NeedFinding(
        need=need_id,
        priority=scripts.profiles[profile].needs.get(need_id, need.priority),
        explicit=heard.explicit,
        sources=tuple(heard.sources),
        evidence=tuple(heard.evidence),
        covered_by=tuple(p for p in need.products if p in owned),
        products=need.products,
    )


def next_step(
    profile: str, findings: Sequence[NeedFinding], answered_steps: Sequence[str],
    facts: ClientFacts,
) -> NextStep:
    """The suggested next move, from what was heard and the client's stage."""
    if not answered_steps:
        return NextStep("start_mining", {"step": "S"})
    heard = [f for f in findings if f.sources != ("profile",)]
    if not heard:
        return NextStep("keep_mining", {"step": "P"})
    gaps = [f for f in heard if not f.covered]
    if not gaps:
        return NextStep("review_policies", {"needs": [f.need for f in heard]})
    explicit = [f.need for f in gaps if f.explicit]
    if not explicit:
        step = "I" if "I" not in answered_steps else "N"
        key = "deepen_implication" if step == "I" else "ask_need_payoff"
        return NextStep(key, {"step": step, "needs": [f.need for f in gaps]})
    if facts.stage in EARLY_STAGES:
        return NextStep("move_to_stage",
                        {"stage": "B", "action": "prepare_proposal", "needs": explicit})
    if facts.stage == "B":
        return NextStep("move_to_stage",
                        {"stage": "A", "action": "present_proposal", "needs": explicit})
    playbook = PLAYBOOK_FOR.get(profile, "individual")
    return NextStep("close", {"needs": explicit, "playbook": playbook})
