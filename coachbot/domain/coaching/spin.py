"""A SPIN needs-mining session with one client: suggest questions, record answers, summarize.

Every function is pure: it takes a session and returns a new one; the caller stores
`session.to_dict()` and passes the clock's `now` in.

For one thumb on a phone: when a step is first shown, its 2-4 questions are fixed
(`session.shown[step]`) and keep their ids and positions for the rest of the talk, answered or
not, so the buttons "1 2 3 4" always mean the same questions. What the agent types (or a voice
note) answers the current question (`session.current`): the first one not answered yet, or the
one the agent tapped. A voice note is kept by its file id, its text filled in when transcribed.
The client's type may change after the Situation answers (services re-read the facts); steps
already shown keep their questions, the next steps take the new type's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from coachbot.domain.coaching.facts import ClientFacts, fits
from coachbot.domain.coaching.needs import NeedsSummary, find_needs, next_step
from coachbot.domain.coaching.proposals import Proposal
from coachbot.domain.coaching.text import matches
from coachbot.scripts.model import Question, ScriptLibrary

STEPS = ("S", "P", "I", "N")
DONE = "done"
ACTIVE, PAUSED, FINISHED = "active", "paused", "done"
MIN_SUGGESTIONS, MAX_SUGGESTIONS = 2, 4


class SpinError(ValueError):
    """An action that the session's state does not allow."""


@dataclass(frozen=True)
class Answer:
    """What the client said at one step (typed, or a voice note's file id)."""

    step: str
    question_id: str | None
    text: str
    voice_file_id: str | None
    at: datetime

    @property
    def pending(self) -> bool:
        """A voice note waiting for its transcript."""
        return bool(self.voice_file_id) and not self.text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return {"step": self.step, "question_id": self.question_id, "text": self.text,
                "voice_file_id": self.voice_file_id, "at": self.at.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """Back from to_dict."""
        return cls(data["step"], data.get("question_id"), data.get("text", ""),
                   data.get("voice_file_id"), _aware(datetime.fromisoformat(data["at"])))


@dataclass(frozen=True)
class SpinSession:
    """Where a SPIN conversation with one client stands."""

    client_id: int | str
    profile: str
    started_at: datetime
    updated_at: datetime
    step: str = "S"
    answers: tuple[Answer, ...] = ()
    skipped: tuple[str, ...] = ()
    status: str = ACTIVE
    history: tuple[str, ...] = field(default=())  # steps left behind, for go_back
    shown: dict[str, tuple[str, ...]] = field(default_factory=dict)  # step -> fixed questions
    current: str | None = None  # the question the next answer is for
    profiles: tuple[str, ...] = ()  # earlier client types, when the type changed mid-talk

    def asked(self) -> set[str]:
        """Ids of the questions already put to the client."""
        return {a.question_id for a in self.answers if a.question_id}

    def answered(self, question_id: str) -> bool:
        """Whether this question has an answer."""
        return any(a.question_id == question_id for a in self.answers)

    def position(self, question_id: str) -> int | None:
        """The question's 1-based position at its step (stable for the whole talk)."""
        for ids in self.shown.values():
            if question_id in ids:
                return ids.index(question_id) + 1
        return None

    def answers_at(self, step: str) -> tuple[Answer, ...]:
        """The answers recorded at one step."""
        return tuple(a for a in self.answers if a.step == step)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict for the store."""
        return {
            "client_id": self.client_id, "profile": self.profile,
            "started_at": self.started_at.isoformat(), "updated_at": self.updated_at.isoformat(),
            "step": self.step, "answers": [a.to_dict() for a in self.answers],
            "skipped": list(self.skipped), "status": self.status, "history": list(self.history),
            "shown": {step: list(ids) for step, ids in self.shown.items()},
            "current": self.current, "profiles": list(self.profiles),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpinSession:
        """Back from to_dict."""
        return cls(
            client_id=data["client_id"], profile=data["profile"],
            started_at=_aware(datetime.fromisoformat(data["started_at"])),
            updated_at=_aware(datetime.fromisoformat(data["updated_at"])),
            step=data.get("step", "S"),
            answers=tuple(Answer.from_dict(a) for a in data.get("answers", ())),
            skipped=tuple(data.get("skipped", ())), status=data.get("status", ACTIVE),
            history=tuple(data.get("history", ())),
            shown={step: tuple(ids) for step, ids in data.get("shown", {}).items()},
            current=data.get("current"), profiles=tuple(data.get("profiles", ())),
        )


def start_session(client_id: int | str, profile: str, now: datetime) -> SpinSession:
    """A new session at the Situation step."""
    now = _aware(now)
    return SpinSession(client_id=client_id, profile=profile, started_at=now, updated_at=now)


def suggest_questions(
    session: SpinSession, library: ScriptLibrary, locale: str, facts: ClientFacts,
    limit: int = MAX_SUGGESTIONS,
) -> list[Question]:
    """2-4 questions for the current step that fit the facts and weren't asked yet.

    Questions that follow up needs the client already mentioned, or that probe needs their
    policies leave uncovered, come first; then the more tailored ones; then file order.
    """
    if session.step not in STEPS:
        return []
    scripts = library.get(locale)
    pool = scripts.profiles[session.profile].questions[session.step]
    asked = session.asked()
    fitting = [q for q in pool if q.id not in asked and fits(q.when, facts)]
    mentioned = {
        need.id for answer in session.answers for need in scripts.needs.values()
        if matches(answer.text, need.keywords, scripts.locale)
    }
    owned = set(facts.policy_products)
    uncovered = {n.id for n in scripts.needs.values() if not owned.intersection(n.products)}

    def rank(item: tuple[int, Question]) -> tuple[int, int, int, int]:
        index, question = item
        probes = set(question.probes)
        return (-len(probes & mentioned), -len(probes & uncovered), -question.when.count(),
                index)

    ranked = [q for _, q in sorted(enumerate(fitting), key=rank)]
    return ranked[: max(MIN_SUGGESTIONS, min(limit, MAX_SUGGESTIONS))]


def record_answer(
    session: SpinSession, text: str, now: datetime, question_id: str | None = None,
    voice_file_id: str | None = None,
) -> SpinSession:
    """Add the client's answer (to a suggested question, or to the agent's own) at this step."""
    _require_active(session)
    if not text.strip() and not voice_file_id:
        raise SpinError("an answer needs text or a voice note")
    answer = Answer(session.step, question_id, text.strip(), voice_file_id, _aware(now))
    return replace(session, answers=(*session.answers, answer), updated_at=answer.at)


def advance(session: SpinSession, now: datetime) -> SpinSession:
    """Move on to the next step; a step left without answers counts as skipped."""
    _require_active(session)
    if not session.answers_at(session.step):
        return skip_step(session, now)
    return _move_on(session, now, skipped=session.skipped)


def skip_step(session: SpinSession, now: datetime) -> SpinSession:
    """Skip the current step and move on."""
    _require_active(session)
    skipped = session.skipped if session.step in session.skipped else (
        *session.skipped, session.step)
    return _move_on(session, now, skipped=skipped)


def go_back(session: SpinSession, now: datetime) -> SpinSession:
    """Return to the previous step (a finished session reopens at N); answers are kept."""
    if session.status == PAUSED:
        raise SpinError("resume the session first")
    if not session.history:
        return replace(session, updated_at=_aware(now))
    previous = session.history[-1]
    return replace(
        session, step=previous, history=session.history[:-1], status=ACTIVE, current=None,
        skipped=tuple(s for s in session.skipped if s != previous), updated_at=_aware(now),
    )


def pause(session: SpinSession, now: datetime) -> SpinSession:
    """Pause the session (the meeting ended mid-way)."""
    _require_active(session)
    return replace(session, status=PAUSED, updated_at=_aware(now))


def resume(session: SpinSession, now: datetime) -> SpinSession:
    """Resume a paused session where it stopped."""
    if session.status != PAUSED:
        raise SpinError("only a paused session can be resumed")
    return replace(session, status=ACTIVE, updated_at=_aware(now))


def show_step(
    session: SpinSession, library: ScriptLibrary, locale: str, facts: ClientFacts,
) -> SpinSession:
    """Fix the current step's questions the first time it is shown; point at the first one
    not answered yet. Idempotent: a step already shown keeps its questions."""
    if session.step not in STEPS:
        return session
    shown = session.shown
    if session.step not in shown:
        ids = tuple(q.id for q in suggest_questions(session, library, locale, facts))
        shown = {**shown, session.step: ids}
    session = replace(session, shown=shown)
    if session.current not in shown[session.step] or session.answered(session.current or ""):
        session = replace(session, current=_first_open(session))
    return session


def step_questions(session: SpinSession, library: ScriptLibrary, locale: str,
                   step: str | None = None) -> list[Question]:
    """The fixed questions of a step (the current one by default), in their positions."""
    scripts = library.get(locale)
    ids = session.shown.get(step or session.step, ())
    return [scripts.questions[qid] for qid in ids if qid in scripts.questions]


def select(session: SpinSession, question: str | int, now: datetime) -> SpinSession:
    """Make a question current, by id or by its 1-based position at this step."""
    _require_active(session)
    ids = session.shown.get(session.step, ())
    if isinstance(question, int) or (isinstance(question, str) and question.isdigit()):
        index = int(question) - 1
        if not 0 <= index < len(ids):
            raise SpinError("no question at that position")
        question = ids[index]
    if question not in ids:
        raise SpinError("that question is not shown at this step")
    return replace(session, current=question, updated_at=_aware(now))


def answer_current(
    session: SpinSession, text: str, now: datetime, voice_file_id: str | None = None,
) -> SpinSession:
    """Record what the client said as the answer to the current question, then move the
    current question on to the next one not answered (none left: the agent's own question)."""
    session = record_answer(session, text, now, question_id=session.current,
                            voice_file_id=voice_file_id)
    return replace(session, current=_first_open(session))


def transcribe(session: SpinSession, voice_file_id: str, text: str, now: datetime) -> \
        SpinSession:
    """Put a voice note's transcript in place of the pending answer (unknown ids: unchanged)."""
    answers = tuple(
        replace(a, text=text.strip()) if a.voice_file_id == voice_file_id and a.pending else a
        for a in session.answers)
    return replace(session, answers=answers, updated_at=_aware(now))


def change_profile(session: SpinSession, profile: str, now: datetime) -> SpinSession:
    """Switch the client type mid-talk: shown steps keep their questions, the rest follow."""
    if profile == session.profile:
        return session
    return replace(session, profile=profile, profiles=(*session.profiles, session.profile),
                   updated_at=_aware(now))


def _first_open(session: SpinSession) -> str | None:
    return next((qid for qid in session.shown.get(session.step, ())
                 if not session.answered(qid)), None)


def summarize(
    session: SpinSession, library: ScriptLibrary, locale: str, facts: ClientFacts,
    proposal: Proposal | None = None,
) -> NeedsSummary:
    """Needs found (must/nice, explicit/latent, evidence), gaps against cover, next step."""
    scripts = library.get(locale)
    findings = find_needs(session.answers, session.profile, scripts, facts)
    answered = tuple(s for s in STEPS if session.answers_at(s))
    return NeedsSummary(
        profile=session.profile,
        needs=findings,
        gaps=tuple(f.need for f in findings if not f.covered),
        next_step=next_step(session.profile, findings, answered, facts, proposal),
        steps_answered=answered,
        steps_skipped=tuple(s for s in STEPS if s in session.skipped),
    )


def _move_on(session: SpinSession, now: datetime, skipped: Sequence[str]) -> SpinSession:
    index = STEPS.index(session.step)
    following = STEPS[index + 1] if index + 1 < len(STEPS) else DONE
    return replace(
        session, step=following, skipped=tuple(skipped),
        history=(*session.history, session.step), current=None,
        status=FINISHED if following == DONE else ACTIVE, updated_at=_aware(now),
    )


def _require_active(session: SpinSession) -> None:
    if session.status == PAUSED:
        raise SpinError("the session is paused")
    if session.status == FINISHED or session.step == DONE:
        raise SpinError("the session is finished")


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("use an aware datetime (pass the clock's now)")
    return moment
