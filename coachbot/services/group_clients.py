"""Group (corporate) clients: the four roles, source, credit, ratios and value classification."""

from __future__ import annotations

import re
from typing import Any

from coachbot.domain.classify import CREDIT_WEIGHTS, GroupAssessment, assess_group
from coachbot.domain.clients import clean_text
from coachbot.domain.group_value import PROFIT_LEVELS, GroupValue, group_value, premium_rank
from coachbot.domain.models import Agent, Client, ClientFilter, GroupRole
from coachbot.domain.regions import currency_for
from coachbot.domain.tiers import DEFAULT_TIER_THRESHOLDS, FALLBACK_CURRENCY, limits_for
from coachbot.scripts.loader import ScriptLibrary
from coachbot.services import records
from coachbot.services.book import parse_amount
from coachbot.store import Store

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# typed ratio fields -> the profile key they are kept under
RATIO_FIELDS = {"loss": "loss_ratio", "expense": "expense_ratio",
                "compulsory": "compulsory_share", "group_motor": "group_motor_share"}
SHARE_FIELDS = ("compulsory", "group_motor")  # parts of a whole: never above 100%


def assessment(client: Client, roles: list[GroupRole]) -> GroupAssessment:
    return assess_group(client.group_profile, roles)


def currency_scale(currency: str) -> float:
    """How many units of `currency` the methodology's yuan figures are worth (as the tiers)."""
    yuan = DEFAULT_TIER_THRESHOLDS[FALLBACK_CURRENCY][0]
    return limits_for(currency, DEFAULT_TIER_THRESHOLDS)[0] / yuan


def value_of(store: Store, agent: Agent, client: Client) -> GroupValue:
    """The group client's value classification, its premium ranked among the agent's groups."""
    groups, _ = store.clients.list_clients(agent.id, ClientFilter(kind="group"), limit=100_000)
    ids = {g.id for g in groups} | {client.id}  # an archived group still sees its own place
    premiums = {cid: premium for cid, (premium, _) in
                store.clients.premium_by_client(agent.id).items() if cid in ids}
    scale = currency_scale(currency_for(agent.region))
    return group_value(client.group_profile, premium_rank(client.id, premiums), scale)


def panel_values(store: Store, agent: Agent, client_id: int,
                 library: ScriptLibrary) -> dict[str, Any] | None:
    """Everything templates/<locale>/group_clients/panel.j2 shows; None if not a group client.

    The panel reads roles and assessment as before, plus `value` (classification and rules of
    thumb), `advice` (where to find and check group clients) and `currency`.
    """
    client = store.clients.get_client(agent.id, client_id)
    if client is None or not client.is_group:
        return None
    roles = {r.role: r for r in store.clients.roles_of(agent.id, client_id)}
    return {"client": client, "roles": roles, "profile": client.group_profile or {},
            "assessment": assessment(client, list(roles.values())),
            "value": value_of(store, agent, client),
            "advice": library.get(agent.locale).stages.group,
            "currency": currency_for(agent.region)}


def set_profit(store: Store, agent_id: int, client: Client, level: str) -> bool:
    """Record the agent's judgement of profitability (good / average / poor)."""
    if level not in PROFIT_LEVELS:
        return False
    update_profile(store, agent_id, client, profit=level)
    return True


def toggle_social(store: Store, agent_id: int, client: Client) -> None:
    """Mark or unmark the client as having social value (a brand-building name)."""
    update_profile(store, agent_id, client,
                   social=not (client.group_profile or {}).get("social"))


def roles_of(store: Store, agent_id: int, client_id: int) -> list[GroupRole]:
    """Who fills each of the group client's four roles, and which are won."""
    return store.clients.roles_of(agent_id, client_id)


def update_profile(store: Store, agent_id: int, client: Client, **changes: Any) -> None:
    """Merge changes into the client's group profile."""
    profile = {**(client.group_profile or {}), **changes}
    records.update_client(store, agent_id, client.id, {"group_profile": profile})


def toggle_won(store: Store, agent_id: int, client_id: int, role: str) -> None:
    current = next((r for r in store.clients.roles_of(agent_id, client_id) if r.role == role), None)
    store.clients.set_group_role(agent_id, client_id, role,
                                 person=current.person if current else None,
                                 won=not (current and current.won))


def parse_credit(text: str) -> dict[str, float] | None:
    """Four sub-scores 0-100 in the order potential, negative records, reputation, operations."""
    numbers = [float(n) for n in _NUMBER.findall(text)]
    if len(numbers) != len(CREDIT_WEIGHTS) or not all(0 <= n <= 100 for n in numbers):
        return None
    return dict(zip(CREDIT_WEIGHTS, numbers, strict=True))


def parse_ratio(text: str) -> float | None:
    """A ratio typed as "35%", "35" or "0.35"."""
    found = _NUMBER.findall(text)
    if len(found) != 1:
        return None
    value = float(found[0])
    if "%" in text or value > 1:
        value /= 100
    return round(value, 4) if 0 <= value <= 5 else None


def apply_typed(store: Store, agent_id: int, client: Client, field: str, text: str, *,
                role: str | None = None) -> str | None:
    """Save a typed value for a group field; the key of what was wrong, or None."""
    if field == "person" and role:
        person = clean_text(text, 40)
        if not person:
            return "empty"
        current = next((r for r in store.clients.roles_of(agent_id, client.id) if r.role == role),
                       None)
        store.clients.set_group_role(agent_id, client.id, role, person=person,
                                     won=bool(current and current.won))
        return None
    if field == "credit":
        scores = parse_credit(text)
        if scores is None:
            return "bad_credit"
        update_profile(store, agent_id, client, credit=scores)
        return None
    if field in RATIO_FIELDS:
        ratio = parse_ratio(text)
        if ratio is None or (field in SHARE_FIELDS and ratio > 1):
            return "bad_ratio"
        update_profile(store, agent_id, client, **{RATIO_FIELDS[field]: ratio})
        return None
    if field == "sum_insured":
        amount = parse_amount(text)
        if not amount:
            return "bad_amount"
        update_profile(store, agent_id, client, sum_insured=amount)
        return None
    if field == "industry":
        value = clean_text(text, 40)
        if not value:
            return "empty"
        update_profile(store, agent_id, client, industry=value)
        return None
    if field == "size":
        digits = _NUMBER.findall(text)
        if len(digits) != 1 or float(digits[0]) < 1:
            return "bad_size"
        update_profile(store, agent_id, client, employees=int(float(digits[0])))
        return None
    return "empty"
