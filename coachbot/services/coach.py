"""Coaching services: connect the client book to the coaching library (no Telegram here).

One place knows the client (client_facts: the records plus the facts read from everything the
agent typed), and SPIN, prep, the needs summary, the card's next action and /next all start
from it. Every function takes the agent, ids and the clock's `now`, and returns typed results
for the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from coachbot.domain.calendar import YearlyDate, age_on
from coachbot.domain.classify import LIVE_POLICY_STATUSES, grade_of, total_premium
from coachbot.domain.coaching import actions, practice, spin
from coachbot.domain.coaching import playbooks as pb
from coachbot.domain.coaching.facts import ClientFacts, with_knowledge
from coachbot.domain.coaching.knowledge import PROFILE_KEY
from coachbot.domain.coaching.needs import NeedsSummary
from coachbot.domain.coaching.prep import PrepSheet, prepare
from coachbot.domain.coaching.profiles import (
    PROFILE_CHOICES,
    ProfileDecision,
    decide_profile,
    infer_profile,
)
from coachbot.domain.coaching.proposals import Proposal
from coachbot.domain.models import Agent, Client, CoachingRecord, Contact, Policy
from coachbot.scripts.model import Question, ScriptLibrary
from coachbot.services import knowledge, records
from coachbot.store import Store

# our policy categories -> the script library's product ids
PRODUCT_IDS = {
    "life": "whole_life", "critical_illness": "critical_illness", "medical": "medical",
    "accident": "accident", "annuity": "annuity", "education": "education",
    "savings": "endowment", "group": "group_life", "motor": "motor",
}
# words in a product's name that tell its category when the agent did not pick one
PRODUCT_WORDS = (
    ("critical_illness", ("重疾", "重大疾病", "critical")),
    ("medical", ("医疗", "醫療", "medical")),
    ("accident", ("意外", "accident")), ("annuity", ("年金", "养老", "養老", "annuity")),
    ("education", ("教育", "education")), ("motor", ("车险", "車險", "motor", "car")),
    ("group", ("团体", "團體", "group")), ("savings", ("储蓄", "儲蓄", "分红", "分紅", "savings")),
    ("life", ("寿险", "壽險", "终身", "終身", "定期", "life")),
)
SPIN, PRACTICE, PLAYBOOK = "spin", "practice", "playbook"
NEXT_LIMIT = 8
CONTACT_SUMMARY_CHARS = 500


def guess_product_type(product: str) -> str | None:
    """The category of a policy from its name ("平安重疾险" -> critical_illness)."""
    lowered = product.lower()
    for kind, words in PRODUCT_WORDS:
        if any(word in lowered for word in words):
            return kind
    return None


def policy_product_ids(policies: list[Policy]) -> list[str]:
    """Library product ids the client's live policies stand for."""
    found = []
    for policy in policies:
        if policy.status not in LIVE_POLICY_STATUSES:
            continue
        kind = policy.product_type or guess_product_type(policy.product)
        if kind in PRODUCT_IDS:
            found.append(PRODUCT_IDS[kind])
    return sorted(set(found))


def agent_day(agent: Agent, now: datetime) -> date:
    """Today where the agent is."""
    return now.astimezone(ZoneInfo(agent.timezone)).date()


# -- what the coach knows about a client --------------------------------------------------------
def client_facts(store: Store, agent: Agent, client: Client, today: date) -> ClientFacts:
    """Everything the coaching rules read about a client: the records (birthday, family,
    policies, stage, tier) and the facts read from notes, visits, SPIN answers and forwards."""
    family = store.clients.family_of(agent.id, client.id)
    policies = store.clients.policies_of(agent.id, client.id)
    children = []
    for member in family:
        if member.relation == "child":
            age = age_on(YearlyDate.from_storage(member.birthday), today) \
                if member.birthday else None
            children.append(age if age is not None else 10)
    age = age_on(YearlyDate.from_storage(client.birthday), today) if client.birthday else None
    base = ClientFacts(
        age=age, gender=client.gender, occupation=client.occupation,
        has_spouse=any(m.relation == "spouse" for m in family), children_ages=children,
        is_group=client.is_group,
        channel="car_dealer" if "car_dealer" in client.tags or "车商" in client.tags else None,
        annual_premium_total=total_premium(policies), tier=store.schedule.client_tier(agent.id,
                                                                                      client.id),
        stage=client.stage, policy_products=policy_product_ids(policies),
        income_band=client.income_band,
    )
    return with_knowledge(base, knowledge.knowledge_of(store, agent.id, client.id))


@dataclass(frozen=True)
class TypeQuestion:
    """Ask the agent once which type of client this is (the facts are thin or disagree).

    choices are profile ids in button order; guess is the rules' best guess (may be shown
    first); reason is "thin" or "conflict". The answer goes to set_client_type."""

    client_id: int
    client_name: str
    guess: str
    reason: str
    choices: tuple[str, ...] = PROFILE_CHOICES


def client_profile(store: Store, agent: Agent, client: Client, today: date) -> \
        tuple[ProfileDecision, ClientFacts]:
    """The client's type as the facts show it, and the facts."""
    facts = client_facts(store, agent, client, today)
    return decide_profile(facts), facts


def type_question(store: Store, agent: Agent, client_id: int, now: datetime) -> \
        TypeQuestion | None:
    """The one-tap type question, or None when the facts settle the type (or no client)."""
    client = store.clients.get_client(agent.id, client_id)
    if client is None:
        return None
    decision, _ = client_profile(store, agent, client, agent_day(agent, now))
    return None if decision.sure else _question(client, decision)


def set_client_type(store: Store, agent: Agent, client_id: int, profile: str,
                    now: datetime) -> bool:
    """Keep the agent's answer to the type question as a fact (it wins from now on); an open
    SPIN talk switches to the new type for the steps not shown yet."""
    if profile not in PROFILE_CHOICES:
        return False
    if not knowledge.correct_fact(store, agent.id, client_id, PROFILE_KEY, profile,
                                  agent_day(agent, now)):
        return False
    record = store.coaching.latest_session(agent.id, SPIN, client_id=client_id)
    if record is not None:
        session = spin.change_profile(spin.SpinSession.from_dict(record.state), profile, now)
        store.coaching.save_session(agent.id, record.id, session.to_dict(), record.status)
    return True


@dataclass(frozen=True)
class FactsView:
    """A client's facts page: every fact with its source, and the client type they give."""

    client: Client
    lines: list[knowledge.FactLine]
    profile: str
    sure: bool


def facts_view(store: Store, agent: Agent, client_id: int, now: datetime) -> FactsView | None:
    """What the coach knows about a client, fact by fact (None: not the agent's client)."""
    client = store.clients.get_client(agent.id, client_id)
    if client is None:
        return None
    decision, _ = client_profile(store, agent, client, agent_day(agent, now))
    return FactsView(client, knowledge.card_facts(store, agent.id, client_id),
                     decision.profile, decision.sure)


def follow_facts(store: Store, agent: Agent, client_id: int, now: datetime) -> None:
    """After the agent confirmed, corrected or removed a fact. Needs, prep, the card's next
    action and the type question are derived from the facts when shown; an open SPIN talk
    keeps the type it started with, so it takes the type the facts now settle (for the steps
    not shown yet), as an answer to the type question does."""
    client = store.clients.get_client(agent.id, client_id)
    record = store.coaching.latest_session(agent.id, SPIN, client_id=client_id)
    if client is None or record is None:
        return
    decision, _ = client_profile(store, agent, client, agent_day(agent, now))
    session = spin.SpinSession.from_dict(record.state)
    if decision.sure and decision.profile != session.profile:
        session = spin.change_profile(session, decision.profile, now)
        store.coaching.save_session(agent.id, record.id, session.to_dict(), record.status)


def _question(client: Client, decision: ProfileDecision) -> TypeQuestion:
    return TypeQuestion(client.id, client.name, decision.profile, decision.reason)


# -- SPIN ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpinState:
    """A stored SPIN session and its record id."""

    record_id: int
    session: spin.SpinSession


@dataclass(frozen=True)
class SpinQuestion:
    """A question of the current step at its fixed position (the handler's button n)."""

    position: int
    question: Question
    answered: bool
    current: bool


@dataclass(frozen=True)
class SpinView:
    """What the SPIN screen shows: the client, the step, its fixed questions, which one the
    next answer is for, and what just happened."""

    record_id: int
    client: Client
    session: spin.SpinSession
    profile: str
    step_index: int  # 1-4, 5 when the talk is over
    questions: tuple[SpinQuestion, ...]
    current: int | None  # the position the next answer goes to (None: the agent's own)
    answers_here: int  # answers recorded at this step
    pending_voice: int  # voice notes waiting for a transcript (whole talk)
    resumed: bool = False
    recorded: str | None = None  # "text" | "voice" after an answer
    type_changed_from: str | None = None  # the type before the Situation answers changed it
    ask_type: TypeQuestion | None = None  # the answers made the type uncertain: ask once

    @property
    def finished(self) -> bool:
        return self.session.status == spin.FINISHED


def open_spin(store: Store, agent: Agent, client: Client, facts: ClientFacts,
              now: datetime) -> tuple[SpinState, bool]:
    """Resume the client's open SPIN session, or start one; (state, resumed)."""
    record = store.coaching.latest_session(agent.id, SPIN, client_id=client.id)
    if record is not None:
        session = spin.SpinSession.from_dict(record.state)
        if session.status == spin.PAUSED:
            session = spin.resume(session, now)
            store.coaching.save_session(agent.id, record.id, session.to_dict(), "active")
        return SpinState(record.id, session), True
    session = spin.start_session(client.id, infer_profile(facts), now)
    record = store.coaching.create_session(agent.id, kind=SPIN, client_id=client.id,
                                           ref=session.profile,
                                           state=session.to_dict())
    return SpinState(record.id, session), False


def load_spin(store: Store, agent_id: int, record_id: int) -> SpinState | None:
    record = store.coaching.get_session(agent_id, record_id)
    if record is None or record.kind != SPIN or record.status == "done":
        return None
    return SpinState(record.id, spin.SpinSession.from_dict(record.state))


def save_spin(store: Store, agent_id: int, state: SpinState) -> None:
    store.coaching.save_session(agent_id, state.record_id, state.session.to_dict(),
                                _spin_status(state.session))


def _spin_status(session: spin.SpinSession) -> str:
    """The stored record's status for a session's."""
    return {spin.PAUSED: "paused", spin.FINISHED: "done"}.get(session.status, "active")


def spin_start(store: Store, agent: Agent, client_id: int, library: ScriptLibrary,
               now: datetime) -> SpinView | TypeQuestion | None:
    """Open the client's SPIN talk (resuming an open one). A new talk first needs the client's
    type: when the facts don't settle it, the type question comes back instead (ask once;
    answer with set_client_type, then call again). None: not the agent's client."""
    client = store.clients.get_client(agent.id, client_id)
    if client is None:
        return None
    knowledge.read_client(store, agent.id, client_id)
    decision, facts = client_profile(store, agent, client, agent_day(agent, now))
    open_record = store.coaching.latest_session(agent.id, SPIN, client_id=client_id)
    if open_record is None and not decision.sure:
        return _question(client, decision)
    state, resumed = open_spin(store, agent, client, facts, now)
    session = state.session
    if not resumed:
        session = replace(session, profile=decision.profile)
    return _show(store, agent, client, SpinState(state.record_id, session), library, facts,
                 resumed=resumed)


def spin_view(store: Store, agent: Agent, record_id: int, library: ScriptLibrary,
              now: datetime) -> SpinView | None:
    """The talk as it stands (None: closed or not the agent's); a paused talk stays paused."""
    return _act(store, agent, record_id, library, now, lambda s: s, resume=False)


def spin_select(store: Store, agent: Agent, record_id: int, position: int,
                library: ScriptLibrary, now: datetime) -> SpinView | None:
    """Make the question at a position (1-4) current: the next answer is for it."""
    return _act(store, agent, record_id, library, now,
                lambda s: spin.select(s, position, now))


def spin_answer(store: Store, agent: Agent, record_id: int, text: str,
                library: ScriptLibrary, now: datetime) -> SpinView | None:
    """What the client said, as the answer to the current question. Answers are read for
    facts; after a Situation answer the client's type is checked again."""
    return _answer(store, agent, record_id, text, None, library, now)


def spin_voice(store: Store, agent: Agent, record_id: int, file_id: str, caption: str,
               library: ScriptLibrary, now: datetime) -> SpinView | None:
    """A voice note as the answer to the current question, pending its transcript (a caption,
    if any, is kept as its text now)."""
    return _answer(store, agent, record_id, caption, file_id, library, now)


def spin_transcript(store: Store, agent: Agent, record_id: int, file_id: str, text: str,
                    library: ScriptLibrary, now: datetime) -> SpinView | None:
    """A voice answer's transcript arrived: it replaces the pending answer and is read."""
    record = store.coaching.get_session(agent.id, record_id)
    if record is None or record.kind != SPIN:
        return None
    session = spin.transcribe(spin.SpinSession.from_dict(record.state), file_id, text, now)
    store.coaching.save_session(agent.id, record_id, session.to_dict(), record.status)
    for index, answer in enumerate(session.answers):
        if answer.voice_file_id == file_id:
            knowledge.read_spin_answer(store, agent.id, int(session.client_id), record_id,
                                       index, answer.text, answer.at, zone=agent.timezone)
    if record.status == "done":
        return None
    return _act(store, agent, record_id, library, now, lambda s: s, recheck=True)


def spin_next(store: Store, agent: Agent, record_id: int, library: ScriptLibrary,
              now: datetime) -> SpinView | None:
    """On to the next step (a step left without answers counts as skipped). After N the view
    is finished: call spin_finish."""
    return _act(store, agent, record_id, library, now, lambda s: spin.advance(s, now),
                recheck=True)


def spin_skip(store: Store, agent: Agent, record_id: int, library: ScriptLibrary,
              now: datetime) -> SpinView | None:
    return _act(store, agent, record_id, library, now, lambda s: spin.skip_step(s, now),
                recheck=True)


def spin_back(store: Store, agent: Agent, record_id: int, library: ScriptLibrary,
              now: datetime) -> SpinView | None:
    return _act(store, agent, record_id, library, now, lambda s: spin.go_back(s, now))


def spin_pause(store: Store, agent: Agent, record_id: int, library: ScriptLibrary,
               now: datetime) -> SpinView | None:
    """The meeting ended mid-way: the talk waits, /spin resumes it where it stopped."""
    return _act(store, agent, record_id, library, now, lambda s: spin.pause(s, now),
                resume=False)


@dataclass(frozen=True)
class SpinFinish:
    """A finished talk: the needs summary, the contact it was logged as, the stage the
    methodology suggests now (None: keep)."""

    client: Client
    summary: NeedsSummary
    contact: Contact | None
    suggested_stage: str | None


def spin_finish(store: Store, agent: Agent, record_id: int, library: ScriptLibrary,
                now: datetime, *, channel: str = "face", next_step: str | None = None,
                next_step_date: date | None = None) -> SpinFinish | None:
    """Close the talk: summarise the needs (kept on the client), log it as a contact with
    what the client said (channel "face" unless chosen), and say what stage fits now."""
    record = store.coaching.get_session(agent.id, record_id)
    if record is None or record.kind != SPIN or record.client_id is None:
        return None
    client = store.clients.get_client(agent.id, record.client_id)
    if client is None:
        return None
    session = spin.SpinSession.from_dict(record.state)
    facts = client_facts(store, agent, client, agent_day(agent, now))
    proposal = _latest_proposal(store, agent.id, client.id)
    with store.atomic():
        summary = finish_spin(store, agent, SpinState(record_id, session), library, facts, now,
                              proposal)
        said = "；".join(a.text for a in session.answers if a.text)
        contact = records.log_contact(
            store, agent.id, client.id, at=now, channel=channel,
            summary=said[:CONTACT_SUMMARY_CHARS] or None, next_step=next_step,
            next_step_date=next_step_date) if session.answers else None
    suggested = _suggested_stage(summary, client.stage)
    return SpinFinish(store.clients.get_client(agent.id, client.id) or client, summary,
                      contact, suggested)


def finish_spin(store: Store, agent: Agent, state: SpinState, library: ScriptLibrary,
                facts: ClientFacts, now: datetime, proposal: Proposal | None = None) -> \
        NeedsSummary:
    """Summarise the needs found, keep the summary on the client, close the session."""
    summary = spin.summarize(state.session, library, agent.locale, facts, proposal)
    session = replace(state.session, status=spin.FINISHED, updated_at=now)
    store.coaching.save_session(agent.id, state.record_id, session.to_dict(), "done")
    saved = {**summary.to_dict(), "at": now.isoformat(), "session_id": state.record_id}
    records.update_client(store, agent.id, int(state.session.client_id), {"needs_summary": saved})
    return summary


def _answer(store: Store, agent: Agent, record_id: int, text: str, voice: str | None,
            library: ScriptLibrary, now: datetime) -> SpinView | None:
    record = store.coaching.get_session(agent.id, record_id)
    if record is None or record.kind != SPIN or record.status == "done":
        return None
    session = spin.SpinSession.from_dict(record.state)
    if session.status == spin.PAUSED:
        session = spin.resume(session, now)
    step = session.step
    try:
        session = spin.answer_current(session, text, now, voice_file_id=voice)
    except spin.SpinError:
        return None
    state, status = session.to_dict(), _spin_status(session)
    # the answer, what it says about the client and the next screen's state land together
    # (one transaction: after a crash all of them or none, and one commit instead of three)
    with store.atomic():
        store.coaching.save_session(agent.id, record_id, state, status)
        index = len(session.answers) - 1
        if session.answers[index].text:
            knowledge.read_spin_answer(store, agent.id, int(session.client_id), record_id,
                                       index, session.answers[index].text, now,
                                       zone=agent.timezone)
        # the talk as just saved, not read back
        return _act(store, agent, record_id, library, now, lambda s: s, recheck=step == "S",
                    recorded="voice" if voice else "text",
                    record=replace(record, state=state, status=status))


def _act(store: Store, agent: Agent, record_id: int, library: ScriptLibrary, now: datetime,
         change: Any, *, recheck: bool = False, recorded: str | None = None,
         resume: bool = True, record: CoachingRecord | None = None) -> SpinView | None:
    """Load a talk (or take the one just saved), apply a change, re-check the type when asked,
    store it, show it."""
    if record is None:
        record = store.coaching.get_session(agent.id, record_id)
    if record is None or record.kind != SPIN or record.status == "done" or \
            record.client_id is None:
        return None
    client = store.clients.get_client(agent.id, record.client_id)
    if client is None:
        return None
    session = spin.SpinSession.from_dict(record.state)
    if session.status == spin.PAUSED and resume:
        session = spin.resume(session, now)
    with suppress(spin.SpinError):  # e.g. back at the first step: show the step as it is
        session = change(session)
    decision, facts = client_profile(store, agent, client, agent_day(agent, now))
    changed_from = None
    ask = None
    if recheck:
        if decision.sure and decision.profile != session.profile:
            changed_from = session.profile
            session = spin.change_profile(session, decision.profile, now)
        elif not decision.sure and decision.reason == "conflict":
            ask = _question(client, decision)
    return _show(store, agent, client, SpinState(record_id, session), library, facts,
                 recorded=recorded, changed_from=changed_from, ask=ask)


def _show(store: Store, agent: Agent, client: Client, state: SpinState,
          library: ScriptLibrary, facts: ClientFacts, *, resumed: bool = False,
          recorded: str | None = None, changed_from: str | None = None,
          ask: TypeQuestion | None = None) -> SpinView:
    session = state.session
    if session.status == spin.ACTIVE:
        session = spin.show_step(session, library, agent.locale, facts)
    save_spin(store, agent.id, SpinState(state.record_id, session))
    questions = tuple(
        SpinQuestion(i + 1, q, session.answered(q.id), q.id == session.current)
        for i, q in enumerate(spin.step_questions(session, library, agent.locale)))
    current = session.position(session.current) if session.current else None
    index = spin.STEPS.index(session.step) + 1 if session.step in spin.STEPS else 5
    return SpinView(
        record_id=state.record_id, client=client, session=session, profile=session.profile,
        step_index=index, questions=questions, current=current,
        answers_here=len(session.answers_at(session.step)),
        pending_voice=sum(1 for a in session.answers if a.pending), resumed=resumed,
        recorded=recorded, type_changed_from=changed_from, ask_type=ask)


# -- needs, prep, the next action ---------------------------------------------------------------
def needs_summary(store: Store, agent: Agent, client_id: int, library: ScriptLibrary,
                  now: datetime) -> NeedsSummary | None:
    """The client's needs and next step now: the latest SPIN talk's answers weighed with
    today's facts and proposals (a summary kept on the client may be out of date)."""
    client = store.clients.get_client(agent.id, client_id)
    if client is None:
        return None
    decision, facts = client_profile(store, agent, client, agent_day(agent, now))
    records_ = store.coaching.sessions_of(agent.id, SPIN, client_id=client_id, limit=1)
    if records_:
        session = spin.SpinSession.from_dict(records_[0].state)
    else:
        session = spin.start_session(client_id, decision.profile, now)
    if decision.sure or decision.reason == "agent":
        session = replace(session, profile=decision.profile)
    return spin.summarize(session, library, agent.locale, facts,
                          _latest_proposal(store, agent.id, client_id))


@dataclass(frozen=True)
class PrepView:
    """The meeting prep sheet for a client, with the facts it was made for."""

    client: Client
    sheet: PrepSheet
    facts: ClientFacts
    decision: ProfileDecision


def prep(store: Store, agent: Agent, client_id: int, library: ScriptLibrary,
         now: datetime) -> PrepView | TypeQuestion | None:
    """The prep sheet (备课) fitted to the client's type and facts, or the type question when
    the facts don't settle the type."""
    client = store.clients.get_client(agent.id, client_id)
    if client is None:
        return None
    knowledge.read_client(store, agent.id, client_id)
    decision, facts = client_profile(store, agent, client, agent_day(agent, now))
    if not decision.sure:
        return _question(client, decision)
    return PrepView(client, prepare(decision.profile, facts, library, agent.locale), facts,
                    decision)


@dataclass(frozen=True)
class NextAction:
    """A client and the one thing to do for them now (actions.ACTIONS key + data)."""

    client: Client
    key: str
    data: dict[str, Any]
    urgency: int
    overdue_days: int
    stage: str | None
    tier: str | None


def client_action(store: Store, agent: Agent, client_id: int, now: datetime) -> \
        NextAction | None:
    """The card's next action for one client: the same rules /next uses."""
    client = store.clients.get_client(agent.id, client_id)
    if client is None:
        return None
    return action_for(store, agent, client, now)


def action_for(store: Store, agent: Agent, client: Client, now: datetime, *,
               proposals: Mapping[int, Proposal] | None = None) -> NextAction:
    """client_action for one of the agent's clients already read (the card has it;
    `proposals`: the client's latest proposal by client id, when the caller has read it)."""
    today = agent_day(agent, now)
    situations = _situations(store, agent, [client], proposals)
    action = actions.decide(situations[0], today)
    return _next(client, situations[0], action)


def next_actions(store: Store, agent: Agent, now: datetime, *, limit: int = NEXT_LIMIT) -> \
        list[NextAction]:
    """/next: the clients that need the agent now, most pressing first (what is due today,
    then what moves a sale on, then the relationship; A before B, high net worth first), each
    with its one action."""
    clients, _ = store.clients.list_clients(agent.id, limit=100_000)
    today = agent_day(agent, now)
    by_id = {c.id: c for c in clients}
    ranked = actions.rank(_situations(store, agent, clients), today, limit=limit)
    return [_next(by_id[r.situation.client_id], r.situation, r.action) for r in ranked]


def _situations(store: Store, agent: Agent, clients: list[Client],
                proposals: Mapping[int, Proposal] | None = None) -> list[actions.Situation]:
    ids = [c.id for c in clients]
    agenda = store.due.agenda(agent.id, ids if len(ids) < 50 else None)
    latest = proposals if proposals is not None else \
        store.proposals.latest_by_client(agent.id, ids if len(ids) < 50 else None)
    open_spin_clients = store.coaching.clients_with_open(agent.id, SPIN)
    found = []
    for client in clients:
        step_on, step, review, contact_due, tier, last = agenda.get(
            client.id, (None, None, None, None, None, None))
        found.append(actions.Situation(
            client_id=client.id, name=client.name, stage=client.stage, tier=tier,
            grade=grade_of(client).grade, is_group=client.is_group,
            proposal=latest.get(client.id), spin_open=client.id in open_spin_clients,
            needs_clear=_needs_clear(client.needs_summary),
            follow_up_on=_day(step_on), follow_up=step, review_due=_day(review),
            contact_due=_day(contact_due),
            last_contact=_local(last, agent)))
    return found


def _next(client: Client, situation: actions.Situation, action: actions.Action) -> NextAction:
    return NextAction(client, action.key, action.data, action.urgency, action.overdue_days,
                      situation.stage, situation.tier)


def _needs_clear(summary: dict[str, Any] | None) -> bool:
    """A finished talk heard needs the client stated and no policy covers."""
    if not summary:
        return False
    return any(n.get("explicit") and not n.get("covered") for n in summary.get("needs", ()))


def _suggested_stage(summary: NeedsSummary, stage: str | None) -> str | None:
    target = summary.next_step.data.get("stage") if summary.next_step.key == "move_to_stage" \
        else None
    return target if target and target != stage else None


def _latest_proposal(store: Store, agent_id: int, client_id: int) -> Proposal | None:
    return store.proposals.latest_by_client(agent_id, [client_id]).get(client_id)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _local(stamp: str | None, agent: Agent) -> date | None:
    if not stamp:
        return None
    return datetime.fromisoformat(stamp).astimezone(ZoneInfo(agent.timezone)).date()


# -- sessions (SPIN, practice, playbooks) ------------------------------------------------------
def get_session(store: Store, agent_id: int, record_id: int) -> CoachingRecord | None:
    """One of the agent's coaching sessions."""
    return store.coaching.get_session(agent_id, record_id)


def save_session(store: Store, agent_id: int, record_id: int, state: dict[str, Any],
                 status: str) -> None:
    """Keep a session's state (active, paused or done)."""
    store.coaching.save_session(agent_id, record_id, state, status)


# -- practice -------------------------------------------------------------------------------
def open_practice(store: Store, agent: Agent, scenario_id: str, library: ScriptLibrary,
                  now: datetime) -> CoachingRecord | None:
    scripts = library.get(agent.locale)
    scenario = scripts.scenarios.get(scenario_id)
    if scenario is None:
        return None
    session = practice.start_practice(scenario, agent.locale, now,
                                      scripts.profiles.get(scenario.profile))
    return store.coaching.create_session(agent.id, kind=PRACTICE, client_id=None, ref=scenario_id,
                                         state=session.to_dict())


# -- playbooks ------------------------------------------------------------------------------
def open_playbook(store: Store, agent: Agent, client_id: int, playbook_id: str,
                  library: ScriptLibrary) -> CoachingRecord | None:
    """The client's progress on a playbook, attaching it on first use."""
    playbook = library.get(agent.locale, agent.region).playbooks.get(playbook_id)
    if playbook is None:
        return None
    record = store.coaching.latest_session(agent.id, PLAYBOOK, client_id=client_id, ref=playbook_id,
                                           statuses=("active", "done"))
    if record is not None:
        return record
    progress = pb.start(playbook)
    return store.coaching.create_session(agent.id, kind=PLAYBOOK, client_id=client_id,
                                         ref=playbook_id,
                                         state=progress.to_dict())
