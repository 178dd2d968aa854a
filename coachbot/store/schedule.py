"""SQL for reminders: the derived schedule's inputs and results, the agent's to-do items, one-off
reminders. What falls due is computed by the domain rules; this part only reads and keeps."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlite_utils import Database

from coachbot.domain.clock import Clock
from coachbot.domain.models import FamilyMember, ImportantDate, Policy
from coachbot.domain.reminders import (
    ClientSchedule,
    DerivationInputs,
    Occasion,
    OneOff,
    PassedOccasion,
    ReminderItem,
    item_key,
)
from coachbot.store.base import Repository
from coachbot.store.clients import ClientStore


class ScheduleStore(Repository):
    """Each client's derived dates, the agent's to-do items and one-off reminders."""

    def __init__(self, db: Database, clock: Clock, clients: ClientStore) -> None:
        super().__init__(db, clock)
        self._clients = clients

    # -- derived dates: the services compute them, this part reads their inputs and keeps them
    def agent_zone(self, agent_id: int) -> tuple[str, str] | None:
        """The agent's time zone and region, which every client's schedule is derived in."""
        row = self.db.execute("SELECT timezone, region FROM agents WHERE id = ?",
                              [agent_id]).fetchone()
        return (row[0], row[1]) if row else None

    def derivation_inputs(self, agent_id: int,
                          client_ids: Sequence[int]) -> DerivationInputs | None:
        """What the schedule of these clients of one agent is derived from, in a fixed number
        of statements (an import refreshes thousands inside its transaction)."""
        agent = self.agent_zone(agent_id)
        if agent is None or not client_ids:
            return None
        ids = json.dumps(list(client_ids))
        # "+agent_id" in these statements: look rows up by client id, not by scanning the
        # agent's whole book (the planner would pick the agent index); the agent still scopes
        clients = self._clients.rows(
            "+c.agent_id = ? AND c.id IN (SELECT value FROM json_each(?)) "
            "AND c.deleted_at IS NULL",
            [agent_id, ids], limit=len(client_ids))
        family, dates, policies = self._client_parts(agent_id, ids)
        reviewed = {
            client_id: datetime.fromisoformat(stamp) for client_id, stamp in self.db.execute(
                "SELECT id, last_review_at FROM clients WHERE +agent_id = ? "
                "AND id IN (SELECT value FROM json_each(?)) AND last_review_at IS NOT NULL",
                [agent_id, ids]).fetchall()}
        return DerivationInputs(agent[0], agent[1], clients, family, dates, policies, reviewed)

    def save_derived(self, agent_id: int, schedules: Sequence[ClientSchedule],
                     catch_up_from: date) -> None:
        """Keep what the services derived: each client's occasions, tier and due dates."""
        upserts = [[agent_id, s.client_id, o.kind, o.ref_id, o.yearly, next_date.isoformat(),
                    catch_up_from.isoformat()]
                   for s in schedules for o, next_date in s.occasions]
        keep = [f"{s.client_id}:{o.kind}:{o.ref_id}" for s in schedules for o, _ in s.occasions]
        derived = [[s.tier, s.contact_due.isoformat() if s.contact_due else None,
                    s.review_due.isoformat() if s.review_due else None, agent_id, s.client_id]
                   for s in schedules]
        live = json.dumps([s.client_id for s in schedules])
        with self.db.atomic():
            # a date that changed moves at once; an unchanged one keeps its place in the year
            # (it may have rolled forward already, or be inside the catch-up window)
            self.db.conn.executemany(
                "INSERT INTO occasions (agent_id, client_id, kind, ref_id, yearly, next_date) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(client_id, kind, ref_id) DO UPDATE "
                "SET yearly = excluded.yearly, next_date = CASE WHEN "
                "occasions.yearly = excluded.yearly AND occasions.next_date >= ?7 "
                "THEN occasions.next_date ELSE excluded.next_date END", upserts)
            self.db.execute(
                "DELETE FROM occasions WHERE +agent_id = ? "
                "AND client_id IN (SELECT value FROM json_each(?)) "
                "AND client_id || ':' || kind || ':' || ref_id "
                "NOT IN (SELECT value FROM json_each(?))", [agent_id, live, json.dumps(keep)])
            self.db.conn.executemany(
                "UPDATE clients SET tier = ?, contact_due_date = ?, review_due_date = ? "
                "WHERE agent_id = ? AND id = ?", derived)

    def _client_parts(self, agent_id: int, ids: str) -> tuple[
            dict[int, list[FamilyMember]], dict[int, list[ImportantDate]], dict[int, list[Policy]]]:
        """Family, key dates and policies of a json list of this agent's clients, by client."""
        family: dict[int, list[FamilyMember]] = defaultdict(list)
        for row in self.db.execute(
                "SELECT id, client_id, relation, name, gender, birthday FROM family_members "
                "WHERE agent_id = ? AND client_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY id", [agent_id, ids]):
            family[row[1]].append(FamilyMember(*row))
        dates: dict[int, list[ImportantDate]] = defaultdict(list)
        for row in self.db.execute(
                "SELECT id, client_id, kind, label, date FROM important_dates "
                "WHERE agent_id = ? AND client_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY id", [agent_id, ids]):
            dates[row[1]].append(ImportantDate(*row))
        policies: dict[int, list[Policy]] = defaultdict(list)
        for policy in self._clients.policy_rows(
                "+p.agent_id = ? AND p.client_id IN (SELECT value FROM json_each(?))",
                [agent_id, ids]):
            policies[policy.client_id].append(policy)
        return family, dates, policies

    def client_tier(self, agent_id: int, client_id: int) -> str | None:
        """The tier derived at the last refresh."""
        row = self.db.execute("SELECT tier FROM clients WHERE agent_id = ? AND id = ?",
                              [agent_id, client_id]).fetchone()
        return row[0] if row else None

    def mark_reviewed(self, agent_id: int, client_id: int) -> None:
        """The agent reviewed the client's policies now (the service then re-derives dates)."""
        self.db.execute("UPDATE clients SET last_review_at = ? WHERE agent_id = ? AND id = ?",
                        [self._stamp(), agent_id, client_id])

    def occasions_passed(self, before: date, *, batch: int = 50_000) -> list[PassedOccasion]:
        """Occasions whose date is before `before` (the services move them to next year's)."""
        rows = self.db.execute(
            "SELECT id, kind, ref_id, yearly, next_date FROM occasions WHERE next_date < ? "
            "LIMIT ?", [before.isoformat(), batch]).fetchall()
        return [PassedOccasion(row_id, Occasion(kind, ref_id, yearly),
                               date.fromisoformat(next_date))
                for row_id, kind, ref_id, yearly, next_date in rows]

    def move_occasions(self, moves: Sequence[tuple[int, date]]) -> None:
        """Set each occasion's (id) next date, in one transaction."""
        with self.db.atomic():
            self.db.conn.executemany("UPDATE occasions SET next_date = ? WHERE id = ?",
                                     [(day.isoformat(), row_id) for row_id, day in moves])

    # -- the agent's to-do items ------------------------------------------------------------
    def ensure_item(self, agent_id: int, *, kind: str, client_id: int | None, ref: str,
                    occasion_date: date) -> ReminderItem:
        """The to-do item for one occurrence, created the first time it is opened (opening it
        again finds the same item, with what the agent already did about it)."""
        key = item_key(agent_id, kind, client_id, ref, occasion_date)
        now = self._stamp()
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO reminder_items (agent_id, client_id, kind, ref, occasion_date, "
                "dedup_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(dedup_key) DO NOTHING",
                [agent_id, client_id, kind, ref, occasion_date.isoformat(), key, now, now])
        row = self.db.execute(f"SELECT {_ITEM_COLUMNS} FROM reminder_items WHERE agent_id = ? "
                              "AND dedup_key = ?", [agent_id, key]).fetchone()
        return _item(row)

    def get_item(self, agent_id: int, item_id: int) -> ReminderItem | None:
        row = self.db.execute(
            f"SELECT {_ITEM_COLUMNS} FROM reminder_items WHERE agent_id = ? AND id = ?",
            [agent_id, item_id]).fetchone()
        return _item(row) if row else None

    def update_item(self, agent_id: int, item_id: int, **changes: Any) -> ReminderItem | None:
        allowed = {"status", "snooze_until", "variant", "text_message_id"}
        if set(changes) - allowed:
            raise ValueError(sorted(set(changes) - allowed))
        values = [v.astimezone(UTC).isoformat(timespec="seconds") if isinstance(v, datetime)
                  else v for v in changes.values()]
        self.db.execute(
            f"UPDATE reminder_items SET {', '.join(f'{k} = ?' for k in changes)}, updated_at = ? "
            "WHERE agent_id = ? AND id = ?", [*values, self._stamp(), agent_id, item_id])
        return self.get_item(agent_id, item_id)

    def snoozed_due(self, now: datetime, *, limit: int = 500) -> list[ReminderItem]:
        rows = self.db.execute(
            f"SELECT {_ITEM_COLUMNS} FROM reminder_items WHERE status = 'snoozed' AND "
            "snooze_until <= ? LIMIT ?", [now.astimezone(UTC).isoformat(timespec="seconds"),
                                          limit]).fetchall()
        return [_item(row) for row in rows]

    def snoozed_since(self, agent_ids: Sequence[int], since: datetime) -> \
            list[tuple[int, str, int | None, str, date, datetime]]:
        """Items of these agents snoozed until after `since` (still asleep, or woken and sent
        again since then): (agent, kind, client id, ref, occasion day, snoozed until)."""
        rows = self.db.execute(
            "SELECT r.agent_id, r.kind, r.client_id, r.ref, r.occasion_date, r.snooze_until "
            "FROM json_each(?) a JOIN reminder_items r ON r.agent_id = a.value "
            "AND r.snooze_until > ? AND r.status IN ('snoozed', 'open')",
            [json.dumps(list(agent_ids)), since.astimezone(UTC).isoformat(timespec="seconds")],
        ).fetchall()
        return [(agent_id, kind, client_id, ref, date.fromisoformat(day),
                 datetime.fromisoformat(until)) for agent_id, kind, client_id, ref, day, until
                in rows]

    # -- one-off reminders ------------------------------------------------------------------
    def add_one_off(self, agent_id: int, *, client_id: int | None, text: str,
                    due_at: datetime) -> OneOff:
        cursor = self.db.execute(
            "INSERT INTO one_off_reminders (agent_id, client_id, text, due_at, created_at) "
            "VALUES (?, ?, ?, ?, ?)", [agent_id, client_id, text,
                                       due_at.astimezone(UTC).isoformat(timespec="seconds"),
                                       self._stamp()])
        found = self.get_one_off(agent_id, int(cursor.lastrowid or 0))
        assert found is not None
        return found

    def get_one_off(self, agent_id: int, reminder_id: int) -> OneOff | None:
        """A one-off reminder with its client's name (every reminder says who it is about)."""
        row = self.db.execute(
            f"SELECT {_ONE_OFF_COLUMNS} FROM one_off_reminders o {_ONE_OFF_CLIENT} "
            "WHERE o.agent_id = ? AND o.id = ?", [agent_id, reminder_id]).fetchone()
        return _one_off(row) if row else None

    def pending_one_offs(self, agent_id: int, *, limit: int = 30) -> list[OneOff]:
        """The reminders still to come, soonest first, with their clients' names."""
        rows = self.db.execute(
            f"SELECT {_ONE_OFF_COLUMNS} FROM one_off_reminders o {_ONE_OFF_CLIENT} "
            "WHERE o.agent_id = ? AND o.status = 'pending' ORDER BY o.due_at LIMIT ?",
            [agent_id, limit]).fetchall()
        return [_one_off(row) for row in rows]

    def reschedule_one_off(self, agent_id: int, reminder_id: int, due_at: datetime) -> bool:
        cursor = self.db.execute(
            "UPDATE one_off_reminders SET due_at = ?, status = 'pending' WHERE agent_id = ? "
            "AND id = ? AND status IN ('pending', 'queued')",
            [due_at.astimezone(UTC).isoformat(timespec="seconds"), agent_id, reminder_id])
        return cursor.rowcount == 1

    def cancel_one_off(self, agent_id: int, reminder_id: int) -> bool:
        cursor = self.db.execute(
            "UPDATE one_off_reminders SET status = 'cancelled' WHERE agent_id = ? AND id = ? "
            "AND status = 'pending'", [agent_id, reminder_id])
        return cursor.rowcount == 1

    def claim_due_one_offs(self, now: datetime, *, limit: int = 1000) -> list[OneOff]:
        """Mark due one-off reminders queued and return them (each is claimed once)."""
        rows = self._returning(
            "UPDATE one_off_reminders SET status = 'queued' WHERE id IN (SELECT id FROM "
            "one_off_reminders WHERE status = 'pending' AND due_at <= ? ORDER BY due_at LIMIT ?) "
            "RETURNING id, agent_id, client_id, text, due_at, status",
            [now.astimezone(UTC).isoformat(timespec="seconds"), limit])
        return [_one_off(row) for row in rows]


_ITEM_COLUMNS = ("id, agent_id, client_id, kind, ref, occasion_date, status, snooze_until, "
                 "variant, text_message_id")


def _item(row: tuple[Any, ...]) -> ReminderItem:
    return ReminderItem(row[0], row[1], row[2], row[3], row[4], date.fromisoformat(row[5]),
                        row[6], datetime.fromisoformat(row[7]) if row[7] else None, row[8],
                        row[9])


_ONE_OFF_COLUMNS = ("o.id, o.agent_id, o.client_id, o.text, o.due_at, o.status, "
                    "c.name")
# a deleted client's name is not shown (the reminder goes with them when they are purged)
_ONE_OFF_CLIENT = ("LEFT JOIN clients c ON c.id = o.client_id AND c.agent_id = o.agent_id "
                   "AND c.deleted_at IS NULL")


def _one_off(row: tuple[Any, ...]) -> OneOff:
    return OneOff(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]), row[5],
                  row[6] if len(row) > 6 else None)
