"""The only package that touches SQL. Every method about an agent's data takes the agent id."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from coachbot.domain.clock import Clock
from coachbot.store.agents import Agent, AgentStore
from coachbot.store.clients import ClientStore
from coachbot.store.coaching import CoachingStore
from coachbot.store.database import open_database, schema_version
from coachbot.store.dialogs import Dialog, DialogStore
from coachbot.store.due import DueStore
from coachbot.store.schedule import ScheduleStore
from coachbot.store.teams import TeamStore
from coachbot.store.transfer import TransferStore

__all__ = ["Agent", "Dialog", "Store", "open_database", "schema_version"]


# ScheduleStore comes first: its refresh_client overrides StoreBase's no-op; TeamStore before
# it, so that migrate_chat also moves a team's group
class Store(TeamStore, ScheduleStore, AgentStore, DialogStore, ClientStore, TransferStore,
            CoachingStore, DueStore):
    """All of the bot's persistent data, one SQLite file."""

    @classmethod
    def open(
        cls, path: Path | str, clock: Clock | None = None,
        tier_thresholds: Mapping[str, tuple[int, int]] | None = None,
    ) -> Store:
        return cls(open_database(path), clock, tier_thresholds)

    def close(self) -> None:
        self.db.conn.close()
