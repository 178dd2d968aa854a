"""Needs heard in a client's answers and shown by their facts, weighed against their cover,
and the next step by the methodology's stage rules.

Must-have vs nice-to-have starts from the profile's list (spin.yaml) and is raised by facts:

- the household lives on the client's income (sole breadwinner, spouse not working):
  income protection is a must; with a mortgage or loans, debt cover too       (earns_alone)
- a mortgage: debt cover is a must when one income carries it, else nice     (mortgage)
- children under 18: education and income protection are musts               (minor_children)
- owns a business: business continuity / key person is a must; staff: staff
  benefits are nice                                                         (owner, staff)
- retired or retiring within 10 years, or 55+: retirement and health musts   (retiring)
- serious illness in the family: critical illness and medical are musts     (family_illness)
- high net worth: legacy is a must                                           (wealth)

What the client says is matched to the need it is about: "万一我倒下了，房贷有人还" is income and
debt, whatever question it answered; an agreed need-payoff question credits the needs its
answer names, and the question's own needs only when the answer names none.

Next step (NextStep.key), in order:
  accepted proposal                            -> after_sale
  declined proposal                            -> revisit (nurture, ask again later)
  objection open on the proposal               -> handle_objection
  proposal explained, no objection             -> move_to_stage A, action close
  proposal prepared/sent, not explained        -> book_explanation (stay B)
  no SPIN answers yet                          -> start_mining
  nothing heard                                -> keep_mining
  every need heard is covered                  -> review_policies
  needs heard but not yet said outright        -> deepen_implication / ask_need_payoff
  needs clear, D/C prospect                    -> move_to_stage B, action prepare_proposal
  needs clear, B or A prospect                 -> prepare_proposal (book its explanation)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from coachbot.domain.coaching.facts import ClientFacts
from coachbot.domain.coaching.proposals import Proposal
from coachbot.domain.coaching.text import affirmed, matches, normalize, sentences, snippet
from coachbot.scripts.model import LocaleScripts

MAX_EVIDENCE = 3
EARLY_STAGES = (None, "D", "C")
RETIRING_WITHIN_YEARS, RETIRING_AGE = 10, 55
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
    """One need: how important and why, whether the client said it, evidence and cover."""

    need: str
    priority: str  # "must" | "nice"
    explicit: bool
    sources: tuple[str, ...]  # "answer", "payoff" (agreed to an N question), "facts", "profile"
    evidence: tuple[str, ...]
    covered_by: tuple[str, ...]  # products the client holds that cover it
    products: tuple[str, ...]  # products that would cover it
    reasons: tuple[str, ...] = ()  # the facts that make it a must (see the module docstring)

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

    @property
    def must(self) -> tuple[NeedFinding, ...]:
        """The must-have needs, most important first."""
        return tuple(f for f in self.needs if f.priority == "must")


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


def need_priorities(profile: str, facts: ClientFacts, scripts: LocaleScripts) -> \
        dict[str, tuple[str, tuple[str, ...]]]:
    """Need id -> (must|nice, the fact reasons that raised it), by the rules above."""
    levels: dict[str, tuple[str, list[str]]] = {
        need: (priority, []) for need, priority in scripts.profiles[profile].needs.items()}

    def must(need: str, reason: str) -> None:
        if need in scripts.needs:
            _, reasons = levels.get(need, ("nice", []))
            levels[need] = ("must", [*reasons, reason] if reason not in reasons else reasons)

    def nice(need: str, reason: str) -> None:
        if need in scripts.needs and need not in levels:
            levels[need] = ("nice", [reason])

    if facts.earns_alone:
        must("income_protect", "earns_alone")
        if facts.mortgage or facts.loans:
            must("debt_cover", "earns_alone")
    if facts.mortgage:
        (must if facts.earns_alone or facts.has_minor_children else nice)("debt_cover",
                                                                          "mortgage")
    if facts.has_minor_children:
        must("child_education", "minor_children")
        must("income_protect", "minor_children")
    if facts.business_owner:
        must("biz_continuity", "owner")
        if facts.employees:
            nice("staff_benefits", "staff")
    retiring = facts.retired or (facts.retire_in_years is not None
                                 and facts.retire_in_years <= RETIRING_WITHIN_YEARS) or (
        facts.age is not None and facts.age >= RETIRING_AGE)
    if retiring and not facts.is_group:
        must("retirement", "retiring")
        must("health_medical", "retiring")
    if facts.family_illness:
        must("critical_illness", "family_illness")
        must("health_medical", "family_illness")
    if facts.high_net_worth:
        must("legacy", "wealth")
    return {need: (priority, tuple(reasons)) for need, (priority, reasons) in levels.items()}


def find_needs(
    answers: Iterable[AnswerLike], profile: str, scripts: LocaleScripts, facts: ClientFacts
) -> tuple[NeedFinding, ...]:
    """Needs from what the client said, agreed need-payoff questions, and the must-haves their
    facts and profile call for."""
    heard: dict[str, _Heard] = {}
    for answer in answers:
        if answer.text.strip():
            _listen(answer, scripts, heard)
    levels = need_priorities(profile, facts, scripts)
    for need_id, (priority, reasons) in levels.items():
        if priority == "must" and need_id not in heard:
            heard.setdefault(need_id, _Heard()).add("facts" if reasons else "profile", False,
                                                    None)
    findings = [_finding(need_id, h, levels, scripts, facts) for need_id, h in heard.items()]
    order = list(scripts.needs)
    findings.sort(key=lambda f: (f.priority != "must", not f.explicit, not f.reasons,
                                 -len(f.evidence), order.index(f.need)))
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
        # the client agreed: credit the needs their agreeing words name ("对，万一我倒下了，
        # 房贷有人还" is income and debt), else the needs the question was about
        first = sentences(answer.text)[0]
        in_first = [need.id for need in scripts.needs.values()
                    if affirmed(first, need.explicit, locale)
                    or matches(first, need.keywords, locale)]
        for need_id in in_first or list(question.probes):
            heard.setdefault(need_id, _Heard()).add("payoff", True, first[:60])


def _agrees(text: str, scripts: LocaleScripts) -> bool:
    """Whether an answer opens by agreeing (对，…; yes, …)."""
    first = sentences(text)[0] if sentences(text) else ""
    if not scripts.locale.startswith("en"):
        first = _CLAUSE.split(normalize(first))[0]
    return bool(affirmed(first, scripts.affirmations, scripts.locale))


def _finding(
    need_id: str, heard: _Heard, levels: dict[str, tuple[str, tuple[str, ...]]],
    scripts: LocaleScripts, facts: ClientFacts,
) -> NeedFinding:
    need = scripts.needs[need_id]
    owned = set(facts.policy_products)
    priority, reasons = levels.get(need_id, (need.priority, ()))
    return NeedFinding(
        need=need_id,
        priority=priority,
        explicit=heard.explicit,
        sources=tuple(heard.sources),
        evidence=tuple(heard.evidence),
        covered_by=tuple(p for p in need.products if p in owned),
        products=need.products,
        reasons=reasons,
    )


def next_step(
    profile: str, findings: Sequence[NeedFinding], answered_steps: Sequence[str],
    facts: ClientFacts, proposal: Proposal | None = None,
) -> NextStep:
    """The suggested next move, by the stage rules (see the module docstring)."""
    if proposal is not None:
        step = proposal_step(proposal, profile)
        if step is not None:
            return step
    if not answered_steps:
        return NextStep("start_mining", {"step": "S"})
    heard = [f for f in findings if "answer" in f.sources or "payoff" in f.sources]
    if not heard:
        return NextStep("keep_mining", {"step": "P"})
    gaps = [f for f in heard if not f.covered]
    if not gaps:
        return NextStep("review_policies", {"needs": [f.need for f in heard]})
    explicit = [f.need for f in gaps if f.explicit]
    if not explicit:
        deeper = "I" if "I" not in answered_steps else "N"
        key = "deepen_implication" if deeper == "I" else "ask_need_payoff"
        return NextStep(key, {"step": deeper, "needs": [f.need for f in gaps]})
    must = [f.need for f in findings if f.priority == "must" and not f.covered
            and f.need not in explicit]
    data = {"stage": "B", "action": "prepare_proposal", "needs": explicit, "also": must}
    if facts.stage in EARLY_STAGES:
        return NextStep("move_to_stage", data)
    return NextStep("prepare_proposal", data)


def proposal_step(proposal: Proposal, profile: str) -> NextStep | None:
    """The step a client's latest proposal calls for, or None when it says nothing yet."""
    data: dict[str, Any] = {"proposal": proposal.id}
    if proposal.outcome == "accepted":
        return NextStep("after_sale", data)
    if proposal.outcome == "declined":
        return NextStep("revisit", {**data, "reason": proposal.decline_reason})
    if proposal.objection_open:
        return NextStep("handle_objection", {**data, "objection": proposal.objection})
    if proposal.ready_to_close:
        return NextStep("move_to_stage", {**data, "stage": "A", "action": "close",
                                          "playbook": PLAYBOOK_FOR.get(profile, "individual")})
    return NextStep("book_explanation", {**data, "stage": "B", "on": (
        proposal.explain_on.isoformat() if proposal.explain_on else None)})
