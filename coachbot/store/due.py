"""SQL for what falls due, asked for a set of agents at once.

One statement per kind of reminder covers every agent in the set (a json array of ids drives the
indexed lookups inside SQLite), so a morning's digests for 5,000 agents cost a handful of
statements instead of tens of thousands. A single agent is a set of one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from coachbot.store.base import StoreBase
from coachbot.store.schedule import DueOccasion, item_key

FOLLOW_UP_WINDOW = timedelta(days=60)  # an open next step older than this is let go


class ItemKey(NamedTuple):
    """One occurrence of a reminder: its to-do item is created once and found again by key."""

    agent_id: int
    kind: str
    client_id: int | None
    ref: str
    occasion_date: date

    @property
    def key(self) -> str:
        return item_key(*self)


class ItemState(NamedTuple):
    """What a digest needs of a to-do item: its id (for the buttons) and whether it is open."""

    id: int
    status: str


def _ids(agent_ids: Iterable[int]) -> str:
    return json.dumps(list(agent_ids))


class DueStore(StoreBase):
    """Due greetings, follow-ups, premiums, callbacks, reviews and contacts for many agents."""

    def occasions_between(self, agent_ids: Sequence[int], first: date, last: date) -> \
            list[DueOccasion]:
        rows = self.db.execute(
            "SELECT o.agent_id, o.client_id, c.name, o.kind, o.ref_id, o.yearly, o.next_date "
            "FROM json_each(?) a JOIN occasions o ON o.agent_id = a.value "
            "JOIN clients c ON c.id = o.client_id WHERE o.next_date BETWEEN ? AND ? "
            "AND c.deleted_at IS NULL AND c.archived_at IS NULL "
            "ORDER BY a.key, o.next_date, c.name",
            [_ids(agent_ids), first.isoformat(), last.isoformat()])
        return [DueOccasion(r[1], r[2], r[3], r[4], r[5], date.fromisoformat(r[6]), r[0])
                for r in rows]

    def follow_ups_due(self, agent_ids: Sequence[int], today: date, *, limit: int = 20) -> \
            list[tuple[Any, ...]]:
        """Open next steps (no contact logged since) whose date has come, the oldest `limit`
        per agent: (agent, client id, client name, contact id, next step, date, summary)."""
        return self.db.execute(
            "SELECT a.value, c.id, c.name, k.id, k.next_step, k.next_step_date, k.summary "
            "FROM json_each(?) a JOIN clients c ON c.id IN ("
            " SELECT id FROM clients WHERE agent_id = a.value"
            " AND open_step_date BETWEEN ? AND ? AND deleted_at IS NULL"
            " ORDER BY open_step_date LIMIT ?) "
            "JOIN contacts k ON k.id = c.open_step_contact_id "
            "ORDER BY a.key, k.next_step_date, k.id",
            [_ids(agent_ids), (today - FOLLOW_UP_WINDOW).isoformat(), today.isoformat(), limit],
        ).fetchall()

    def premiums_due(self, agent_ids: Sequence[int], days: Sequence[date]) -> \
            list[tuple[Any, ...]]:
        """Live policies whose next premium falls on one of these days:
        (agent, client id, client name, policy id, product, premium, currency, due date)."""
        return self.db.execute(
            "SELECT p.agent_id, c.id, c.name, p.id, p.product, p.annual_premium, p.currency, "
            "p.next_due_date FROM json_each(?) a JOIN policies p ON p.agent_id = a.value "
            "JOIN clients c ON c.id = p.client_id "
            "WHERE p.next_due_date IN (SELECT value FROM json_each(?)) AND p.status = 'active' "
            "AND c.deleted_at IS NULL ORDER BY a.key, p.next_due_date",
            [_ids(agent_ids), json.dumps([d.isoformat() for d in days])]).fetchall()

    def deliveries_on(self, agent_ids: Sequence[int], day: date) -> list[tuple[Any, ...]]:
        """Policies delivered on a day (for the cooling-off callback):
        (agent, client id, client name, policy id, product)."""
        return self.db.execute(
            "SELECT p.agent_id, c.id, c.name, p.id, p.product FROM json_each(?) a "
            "JOIN policies p ON p.agent_id = a.value JOIN clients c ON c.id = p.client_id "
            "WHERE p.delivered_date = ? AND c.deleted_at IS NULL ORDER BY a.key, p.id",
            [_ids(agent_ids), day.isoformat()]).fetchall()

    def reviews_due(self, agent_ids: Sequence[int], today: date, *, limit: int = 10) -> \
            list[tuple[Any, ...]]:
        """The `limit` longest-waiting policy reviews per agent: (agent, client id, name, tier,
        review due date)."""
        return self.db.execute(
            "SELECT a.value, c.id, c.name, c.tier, c.review_due_date FROM json_each(?) a "
            "JOIN clients c ON c.id IN ("
            " SELECT id FROM clients WHERE agent_id = a.value AND review_due_date <= ?"
            " AND deleted_at IS NULL AND archived_at IS NULL ORDER BY review_due_date LIMIT ?) "
            "ORDER BY a.key, c.review_due_date", [_ids(agent_ids), today.isoformat(), limit],
        ).fetchall()

    def overdue_contacts(self, agent_ids: Sequence[int], today: date, *, limit: int = 5) -> \
            list[tuple[Any, ...]]:
        """Clients past their contact frequency, the `limit` most overdue per agent:
        (agent, client id, name, contact due date, last contact)."""
        return self.db.execute(
            "SELECT a.value, c.id, c.name, c.contact_due_date, c.last_contact_at "
            "FROM json_each(?) a JOIN clients c ON c.id IN ("
            " SELECT id FROM clients WHERE agent_id = a.value AND contact_due_date < ?"
            " AND deleted_at IS NULL AND archived_at IS NULL ORDER BY contact_due_date LIMIT ?) "
            "ORDER BY a.key, c.contact_due_date", [_ids(agent_ids), today.isoformat(), limit],
        ).fetchall()

    def contacts_by_channel(self, windows: Sequence[tuple[int, datetime, datetime]]) -> \
            dict[int, dict[str, int]]:
        """Contacts logged per channel, for each (agent, start, end) window."""
        spans = json.dumps([[agent_id, start.astimezone(UTC).isoformat(timespec="seconds"),
                             end.astimezone(UTC).isoformat(timespec="seconds")]
                            for agent_id, start, end in windows])  # contacts are kept in UTC
        rows = self.db.execute(
            "SELECT k.agent_id, k.channel, COUNT(*) FROM json_each(?) a "
            "JOIN contacts k ON k.agent_id = json_extract(a.value, '$[0]') "
            "AND k.at >= json_extract(a.value, '$[1]') AND k.at < json_extract(a.value, '$[2]') "
            "GROUP BY k.agent_id, k.channel", [spans])
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for agent_id, channel, count in rows:
            counts[agent_id][channel] = count
        return counts

    # -- to-do items ------------------------------------------------------------------------
    def item_states(self, keys: Sequence[ItemKey]) -> list[ItemState | None]:
        """The to-do item of each occurrence, in the order given; None where there is none."""
        if not keys:
            return []
        texts = [key.key for key in keys]
        rows = self.db.execute(
            "SELECT dedup_key, id, status FROM reminder_items "
            "WHERE dedup_key IN (SELECT value FROM json_each(?)) "
            "AND agent_id IN (SELECT value FROM json_each(?))",
            [json.dumps(texts), _ids({k.agent_id for k in keys})])
        states = {text: ItemState(item_id, status) for text, item_id, status in rows}
        return [states.get(text) for text in texts]
