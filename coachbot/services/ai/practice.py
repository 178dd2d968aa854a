"""Role-play with a model-played prospect: streamed replies, rule-based reveals and scoring.

One turn: the question's type (and the hidden need it is about) comes from the model when one
is configured, from the rules otherwise; the rules decide what the prospect may reveal
(domain/coaching/roleplay.py); the model plays the prospect from the scenario's persona and
concerns, in the agent's language, remembering the conversation; any failure falls back to the
scripted prospect with a one-line notice. Scoring is practice.score() as offline.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime

from coachbot.domain.coaching import roleplay
from coachbot.domain.coaching.practice import (
    PracticeScore,
    PracticeSession,
    ScriptedProspect,
    score,
)
from coachbot.render.templates import Renderer
from coachbot.scripts.model import Scenario
from coachbot.services.ai import prompts
from coachbot.services.ai.classifier import MODEL, RULES, ModelQuestionClassifier
from coachbot.services.ai.gateway import BUDGET, ModelGateway, ModelUnavailable
from coachbot.services.ai.notices import render_notice

logger = logging.getLogger(__name__)
REPLY_TOKENS = 220


@dataclass(frozen=True)
class PracticeTurn:
    """A finished turn: the session to save, the prospect's final words, and how it went.

    replaced: the streamed text broke off and `reply` (the scripted answer) replaces what was
    shown; notice: the one line to tell the agent when the rules stood in, else None."""

    session: PracticeSession
    reply: str
    qtype: str
    revealed: tuple[str, ...]
    reply_by: str  # model | rules
    classified_by: str  # model | rules
    notice: str | None = None
    replaced: bool = False


class TurnStream:
    """The prospect's reply as it arrives: `async for chunk in stream` yields text pieces;
    afterwards `stream.turn` is the finished PracticeTurn (always edit the message to
    turn.reply at the end: it is the whole text, names restored)."""

    def __init__(self, *, chunks: AsyncIterator[str] | None, fallback: str, failure: str | None,
                 finish: _Finish) -> None:
        self._chunks = chunks
        self._fallback = fallback
        self._failure = failure
        self._finish = finish
        self.text = ""
        self._turn: PracticeTurn | None = None

    @property
    def turn(self) -> PracticeTurn:
        if self._turn is None:
            raise RuntimeError("read the stream to its end first")
        return self._turn

    def __aiter__(self) -> AsyncIterator[str]:
        return self._run()

    async def _run(self) -> AsyncIterator[str]:
        failure, replaced, by = self._failure, False, RULES
        if self._chunks is not None:
            try:
                async for piece in self._chunks:
                    self.text += piece
                    yield piece
                by = MODEL
            except ModelUnavailable as exc:
                failure = exc.reason
                replaced = bool(self.text)
        reply = self.text.strip() if by == MODEL else self._fallback
        if by == RULES and not self.text:
            self.text = reply
            yield reply
        self._turn = self._finish.done(reply, by, failure, replaced)


@dataclass
class _Finish:
    coach: PracticeCoach
    session: PracticeSession
    question: str
    plan: roleplay.TurnPlan
    classified_by: str
    now: datetime
    locale: str

    def done(self, reply: str, by: str, failure: str | None, replaced: bool) -> PracticeTurn:
        session = roleplay.record_turn(self.session, self.question, self.plan, reply, self.now)
        turn = session.turns[-1]
        notice = None
        if failure is not None and self.coach.gateway is not None:
            notice = render_notice(self.coach.renderer, self.locale, "practice", failure)
        return PracticeTurn(session, reply, turn.qtype, turn.revealed, by,
                            self.classified_by, notice, replaced)


class PracticeCoach:
    """The role-play's turns and score, with or without a model."""

    def __init__(self, gateway: ModelGateway | None, classifier: ModelQuestionClassifier,
                 renderer: Renderer) -> None:
        self.gateway = gateway if gateway is not None and gateway.chat is not None else None
        self.classifier = classifier
        self.renderer = renderer

    async def start_turn(self, *, agent_id: int, session: PracticeSession, scenario: Scenario,
                         question: str, now: datetime) -> TurnStream:
        """Classify the question and start the prospect's reply (read it as a stream)."""
        topics = prompts.scenario_topics(scenario) if self.gateway else None
        found = await self.classifier.aclassify(question, session.locale, agent_id=agent_id,
                                                topics=topics)
        plan = roleplay.plan_turn(question, found.qtype, session, scenario, found.need)
        if plan.reveal is not None:
            fallback = plan.reveal.reveal
        elif plan.payoff is not None:
            fallback = plan.payoff.payoff
        else:
            fallback = ScriptedProspect().reply(question, found.qtype, session, scenario)
        chunks = None
        if self.gateway is not None and found.failure != BUDGET:
            system, messages = prompts.prospect_messages(session, scenario, question, plan)
            chunks = self.gateway.stream_text(
                agent_id=agent_id, feature="practice_reply", system=system, messages=messages,
                max_tokens=REPLY_TOKENS, temperature=0.8)
        finish = _Finish(self, session, question, plan, found.source, now, session.locale)
        return TurnStream(chunks=chunks, fallback=fallback, failure=found.failure,
                          finish=finish)

    async def take_turn(self, *, agent_id: int, session: PracticeSession, scenario: Scenario,
                        question: str, now: datetime) -> PracticeTurn:
        """The same turn without streaming."""
        stream = await self.start_turn(agent_id=agent_id, session=session, scenario=scenario,
                                       question=question, now=now)
        async for _ in stream:
            pass
        return stream.turn

    @staticmethod
    def score(session: PracticeSession) -> PracticeScore:
        """practice.score(), each tip carrying the agent's own words it is about."""
        result = score(session)
        return replace(result, tips=roleplay.quoted_tips(session, result))
