"""SQL for the outbox: messages the bot starts (digests, reminders, team reports), queued with a
unique key so a crash between send and record never doubles one."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from coachbot.domain.models import OutboxMessage
from coachbot.store.base import Repository, utc_stamp


class Queued(NamedTuple):
    """One message to queue (what enqueue takes)."""

    agent_id: int
    chat_id: int
    kind: str
    key: str
    payload: dict[str, Any]
    due_at: datetime
    late: bool = False


class OutboxStore(Repository):
    """Queue, claim and settle the bot's pushes."""

    def enqueue(self, agent_id: int, chat_id: int, kind: str, key: str, payload: dict[str, Any],
                *, due_at: datetime, late: bool = False) -> bool:
        """Queue one message; the unique key makes a second enqueue of it a no-op."""
        return self.enqueue_many([Queued(agent_id, chat_id, kind, key, payload, due_at,
                                         late)]) == 1

    def enqueue_many(self, messages: Sequence[Queued]) -> int:
        """Queue messages in the order given (the sweep's thousands: one statement run for
        all); returns how many were new (a key already queued is a no-op)."""
        created = self._stamp()
        stamps: dict[datetime, str] = {}  # the sweep's messages are all due at one moment
        rows = []
        for m in messages:
            stamp = stamps.get(m.due_at)
            if stamp is None:
                stamp = stamps[m.due_at] = m.due_at.astimezone(UTC).isoformat(timespec="seconds")
            rows.append((m.agent_id, m.chat_id, m.kind, m.key,
                         json.dumps(m.payload, ensure_ascii=False), stamp, int(m.late), stamp,
                         created))
        with self.db.atomic():  # executemany is not committed by sqlite-utils
            cursor = self.db.conn.executemany(
                "INSERT INTO outbox (agent_id, chat_id, kind, key, payload, due_at, late, "
                "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(key) DO NOTHING", rows)
            return max(cursor.rowcount, 0)

    def claim(self, now: datetime, *, limit: int = 100,
              claimer: str | None = None) -> list[OutboxMessage]:
        """Claim ready messages for sending (status 'sending'), oldest due first; the claim
        records when and by which sender it was made (see recover)."""
        stamp = utc_stamp(now)
        rows = self._returning(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?, "
            "claimed_by = ? WHERE id IN ("
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
            "ORDER BY due_at, id LIMIT ?) RETURNING id, agent_id, chat_id, kind, key, payload, "
            "due_at, late, attempts",
            [stamp, claimer, stamp, limit])
        return sorted((_outbox(row) for row in rows), key=lambda m: (m.due_at, m.id))

    def renew(self, message_id: int, now: datetime, claimer: str | None = None) -> bool:
        """Refresh our claim right before sending; False if it is no longer ours (it waited
        longer than the lease and was taken back: then it must not be sent by us)."""
        cursor = self.db.execute(
            "UPDATE outbox SET claimed_at = ? WHERE id = ? AND status = 'sending' "
            "AND claimed_by IS ?", [utc_stamp(now), message_id, claimer])
        return cursor.rowcount == 1

    def sent(self, message_id: int, telegram_message_id: int | None) -> None:
        self.db.execute("UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ? "
                        "WHERE id = ?", [self._stamp(), telegram_message_id, message_id])

    def retry(self, message_id: int, at: datetime, error: str) -> None:
        self.db.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?, error = ?, "
            "claimed_at = NULL, claimed_by = NULL WHERE id = ?",
            [utc_stamp(at), error[:500], message_id])

    def dead(self, message_id: int, error: str) -> None:
        self.db.execute("UPDATE outbox SET status = 'dead', error = ? WHERE id = ?",
                        [error[:500], message_id])

    def release(self, ids: list[int]) -> None:
        """Claimed but not attempted: back to the queue as they were."""
        marks = ",".join("?" * len(ids))
        self.db.execute(f"UPDATE outbox SET status = 'pending', attempts = attempts - 1, "
                        f"claimed_at = NULL, claimed_by = NULL "
                        f"WHERE status = 'sending' AND id IN ({marks})", ids)

    def recover(self, now: datetime, *, lease: timedelta, orphans: bool = False) -> int:
        """Messages caught mid-send by a sender that is gone go back to the queue.

        Only claims older than the lease: a younger one may belong to a sender that is alive
        and sending it right now (taking it back is how a second bot doubled the first one's
        digests). orphans=True takes back every claim: only for a bot starting while it holds
        the database's instance lock, when no other sender can be alive."""
        if orphans:
            cursor = self.db.execute(
                "UPDATE outbox SET status = 'pending', claimed_at = NULL, claimed_by = NULL "
                "WHERE status = 'sending'")
        else:
            cursor = self.db.execute(
                "UPDATE outbox SET status = 'pending', claimed_at = NULL, claimed_by = NULL "
                "WHERE status = 'sending' AND (claimed_at IS NULL OR claimed_at <= ?)",
                [utc_stamp(now - lease)])
        return cursor.rowcount

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: queued messages follow it to the new id."""
        self.db.execute("UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status IN "
                        "('pending', 'sending')", [new_chat_id, old_chat_id])

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        return {status: count for status, count in rows}


def _outbox(row: tuple[Any, ...]) -> OutboxMessage:
    return OutboxMessage(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]),
                         datetime.fromisoformat(row[6]), bool(row[7]), row[8])
