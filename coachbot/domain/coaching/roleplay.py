"""Role-play turns whose reply comes from elsewhere (a language model), scored by the rules.

practice.ask() classifies, asks a ProspectModel and records the turn in one synchronous step.
A model prospect answers asynchronously and can also say which hidden need a question is about,
so here the same step is split: plan_turn() decides from the question's type what the prospect
may reveal or agree to (the rules' keyword triggers, or the topic a model named), the reply is
fetched, and record_turn() keeps the turn exactly as practice.ask() would. Scoring stays
practice.score(); quoted_tips() adds to each tip the agent's own words it is about.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from coachbot.domain.coaching.classifier import QuestionType
from coachbot.domain.coaching.practice import (
    REVEALING,
    PracticeScore,
    PracticeSession,
    Tip,
    Turn,
    payoffs,
    reveals,
    told_topics,
)
from coachbot.scripts.model import HiddenNeed, Scenario

T = QuestionType
QUOTE_CHARS = 80


@dataclass(frozen=True)
class TurnPlan:
    """What this turn may bring out: a hidden need revealed, or a revealed need agreed to."""

    qtype: QuestionType
    reveal: HiddenNeed | None = None
    payoff: HiddenNeed | None = None


def plan_turn(question: str, qtype: QuestionType, session: PracticeSession, scenario: Scenario,
              topic: str | None = None) -> TurnPlan:
    """The rules' decision for one question; `topic` (a hidden need's id a model judged the
    question to be about) counts like a matching trigger word, never more: a need still comes
    out only to a P or I question, and is agreed to only on an N question once revealed."""
    found = reveals(question, qtype, session, scenario)
    paid = payoffs(question, qtype, session, scenario)
    needs = {need.need: need for need in scenario.hidden_needs}
    if not found and topic in needs and qtype in REVEALING and topic not in session.revealed:
        found = [needs[topic]]
    if (not paid and topic in needs and qtype == T.N and topic in session.revealed
            and topic not in session.paid_off):
        paid = [needs[topic]]
    return TurnPlan(qtype, found[0] if found else None, paid[0] if paid else None)


def record_turn(session: PracticeSession, question: str, plan: TurnPlan, reply: str,
                now: datetime) -> PracticeSession:
    """The session with this exchange added (as practice.ask() records it)."""
    turn = Turn(
        question=question, qtype=str(plan.qtype), reply=reply, at=now,
        revealed=(plan.reveal.need,) if plan.reveal else (),
        payoff=(plan.payoff.need,) if plan.payoff else (),
        told=tuple(sorted(told_topics(question, session.locale))),
    )
    return replace(session, turns=(*session.turns, turn))


def quoted_tips(session: PracticeSession, result: PracticeScore) -> tuple[Tip, ...]:
    """The score's tips, each with the agent's own question it is about (data["quote"] and
    its 1-based data["quote_turn"]) where one fits."""
    return tuple(_with_quote(tip, _quote_index(tip, session), session) for tip in result.tips)


def _with_quote(tip: Tip, index: int | None, session: PracticeSession) -> Tip:
    if index is None:
        return tip
    question = session.turns[index].question.strip()
    if len(question) > QUOTE_CHARS:
        question = question[:QUOTE_CHARS - 1] + "…"
    return Tip(tip.key, {**tip.data, "quote": question, "quote_turn": index + 1})


def _quote_index(tip: Tip, session: PracticeSession) -> int | None:
    turns = session.turns
    if not turns:
        return None

    def first(*kinds: QuestionType) -> int | None:
        return next((i for i, t in enumerate(turns) if t.qtype in map(str, kinds)), None)

    def last(*kinds: QuestionType) -> int | None:
        return next((i for i in reversed(range(len(turns)))
                     if turns[i].qtype in map(str, kinds)), None)

    def revealing(need: str | None = None) -> int | None:
        hits = [i for i, t in enumerate(turns) if t.revealed and (need is None
                                                                  or need in t.revealed)]
        return hits[-1] if hits else None

    key = tip.key
    if key == "pitch_later":
        return int(tip.data.get("turn", 1)) - 1
    if key == "fewer_situation":
        return first(T.S)
    if key == "open_questions":
        return first(T.CLOSED)
    if key == "ask_need_payoff":
        needs = tip.data.get("needs") or [None]
        return revealing(needs[0])
    if key == "good_ladder":
        return first(T.I)
    if key == "all_needs_found":
        return revealing()
    if key in ("dig_deeper", "ask_implication"):
        found = last(T.P, T.I) if key == "dig_deeper" else last(T.P)
        return found if found is not None else len(turns) - 1
    if key == "ask_problem":
        found = last(T.S)
        return found if found is not None else len(turns) - 1
    return len(turns) - 1
