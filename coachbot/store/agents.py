"""Agents: the Telegram users who keep a client book, and their preferences."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from coachbot.store.base import StoreBase, parse_stamp

EDITABLE_AGENT_FIELDS = frozenset({
    "first_name", "username", "locale", "region", "timezone", "digest_time", "monthly_target",
    "tone", "signature", "eod_time", "quiet_start", "quiet_end",
})


@dataclass(frozen=True)
class Agent:
    """An agent's profile and settings."""

    id: int
    first_name: str
    username: str | None
    locale: str
    region: str
    timezone: str
    digest_time: str
    monthly_target: int
    onboarded_at: datetime | None
    blocked_at: datetime | None
    created_at: datetime
    updated_at: datetime
    tone: str = "warm"
    signature: str | None = None
    eod_time: str = "20:30"
    quiet_start: str = "22:00"
    quiet_end: str = "07:30"
    last_digest_date: str | None = None
    last_eod_date: str | None = None

    @property
    def onboarded(self) -> bool:
        return self.onboarded_at is not None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Agent:
        values = {name: row[name] for name in _AGENT_FIELDS if name in row}
        for name in ("onboarded_at", "blocked_at", "created_at", "updated_at"):
            values[name] = parse_stamp(row[name])
        return cls(**values)


_AGENT_FIELDS = tuple(f.name for f in fields(Agent))  # every update reads its agent


class AgentStore(StoreBase):
    """SQL for agents."""

    def get_agent(self, agent_id: int) -> Agent | None:
        cursor = self.db.execute("SELECT * FROM agents WHERE id = ?", [agent_id])
        row = cursor.fetchone()
        return self._agent(row, cursor.description) if row else None

    def get_agents(self, agent_ids: Sequence[int]) -> list[Agent]:
        """Several agents in one query (those that exist), in the order asked."""
        cursor = self.db.execute(
            "SELECT agents.* FROM json_each(?) a JOIN agents ON agents.id = a.value "
            "ORDER BY a.key", [json.dumps(list(agent_ids))])
        return [self._agent(row, cursor.description) for row in cursor.fetchall()]

    def ensure_agent(
        self, agent_id: int, *, first_name: str, username: str | None, locale: str
    ) -> Agent:
        """The agent, created with these defaults on first contact."""
        known = self.get_agent(agent_id)  # every update comes here: read before any write
        if known is not None:
            return known
        now = self._stamp()
        self.db.execute(
            "INSERT INTO agents (id, first_name, username, locale, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
            [agent_id, first_name, username, locale, now, now],
        )
        agent = self.get_agent(agent_id)
        assert agent is not None
        return agent

    def update_agent(self, agent_id: int, **changes: Any) -> Agent:
        """Change some of an agent's settings."""
        unknown = set(changes) - EDITABLE_AGENT_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        if changes:
            assignments = ", ".join(f"{name} = ?" for name in changes)
            self.db.execute(
                f"UPDATE agents SET {assignments}, updated_at = ? WHERE id = ?",
                [*changes.values(), self._stamp(), agent_id],
            )
        agent = self.get_agent(agent_id)
        if agent is None:
            raise LookupError(agent_id)
        return agent

    def mark_onboarded(self, agent_id: int) -> None:
        self.db.execute(
            "UPDATE agents SET onboarded_at = COALESCE(onboarded_at, ?) WHERE id = ?",
            [self._stamp(), agent_id],
        )

    def mark_blocked(self, agent_id: int) -> None:
        """Telegram said the agent blocked the bot: stop pushing, keep the data."""
        self.db.execute(
            "UPDATE agents SET blocked_at = ? WHERE id = ? AND blocked_at IS NULL",
            [self._stamp(), agent_id],
        )

    def mark_reachable(self, agent_id: int) -> None:
        """The agent wrote to us again, so they unblocked the bot."""
        self.db.execute("UPDATE agents SET blocked_at = NULL WHERE id = ?", [agent_id])

    def _agent(self, row: tuple[Any, ...], description: Any) -> Agent:
        columns = [column[0] for column in description]  # not db["agents"]: 3 queries a call
        return Agent.from_row(dict(zip(columns, row, strict=True)))
