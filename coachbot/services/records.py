"""A client's records: family, key dates, policies, contacts and reviews. Each write re-derives
the client's schedule (occasions, tier, due dates) in the same transaction; reads are plain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from coachbot.domain.models import Client, Contact, FamilyMember, ImportantDate, Policy
from coachbot.services import knowledge
from coachbot.services.schedule import refresh_client, refresh_new_client
from coachbot.store import Store

# fields whose text the coach reads for facts (services.knowledge)
READ_FIELDS = frozenset({"notes", *knowledge.TEXT_FIELDS})


def add_client(store: Store, agent_id: int, values: Mapping[str, Any], *, search_key: str,
               traits: Iterable[str] = (), tags: Iterable[str] = ()) -> Client:
    """Add a client to the agent's book (values use the store's client field names)."""
    with store.atomic():
        client_id = store.clients.insert_client(agent_id, values, search_key=search_key,
                                                traits=traits, tags=tags)
        # read once: deriving its schedule and reading facts change no field of the client
        client = _reread(store, agent_id, client_id)
        assert client is not None
        refresh_new_client(store, agent_id, client)
        if READ_FIELDS.intersection(values):
            knowledge.read_fields(store, agent_id, client, READ_FIELDS.intersection(values))
    return client


def update_client(store: Store, agent_id: int, client_id: int, values: Mapping[str, Any], *,
                  search_key: str | None = None,
                  traits: Iterable[str] | None = None) -> Client | None:
    """Change fields of one of the agent's clients; None if it isn't theirs."""
    with store.atomic():
        client = store.clients.update_client(agent_id, client_id, values,
                                             search_key=search_key, traits=traits)
        if client is None:
            return None
        refresh_client(store, agent_id, client_id)
        if READ_FIELDS.intersection(values):
            knowledge.read_fields(store, agent_id, client, READ_FIELDS.intersection(values))
    return _reread(store, agent_id, client_id)


def _reread(store: Store, agent_id: int, client_id: int) -> Client | None:
    """The client as stored after its schedule was derived (tier and due dates included)."""
    return store.clients.get_client(agent_id, client_id)


def add_family_member(store: Store, agent_id: int, client_id: int, *, relation: str, name: str,
                      gender: str | None = None, birthday: str | None = None) -> int | None:
    """Add a family member to one of the agent's clients; its id, or None."""
    with store.atomic():
        member_id = store.clients.add_family_member(
            agent_id, client_id, relation=relation, name=name, gender=gender, birthday=birthday)
        if member_id is not None:
            refresh_client(store, agent_id, client_id)
    return member_id


def set_family_birthday(store: Store, agent_id: int, member_id: int,
                        birthday: str | None) -> int | None:
    """A family member's birthday added afterwards; the client's id, or None."""
    with store.atomic():
        client_id = store.clients.set_family_birthday(agent_id, member_id, birthday)
        if client_id is not None:
            refresh_client(store, agent_id, client_id)
    return client_id


def delete_family_member(store: Store, agent_id: int, member_id: int) -> bool:
    with store.atomic():
        client_id = store.clients.delete_family_member(agent_id, member_id)
        refresh_client(store, agent_id, client_id)
    return client_id is not None


def add_date(store: Store, agent_id: int, client_id: int, *, kind: str, label: str | None,
             yearly: str) -> int | None:
    """Add a key date (a wedding anniversary, a custom day); its id, or None."""
    with store.atomic():
        date_id = store.clients.add_date(agent_id, client_id, kind=kind, label=label,
                                         yearly=yearly)
        if date_id is not None:
            refresh_client(store, agent_id, client_id)
    return date_id


def delete_date(store: Store, agent_id: int, date_id: int) -> bool:
    with store.atomic():
        client_id = store.clients.delete_date(agent_id, date_id)
        refresh_client(store, agent_id, client_id)
    return client_id is not None


def add_policy(store: Store, agent_id: int, client_id: int,
               values: Mapping[str, Any]) -> Policy | None:
    with store.atomic():
        policy = store.clients.add_policy(agent_id, client_id, values)
        if policy is not None:
            refresh_client(store, agent_id, client_id)
    return policy


def update_policy(store: Store, agent_id: int, policy_id: int,
                  values: Mapping[str, Any]) -> Policy | None:
    with store.atomic():
        policy = store.clients.update_policy(agent_id, policy_id, values)
        if policy is not None:
            refresh_client(store, agent_id, policy.client_id)
    return policy


def delete_policy(store: Store, agent_id: int, policy_id: int) -> bool:
    with store.atomic():
        client_id = store.clients.delete_policy(agent_id, policy_id)
        refresh_client(store, agent_id, client_id)
    return client_id is not None


def log_contact(store: Store, agent_id: int, client_id: int, *, at: datetime, channel: str,
                summary: str | None = None, next_step: str | None = None,
                next_step_date: date | None = None) -> Contact | None:
    """Record a visit or other contact; it also resets the stay-in-touch timer."""
    with store.atomic():
        contact = store.clients.log_contact(
            agent_id, client_id, at=at, channel=channel, summary=summary, next_step=next_step,
            next_step_date=next_step_date)
        if contact is not None:
            refresh_client(store, agent_id, client_id)
            if contact.summary:
                knowledge.read_contact(store, agent_id, client_id, contact)
    return contact


def set_contact_summary(store: Store, agent_id: int, contact_id: int,
                        summary: str) -> int | None:
    """Record what was said at a logged contact (and read it for facts); the client's id."""
    with store.atomic():
        client_id = store.clients.set_contact_summary(agent_id, contact_id, summary)
        if client_id is not None:
            contact = next((c for c in store.clients.contacts_of(agent_id, client_id, limit=50)
                            if c.id == contact_id), None)
            if contact is not None:
                knowledge.read_contact(store, agent_id, client_id, contact)
    return client_id


def mark_reviewed(store: Store, agent_id: int, client_id: int) -> None:
    """The agent went through the client's policies: the next review moves on."""
    with store.atomic():
        store.schedule.mark_reviewed(agent_id, client_id)
        refresh_client(store, agent_id, client_id)


# -- reads ------------------------------------------------------------------------------------
def family_of(store: Store, agent_id: int, client_id: int) -> list[FamilyMember]:
    """The client's family members."""
    return store.clients.family_of(agent_id, client_id)


def dates_of(store: Store, agent_id: int, client_id: int) -> list[ImportantDate]:
    """The client's key dates."""
    return store.clients.dates_of(agent_id, client_id)


def policies_of(store: Store, agent_id: int, client_id: int) -> list[Policy]:
    """The client's policies."""
    return store.clients.policies_of(agent_id, client_id)


def get_policy(store: Store, agent_id: int, policy_id: int) -> Policy | None:
    """One of the agent's policies."""
    return store.clients.get_policy(agent_id, policy_id)
