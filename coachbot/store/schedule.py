"""SQL for reminders: derived due dates, the agent's to-do items, one-off reminders, outbox."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coachbot.domain import classify, reminders
from coachbot.domain.models import FamilyMember, ImportantDate, Policy
from coachbot.domain.regions import currency_for
from coachbot.store.base import StoreBase

ACTIVE_AGENT = "onboarded_at IS NOT NULL AND blocked_at IS NULL"


@dataclass(frozen=True)
class ReminderItem:
    id: int
    agent_id: int
    client_id: int | None
    kind: str
    ref: str
    occasion_date: date
    status: str
    snooze_until: datetime | None
    variant: int
    text_message_id: int | None


@dataclass(frozen=True)
class OneOff:
    id: int
    agent_id: int
    client_id: int | None
    text: str
    due_at: datetime
    status: str


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    agent_id: int
    chat_id: int
    kind: str
    key: str
    payload: dict[str, Any]
    due_at: datetime
    late: bool
    attempts: int


def item_key(agent_id: int, kind: str, client_id: int | None, ref: str, day: date) -> str:
    """The unique key of one occurrence's to-do item."""
    return f"{agent_id}:{kind}:{client_id or '-'}:{ref}:{day.isoformat()}"


class ScheduleStore(StoreBase):
    """Keeps each client's due dates derived, and hands out what falls due."""

    # -- derived dates ----------------------------------------------------------------------
    def refresh_client(self, agent_id: int, client_id: int) -> None:
        """Recompute a client's occasions, tier and due dates after anything about it changed."""
        self.refresh_clients(agent_id, [client_id])

    def refresh_clients(self, agent_id: int, client_ids: Sequence[int]) -> None:
        """refresh_client for many clients of one agent in a fixed number of statements (an
        import refreshes thousands inside its transaction)."""
        agent = self.db.execute("SELECT timezone, region FROM agents WHERE id = ?",
                                [agent_id]).fetchone()
        if agent is None or not client_ids:
            return
        ids = json.dumps(list(client_ids))
        # "+agent_id" in these statements: look rows up by client id, not by scanning the
        # agent's whole book (the planner would pick the agent index); the agent still scopes
        clients = self._client_rows(  # type: ignore[attr-defined]
            "+c.agent_id = ? AND c.id IN (SELECT value FROM json_each(?)) "
            "AND c.deleted_at IS NULL",
            [agent_id, ids], limit=len(client_ids))
        family, dates, policies = self._client_parts(agent_id, ids)
        reviewed = dict(self.db.execute(
            "SELECT id, last_review_at FROM clients WHERE +agent_id = ? "
            "AND id IN (SELECT value FROM json_each(?))", [agent_id, ids]).fetchall())
        zone, currency, now = ZoneInfo(agent[0]), currency_for(agent[1]), self.clock.now()
        today = now.astimezone(zone).date()
        catch_up = (today - timedelta(days=reminders.CATCH_UP_DAYS)).isoformat()
        upserts: list[list[Any]] = []
        keep: list[str] = []
        derived: list[list[Any]] = []
        for client in clients:
            owned = policies.get(client.id, [])
            for occasion in reminders.occasions_of(client, family.get(client.id, []),
                                                   dates.get(client.id, []), owned):
                upserts.append([agent_id, client.id, occasion.kind, occasion.ref_id,
                                occasion.yearly,
                                reminders.next_date_of(occasion, today).isoformat(), catch_up])
                keep.append(f"{client.id}:{occasion.kind}:{occasion.ref_id}")
            tier = classify.client_tier(owned, currency, self.tier_thresholds)
            created = (client.created_at or now).astimezone(zone).date()
            last_contact = client.last_contact_at.astimezone(zone).date() \
                if client.last_contact_at else None
            last_review = datetime.fromisoformat(reviewed[client.id]).astimezone(zone).date() \
                if reviewed.get(client.id) else None
            contact_due = reminders.contact_due_date(
                last_contact, created, classify.contact_every_days(client, tier))
            review_due = reminders.review_due_date(tier, last_review, owned, created)
            derived.append([tier, contact_due.isoformat() if contact_due else None,
                            review_due.isoformat() if review_due else None, agent_id, client.id])
        live = json.dumps([client.id for client in clients])
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
        for policy in self._policy_rows(  # type: ignore[attr-defined]
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
        self.db.execute("UPDATE clients SET last_review_at = ? WHERE agent_id = ? AND id = ?",
                        [self._stamp(), agent_id, client_id])
        self.refresh_client(agent_id, client_id)

    def roll_occasions_forward(self, before: date, *, batch: int = 50_000) -> int:
        """Move occasions whose date passed more than a catch-up window ago to next year's."""
        rows = self.db.execute(
            "SELECT id, kind, ref_id, yearly, next_date FROM occasions WHERE next_date < ? "
            "LIMIT ?", [before.isoformat(), batch]).fetchall()
        updates = []
        for row_id, kind, ref_id, yearly, next_date in rows:
            after = date.fromisoformat(next_date) + timedelta(days=1)
            updates.append((reminders.next_date_of(reminders.Occasion(kind, ref_id, yearly),
                                                   max(after, before)).isoformat(), row_id))
        with self.db.atomic():
            self.db.conn.executemany("UPDATE occasions SET next_date = ? WHERE id = ?", updates)
        return len(updates)

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
        row = self.db.execute(
            "SELECT id, agent_id, client_id, text, due_at, status FROM one_off_reminders "
            "WHERE agent_id = ? AND id = ?", [agent_id, reminder_id]).fetchone()
        return _one_off(row) if row else None

    def pending_one_offs(self, agent_id: int, *, limit: int = 30) -> list[OneOff]:
        rows = self.db.execute(
            "SELECT id, agent_id, client_id, text, due_at, status FROM one_off_reminders "
            "WHERE agent_id = ? AND status = 'pending' ORDER BY due_at LIMIT ?",
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

    def atomic(self) -> AbstractContextManager[Any]:
        """Several store calls as one transaction: after a crash, all of them or none."""
        return self.db.atomic()

    def claim_due_one_offs(self, now: datetime, *, limit: int = 1000) -> list[OneOff]:
        """Mark due one-off reminders queued and return them (each is claimed once)."""
        rows = self._returning(
            "UPDATE one_off_reminders SET status = 'queued' WHERE id IN (SELECT id FROM "
            "one_off_reminders WHERE status = 'pending' AND due_at <= ? ORDER BY due_at LIMIT ?) "
            "RETURNING id, agent_id, client_id, text, due_at, status",
            [now.astimezone(UTC).isoformat(timespec="seconds"), limit])
        return [_one_off(row) for row in rows]

    # -- daily pushes -----------------------------------------------------------------------
    def active_agents_for_pushes(self) -> list[tuple[Any, ...]]:
        """(id, timezone, digest_time, last_digest_date, eod_time, last_eod_date, quiet...)"""
        return self.db.execute(
            "SELECT id, timezone, digest_time, last_digest_date, eod_time, last_eod_date, "
            f"quiet_start, quiet_end FROM agents WHERE {ACTIVE_AGENT}").fetchall()

    def mark_daily_done(self, agent_id: int, kind: str, day: date) -> None:
        column = "last_digest_date" if kind == "digest" else "last_eod_date"
        self.db.execute(f"UPDATE agents SET {column} = ? WHERE id = ?",
                        [day.isoformat(), agent_id])

    # -- outbox -----------------------------------------------------------------------------
    def enqueue(self, agent_id: int, chat_id: int, kind: str, key: str, payload: dict[str, Any],
                *, due_at: datetime, late: bool = False) -> bool:
        """Queue one message; the unique key makes a second enqueue of it a no-op."""
        stamp = due_at.astimezone(UTC).isoformat(timespec="seconds")
        cursor = self.db.execute(
            "INSERT INTO outbox (agent_id, chat_id, kind, key, payload, due_at, late, "
            "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO NOTHING",
            [agent_id, chat_id, kind, key, json.dumps(payload, ensure_ascii=False), stamp,
             int(late), stamp, self._stamp()])
        return cursor.rowcount == 1

    def claim_outbox(self, now: datetime, *, limit: int = 100) -> list[OutboxMessage]:
        """Claim ready messages for sending (status 'sending'), oldest due first."""
        rows = self._returning(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id IN ("
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
            "ORDER BY due_at, id LIMIT ?) RETURNING id, agent_id, chat_id, kind, key, payload, "
            "due_at, late, attempts",
            [now.astimezone(UTC).isoformat(timespec="seconds"), limit])
        return sorted((_outbox(row) for row in rows), key=lambda m: (m.due_at, m.id))

    def outbox_sent(self, message_id: int, telegram_message_id: int | None) -> None:
        self.db.execute("UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ? "
                        "WHERE id = ?", [self._stamp(), telegram_message_id, message_id])

    def outbox_retry(self, message_id: int, at: datetime, error: str) -> None:
        self.db.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?, error = ? WHERE id = ?",
            [at.astimezone(UTC).isoformat(timespec="seconds"), error[:500], message_id])

    def outbox_dead(self, message_id: int, error: str) -> None:
        self.db.execute("UPDATE outbox SET status = 'dead', error = ? WHERE id = ?",
                        [error[:500], message_id])

    def release_outbox(self, ids: list[int]) -> None:
        """Claimed but not attempted: back to the queue as they were."""
        marks = ",".join("?" * len(ids))
        self.db.execute(f"UPDATE outbox SET status = 'pending', attempts = attempts - 1 "
                        f"WHERE status = 'sending' AND id IN ({marks})", ids)

    def recover_outbox(self) -> int:
        """After a crash: messages caught mid-send go back to the queue."""
        cursor = self.db.execute(
            "UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
        return cursor.rowcount

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: queued messages follow it to the new id."""
        self.db.execute("UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status IN "
                        "('pending', 'sending')", [new_chat_id, old_chat_id])

    def outbox_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        return {status: count for status, count in rows}


_ITEM_COLUMNS = ("id, agent_id, client_id, kind, ref, occasion_date, status, snooze_until, "
                 "variant, text_message_id")


def _item(row: tuple[Any, ...]) -> ReminderItem:
    return ReminderItem(row[0], row[1], row[2], row[3], row[4], date.fromisoformat(row[5]),
                        row[6], datetime.fromisoformat(row[7]) if row[7] else None, row[8],
                        row[9])


def _one_off(row: tuple[Any, ...]) -> OneOff:
    return OneOff(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]), row[5])


def _outbox(row: tuple[Any, ...]) -> OutboxMessage:
    return OutboxMessage(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]),
                         datetime.fromisoformat(row[6]), bool(row[7]), row[8])
