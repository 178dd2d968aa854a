"""Applying a confirmed import: planned again against the book, written in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coachbot.domain.clients import search_key
from coachbot.domain.models import ClientFill, ImportCounts, NewClient
from coachbot.services.clientio.model import Gap, ImportRow
from coachbot.services.clientio.plan import dialog_answers, plan_import
from coachbot.services.schedule import refresh_clients

if TYPE_CHECKING:
    from coachbot.store import Store

@dataclass(frozen=True)
class ImportOutcome:
    added: int
    merged: int
    skipped: int
    gaps: tuple[Gap, ...] = ()  # imported, but with a field to fill in by hand
    touched: tuple[int, ...] = ()  # the clients added or filled in (their texts to read)


def apply_import(store: Store, agent_id: int, data: Mapping[str, Any]) -> ImportOutcome:
    """Confirm a previewed import: planned again against the book as it is now, with the
    agent's answers, then applied in one transaction. A question the book's changes raised
    since the preview is not guessed at: that row is skipped."""
    rows = [ImportRow.from_dict(item) for item in data.get("rows", [])]
    plan = plan_import(rows, store.transfer.book_clients(agent_id), dialog_answers(data))
    with store.atomic():  # all or nothing, the derived birthdays and due dates included
        counts: ImportCounts = store.transfer.apply_import(
            agent_id, [_new_client(row) for row in plan.new],
            [ClientFill(m.client_id, dict(m.values), m.tags, dict(m.raw))
             for m in plan.merges],
        )
        refresh_clients(store, agent_id, counts.touched)
    skipped = int(data.get("file_skipped", 0)) + len(plan.skipped) + len(plan.questions) + \
        (len(plan.merges) - counts.filled)
    return ImportOutcome(counts.added, counts.filled, skipped, tuple(plan.gaps),
                         tuple(counts.touched))


def _new_client(row: ImportRow) -> NewClient:
    values = dict(row.values)
    if row.raw:
        values["raw_values"] = dict(row.raw)
    return NewClient(values, search_key(row.name), row.tags)
