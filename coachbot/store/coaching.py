"""SQL for coaching state: SPIN sessions, practice sessions, playbook progress."""

from __future__ import annotations

import json
from typing import Any

from coachbot.domain.models import CoachingRecord
from coachbot.store.base import Repository

_COLUMNS = "id, agent_id, client_id, kind, ref, state, status"


class CoachingStore(Repository):
    """Coaching sessions, one agent's at a time."""

    def create_session(self, agent_id: int, *, kind: str, client_id: int | None, ref: str,
                       state: dict[str, Any], status: str = "active") -> CoachingRecord:
        now = self._stamp()
        cursor = self.db.execute(
            "INSERT INTO coaching_sessions (agent_id, client_id, kind, ref, state, status, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [agent_id, client_id, kind, ref, json.dumps(state, ensure_ascii=False), status,
             now, now])
        record = self.get_session(agent_id, int(cursor.lastrowid or 0))
        assert record is not None
        return record

    def get_session(self, agent_id: int, session_id: int) -> CoachingRecord | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM coaching_sessions WHERE agent_id = ? "
                              "AND id = ?", [agent_id, session_id]).fetchone()
        return _record(row) if row else None

    def save_session(self, agent_id: int, session_id: int, state: dict[str, Any],
                     status: str) -> None:
        self.db.execute(
            "UPDATE coaching_sessions SET state = ?, status = ?, updated_at = ? "
            "WHERE agent_id = ? AND id = ?",
            [json.dumps(state, ensure_ascii=False), status, self._stamp(), agent_id, session_id])

    def latest_session(self, agent_id: int, kind: str, *, client_id: int | None = None,
                       ref: str | None = None, statuses: tuple[str, ...] = ("active", "paused"),
                       ) -> CoachingRecord | None:
        """The newest session of a kind (for a client, with a ref) still open."""
        clauses = ["agent_id = ?", "kind = ?",
                   f"status IN ({','.join('?' * len(statuses))})"]
        params: list[Any] = [agent_id, kind, *statuses]
        if client_id is not None:
            clauses.append("client_id = ?")
            params.append(client_id)
        if ref is not None:
            clauses.append("ref = ?")
            params.append(ref)
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM coaching_sessions WHERE {' AND '.join(clauses)} "
            "ORDER BY updated_at DESC, id DESC LIMIT 1", params).fetchone()
        return _record(row) if row else None

    def sessions_of(self, agent_id: int, kind: str, *, client_id: int | None = None,
                    limit: int = 10) -> list[CoachingRecord]:
        clauses, params = ["agent_id = ?", "kind = ?"], [agent_id, kind]
        if client_id is not None:
            clauses.append("client_id = ?")
            params.append(client_id)
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM coaching_sessions WHERE {' AND '.join(clauses)} "
            "ORDER BY updated_at DESC, id DESC LIMIT ?", [*params, limit]).fetchall()
        return [_record(row) for row in rows]


    def clients_with_open(self, agent_id: int, kind: str) -> set[int]:
        """Clients with a session of this kind still open (active or paused)."""
        rows = self.db.execute(
            "SELECT DISTINCT client_id FROM coaching_sessions WHERE agent_id = ? AND kind = ? "
            "AND status IN ('active', 'paused') AND client_id IS NOT NULL", [agent_id, kind])
        return {row[0] for row in rows}


def _record(row: tuple[Any, ...]) -> CoachingRecord:
    return CoachingRecord(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6])
