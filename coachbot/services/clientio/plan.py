"""Planning an import against the book: new clients, fills of known ones, rows to skip."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coachbot.domain.models import Client
from coachbot.services.clientio.clean import digits
from coachbot.services.clientio.model import ImportPlan, ImportRow, Merge, Problem, ReadResult
from coachbot.store.transfer import FILLABLE_FIELDS

if TYPE_CHECKING:
    from coachbot.store import Store

def plan_import(rows: Sequence[ImportRow], book: Sequence[Client]) -> ImportPlan:
    """New clients, fills of clients already in the book (same phone, or same name with nothing
    that contradicts), and rows to skip. Pure: `book` is a snapshot of the agent's clients."""
    by_phone: dict[str, Client] = {}
    by_name: dict[str, list[Client]] = {}
    for client in book:
        if client.phone:
            by_phone.setdefault(digits(client.phone), client)
        by_name.setdefault(client.name, []).append(client)
    new: list[ImportRow] = []
    merges: list[Merge] = []
    skipped: list[Problem] = []
    touched: set[int] = set()
    for row in rows:
        match, ambiguous = _match(row, by_phone, by_name)
        if ambiguous:
            skipped.append(Problem(row.line, "ambiguous_name", row.name))
            continue
        if match is None:
            new.append(row)
            continue
        if match.id in touched:
            skipped.append(Problem(row.line, "duplicate_in_file", row.name))
            continue
        touched.add(match.id)
        fills = {k: v for k, v in row.values.items()
                 if k in FILLABLE_FIELDS and not getattr(match, k)}
        tags = tuple(t for t in row.tags if t not in match.tags)
        if not fills and not tags:
            skipped.append(Problem(row.line, "already_in_book", row.name))
            continue
        merges.append(Merge(row.line, match.id, match.name, fills, tags))
    return ImportPlan(new, merges, skipped)


def _match(row: ImportRow, by_phone: Mapping[str, Client],
           by_name: Mapping[str, list[Client]]) -> tuple[Client | None, bool]:
    phone = row.values.get("phone")
    if phone and digits(str(phone)) in by_phone:
        return by_phone[digits(str(phone))], False
    birthday = row.values.get("birthday")
    candidates = [c for c in by_name.get(row.name, [])
                  if (not phone or not c.phone) and (not birthday or not c.birthday
                                                     or c.birthday == birthday)]
    if len(candidates) > 1:
        return None, True
    return (candidates[0] if candidates else None), False


@dataclass(frozen=True)
class ImportPreview:
    """A read file planned against the book: what the agent confirms."""

    read: ReadResult
    plan: ImportPlan

    @property
    def problems(self) -> list[Problem]:
        return sorted([*self.read.problems, *self.plan.skipped], key=lambda p: p.line)

    def dialog_data(self, filename: str, token: str) -> dict[str, Any]:
        """Small enough for the dialog row: the cleaned rows, not the file."""
        return {"token": token, "file": filename[:80], "unit": self.read.unit,
                "rows": [row.to_dict() for row in self.read.rows],
                "file_skipped": len(self.read.problems)}


def preview_import(store: Store, agent_id: int, read: ReadResult) -> ImportPreview:
    return ImportPreview(read, plan_import(read.rows, store.transfer.book_clients(agent_id)))

