"""SQL for what the coach knows about clients: facts with their source, per agent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from coachbot.domain.coaching.knowledge import AGENT, CONFIRMED, EXTRACTED, REMOVED, Fact
from coachbot.domain.coaching.knowledge import value_from_json as _from_json
from coachbot.domain.coaching.knowledge import value_to_json as _to_json
from coachbot.store.base import Repository

_COLUMNS = "id, key, value, source, ref, source_date, evidence, status"


class FactStore(Repository):
    """Client facts, one agent's at a time."""

    def facts_of(self, agent_id: int, client_id: int, *, removed: bool = False) -> list[Fact]:
        """The client's facts (removed ones only when asked), oldest first."""
        where = "" if removed else f" AND status != '{REMOVED}'"
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM client_facts WHERE agent_id = ? AND client_id = ?{where} "
            "ORDER BY id", [agent_id, client_id]).fetchall()
        return [_fact(row) for row in rows]

    def facts_of_clients(self, agent_id: int, client_ids: Sequence[int]) -> \
            dict[int, list[Fact]]:
        """Facts of several clients at once (for /next over a whole book)."""
        rows = self.db.execute(
            f"SELECT client_id, {_COLUMNS} FROM client_facts WHERE agent_id = ? "
            f"AND status != '{REMOVED}' AND client_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY id", [agent_id, json.dumps(list(client_ids))]).fetchall()
        found: dict[int, list[Fact]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(_fact(row[1:]))
        return found

    def get_fact(self, agent_id: int, fact_id: int) -> tuple[int, Fact] | None:
        """(client id, fact) for one of the agent's facts."""
        row = self.db.execute(
            f"SELECT client_id, {_COLUMNS} FROM client_facts WHERE agent_id = ? AND id = ?",
            [agent_id, fact_id]).fetchone()
        return (row[0], _fact(row[1:])) if row else None

    def replace_source(self, agent_id: int, client_id: int, source: str, ref: str,
                       facts: Sequence[Fact]) -> None:
        """What one source says now: its facts upserted, the ones it no longer says dropped.

        A fact the agent removed stays removed while the source says the same; a changed value
        is news and shows again. Facts the agent confirmed keep their status.
        """
        stamp = self._stamp()
        keys = [fact.key for fact in facts]
        rows = json.dumps([[f.key, _dump(f), _day(f.on), f.evidence[:200]] for f in facts],
                          ensure_ascii=False)
        with self.db.atomic():
            self.db.execute(
                "DELETE FROM client_facts WHERE agent_id = ? AND client_id = ? AND source = ? "
                "AND ref = ? AND key NOT IN (SELECT value FROM json_each(?))",
                [agent_id, client_id, source, ref, json.dumps(keys)])
            if not facts:
                return
            # one statement for all of the source's facts (WHERE true: SQLite's upsert rule)
            self.db.execute(
                "INSERT INTO client_facts (agent_id, client_id, key, value, source, ref, "
                "source_date, evidence, status, created_at, updated_at) "
                "SELECT ?, ?, j.value ->> 0, j.value ->> 1, ?, ?, j.value ->> 2, j.value ->> 3, "
                "?, ?, ? FROM json_each(?) j WHERE true "
                "ON CONFLICT (client_id, key, source, ref) DO UPDATE SET "
                "status = CASE WHEN client_facts.value = excluded.value "
                "THEN client_facts.status ELSE excluded.status END, "
                "value = excluded.value, source_date = excluded.source_date, "
                "evidence = excluded.evidence, updated_at = excluded.updated_at "
                "WHERE client_facts.agent_id = excluded.agent_id",
                [agent_id, client_id, source, ref, EXTRACTED, stamp, stamp, rows])

    def replace_sources(self, agent_id: int, client_id: int,
                        reads: Sequence[tuple[str, str, Sequence[Fact]]]) -> None:
        """replace_source for several (source, ref, facts) at once, in two statements (reading
        a client's every source one by one took four statements per contact). Each (source,
        ref) must appear once."""
        if not reads:
            return
        stamp = self._stamp()
        wanted = json.dumps([[source, ref, [fact.key for fact in facts]]
                             for source, ref, facts in reads], ensure_ascii=False)
        rows = json.dumps([[f.key, _dump(f), _day(f.on), f.evidence[:200], source, ref]
                           for source, ref, facts in reads for f in facts], ensure_ascii=False)
        with self.db.atomic():
            self.db.execute(
                "DELETE FROM client_facts WHERE agent_id = ? AND client_id = ? AND EXISTS ("
                "SELECT 1 FROM json_each(?) w WHERE w.value ->> 0 = client_facts.source "
                "AND w.value ->> 1 = client_facts.ref "
                "AND client_facts.key NOT IN (SELECT value FROM json_each(w.value -> 2)))",
                [agent_id, client_id, wanted])
            if rows == "[]":
                return
            self.db.execute(
                "INSERT INTO client_facts (agent_id, client_id, key, value, source, ref, "
                "source_date, evidence, status, created_at, updated_at) "
                "SELECT ?, ?, j.value ->> 0, j.value ->> 1, j.value ->> 4, j.value ->> 5, "
                "j.value ->> 2, j.value ->> 3, ?, ?, ? FROM json_each(?) j WHERE true "
                "ON CONFLICT (client_id, key, source, ref) DO UPDATE SET "
                "status = CASE WHEN client_facts.value = excluded.value "
                "THEN client_facts.status ELSE excluded.status END, "
                "value = excluded.value, source_date = excluded.source_date, "
                "evidence = excluded.evidence, updated_at = excluded.updated_at "
                "WHERE client_facts.agent_id = excluded.agent_id",
                [agent_id, client_id, EXTRACTED, stamp, stamp, rows])

    def drop_sources(self, agent_id: int, client_id: int, sources: Sequence[str],
                     keep_refs: Sequence[str]) -> None:
        """Forget facts of these source kinds whose item is gone (a deleted contact...)."""
        self.db.execute(
            "DELETE FROM client_facts WHERE agent_id = ? AND client_id = ? "
            "AND source IN (SELECT value FROM json_each(?)) "
            "AND ref NOT IN (SELECT value FROM json_each(?))",
            [agent_id, client_id, json.dumps(list(sources)), json.dumps(list(keep_refs))])

    def set_agent_fact(self, agent_id: int, client_id: int, key: str, value: Any,
                       on: date | None) -> None:
        """A fact the agent gave or corrected: it wins over anything read from text."""
        stamp = self._stamp()
        self.db.execute(
            "INSERT INTO client_facts (agent_id, client_id, key, value, source, ref, "
            "source_date, evidence, status, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, '', ?, '', ?, ?, ?) "
            "ON CONFLICT (client_id, key, source, ref) DO UPDATE SET value = excluded.value, "
            "source_date = excluded.source_date, status = excluded.status, "
            "updated_at = excluded.updated_at WHERE client_facts.agent_id = excluded.agent_id",
            [agent_id, client_id, key, json.dumps(_to_json(key, value), ensure_ascii=False),
             AGENT, _day(on), CONFIRMED, stamp, stamp])

    def clear_agent_fact(self, agent_id: int, client_id: int, key: str) -> None:
        self.db.execute(
            "DELETE FROM client_facts WHERE agent_id = ? AND client_id = ? AND key = ? "
            "AND source = ?", [agent_id, client_id, key, AGENT])

    def set_status(self, agent_id: int, fact_id: int, status: str) -> int | None:
        """Confirm or remove one fact; the client's id, or None if it isn't the agent's."""
        if status not in (EXTRACTED, CONFIRMED, REMOVED):
            raise ValueError(f"unknown fact status {status!r}")
        rows = self._returning(
            "UPDATE client_facts SET status = ?, updated_at = ? WHERE agent_id = ? AND id = ? "
            "RETURNING client_id", [status, self._stamp(), agent_id, fact_id])
        return rows[0][0] if rows else None


def _dump(fact: Fact) -> str:
    return json.dumps(fact.to_json(), ensure_ascii=False)


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _fact(row: Sequence[Any]) -> Fact:
    fact_id, key, value, source, ref, source_date, evidence, status = row
    return Fact(key, _from_json(key, json.loads(value)), source, ref,
                date.fromisoformat(source_date) if source_date else None, evidence, status,
                fact_id)
