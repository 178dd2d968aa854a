"""SQL for proposals (计划书): one agent's at a time."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from coachbot.domain.coaching.proposals import Proposal
from coachbot.store.base import Repository, parse_stamp

# the columns an agent's values may set (the domain's FIELDS plus the outcome's)
WRITABLE = frozenset({
    "title", "products", "sum_insured", "premium", "frequency", "currency", "prepared_on",
    "sent_on", "explain_on", "explained_on", "reaction", "objection", "objection_open",
    "outcome", "outcome_on", "decline_reason", "policy_id", "note",
})
_DATES = frozenset({"prepared_on", "sent_on", "explain_on", "explained_on", "outcome_on"})
_COLUMNS = ("id, client_id, title, products, sum_insured, premium, frequency, currency, "
            "prepared_on, sent_on, explain_on, explained_on, reaction, objection, "
            "objection_open, outcome, outcome_on, decline_reason, policy_id, note, created_at")
_LIVE = "client_id IN (SELECT id FROM clients WHERE agent_id = ? AND deleted_at IS NULL)"


class ProposalStore(Repository):
    """Proposals to clients, scoped by agent."""

    def add_proposal(self, agent_id: int, client_id: int, values: Mapping[str, Any]) -> \
            Proposal | None:
        """A new proposal for one of the agent's clients; None if the client isn't theirs."""
        row = self._row(values)
        exists = self.db.execute(
            "SELECT 1 FROM clients WHERE agent_id = ? AND id = ? AND deleted_at IS NULL",
            [agent_id, client_id]).fetchone()
        if exists is None:
            return None
        stamp = self._stamp()
        row.update(agent_id=agent_id, client_id=client_id, created_at=stamp, updated_at=stamp)
        cursor = self.db.execute(
            f"INSERT INTO proposals ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()))
        return self.get_proposal(agent_id, int(cursor.lastrowid or 0))

    def get_proposal(self, agent_id: int, proposal_id: int) -> Proposal | None:
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM proposals WHERE agent_id = ? AND id = ?",
            [agent_id, proposal_id]).fetchone()
        return _proposal(row) if row else None

    def update_proposal(self, agent_id: int, proposal_id: int, values: Mapping[str, Any]) -> \
            Proposal | None:
        row = self._row(values)
        if row:
            sets = ", ".join(f"{name} = ?" for name in row)
            self.db.execute(
                f"UPDATE proposals SET {sets}, updated_at = ? WHERE agent_id = ? AND id = ?",
                [*row.values(), self._stamp(), agent_id, proposal_id])
        return self.get_proposal(agent_id, proposal_id)

    def delete_proposal(self, agent_id: int, proposal_id: int) -> int | None:
        """Delete one proposal; its client's id, or None if it isn't the agent's."""
        rows = self._returning(
            "DELETE FROM proposals WHERE agent_id = ? AND id = ? RETURNING client_id",
            [agent_id, proposal_id])
        return rows[0][0] if rows else None

    def proposals_of(self, agent_id: int, client_id: int) -> list[Proposal]:
        """A client's proposals, newest first."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM proposals WHERE agent_id = ? AND client_id = ? "
            "ORDER BY id DESC", [agent_id, client_id]).fetchall()
        return [_proposal(row) for row in rows]

    def latest_by_client(self, agent_id: int, client_ids: Sequence[int] | None = None) -> \
            dict[int, Proposal]:
        """Each client's newest proposal (open or not), for the clients given or all."""
        if client_ids is None:
            rows = self.db.execute(
                f"SELECT {_COLUMNS} FROM proposals WHERE id IN (SELECT max(id) FROM proposals "
                f"WHERE agent_id = ? AND {_LIVE} GROUP BY client_id)",
                [agent_id, agent_id]).fetchall()
        else:
            # client by client through proposals_client, each client's liveness checked on its
            # row: _LIVE would list the agent's whole book first (0.2 ms for one card)
            rows = self.db.execute(
                f"SELECT {_COLUMNS} FROM proposals WHERE id IN (SELECT (SELECT max(q.id) "
                "FROM proposals q WHERE q.client_id = j.value AND q.agent_id = ?) "
                "FROM json_each(?) j) AND EXISTS (SELECT 1 FROM clients c WHERE "
                "c.id = proposals.client_id AND c.agent_id = ? AND c.deleted_at IS NULL)",
                [agent_id, json.dumps(list(client_ids)), agent_id]).fetchall()
        return {row[1]: _proposal(row) for row in rows}

    def open_proposals(self, agent_id: int) -> list[Proposal]:
        """Every proposal still waiting for an answer (the partial index holds just these)."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM proposals WHERE agent_id = ? AND outcome IS NULL "
            f"AND {_LIVE} ORDER BY id", [agent_id, agent_id]).fetchall()
        return [_proposal(row) for row in rows]

    def _row(self, values: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(values) - WRITABLE
        if unknown:
            raise ValueError(f"unknown proposal fields {sorted(unknown)}")
        row: dict[str, Any] = {}
        for name, value in values.items():
            if name == "products":
                value = json.dumps(list(value or ()))
            elif name in _DATES:
                value = value.isoformat() if isinstance(value, date) else value
            elif name == "objection_open":
                value = int(bool(value))
            row[name] = value
        return row


def _parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _proposal(row: Sequence[Any]) -> Proposal:
    (proposal_id, client_id, title, products, sum_insured, premium, frequency, currency,
     prepared_on, sent_on, explain_on, explained_on, reaction, objection, objection_open,
     outcome, outcome_on, decline_reason, policy_id, note, created_at) = row
    created: datetime | None = parse_stamp(created_at)
    return Proposal(
        id=proposal_id, client_id=client_id, title=title, products=tuple(json.loads(products)),
        sum_insured=sum_insured, premium=premium, frequency=frequency, currency=currency,
        prepared_on=_parse_day(prepared_on), sent_on=_parse_day(sent_on),
        explain_on=_parse_day(explain_on), explained_on=_parse_day(explained_on),
        reaction=reaction, objection=objection, objection_open=bool(objection_open),
        outcome=outcome, outcome_on=_parse_day(outcome_on), decline_reason=decline_reason,
        policy_id=policy_id, note=note, created_at=created,
    )
