"""What every repository shares: the one connection, the clock for time stamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from coachbot.domain.clock import Clock


class Repository:
    """One part of the store over the shared connection (the Store composes them)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def _returning(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        """Run a write with RETURNING and commit it: sqlite-utils only auto-commits writes that
        return no rows, so without this the implicit transaction would stay open for good."""
        with self.db.atomic():
            return self.db.execute(sql, params).fetchall()

    def _stamp(self) -> str:
        return self.clock.now().astimezone(UTC).isoformat(timespec="seconds")


def parse_stamp(value: str | None) -> datetime | None:
    """A stored UTC time stamp back as an aware datetime."""
    return datetime.fromisoformat(value) if value else None


def utc_stamp(moment: datetime) -> str:
    """How times are stored: UTC, so that text order is time order (naive is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")
