"""Coaching services: connect the client book to the coaching library (no Telegram here)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from coachbot.domain.calendar import YearlyDate, age_on
from coachbot.domain.classify import LIVE_POLICY_STATUSES, grade_of, total_premium
from coachbot.domain.coaching import playbooks as pb
from coachbot.domain.coaching import practice, spin
from coachbot.domain.coaching.facts import ClientFacts
from coachbot.domain.coaching.needs import NeedsSummary
from coachbot.domain.coaching.profiles import infer_profile
from coachbot.domain.models import STAGES, Agent, Client, CoachingRecord, Policy
from coachbot.scripts.loader import ScriptLibrary
from coachbot.services import records
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


def client_facts(store: Store, agent: Agent, client: Client, today: date) -> ClientFacts:
    """What the coaching scripts need to know about a client."""
    family = store.clients.family_of(agent.id, client.id)
    policies = store.clients.policies_of(agent.id, client.id)
    children = []
    for member in family:
        if member.relation == "child":
            age = age_on(YearlyDate.from_storage(member.birthday), today) \
                if member.birthday else None
            children.append(age if age is not None else 10)
    age = age_on(YearlyDate.from_storage(client.birthday), today) if client.birthday else None
    return ClientFacts(
        age=age, gender=client.gender, occupation=client.occupation,
        has_spouse=any(m.relation == "spouse" for m in family), children_ages=children,
        is_group=client.is_group,
        channel="car_dealer" if "car_dealer" in client.tags or "车商" in client.tags else None,
        annual_premium_total=total_premium(policies), tier=store.schedule.client_tier(agent.id,
                                                                                      client.id),
        stage=client.stage, policy_products=policy_product_ids(policies),
        income_band=client.income_band,
    )


# -- SPIN ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpinState:
    """A stored SPIN session and its record id."""

    record_id: int
    session: spin.SpinSession


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
    status = {spin.PAUSED: "paused", spin.FINISHED: "done"}.get(state.session.status, "active")
    store.coaching.save_session(agent_id, state.record_id, state.session.to_dict(), status)


def finish_spin(store: Store, agent: Agent, state: SpinState, library: ScriptLibrary,
                facts: ClientFacts, now: datetime) -> NeedsSummary:
    """Summarise the needs found, keep the summary on the client, close the session."""
    summary = spin.summarize(state.session, library, agent.locale, facts)
    session = replace(state.session, status=spin.FINISHED, updated_at=now)
    store.coaching.save_session(agent.id, state.record_id, session.to_dict(), "done")
    saved = {**summary.to_dict(), "at": now.isoformat(), "session_id": state.record_id}
    records.update_client(store, agent.id, int(state.session.client_id), {"needs_summary": saved})
    return summary


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
    session = practice.start_practice(scenario, agent.locale, now)
    return store.coaching.create_session(agent.id, kind=PRACTICE, client_id=None, ref=scenario_id,
                                         state=session.to_dict())


# -- playbooks ------------------------------------------------------------------------------
def open_playbook(store: Store, agent: Agent, client_id: int, playbook_id: str,
                  library: ScriptLibrary) -> CoachingRecord | None:
    """The client's progress on a playbook, attaching it on first use."""
    playbook = library.get(agent.locale).playbooks.get(playbook_id)
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


# -- what to do next --------------------------------------------------------------------------
@dataclass(frozen=True)
class Priority:
    """A client worth working today, and why."""

    client: Client
    reason: str  # close | proposal | follow_up | invite | nurture | top_name
    data: dict[str, Any]


def priorities(store: Store, agent: Agent, today: date, *, limit: int = 6) -> list[Priority]:
    """Today's priority clients: ready to close, proposals, follow-ups, then A/B names."""
    clients, _ = store.clients.list_clients(agent.id, limit=100_000)
    due = {row[1] for row in store.due.follow_ups_due([agent.id], today, limit=50)}
    found: list[Priority] = []
    order = {stage: index for index, stage in enumerate(reversed(STAGES))}  # A first
    staged = sorted((c for c in clients if c.stage and not c.is_group),
                    key=lambda c: (order[c.stage or "D"], c.name))
    reasons = {"A": "close", "B": "proposal", "C": "invite", "D": "nurture"}
    for client in staged:
        reason = "follow_up" if client.id in due and client.stage in ("C", "D") \
            else reasons[client.stage or "D"]
        found.append(Priority(client, reason, {"stage": client.stage}))
    names = [c for c in clients if not c.stage and not c.is_group
             and grade_of(c).grade in ("A", "B")]
    found += [Priority(c, "top_name", {"grade": grade_of(c).grade}) for c in names]
    return found[:limit]
