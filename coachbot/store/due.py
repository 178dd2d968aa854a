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
from functools import lru_cache
from typing import Any

from coachbot.domain.reminders import HANDLED, ItemKey, ItemState
from coachbot.store.base import Repository

FOLLOW_UP_WINDOW = timedelta(days=60)  # an open next step older than this is let go


def _ids(agent_ids: Iterable[int]) -> str:
    """Agent ids as a json array (spelled directly: json.dumps costs 5x as much, and a single
    agent's digest passes one to each of its ten statements)."""
    return f"[{','.join(str(int(agent_id)) for agent_id in agent_ids)}]"


@lru_cache(maxsize=1024)
def _day(day: date) -> str:
    """A date as the queries bind it. date.isoformat goes through sprintf (~1.3 us), and one
    agent's digest binds the same few days a dozen times."""
    return day.isoformat()


@lru_cache(maxsize=1024)
def _utc(moment: datetime) -> str:
    """A moment as contacts keep it: UTC, to the second (agents of one zone share a window's
    moments, and the same instant is the same text whatever its zone)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _spans(windows: Sequence[tuple[int, datetime, datetime]]) -> str:
    """(agent, start, end) windows as a json array, in UTC."""
    return json.dumps([[agent_id, _utc(start), _utc(end)] for agent_id, start, end in windows])


# A to-do item in these states takes its occurrence out of the digest.
_HANDLED_SQL = ", ".join(f"'{status}'" for status in HANDLED)
_NOT_HANDLED = f"(r.status IS NULL OR r.status NOT IN ({_HANDLED_SQL}))"


def _item_key_sql(agent: str, kind: str, client: str, ref: str, day: str) -> str:
    """SQL computing item_key() of each row (every part is non-null here), so that a row finds
    its to-do item through the unique key's index without a trip through Python."""
    return " || ':' || ".join((agent, kind, client, ref, day))


def _item_join(agent: str, key: str) -> str:
    """Joins the row's to-do item as `r`, where one has been made."""
    return f"LEFT JOIN reminder_items r ON r.dedup_key = {key} AND r.agent_id = {agent}"


def _not_handled_sql(agent: str, key: str) -> str:
    """True when the row's occurrence has no handled to-do item: per-agent limits then count
    only what the agent still has to do."""
    return (f"NOT EXISTS (SELECT 1 FROM reminder_items h WHERE h.dedup_key = {key} "
            f"AND h.agent_id = {agent} AND h.status IN ({_HANDLED_SQL}))")


def _items(agent: str, key: str, items: bool) -> tuple[str, str, str]:
    """What a query adds to find each row's to-do item (key: _item_key_sql): the item id
    column, the join and the condition leaving handled rows out. items=False: the agents
    have no to-do item dated in the rows' dates (agents_with_items), so nothing is looked up
    and the id is NULL."""
    if not items:
        return "NULL", "", ""
    return "r.id", _item_join(agent, key), f"AND {_NOT_HANDLED} "


class DueStore(Repository):
    """Due greetings, follow-ups, premiums, callbacks, reviews and contacts for many agents."""

    def occasions_between(self, agent_ids: Sequence[int], first: date, last: date, *,
                          items: bool = True) -> list[tuple[Any, ...]]:
        """Yearly dates falling between `first` and `last`, not yet handled: (agent, client id,
        client name, kind, ref id, yearly, next date, open item id, prospect stage).
        items=False: the agents have no to-do item dated `first`..`last`."""
        key = _item_key_sql("o.agent_id", "o.kind", "o.client_id", "o.ref_id", "o.next_date")
        item_id, join, unhandled = _items("o.agent_id", key, items)
        return self.db.execute(
            "SELECT o.agent_id, o.client_id, c.name, o.kind, o.ref_id, o.yearly, o.next_date, "
            f"{item_id}, c.stage FROM json_each(?) a JOIN occasions o ON o.agent_id = a.value "
            f"JOIN clients c ON c.id = o.client_id {join} "
            "WHERE o.next_date BETWEEN ? AND ? "
            f"AND c.deleted_at IS NULL AND c.archived_at IS NULL {unhandled}"
            "ORDER BY a.key, o.next_date, c.name",
            [_ids(agent_ids), _day(first), _day(last)]).fetchall()

    def follow_ups_due(self, agent_ids: Sequence[int], today: date, *, limit: int = 20) -> \
            list[tuple[Any, ...]]:
        """Open next steps (no contact logged since) whose date has come and that the agent has
        not handled, the oldest `limit` per agent: (agent, client id, client name, contact id,
        next step, date, summary, open item id, prospect stage)."""
        inner = _item_key_sql("s.agent_id", "'follow_up'", "s.id", "s.open_step_contact_id",
                              "s.open_step_date")
        outer = _item_key_sql("c.agent_id", "'follow_up'", "c.id", "k.id", "k.next_step_date")
        return self.db.execute(
            "SELECT a.value, c.id, c.name, k.id, k.next_step, k.next_step_date, k.summary, r.id, "
            "c.stage "
            "FROM json_each(?) a JOIN clients c ON c.id IN ("
            " SELECT s.id FROM clients s WHERE s.agent_id = a.value"
            " AND s.open_step_date BETWEEN ? AND ? AND s.deleted_at IS NULL"
            f" AND {_not_handled_sql('s.agent_id', inner)} ORDER BY s.open_step_date LIMIT ?) "
            f"JOIN contacts k ON k.id = c.open_step_contact_id {_item_join('c.agent_id', outer)} "
            "ORDER BY a.key, k.next_step_date, k.id",
            [_ids(agent_ids), _day(today - FOLLOW_UP_WINDOW), _day(today), limit],
        ).fetchall()

    def premiums_due(self, agent_ids: Sequence[int], days: Sequence[date], today: date, *,
                     items: bool = True) -> list[tuple[Any, ...]]:
        """Live policies whose next premium falls on one of these days, not yet handled today:
        (agent, client id, client name, policy id, product, premium, currency, due date,
        open item id). items=False: the agents have no to-do item dated today."""
        key = _item_key_sql("p.agent_id", "'premium'", "c.id", "p.id || ':' || p.next_due_date",
                            ":today")
        item_id, join, unhandled = _items("p.agent_id", key, items)
        # +p.status: look policies up by (agent, due date), not by (agent, status)
        return self.db.execute(
            "SELECT p.agent_id, c.id, c.name, p.id, p.product, p.annual_premium, p.currency, "
            f"p.next_due_date, {item_id} FROM json_each(:agents) a JOIN policies p "
            f"ON p.agent_id = a.value JOIN clients c ON c.id = p.client_id {join} "
            "WHERE p.next_due_date IN (SELECT value FROM json_each(:days)) "
            f"AND +p.status = 'active' AND c.deleted_at IS NULL {unhandled}"
            "ORDER BY a.key, p.next_due_date",
            {"agents": _ids(agent_ids), "days": json.dumps([_day(d) for d in days]),
             "today": _day(today)}).fetchall()

    def deliveries_on(self, agent_ids: Sequence[int], day: date, today: date) -> \
            list[tuple[Any, ...]]:
        """Policies delivered on a day (for the cooling-off callback), not yet handled today:
        (agent, client id, client name, policy id, product, open item id)."""
        key = _item_key_sql("p.agent_id", "'callback'", "c.id", "p.id", ":today")
        return self.db.execute(
            "SELECT p.agent_id, c.id, c.name, p.id, p.product, r.id FROM json_each(:agents) a "
            "JOIN policies p ON p.agent_id = a.value JOIN clients c ON c.id = p.client_id "
            f"{_item_join('p.agent_id', key)} WHERE p.delivered_date = :day "
            f"AND c.deleted_at IS NULL AND {_NOT_HANDLED} ORDER BY a.key, p.id",
            {"agents": _ids(agent_ids), "day": _day(day), "today": _day(today)},
        ).fetchall()

    def reviews_due(self, agent_ids: Sequence[int], today: date, *, limit: int = 10,
                    items: bool = True) -> list[tuple[Any, ...]]:
        """The `limit` longest-waiting policy reviews per agent not handled today: (agent,
        client id, name, tier, review due date, open item id). items=False: the agents have
        no to-do item dated today."""
        return self._clients_due(agent_ids, today, kind="review", due="review_due_date",
                                 came="<=", columns=("tier", "review_due_date"), limit=limit,
                                 items=items)

    def overdue_contacts(self, agent_ids: Sequence[int], today: date, *, limit: int = 5,
                         items: bool = True) -> list[tuple[Any, ...]]:
        """Clients past their contact frequency, the `limit` most overdue per agent not handled
        today: (agent, client id, name, contact due date, last contact, prospect stage,
        open item id). items=False: the agents have no to-do item dated today."""
        return self._clients_due(agent_ids, today, kind="stay_in_touch", due="contact_due_date",
                                 came="<", columns=("contact_due_date", "last_contact_at",
                                                    "stage"), limit=limit, items=items)

    def _clients_due(self, agent_ids: Sequence[int], today: date, *, kind: str, due: str,
                     came: str, columns: Sequence[str], limit: int,
                     items: bool) -> list[tuple[Any, ...]]:
        """Per agent, the `limit` live clients whose `due` date has come (`due came today`),
        longest waiting first, whose reminder of `kind` today is not handled:
        (agent, client id, name, *columns, open item id). Names are constants of this class."""
        inner = _item_key_sql("s.agent_id", f"'{kind}'", "s.id", f"s.{due}", ":today")
        outer = _item_key_sql("c.agent_id", f"'{kind}'", "c.id", f"c.{due}", ":today")
        item_id, join, _ = _items("c.agent_id", outer, items)
        unhandled = f" AND {_not_handled_sql('s.agent_id', inner)}" if items else ""
        selected = ", ".join(f"c.{column}" for column in columns)
        return self.db.execute(
            f"SELECT a.value, c.id, c.name, {selected}, {item_id} "
            "FROM json_each(:agents) a JOIN clients c ON c.id IN ("
            f" SELECT s.id FROM clients s WHERE s.agent_id = a.value AND s.{due} {came} :today"
            f" AND s.deleted_at IS NULL AND s.archived_at IS NULL{unhandled}"
            f" ORDER BY s.{due} LIMIT :limit) {join} ORDER BY a.key, c.{due}",
            {"agents": _ids(agent_ids), "today": _day(today), "limit": limit},
        ).fetchall()

    def proposals_unanswered(self, agents: Sequence[tuple[int, datetime]], today: date, *,
                             days: int, limit: int = 5) -> list[tuple[Any, ...]]:
        """Open proposals sent or explained at least `days` ago that the client has not answered
        (no reaction or objection recorded) and with no contact logged since, whose follow-up
        today is not handled: the `limit` longest-waiting per agent. (agent, client id, client
        name, proposal id, title, products JSON, waiting since, open item id, prospect stage).
        `agents` pairs each agent with the start, in its own zone, of the day after the
        cutoff: a contact logged from then on is a follow-up already made (contacts keep UTC
        moments; the proposal's days are the agent's own dates).
        `days` is domain.coaching.proposals.FOLLOW_UP_DAYS for the digest."""
        key = _item_key_sql("p.agent_id", "'proposal'", "p.client_id", "p.id", ":today")
        out = "max(coalesce(p.sent_on, ''), coalesce(p.explained_on, ''))"
        return self.db.execute(
            "SELECT agent_id, client_id, name, id, title, products, waiting, item_id, stage "
            "FROM (SELECT p.agent_id, p.client_id, c.name, p.id, p.title, p.products, "
            f"{out} AS waiting, r.id AS item_id, c.stage, a.key AS agent_order,"
            f" ROW_NUMBER() OVER (PARTITION BY p.agent_id ORDER BY {out}, p.id) AS n"
            " FROM json_each(:agents) a JOIN proposals p"
            " ON p.agent_id = json_extract(a.value, '$[0]')"
            " AND p.outcome IS NULL JOIN clients c ON c.id = p.client_id"
            f" {_item_join('p.agent_id', key)}"
            f" WHERE {out} != '' AND {out} <= :cutoff"
            " AND coalesce(c.last_contact_at, '') < json_extract(a.value, '$[1]')"
            " AND c.deleted_at IS NULL"
            " AND coalesce(p.reaction, '') = '' AND p.objection IS NULL"
            f" AND c.archived_at IS NULL AND {_NOT_HANDLED}"
            ") WHERE n <= :limit ORDER BY agent_order, waiting, id",
            {"agents": json.dumps([[agent_id, _utc(answered_from)] for agent_id, answered_from
                                   in agents]),
             "today": _day(today), "limit": limit,
             "cutoff": _day(today - timedelta(days=days))},
        ).fetchall()

    def agenda(self, agent_id: int, client_ids: Sequence[int] | None = None) -> \
            dict[int, tuple[Any, ...]]:
        """What is due per live client (all of the agent's, or those given), for /next and the
        card: client id -> (open step date, open step text, review due date, contact due date,
        tier, last contact time)."""
        where = "c.agent_id = ? AND c.deleted_at IS NULL AND c.archived_at IS NULL"
        params: list[Any] = [agent_id]
        if client_ids is not None:
            where += " AND c.id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(client_ids)))
        rows = self.db.execute(
            "SELECT c.id, c.open_step_date, k.next_step, c.review_due_date, c.contact_due_date, "
            "c.tier, c.last_contact_at FROM clients c LEFT JOIN contacts k "
            f"ON k.id = c.open_step_contact_id WHERE {where}", params).fetchall()
        return {row[0]: tuple(row[1:]) for row in rows}

    def contacts_by_channel(self, windows: Sequence[tuple[int, datetime, datetime]]) -> \
            dict[int, dict[str, int]]:
        """Contacts logged per channel, for each (agent, start, end) window."""
        rows = self.db.execute(
            "SELECT k.agent_id, k.channel, COUNT(*) FROM json_each(?) a "
            "JOIN contacts k ON k.agent_id = json_extract(a.value, '$[0]') "
            "AND k.at >= json_extract(a.value, '$[1]') AND k.at < json_extract(a.value, '$[2]') "
            "GROUP BY k.agent_id, k.channel", [_spans(windows)])
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for agent_id, channel, count in rows:
            counts[agent_id][channel] = count
        return counts

    def contacts_counted(self, windows: Sequence[tuple[int, datetime, datetime]],
                         channels: Iterable[str]) -> dict[int, int]:
        """Contacts logged through one of `channels`, for each (agent, start, end) window."""
        wanted = sorted(channels)
        # a count per window row: the (agent, at, channel) index alone answers it, and there
        # is no grouping of every contact to sort
        rows = self.db.execute(
            "SELECT json_extract(a.value, '$[0]'), (SELECT COUNT(*) FROM contacts k "
            "WHERE k.agent_id = json_extract(a.value, '$[0]') "
            "AND k.at >= json_extract(a.value, '$[1]') AND k.at < json_extract(a.value, '$[2]') "
            f"AND k.channel IN ({', '.join('?' * len(wanted))})) FROM json_each(?) a",
            [*wanted, _spans(windows)])
        return dict(rows.fetchall())

    # -- to-do items ------------------------------------------------------------------------
    def agents_with_items(self, agent_ids: Sequence[int], first: date, last: date) -> set[int]:
        """Those of the agents with a to-do item for an occurrence dated `first`..`last`.

        An item's key ends with its occurrence's date (item_key), so an agent without one in
        these dates has nothing for a digest to look up in them: before the agent opens any
        of the morning's entries, no entry of the day has an item."""
        rows = self.db.execute(
            "SELECT a.value FROM json_each(?) a WHERE EXISTS (SELECT 1 FROM reminder_items i "
            "WHERE i.agent_id = a.value AND i.occasion_date BETWEEN ? AND ?)",
            [_ids(agent_ids), _day(first), _day(last)])
        return {agent_id for (agent_id,) in rows}

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
