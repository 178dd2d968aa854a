"""SQL for what agents did: activity facts the reports count, and the book's pipeline.

What leaves this module about a member's work is counts and totals: no query here returns a
client's name, phone or policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain.models import STAGES
from coachbot.domain.stats import VISIT_CHANNELS, Fact
from coachbot.domain.teams import Pipeline
from coachbot.store.base import Repository, parse_stamp


class ActivityStore(Repository):
    """Counts of visits, new prospects and proposals, per agent and period."""

    def activity_facts(self, agent_ids: Sequence[int], first: date, last: date, zone: ZoneInfo,
                       kinds: Iterable[str] | None = None) -> list[Fact]:
        """What these agents did from `first` to `last` (local days in `zone`): counts only."""
        if not agent_ids:
            return []
        wanted = set(kinds) if kinds is not None else None
        window = _Window.of(first, last, zone)
        facts: list[Fact] = []
        if _keep(wanted, "visit") or _keep(wanted, "contact"):
            facts += self._contact_facts(agent_ids, window, wanted)
        if _keep(wanted, "name"):
            facts += self._name_facts(agent_ids, window)
        if _keep(wanted, "prospect") or _keep(wanted, "proposal"):
            facts += self._event_facts(agent_ids, window, wanted)
        if _keep(wanted, "policy"):
            facts += self._policy_facts(agent_ids, window)
        return facts

    def _contact_facts(self, agent_ids: Sequence[int], window: _Window,
                       wanted: set[str] | None) -> list[Fact]:
        """Visits and other contacts logged in the window."""
        facts: list[Fact] = []
        for agent_id, stamp, channel in self.db.execute(
                "SELECT agent_id, at, channel FROM contacts "
                f"WHERE agent_id IN ({_marks(agent_ids)}) "
                "AND at >= ? AND at < ?", [*agent_ids, window.low, window.high]):
            kind = "visit" if channel in VISIT_CHANNELS else "contact"
            at = window.inside(stamp)
            if at is not None and _keep(wanted, kind):
                facts.append(Fact(agent_id, kind, at=at))
        return facts

    def _name_facts(self, agent_ids: Sequence[int], window: _Window) -> list[Fact]:
        """New names: clients created in the window and not deleted."""
        facts: list[Fact] = []
        for agent_id, stamp in self.db.execute(
                f"SELECT agent_id, created_at FROM clients WHERE agent_id IN ({_marks(agent_ids)}) "
                "AND created_at >= ? AND created_at < ? AND deleted_at IS NULL",
                [*agent_ids, window.low, window.high]):
            at = window.inside(stamp)
            if at is not None:
                facts.append(Fact(agent_id, "name", at=at))
        return facts

    def _event_facts(self, agent_ids: Sequence[int], window: _Window,
                     wanted: set[str] | None) -> list[Fact]:
        """New prospects and proposals recorded in the window."""
        facts: list[Fact] = []
        for agent_id, event, stamp in self.db.execute(
                "SELECT agent_id, kind, at FROM activity_events "
                f"WHERE agent_id IN ({_marks(agent_ids)}) "
                "AND at >= ? AND at < ?", [*agent_ids, window.low, window.high]):
            kind = "prospect" if event == "new_prospect" else "proposal"
            at = window.inside(stamp)
            if at is not None and _keep(wanted, kind):
                facts.append(Fact(agent_id, kind, at=at))
        return facts

    def _policy_facts(self, agent_ids: Sequence[int], window: _Window) -> list[Fact]:
        """Policies sold in the window, with their annual premium."""
        facts: list[Fact] = []
        # sold on its start date (起保日期), or the day it was recorded if it has none
        for agent_id, start_date, stamp, premium, currency in self.db.execute(
                "SELECT p.agent_id, p.start_date, p.created_at, p.annual_premium, p.currency "
                "FROM policies p JOIN clients c ON c.id = p.client_id "
                f"WHERE p.agent_id IN ({_marks(agent_ids)}) AND c.deleted_at IS NULL AND "
                "((p.start_date BETWEEN ? AND ?) OR (p.start_date IS NULL AND "
                "p.created_at >= ? AND p.created_at < ?))",
                [*agent_ids, window.first.isoformat(), window.last.isoformat(),
                 window.low, window.high]):
            amount = float(premium or 0)
            if start_date:
                facts.append(Fact(agent_id, "policy", day=date.fromisoformat(start_date),
                                  amount=amount, currency=currency))
            elif (at := window.inside(stamp)) is not None:
                facts.append(Fact(agent_id, "policy", at=at, amount=amount,
                                  currency=currency))
        return facts

    def last_logged(self, agent_ids: Sequence[int]) -> dict[int, datetime | None]:
        """When each agent last recorded anything in the bot (a contact, client, stage, policy)."""
        if not agent_ids:
            return {}
        marks = ",".join("?" * len(agent_ids))
        parts = [f"SELECT agent_id, MAX({column}) AS at FROM {table} WHERE agent_id IN ({marks}) "
                 "GROUP BY agent_id" for table, column in
                 (("contacts", "created_at"), ("clients", "created_at"),
                  ("activity_events", "at"), ("policies", "created_at"))]
        rows = self.db.execute(
            f"SELECT agent_id, MAX(at) FROM ({' UNION ALL '.join(parts)}) GROUP BY agent_id",
            list(agent_ids) * len(parts)).fetchall()
        found = {agent_id: parse_stamp(at) for agent_id, at in rows}
        return {agent_id: found.get(agent_id) for agent_id in agent_ids}

    def pipeline(self, agent_id: int) -> Pipeline:
        """Names in the book and prospects by stage, right now (person clients only)."""
        rows = self.db.execute(
            "SELECT stage, COUNT(*) FROM clients WHERE agent_id = ? AND deleted_at IS NULL AND "
            "archived_at IS NULL AND kind = 'person' GROUP BY stage", [agent_id]).fetchall()
        stages = {stage: count for stage, count in rows if stage in STAGES}
        return Pipeline(sum(count for _, count in rows), stages)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class _Window:
    """Local days `first`..`last` as moments [start, end), and the wider UTC text range
    [low, high) the queries scan."""

    first: date
    last: date
    start: datetime
    end: datetime
    low: str
    high: str

    @classmethod
    def of(cls, first: date, last: date, zone: ZoneInfo) -> _Window:
        """The window of local days `first` to `last` in `zone`."""
        start = datetime.combine(first, time(0), zone)
        end = datetime.combine(last + timedelta(days=1), time(0), zone)
        # stored moments are UTC text; the range is widened by a day either side (cheap) and
        # what falls in the agents' local days is kept exactly
        return cls(first, last, start, end, _utc(start - timedelta(days=1)),
                   _utc(end + timedelta(days=1)))

    def inside(self, stamp: str) -> datetime | None:
        """The stored moment, if it falls in the local days; None otherwise."""
        at = datetime.fromisoformat(stamp)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return at if self.start <= at < self.end else None


def _keep(wanted: set[str] | None, kind: str) -> bool:
    """Whether facts of `kind` were asked for (all are when `wanted` is None)."""
    return wanted is None or kind in wanted


def _marks(agent_ids: Sequence[int]) -> str:
    """SQL placeholders for the agent ids."""
    return ",".join("?" * len(agent_ids))
