"""The only package that touches SQL. Every method about an agent's data takes the agent id.

The Store composes one small repository per part of the data, all over one connection:
store.agents, store.dialogs, store.clients, store.schedule, store.outbox, store.teams,
store.activity, store.coaching, store.facts, store.proposals, store.due, store.service,
store.transfer, store.model_calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from coachbot.domain.clock import Clock, SystemClock
from coachbot.domain.tiers import DEFAULT_TIER_THRESHOLDS
from coachbot.store.activity import ActivityStore
from coachbot.store.agents import AgentStore
from coachbot.store.clients import ClientStore
from coachbot.store.coaching import CoachingStore
from coachbot.store.database import open_database, schema_version
from coachbot.store.dialogs import DialogStore
from coachbot.store.due import DueStore
from coachbot.store.facts import FactStore
from coachbot.store.model_calls import ModelCallStore
from coachbot.store.outbox import OutboxStore
from coachbot.store.proposals import ProposalStore
from coachbot.store.schedule import ScheduleStore
from coachbot.store.service import ServiceStore
from coachbot.store.teams import TeamStore
from coachbot.store.transfer import TransferStore

__all__ = ["Store", "open_database", "schema_version"]


class Store:
    """All of the bot's persistent data, one SQLite file, one repository per part."""

    def __init__(
        self, db: Database, clock: Clock | None = None,
        tier_thresholds: Mapping[str, tuple[int, int]] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        # the deployment's tier bands: the services read them when they derive a client's tier
        self.tier_thresholds = dict(tier_thresholds or DEFAULT_TIER_THRESHOLDS)
        self.agents = AgentStore(db, self.clock)
        self.dialogs = DialogStore(db, self.clock)
        self.clients = ClientStore(db, self.clock)
        self.schedule = ScheduleStore(db, self.clock, self.clients)
        self.outbox = OutboxStore(db, self.clock)
        self.teams = TeamStore(db, self.clock)
        self.activity = ActivityStore(db, self.clock)
        self.coaching = CoachingStore(db, self.clock)
        self.facts = FactStore(db, self.clock)
        self.proposals = ProposalStore(db, self.clock)
        self.due = DueStore(db, self.clock)
        self.service = ServiceStore(db, self.clock)
        self.model_calls = ModelCallStore(db, self.clock)
        self.transfer = TransferStore(db, self.clock, self.clients)

    @classmethod
    def open(
        cls, path: Path | str, clock: Clock | None = None,
        tier_thresholds: Mapping[str, tuple[int, int]] | None = None,
    ) -> Store:
        return cls(open_database(path), clock, tier_thresholds)

    def atomic(self) -> AbstractContextManager[Any]:
        """Several store calls as one transaction: after a crash, all of them or none."""
        return self.db.atomic()

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: queued messages and the team's link follow it."""
        with self.atomic():
            self.outbox.migrate_chat(old_chat_id, new_chat_id)
            self.teams.migrate_chat(old_chat_id, new_chat_id)

    def close(self) -> None:
        self.db.conn.close()
