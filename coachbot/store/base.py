"""Shared pieces of the store: the database handle and time stamps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from coachbot.config import DEFAULT_TIER_THRESHOLDS
from coachbot.domain.clock import Clock, SystemClock


class StoreBase:
    """Holds the database and the clock every part of the store uses."""

    def __init__(
        self, db: Database, clock: Clock | None = None,
        tier_thresholds: Mapping[str, tuple[int, int]] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self.tier_thresholds = dict(tier_thresholds or DEFAULT_TIER_THRESHOLDS)

    def _returning(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        """Run a write with RETURNING and commit it: sqlite-utils only auto-commits writes that
        return no rows, so without this the implicit transaction would stay open for good."""
        with self.db.atomic():
            return self.db.execute(sql, params).fetchall()

    def refresh_client(self, agent_id: int, client_id: int) -> None:
        """Recompute what is derived from a client's records (the schedule part overrides)."""

    def refresh_clients(self, agent_id: int, client_ids: Sequence[int]) -> None:
        """refresh_client for many clients at once (the schedule part overrides)."""

    def _stamp(self) -> str:
        return self.clock.now().astimezone(UTC).isoformat(timespec="seconds")


def parse_stamp(value: str | None) -> datetime | None:
    """A stored UTC time stamp back as an aware datetime."""
    return datetime.fromisoformat(value) if value else None
