"""SQL for the outbox: messages the bot starts (digests, reminders, team reports), queued with a
unique key so a crash between send and record never doubles one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from coachbot.domain.models import OutboxMessage
from coachbot.store.base import Repository


class OutboxStore(Repository):
    """Queue, claim and settle the bot's pushes."""

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

    def claim(self, now: datetime, *, limit: int = 100) -> list[OutboxMessage]:
        """Claim ready messages for sending (status 'sending'), oldest due first."""
        rows = self._returning(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id IN ("
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
            "ORDER BY due_at, id LIMIT ?) RETURNING id, agent_id, chat_id, kind, key, payload, "
            "due_at, late, attempts",
            [now.astimezone(UTC).isoformat(timespec="seconds"), limit])
        return sorted((_outbox(row) for row in rows), key=lambda m: (m.due_at, m.id))

    def sent(self, message_id: int, telegram_message_id: int | None) -> None:
        self.db.execute("UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ? "
                        "WHERE id = ?", [self._stamp(), telegram_message_id, message_id])

    def retry(self, message_id: int, at: datetime, error: str) -> None:
        self.db.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?, error = ? WHERE id = ?",
            [at.astimezone(UTC).isoformat(timespec="seconds"), error[:500], message_id])

    def dead(self, message_id: int, error: str) -> None:
        self.db.execute("UPDATE outbox SET status = 'dead', error = ? WHERE id = ?",
                        [error[:500], message_id])

    def release(self, ids: list[int]) -> None:
        """Claimed but not attempted: back to the queue as they were."""
        marks = ",".join("?" * len(ids))
        self.db.execute(f"UPDATE outbox SET status = 'pending', attempts = attempts - 1 "
                        f"WHERE status = 'sending' AND id IN ({marks})", ids)

    def recover(self) -> int:
        """After a crash: messages caught mid-send go back to the queue."""
        cursor = self.db.execute(
            "UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
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
