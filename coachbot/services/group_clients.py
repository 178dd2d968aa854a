"""Group (corporate) client rules: the four roles, source, credit sub-scores and ratios."""

from __future__ import annotations

import re
from typing import Any

from coachbot.domain.classify import CREDIT_WEIGHTS, GroupAssessment, assess_group
from coachbot.domain.clients import clean_text
from coachbot.domain.models import Client, GroupRole
from coachbot.services import records
from coachbot.store import Store

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def assessment(client: Client, roles: list[GroupRole]) -> GroupAssessment:
    return assess_group(client.group_profile, roles)


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
    if field in ("loss", "expense"):
        ratio = parse_ratio(text)
        if ratio is None:
            return "bad_ratio"
        update_profile(store, agent_id, client, **{f"{field}_ratio": ratio})
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
