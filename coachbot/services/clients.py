"""Looking clients up, and the card's housekeeping: tags, consent, archive, delete, erase."""

from __future__ import annotations

from coachbot.domain.models import Client
from coachbot.services.clientio import client_export_json
from coachbot.store import Store


def get_client(store: Store, agent_id: int, client_id: int, *,
               include_deleted: bool = False) -> Client | None:
    """One of the agent's clients; None for anyone else's (or a deleted one, unless asked)."""
    return store.clients.get_client(agent_id, client_id, include_deleted=include_deleted)


def search_clients(store: Store, agent_id: int, words: list[str], *,
                   limit: int = 50) -> list[Client]:
    """Clients whose name, pinyin, initials or phone match the words."""
    return store.clients.search_clients(agent_id, words, limit=limit)


def first_clients(store: Store, agent_id: int, limit: int) -> list[Client]:
    """The start of the agent's book, as /clients lists it."""
    return store.clients.list_clients(agent_id, limit=limit)[0]


def client_named_at_start(store: Store, agent_id: int, text: str) -> Client | None:
    """The client whose name the text starts with (/remind 张三 明天 ...)."""
    return store.clients.client_named_at_start(agent_id, text)


def tags_in_use(store: Store, agent_id: int) -> list[str]:
    """The agent's tags, most used first."""
    return store.clients.tags_in_use(agent_id)


def remove_tag_at(store: Store, agent_id: int, client: Client, index: int) -> None:
    """Remove the client's tag shown at this position (buttons carry the index, not the tag)."""
    if index < len(client.tags):
        store.clients.remove_tag(agent_id, client.id, client.tags[index])


def set_consent(store: Store, agent_id: int, client_id: int, scope: str | None) -> None:
    """What the client agreed to be contacted for (None: withdrawn)."""
    store.clients.set_consent(agent_id, client_id, scope)


def toggle_archived(store: Store, agent_id: int, client: Client) -> bool:
    """Archive an active client or bring an archived one back; True if now archived."""
    archived = client.archived_at is None
    store.clients.set_archived(agent_id, client.id, archived)
    return archived


def delete_client(store: Store, agent_id: int, client_id: int) -> None:
    """Delete, undoable for a while (the sweep purges it later)."""
    store.clients.soft_delete(agent_id, client_id)


def undo_delete(store: Store, agent_id: int, client_id: int) -> bool:
    """Bring a deleted client back; False once it was purged."""
    return store.clients.undo_delete(agent_id, client_id)


def erase_client(store: Store, agent_id: int, client_id: int) -> None:
    """Erase everything about a client now (a privacy request)."""
    store.clients.erase_client(agent_id, client_id)


def export_client(store: Store, agent_id: int, client_id: int) -> str | None:
    """Everything about one client as JSON (a data-access request); None if not theirs."""
    card = store.clients.client_card(agent_id, client_id, contacts=10_000)
    return client_export_json(card) if card is not None else None
