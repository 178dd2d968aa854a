"""Role-play practice: the agent asks, a scripted prospect answers in character, then a score.

Hidden needs come out only when a problem (P) or implication (I) question touches their topic;
a need-payoff (N) question on a revealed need earns the prospect's agreement. The hidden needs
are the profile's (the script schema checks it), must-haves first. The prospect remembers what
it was told: a line that asks about a topic (the premium, what it covers) is never said once
the agent has told it, and a line that reacts to it is said right after. ScriptedProspect
answers offline from practice.yaml; a language-model prospect can replace it through the
ProspectModel protocol, while revealing and scoring stay rule-based and comparable.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from coachbot.domain.coaching.classifier import (
    BlendedClassifier,
    QuestionClassifier,
    QuestionType,
)
from coachbot.domain.coaching.fold import fold_chinese
from coachbot.domain.coaching.numbers import find_amounts
from coachbot.domain.coaching.text import matches, normalize
from coachbot.scripts.model import HiddenNeed, Profile, Scenario

T = QuestionType
ASKS = (T.S, T.P, T.I, T.N, T.CLOSED)
REVEALING = (T.P, T.I)
MAX_TIPS, MIN_TIPS = 4, 2
SITUATION_SHARE, CLOSED_SHARE = 0.5, 0.4


@dataclass(frozen=True)
class Turn:
    """One exchange: the agent's words, their type, the prospect's reply, needs it surfaced."""

    question: str
    qtype: str
    reply: str
    at: datetime
    revealed: tuple[str, ...] = ()
    payoff: tuple[str, ...] = ()
    told: tuple[str, ...] = ()  # topics the agent's words gave the prospect (TOPICS)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        data = asdict(self)
        data.update(at=self.at.isoformat(), revealed=list(self.revealed),
                    payoff=list(self.payoff), told=list(self.told))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        """Back from to_dict."""
        return cls(data["question"], data["qtype"], data["reply"],
                   datetime.fromisoformat(data["at"]), tuple(data.get("revealed", ())),
                   tuple(data.get("payoff", ())), tuple(data.get("told", ())))


@dataclass(frozen=True)
class PracticeSession:
    """A role-play in progress: the scenario, the turns, the hidden needs found so far."""

    scenario_id: str
    locale: str
    hidden: tuple[str, ...]
    started_at: datetime
    turns: tuple[Turn, ...] = ()

    @property
    def revealed(self) -> tuple[str, ...]:
        """Hidden needs the agent has uncovered, in order."""
        return tuple(need for turn in self.turns for need in turn.revealed)

    @property
    def told(self) -> frozenset[str]:
        """Everything the agent has told the prospect so far."""
        return frozenset(topic for turn in self.turns for topic in turn.told)

    @property
    def paid_off(self) -> tuple[str, ...]:
        """Uncovered needs the prospect has agreed to after a need-payoff question."""
        return tuple(need for turn in self.turns for need in turn.payoff)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict for the store."""
        return {"scenario_id": self.scenario_id, "locale": self.locale,
                "hidden": list(self.hidden), "started_at": self.started_at.isoformat(),
                "turns": [turn.to_dict() for turn in self.turns]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PracticeSession:
        """Back from to_dict."""
        return cls(data["scenario_id"], data["locale"], tuple(data["hidden"]),
                   datetime.fromisoformat(data["started_at"]),
                   tuple(Turn.from_dict(t) for t in data.get("turns", ())))


class ProspectModel(Protocol):
    """Anything that answers as the role-play client."""

    def reply(
        self, question: str, qtype: QuestionType, session: PracticeSession, scenario: Scenario
    ) -> str: ...


class ScriptedProspect:
    """Answers in character from the scenario's scripted lines, offline."""

    def reply(
        self, question: str, qtype: QuestionType, session: PracticeSession, scenario: Scenario
    ) -> str:
        """A reveal, a payoff, a matching snippet, or the fallback for the question type."""
        revealed = reveals(question, qtype, session, scenario)
        if revealed:
            return revealed[0].reveal
        paid = payoffs(question, qtype, session, scenario)
        if paid:
            return paid[0].payoff
        used = {turn.reply for turn in session.turns}
        just_told = told_topics(question, session.locale)
        known = session.told | just_told
        snippets = [s for s in scenario.answers.get(str(qtype), ())
                    if s.asks not in known and (s.after is None or s.after in just_told)]
        reacting = [s for s in snippets if s.after is not None]
        scored = [(len(matches(question, s.keywords, session.locale)), s) for s in snippets
                  if s.after is None]
        keyed = [s for hits, s in sorted(scored, key=lambda x: -x[0]) if hits]
        plain = [s for s in snippets if not s.keywords and s.after is None]
        for snippet in (*reacting, *keyed, *plain):
            if snippet.say not in used:
                return snippet.say
        return scenario.fallbacks.get(str(qtype), scenario.fallbacks[T.OTHER])


# what the agent's words tell the prospect: a money amount with price words is the premium
_PRICE_ZH = re.compile(r"保费|交|缴|付|一年|每年|每月|一个月|月供|年缴|月缴|块|元|蚊|只要|只需|才")
_PRICE_EN = re.compile(r"\b(?:premium|pay|costs?|only|just|a year|per year|a month|per month"
                       r"|monthly|annually|yearly)\b|\$|\brm\s?\d|\bs\$")
_COVER_ZH = re.compile(r"保额|赔|保障(?:额|到)|保(?:到|障)\S{0,4}万|覆盖|报销|给付")
_COVER_EN = re.compile(r"\b(?:sum assured|sum insured|pays? out|covers?|coverage|payout)\b")


def told_topics(text: str, locale: str) -> frozenset[str]:
    """Topics the agent's words tell the prospect: "premium" when an amount comes with price
    words ("一年只要八千块", "only $30 a month"), "cover" when they say what it pays."""
    chinese = not locale.lower().startswith("en") or bool(re.search(r"[\u3400-\u9fff]", text))
    norm = fold_chinese(normalize(text)) if chinese else normalize(text)
    amounts = find_amounts(norm) or ([(0, 0, 0)] if re.search(
        r"[一二两三四五六七八九十百千万]+\s*(?:块|元|蚊|万)", norm) else [])
    found = set()
    if amounts and (_PRICE_ZH if chinese else _PRICE_EN).search(norm):
        found.add("premium")
    if (_COVER_ZH if chinese else _COVER_EN).search(norm) and amounts:
        found.add("cover")
    return frozenset(found)


def hidden_order(scenario: Scenario, profile: Profile | None) -> tuple[str, ...]:
    """The scenario's hidden needs, the profile's must-haves first."""
    needs = [n.need for n in scenario.hidden_needs]
    if profile is None:
        return tuple(needs)
    return tuple(sorted(needs, key=lambda n: (profile.needs.get(n) != "must", needs.index(n))))


def reveals(
    question: str, qtype: QuestionType, session: PracticeSession, scenario: Scenario
) -> list[HiddenNeed]:
    """The hidden need this question uncovers (a P or I question on its topic), at most one."""
    if qtype not in REVEALING:
        return []
    found = set(session.revealed)
    scored = [
        (len(matches(question, need.triggers, session.locale)), index, need)
        for index, need in enumerate(scenario.hidden_needs) if need.need not in found
    ]
    best = [need for hits, _, need in sorted(scored, key=lambda x: (-x[0], x[1])) if hits]
    return best[:1]


def payoffs(
    question: str, qtype: QuestionType, session: PracticeSession, scenario: Scenario
) -> list[HiddenNeed]:
    """Revealed needs a need-payoff question now touches (the prospect states the need)."""
    if qtype != T.N:
        return []
    revealed, done = set(session.revealed), set(session.paid_off)
    return [
        need for need in scenario.hidden_needs
        if need.need in revealed and need.need not in done
        and matches(question, need.triggers, session.locale)
    ][:1]


def start_practice(scenario: Scenario, locale: str, now: datetime,
                   profile: Profile | None = None) -> PracticeSession:
    """A new role-play; the prospect's opening line is scenario.opening. Its hidden needs are
    the scenario's (its profile's needs), the profile's must-haves first."""
    return PracticeSession(scenario.id, locale, hidden_order(scenario, profile), now)


def ask(
    session: PracticeSession, question: str, scenario: Scenario, now: datetime,
    prospect: ProspectModel | None = None, classifier: QuestionClassifier | None = None,
) -> tuple[PracticeSession, str]:
    """Put one question to the prospect: classify it, get the reply, record the turn."""
    qtype = (classifier or BlendedClassifier()).classify(question, session.locale)
    reply = (prospect or ScriptedProspect()).reply(question, qtype, session, scenario)
    turn = Turn(
        question=question, qtype=str(qtype), reply=reply, at=now,
        revealed=tuple(n.need for n in reveals(question, qtype, session, scenario)),
        payoff=tuple(n.need for n in payoffs(question, qtype, session, scenario)),
        told=tuple(sorted(told_topics(question, session.locale))),
    )
    return replace(session, turns=(*session.turns, turn)), reply


@dataclass(frozen=True)
class Tip:
    """A coaching tip as a key plus data; the caller renders the words."""

    key: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PracticeScore:
    """How the role-play went: question mix, depth reached, needs uncovered, tips."""

    counts: dict[str, int]
    asks: int
    tells: int
    ask_ratio: float  # questions / (questions + pitches)
    reached_implication: bool
    reached_need_payoff: bool
    hidden_found: tuple[str, ...]
    hidden_total: int
    paid_off: tuple[str, ...]
    tips: tuple[Tip, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)


def score(session: PracticeSession) -> PracticeScore:
    """Score a role-play and pick 2-4 concrete tips."""
    counts = {str(kind): 0 for kind in QuestionType}
    for turn in session.turns:
        counts[turn.qtype] += 1
    asks = sum(counts[str(kind)] for kind in ASKS)
    tells = counts[str(T.PITCH)]
    return PracticeScore(
        counts=counts,
        asks=asks,
        tells=tells,
        ask_ratio=round(asks / (asks + tells), 2) if asks + tells else 0.0,
        reached_implication=counts[str(T.I)] > 0,
        reached_need_payoff=counts[str(T.N)] > 0,
        hidden_found=session.revealed,
        hidden_total=len(session.hidden),
        paid_off=session.paid_off,
        tips=_tips(session, counts, asks),
    )


def _tips(session: PracticeSession, counts: dict[str, int], asks: int) -> tuple[Tip, ...]:
    tips: list[Tip] = []
    kinds = [turn.qtype for turn in session.turns]
    if not kinds:
        return (Tip("start_with_situation", {"step": "S"}), Tip("then_find_problem", {"step": "P"}))
    first_pitch = kinds.index(str(T.PITCH)) if str(T.PITCH) in kinds else None
    first_reveal = next((i for i, t in enumerate(session.turns) if t.revealed), None)
    if first_pitch is not None and (first_reveal is None or first_pitch < first_reveal):
        tips.append(Tip("pitch_later", {"turn": first_pitch + 1}))
    missed = [need for need in session.hidden if need not in session.revealed]
    if not counts[str(T.P)]:
        tips.append(Tip("ask_problem", {"step": "P"}))
    if missed:
        tips.append(Tip("dig_deeper", {"missed": missed, "steps": ["P", "I"]}))
    if not counts[str(T.I)]:
        tips.append(Tip("ask_implication", {"step": "I", "needs": list(session.revealed)}))
    unpaid = [need for need in session.revealed if need not in session.paid_off]
    if unpaid:
        tips.append(Tip("ask_need_payoff", {"step": "N", "needs": unpaid}))
    if asks >= 4 and counts[str(T.S)] / asks > SITUATION_SHARE:
        tips.append(Tip("fewer_situation", {"share": round(counts[str(T.S)] / asks, 2)}))
    if asks >= 4 and counts[str(T.CLOSED)] / asks > CLOSED_SHARE:
        tips.append(Tip("open_questions", {"share": round(counts[str(T.CLOSED)] / asks, 2)}))
    if counts[str(T.I)] and counts[str(T.N)]:
        tips.append(Tip("good_ladder", {}))
    if not missed:
        tips.append(Tip("all_needs_found", {"count": len(session.hidden)}))
    if len(tips) < MIN_TIPS:
        tips.append(Tip("keep_practising", {}))
    return tuple(tips[:MAX_TIPS])
