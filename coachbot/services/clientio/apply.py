"""Applying a confirmed import: planned again against the book, written in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coachbot.domain.clients import search_key
from coachbot.domain.models import ClientFill, ImportCounts, NewClient
from coachbot.services.clientio.model import ImportRow
from coachbot.services.clientio.plan import plan_import
from coachbot.services.schedule import refresh_clients

if TYPE_CHECKING:
    from coachbot.store import Store

@dataclass(frozen=True)
class ImportOutcome:
    added: int
    merged: int
    skipped: int


def apply_import(store: Store, agent_id: int, data: Mapping[str, Any]) -> ImportOutcome:
    """Confirm a previewed import: planned again against the book as it is now, then applied
    in one transaction."""
    rows = [ImportRow.from_dict(item) for item in data.get("rows", [])]
    plan = plan_import(rows, store.transfer.book_clients(agent_id))
    with store.atomic():  # all or nothing, the derived birthdays and due dates included
        counts: ImportCounts = store.transfer.apply_import(
            agent_id,
            [NewClient(dict(row.values), search_key(row.name), row.tags) for row in plan.new],
            [ClientFill(m.client_id, dict(m.values), m.tags) for m in plan.merges],
        )
        refresh_clients(store, agent_id, counts.touched)
    skipped = int(data.get("file_skipped", 0)) + len(plan.skipped) + \
        (len(plan.merges) - counts.filled)
    return ImportOutcome(counts.added, counts.filled, skipped)

