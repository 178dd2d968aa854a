"""SQL for service events: gatherings clients were invited to, claims and servicing helped with."""

from __future__ import annotations

from datetime import date
from typing import Any

from coachbot.domain.models import ServiceEvent
from coachbot.store.base import Repository

_COLUMNS = "id, client_id, kind, status, title, day, resolved_on"


class ServiceStore(Repository):
    """One agent's service events, always scoped by agent id."""

    def add_event(self, agent_id: int, client_id: int, *, kind: str, status: str,
                  title: str | None, day: date, resolved_on: date | None) -> ServiceEvent | None:
        """Record an event for one of the agent's clients; None if the client isn't theirs."""
        now = self._stamp()
        rows = self._returning(
            "INSERT INTO service_events (client_id, agent_id, kind, status, title, day, "
            "resolved_on, created_at, updated_at) SELECT id, agent_id, ?, ?, ?, ?, ?, ?, ? "
            "FROM clients WHERE agent_id = ? AND id = ? AND deleted_at IS NULL RETURNING id",
            [kind, status, title, day.isoformat(), _iso(resolved_on), now, now, agent_id,
             client_id])
        return self.get_event(agent_id, rows[0][0]) if rows else None

    def set_status(self, agent_id: int, event_id: int, *, status: str,
                   resolved_on: date | None) -> ServiceEvent | None:
        """Move an event on (invited -> attended, filed -> paid...); None if not the agent's."""
        self.db.execute(
            "UPDATE service_events SET status = ?, resolved_on = ?, updated_at = ? "
            "WHERE agent_id = ? AND id = ?",
            [status, _iso(resolved_on), self._stamp(), agent_id, event_id])
        return self.get_event(agent_id, event_id)

    def get_event(self, agent_id: int, event_id: int) -> ServiceEvent | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM service_events WHERE agent_id = ? "
                              "AND id = ?", [agent_id, event_id]).fetchone()
        return _event(row) if row else None

    def events_of(self, agent_id: int, client_id: int, *, limit: int = 20) -> list[ServiceEvent]:
        """A client's events, newest first."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM service_events WHERE agent_id = ? AND client_id = ? "
            "ORDER BY COALESCE(resolved_on, day) DESC, id DESC LIMIT ?",
            [agent_id, client_id, limit]).fetchall()
        return [_event(row) for row in rows]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _event(row: tuple[Any, ...]) -> ServiceEvent:
    return ServiceEvent(row[0], row[1], row[2], row[3], row[4], date.fromisoformat(row[5]),
                        date.fromisoformat(row[6]) if row[6] else None)
