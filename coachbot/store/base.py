"""Shared pieces of the store: the database handle and time stamps."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlite_utils import Database

from coachbot.clock import Clock, SystemClock


class StoreBase:
    """Holds the database and the clock every part of the store uses."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()

    def _stamp(self) -> str:
        return self.clock.now().astimezone(UTC).isoformat(timespec="seconds")


def parse_stamp(value: str | None) -> datetime | None:
    """A stored UTC time stamp back as an aware datetime."""
    return datetime.fromisoformat(value) if value else None
