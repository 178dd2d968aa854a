"""SQL for moving a whole book in and out: imports in one transaction, full listings for export."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from coachbot.domain.clock import Clock
from coachbot.domain.models import (
    Client,
    ClientFill,
    Contact,
    FamilyMember,
    ImportantDate,
    ImportCounts,
    NewClient,
    Policy,
)
from coachbot.store.base import Repository
from coachbot.store.clients import (
    CLIENT_FIELDS,
    LIVE_CLIENT,
    ClientStore,
    _client,
    _digits,
    _to_db,
    _trait_columns,
)

# Fields an import may fill in on an existing client (only where the client has nothing yet).
FILLABLE_FIELDS = frozenset({
    "gender", "phone", "birthday", "address", "occupation", "income_band", "family_situation",
    "financial_situation", "notes", "stage",
})


class TransferStore(Repository):
    """Bulk reads and writes of one agent's book."""

    def __init__(self, db: Database, clock: Clock, clients: ClientStore) -> None:
        super().__init__(db, clock)
        self._clients = clients

    def apply_import(self, agent_id: int, new: Sequence[NewClient],
                     fills: Sequence[ClientFill]) -> ImportCounts:
        """Add and fill clients in ONE transaction: on any error nothing is kept."""
        now = self._stamp()
        added = filled = 0
        touched: list[int] = []
        with self.db.atomic():
            for client in new:
                unknown = set(client.values) - CLIENT_FIELDS
                if unknown:
                    raise ValueError(f"unknown client fields {sorted(unknown)}")
                row = {name: _to_db(name, value) for name, value in client.values.items()}
                row.update(_trait_columns(()))
                row.update(agent_id=agent_id, search_key=client.search_key, created_at=now,
                           updated_at=now, phone_digits=_digits(client.values.get("phone")))
                cursor = self.db.execute(
                    f"INSERT INTO clients ({', '.join(row)}) "
                    f"VALUES ({', '.join('?' * len(row))})", list(row.values()))
                client_id = int(cursor.lastrowid or 0)
                self._add_tags(agent_id, client_id, client.tags)
                touched.append(client_id)
                added += 1
            for fill in fills:
                if self._fill(agent_id, fill, now):
                    touched.append(fill.client_id)
                    filled += 1
        return ImportCounts(added, filled, tuple(touched))

    def _fill(self, agent_id: int, fill: ClientFill, now: str) -> bool:
        unknown = set(fill.values) - FILLABLE_FIELDS
        if unknown:
            raise ValueError(f"not fillable by an import: {sorted(unknown)}")
        # COALESCE(NULLIF(..)) keeps whatever the client has by now, even if it changed since
        # the preview: an import never overwrites.
        row = {name: _to_db(name, value) for name, value in fill.values.items()}
        assignments = [f"{name} = COALESCE(NULLIF({name}, ''), ?)" for name in row]
        params: list[Any] = list(row.values())
        if "phone" in row:
            assignments.append("phone_digits = COALESCE(NULLIF(phone_digits, ''), ?)")
            params.append(_digits(fill.values.get("phone")))
        if fill.raw_values:  # what the file held that could not be read, kept on the card
            assignments.append("raw_values = json_patch(COALESCE(raw_values, '{}'), ?)")
            params.append(json.dumps(dict(fill.raw_values), ensure_ascii=False))
        assignments.append("updated_at = ?")
        cursor = self.db.execute(
            f"UPDATE clients SET {', '.join(assignments)} WHERE agent_id = ? AND id = ? "
            "AND deleted_at IS NULL", [*params, now, agent_id, fill.client_id])
        if cursor.rowcount != 1:
            return False
        self._add_tags(agent_id, fill.client_id, fill.tags)
        return True

    def _add_tags(self, agent_id: int, client_id: int, tags: Sequence[str]) -> None:
        for tag in tags:
            self.db.execute(
                "INSERT OR IGNORE INTO client_tags (client_id, agent_id, tag) VALUES (?, ?, ?)",
                [client_id, agent_id, tag])

    # -- the whole book, for export and import matching --------------------------------------
    def book_clients(self, agent_id: int) -> list[Client]:
        """Every live client of the agent, archived ones included, by name."""
        cursor = self.db.execute(
            "SELECT c.*, (SELECT group_concat(tag, char(31)) FROM client_tags t "
            f"WHERE t.client_id = c.id) AS tag_list FROM clients c "
            f"WHERE c.agent_id = ? AND {LIVE_CLIENT} ORDER BY c.name COLLATE NOCASE, c.id",
            [agent_id])
        columns = [d[0] for d in cursor.description]
        return [_client(dict(zip(columns, row, strict=True))) for row in cursor]

    def book_policies(self, agent_id: int) -> list[Policy]:
        """Every policy of the agent's live clients, grouped by client."""
        policies: list[Policy] = self._clients.policy_rows(
            "p.agent_id = ?", [agent_id], order="p.client_id, p.start_date, p.id")
        return policies

    def book_family(self, agent_id: int) -> list[FamilyMember]:
        rows = self.db.execute(
            "SELECT f.id, f.client_id, f.relation, f.name, f.gender, f.birthday "
            "FROM family_members f JOIN clients c ON c.id = f.client_id "
            f"WHERE f.agent_id = ? AND {LIVE_CLIENT} ORDER BY f.client_id, f.id", [agent_id])
        return [FamilyMember(*row) for row in rows]

    def book_dates(self, agent_id: int) -> list[ImportantDate]:
        rows = self.db.execute(
            "SELECT d.id, d.client_id, d.kind, d.label, d.date "
            "FROM important_dates d JOIN clients c ON c.id = d.client_id "
            f"WHERE d.agent_id = ? AND {LIVE_CLIENT} ORDER BY d.client_id, d.id", [agent_id])
        return [ImportantDate(*row) for row in rows]

    def book_contacts(self, agent_id: int) -> list[Contact]:
        rows = self.db.execute(
            "SELECT k.id, k.client_id, k.at, k.channel, k.summary, k.next_step, "
            "k.next_step_date FROM contacts k JOIN clients c ON c.id = k.client_id "
            f"WHERE k.agent_id = ? AND {LIVE_CLIENT} ORDER BY k.at, k.id", [agent_id])
        return [Contact(r[0], r[1], datetime.fromisoformat(r[2]), r[3], r[4], r[5],
                        date.fromisoformat(r[6]) if r[6] else None) for r in rows]

    def count_book(self, agent_id: int) -> int:
        """How many live clients the agent has (archived included)."""
        row = self.db.execute(
            f"SELECT COUNT(*) FROM clients c WHERE c.agent_id = ? AND {LIVE_CLIENT}",
            [agent_id]).fetchone()
        return int(row[0])

    def erase_book(self, agent_id: int) -> int:
        """Delete every client of one agent and all that hangs off them (demo --reset)."""
        cursor = self.db.execute("DELETE FROM clients WHERE agent_id = ?", [agent_id])
        return cursor.rowcount
