"""SQL for the model call log: one row per request to a language model (sizes, not content)."""

from __future__ import annotations

from dataclasses import astuple, fields
from datetime import datetime
from typing import Any

from coachbot.domain.model_calls import ModelCall, ModelUsage, UsageLine
from coachbot.store.base import Repository, parse_stamp, utc_stamp

_FIELDS = tuple(f.name for f in fields(ModelCall) if f.name != "id")
_COLUMNS = ", ".join(_FIELDS)


class ModelCallStore(Repository):
    """The log of what was sent to a model, and the budget counts read from it."""

    def record(self, call: ModelCall) -> int:
        values: list[Any] = list(astuple(call))[:len(_FIELDS)]
        values[0] = utc_stamp(call.at)
        values[_FIELDS.index("tokens_estimated")] = int(call.tokens_estimated)
        cursor = self.db.execute(
            f"INSERT INTO model_calls ({_COLUMNS}) VALUES ({', '.join('?' * len(_FIELDS))})",
            values)
        return int(cursor.lastrowid or 0)

    def usage_since(self, agent_id: int, since: datetime) -> ModelUsage:
        """Requests and tokens of one agent from a moment on (for the daily budget)."""
        row = self.db.execute(
            "SELECT count(*), coalesce(sum(prompt_tokens + completion_tokens), 0) "
            "FROM model_calls WHERE agent_id = ? AND at >= ?",
            [agent_id, utc_stamp(since)]).fetchone()
        return ModelUsage(int(row[0]), int(row[1]))

    def recent(self, *, since: datetime | None = None, agent_id: int | None = None,
               feature: str | None = None, limit: int = 100) -> list[ModelCall]:
        """The latest calls, newest first, optionally for one agent or feature."""
        clauses, params = self._filters(since, agent_id, feature)
        rows = self.db.execute(
            f"SELECT id, {_COLUMNS} FROM model_calls {clauses} ORDER BY at DESC, id DESC "
            "LIMIT ?", [*params, limit]).fetchall()
        return [_call(row) for row in rows]

    def summary(self, *, since: datetime | None = None, agent_id: int | None = None,
                feature: str | None = None) -> list[UsageLine]:
        """Per UTC day and feature: calls, failures, agents, what was sent, tokens."""
        clauses, params = self._filters(since, agent_id, feature)
        rows = self.db.execute(
            "SELECT substr(at, 1, 10), feature, count(*), sum(outcome != 'ok'), "
            "count(DISTINCT agent_id), sum(sent_chars), sum(sent_bytes), sum(redacted), "
            f"sum(prompt_tokens + completion_tokens) FROM model_calls {clauses} "
            "GROUP BY 1, 2 ORDER BY 1 DESC, 2", params).fetchall()
        return [UsageLine(*row) for row in rows]

    @staticmethod
    def _filters(since: datetime | None, agent_id: int | None,
                 feature: str | None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if since is not None:
            clauses.append("at >= ?")
            params.append(utc_stamp(since))
        if agent_id is not None:
            clauses.append("agent_id = ?")
            params.append(agent_id)
        if feature is not None:
            clauses.append("feature = ?")
            params.append(feature)
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _call(row: tuple[Any, ...]) -> ModelCall:
    values = dict(zip(("id", *_FIELDS), row, strict=True))
    values["at"] = parse_stamp(values["at"])
    values["tokens_estimated"] = bool(values["tokens_estimated"])
    return ModelCall(**values)
