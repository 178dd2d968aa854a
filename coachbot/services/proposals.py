"""Proposals (计划书) as records: create, edit, send, book and hold the explanation, objections,
and the outcome (accepted -> a policy via services.records; declined -> the reason).

Stage changes stay the agent's call: these functions return the stage the methodology now
suggests (domain.coaching.proposals.stage_for), the card offers it as a one-tap change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coachbot.domain.clients import clean_text
from coachbot.domain.coaching import proposals as rules
from coachbot.domain.coaching.objections import match_objection
from coachbot.domain.coaching.proposals import Proposal, ProposalError
from coachbot.domain.dates import parse_day
from coachbot.domain.models import Agent, Policy
from coachbot.domain.regions import currency_for
from coachbot.scripts.model import ScriptLibrary
from coachbot.services import records
from coachbot.services.book import parse_amount
from coachbot.store import Store

# the script library's product ids -> the book's policy categories
POLICY_TYPES = {
    "term_life": "life", "whole_life": "life", "keyman": "life", "critical_illness":
    "critical_illness", "medical": "medical", "accident": "accident", "annuity": "annuity",
    "endowment": "savings", "ilp": "savings", "education": "education", "group_life": "group",
    "group_medical": "group", "motor": "motor", "disability": "other",
    "insurance_trust": "other",
}
POLICY_FREQUENCY = {"single": "annual"}


@dataclass(frozen=True)
class ProposalResult:
    """A proposal after a change, and the stage the methodology now suggests (None: keep)."""

    proposal: Proposal
    suggested_stage: str | None


@dataclass(frozen=True)
class Accepted:
    """An accepted proposal and the policy made from it."""

    proposal: Proposal
    policy: Policy


@dataclass(frozen=True)
class FollowUp:
    """A proposal the client has not answered for FOLLOW_UP_DAYS or more (a digest line)."""

    agent_id: int
    client_id: int
    client_name: str
    proposal_id: int
    title: str
    products: tuple[str, ...]
    waiting_since: date
    days: int
    item_id: int | None
    stage: str | None = None  # the client's prospect stage


def create_proposal(store: Store, agent_id: int, client_id: int, values: Mapping[str, Any],
                    today: date) -> ProposalResult | None:
    """A proposal prepared for a client (prepared today unless given); None if not theirs."""
    row = {"prepared_on": today, **values}
    if "currency" not in row:
        agent = store.agents.get_agent(agent_id)
        row["currency"] = currency_for(agent.region if agent else "CN")
    proposal = store.proposals.add_proposal(agent_id, client_id, row)
    return None if proposal is None else _result(store, agent_id, proposal)


def update_proposal(store: Store, agent_id: int, proposal_id: int,
                    values: Mapping[str, Any]) -> ProposalResult | None:
    """Change fields of an open proposal (FIELDS); None if it isn't the agent's."""
    unknown = set(values) - set(rules.FIELDS)
    if unknown:
        raise ValueError(f"unknown proposal fields {sorted(unknown)}")
    proposal = store.proposals.get_proposal(agent_id, proposal_id)
    if proposal is None:
        return None
    if not proposal.open:
        raise ProposalError("the proposal already has an outcome")
    updated = store.proposals.update_proposal(agent_id, proposal_id, values)
    return None if updated is None else _result(store, agent_id, updated)


def mark_sent(store: Store, agent_id: int, proposal_id: int, on: date) -> ProposalResult | None:
    """The proposal went to the client (a file, a message)."""
    return update_proposal(store, agent_id, proposal_id, {"sent_on": on})


def book_explanation(store: Store, agent_id: int, proposal_id: int,
                     on: date) -> ProposalResult | None:
    """A meeting is booked to explain the proposal."""
    return update_proposal(store, agent_id, proposal_id, {"explain_on": on})


def mark_explained(store: Store, agent_id: int, proposal_id: int, on: date, *,
                   reaction: str | None, library: ScriptLibrary,
                   locale: str) -> ProposalResult | None:
    """The proposal was explained; the client's reaction is kept and, when it voices an
    objection (太贵了, 要问老婆...), the objection stays open until it is handled. Explained
    with no objection: the client is an A."""
    text = clean_text(reaction, 300) if reaction else None
    objection = match_objection(text, library, locale) if text else []
    values: dict[str, Any] = {"explained_on": on, "reaction": text}
    if objection:
        values.update(objection=objection[0].id, objection_open=True)
    return _write(store, agent_id, proposal_id, values)


def record_objection(store: Store, agent_id: int, proposal_id: int, objection_id: str) -> \
        ProposalResult | None:
    """The client raised an objection (an id from the objection scripts)."""
    return _write(store, agent_id, proposal_id, {"objection": objection_id,
                                                 "objection_open": True})


def resolve_objection(store: Store, agent_id: int, proposal_id: int) -> ProposalResult | None:
    """The objection is handled: an explained proposal is ready to close."""
    return _write(store, agent_id, proposal_id, {"objection_open": False})


def accept_proposal(store: Store, agent_id: int, proposal_id: int, today: date, *,
                    product_labels: Mapping[str, str] | None = None,
                    policy_values: Mapping[str, Any] | None = None) -> Accepted | None:
    """The client said yes: a policy is made from the proposal (pending until underwritten)
    and linked to it. product_labels names the policy (the scripts' product labels)."""
    proposal = store.proposals.get_proposal(agent_id, proposal_id)
    if proposal is None:
        return None
    rules.check_outcome(proposal, rules.ACCEPTED)
    with store.atomic():
        values = {**policy_from(proposal, today, product_labels or {},
                                _policy_source(store, agent_id, proposal.client_id)),
                  **(policy_values or {})}
        policy = records.add_policy(store, agent_id, proposal.client_id, values)
        if policy is None:
            return None
        updated = store.proposals.update_proposal(agent_id, proposal_id, {
            "outcome": rules.ACCEPTED, "outcome_on": today, "policy_id": policy.id,
            "objection_open": False})
    assert updated is not None
    return Accepted(updated, policy)


def decline_proposal(store: Store, agent_id: int, proposal_id: int, today: date, *,
                     reason: str | None) -> ProposalResult | None:
    """The client said no; the reason (DECLINE_REASONS or the agent's words) is kept."""
    proposal = store.proposals.get_proposal(agent_id, proposal_id)
    if proposal is None:
        return None
    rules.check_outcome(proposal, rules.DECLINED)
    return _write(store, agent_id, proposal_id, {
        "outcome": rules.DECLINED, "outcome_on": today,
        "decline_reason": clean_text(reason, 200) if reason else None})


def delete_proposal(store: Store, agent_id: int, proposal_id: int) -> bool:
    return store.proposals.delete_proposal(agent_id, proposal_id) is not None


def get_proposal(store: Store, agent_id: int, proposal_id: int) -> Proposal | None:
    """One of the agent's proposals (None: not theirs)."""
    return store.proposals.get_proposal(agent_id, proposal_id)


def proposals_of(store: Store, agent_id: int, client_id: int) -> list[Proposal]:
    """A client's proposals, newest first."""
    return store.proposals.proposals_of(agent_id, client_id)


def latest_proposal(store: Store, agent_id: int, client_id: int) -> Proposal | None:
    found = store.proposals.latest_by_client(agent_id, [client_id])
    return found.get(client_id)


def stage_suggestion(store: Store, agent_id: int, client_id: int) -> str | None:
    """The stage the client's latest proposal calls for (None: no change)."""
    client = store.clients.get_client(agent_id, client_id)
    if client is None:
        return None
    return rules.stage_for(latest_proposal(store, agent_id, client_id), client.stage)


def follow_ups(store: Store, agents: Sequence[Agent], today: date, *,
               limit: int = 5) -> dict[int, list[FollowUp]]:
    """Per agent, proposals unanswered for FOLLOW_UP_DAYS or more (the digest's section),
    from one query for all the agents. `today` is the agents' local date."""
    found: dict[int, list[FollowUp]] = {agent.id: [] for agent in agents}
    # a contact logged on the day after the cutoff or later, in the agent's zone, answers it
    answered_from = today - timedelta(days=rules.FOLLOW_UP_DAYS - 1)
    starts = {zone: datetime.combine(answered_from, time(0), ZoneInfo(zone))
              for zone in {agent.timezone for agent in agents}}
    for agent_id, client_id, name, proposal_id, title, products, waiting, item, stage in \
            store.due.proposals_unanswered([(a.id, starts[a.timezone]) for a in agents], today,
                                           days=rules.FOLLOW_UP_DAYS, limit=limit):
        since = date.fromisoformat(waiting)
        found[agent_id].append(FollowUp(agent_id, client_id, name, proposal_id, title,
                                        tuple(json.loads(products)), since,
                                        (today - since).days, item, stage))
    return found



# -- typed values ---------------------------------------------------------------------------
def parse_field(name: str, typed: str, today: date) -> tuple[Any, str | None]:
    """A value the agent typed for a proposal field: (value, None) or (None, error key)."""
    kind = rules.FIELDS.get(name)
    if kind == "amount":
        amount = parse_amount(typed)
        return (amount, None) if amount is not None else (None, "bad_amount")
    if kind == "date":
        day = parse_day(typed, today)
        return (day, None) if day else (None, "bad_date")
    if kind == "frequency":
        return (typed, None) if typed in rules.FREQUENCIES else (None, "bad_choice")
    if kind == "currency":
        code = typed.strip().upper()
        return (code, None) if len(code) == 3 and code.isalpha() else (None, "bad_currency")
    if kind == "products":
        ids = tuple(p.strip() for p in typed.replace("，", ",").split(",") if p.strip())
        return (ids, None) if ids and all(p in POLICY_TYPES for p in ids) \
            else (None, "bad_choice")
    if kind == "text":
        text = clean_text(typed, 300)
        return (text, None) if text else (None, "empty")
    return None, "unknown_field"


def policy_from(proposal: Proposal, today: date, labels: Mapping[str, str],
                source: str = "new") -> dict[str, Any]:
    """The policy an accepted proposal becomes."""
    first = proposal.products[0] if proposal.products else None
    name = proposal.title or " + ".join(labels.get(p, p) for p in proposal.products) or "—"
    values: dict[str, Any] = {
        "product": name[:120], "product_type": POLICY_TYPES.get(first or "", "other"),
        "annual_premium": proposal.annual_premium or 0.0, "start_date": today,
        "payment_frequency": POLICY_FREQUENCY.get(proposal.frequency, proposal.frequency),
        "status": "pending", "source": source,
    }
    if proposal.sum_insured is not None:
        values["sum_insured"] = proposal.sum_insured
    if proposal.currency:
        values["currency"] = proposal.currency
    return values


def _policy_source(store: Store, agent_id: int, client_id: int) -> str:
    """加保 when the client already holds a policy, 转介绍 for a referred client's first."""
    if store.clients.policies_of(agent_id, client_id):
        return "upsell"
    client = store.clients.get_client(agent_id, client_id)
    return "referral" if client is not None and client.referred_by else "new"


def _write(store: Store, agent_id: int, proposal_id: int,
           values: Mapping[str, Any]) -> ProposalResult | None:
    proposal = store.proposals.get_proposal(agent_id, proposal_id)
    if proposal is None:
        return None
    if not proposal.open and "outcome" not in values:
        raise ProposalError("the proposal already has an outcome")
    updated = store.proposals.update_proposal(agent_id, proposal_id, values)
    return None if updated is None else _result(store, agent_id, updated)


def _result(store: Store, agent_id: int, proposal: Proposal) -> ProposalResult:
    client = store.clients.get_client(agent_id, proposal.client_id)
    stage = client.stage if client else None
    return ProposalResult(proposal, rules.stage_for(proposal, stage))
