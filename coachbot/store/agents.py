"""Agents: the Telegram users who keep a client book, and their preferences."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from coachbot.domain.models import Agent
from coachbot.store.base import Repository, parse_stamp

EDITABLE_AGENT_FIELDS = frozenset({
    "first_name", "username", "locale", "region", "timezone", "digest_time", "monthly_target",
    "tone", "signature", "eod_time", "quiet_start", "quiet_end", "commission_rate",
    "source_targets",
})


ACTIVE_AGENT = "onboarded_at IS NOT NULL AND blocked_at IS NULL"
_AGENT_FIELDS = tuple(f.name for f in fields(Agent))  # every update reads its agent
_STAMPS = ("onboarded_at", "blocked_at", "created_at", "updated_at")


class AgentStore(Repository):
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
            values = [json.dumps(dict(value)) if name == "source_targets" and value is not None
                      else value for name, value in changes.items()]
            self.db.execute(
                f"UPDATE agents SET {assignments}, updated_at = ? WHERE id = ?",
                [*values, self._stamp(), agent_id],
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

    # -- daily pushes -----------------------------------------------------------------------
    def active_for_pushes(self) -> list[tuple[Any, ...]]:
        """(id, timezone, digest_time, last_digest_date, eod_time, last_eod_date, quiet...)"""
        return self.db.execute(
            "SELECT id, timezone, digest_time, last_digest_date, eod_time, last_eod_date, "
            f"quiet_start, quiet_end FROM agents WHERE {ACTIVE_AGENT}").fetchall()

    def mark_daily_done(self, agent_id: int, kind: str, day: date) -> None:
        self.mark_daily_done_many(kind, [(agent_id, day)])

    def mark_daily_done_many(self, kind: str, done: Sequence[tuple[int, date]]) -> None:
        """(agent, day) pairs whose daily `kind` push (digest or eod) is queued."""
        column = "last_digest_date" if kind == "digest" else "last_eod_date"
        with self.db.atomic():  # executemany is not committed by sqlite-utils
            self.db.conn.executemany(f"UPDATE agents SET {column} = ? WHERE id = ?",
                                     [(day.isoformat(), agent_id) for agent_id, day in done])

    def _agent(self, row: tuple[Any, ...], description: Any) -> Agent:
        columns = [column[0] for column in description]  # not db["agents"]: 3 queries a call
        values = dict(zip(columns, row, strict=True))
        fields_ = {name: values[name] for name in _AGENT_FIELDS if name in values}
        fields_.update((name, parse_stamp(values[name])) for name in _STAMPS)
        if fields_.get("source_targets"):
            fields_["source_targets"] = json.loads(fields_["source_targets"])
        return Agent(**fields_)
