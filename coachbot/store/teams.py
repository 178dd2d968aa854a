"""SQL for teams: members and roles, the linked group, report schedule, and activity counts.

What leaves this module about a member's work is counts and totals: no query here returns a
client's name, phone or policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coachbot.domain.models import STAGES
from coachbot.domain.stats import VISIT_CHANNELS, Fact
from coachbot.domain.teams import LEADER, ROLES
from coachbot.store.base import parse_stamp
from coachbot.store.schedule import ScheduleStore

PROPOSAL_STAGES = frozenset({"B", "A"})
EDITABLE_TEAM_FIELDS = frozenset({"name", "report_time", "weekly_target", "last_report_date"})
OPEN_TEAM = "t.closed_at IS NULL"


@dataclass(frozen=True)
class Team:
    """A team led by a supervisor (主管)."""

    id: int
    name: str
    leader_id: int
    invite_code: str
    group_chat_id: int | None
    group_title: str | None
    bot_status: str | None
    report_time: str
    weekly_target: int
    last_report_date: str | None
    closed_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Member:
    """A member of a team with what the team may know of them (never their clients)."""

    team_id: int
    agent_id: int
    role: str
    nickname: str | None
    show_nickname: bool
    joined_at: datetime
    first_name: str
    monthly_target: int
    locale: str
    blocked: bool


@dataclass(frozen=True)
class ReportSchedule:
    """What the sweep needs to know about one team's group reports."""

    team: Team
    timezone: str


@dataclass(frozen=True)
class Pipeline:
    """An agent's book right now: names, and prospects by stage."""

    names: int
    stages: dict[str, int]

    @property
    def prospects(self) -> int:
        """Clients at any prospect stage (D to A)."""
        return sum(self.stages.values())

    @property
    def proposals(self) -> int:
        """Prospects at the proposal or closing stage (B, A)."""
        return sum(self.stages.get(s, 0) for s in PROPOSAL_STAGES)


# Comes before ScheduleStore in Store's bases: its migrate_chat extends the outbox's.
class TeamStore(ScheduleStore):
    """Teams, their members and group, and the activity facts their reports count."""

    # -- teams --------------------------------------------------------------------------
    def create_team(self, leader_id: int, name: str, invite_code: str) -> Team | None:
        """A new team led by this agent; None if the agent is already in a team."""
        if self.membership(leader_id) is not None:
            return None
        now = self._stamp()
        with self.db.atomic():
            cursor = self.db.execute(
                "INSERT INTO teams (name, leader_id, invite_code, created_at) VALUES (?, ?, ?, ?)",
                [name, leader_id, invite_code, now])
            team_id = int(cursor.lastrowid or 0)
            self.db.execute(
                "INSERT INTO team_members (team_id, agent_id, role, joined_at) VALUES (?, ?, ?, ?)",
                [team_id, leader_id, LEADER, now])
        return self.get_team(team_id)

    def get_team(self, team_id: int) -> Team | None:
        """A team by id, open or closed."""
        row = self.db.execute(f"SELECT {_TEAM_COLUMNS} FROM teams t WHERE t.id = ?",
                              [team_id]).fetchone()
        return _team(row) if row else None

    def team_by_invite(self, code: str) -> Team | None:
        """The open team this invite code belongs to."""
        row = self.db.execute(
            f"SELECT {_TEAM_COLUMNS} FROM teams t WHERE t.invite_code = ? AND {OPEN_TEAM}",
            [code]).fetchone()
        return _team(row) if row else None

    def team_by_group(self, chat_id: int) -> Team | None:
        """The open team whose group this chat is."""
        row = self.db.execute(
            f"SELECT {_TEAM_COLUMNS} FROM teams t WHERE t.group_chat_id = ? AND {OPEN_TEAM}",
            [chat_id]).fetchone()
        return _team(row) if row else None

    def update_team(self, team_id: int, **changes: Any) -> Team | None:
        """Change an open team's name, report time, weekly target or report date."""
        unknown = set(changes) - EDITABLE_TEAM_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        if changes:
            assignments = ", ".join(f"{name} = ?" for name in changes)
            self.db.execute(f"UPDATE teams SET {assignments} WHERE id = ? AND closed_at IS NULL",
                            [*changes.values(), team_id])
        return self.get_team(team_id)

    def set_invite_code(self, team_id: int, code: str) -> Team | None:
        """A new invite code: the old link stops working."""
        self.db.execute("UPDATE teams SET invite_code = ? WHERE id = ? AND closed_at IS NULL",
                        [code, team_id])
        return self.get_team(team_id)

    def close_team(self, team_id: int) -> bool:
        """Close a team: members are free to join another, the group is unlinked."""
        with self.db.atomic():
            cursor = self.db.execute(
                "UPDATE teams SET closed_at = ?, group_chat_id = NULL, bot_status = NULL "
                "WHERE id = ? AND closed_at IS NULL", [self._stamp(), team_id])
            if cursor.rowcount != 1:
                return False
            self.db.execute("DELETE FROM team_members WHERE team_id = ?", [team_id])
        return True

    # -- members ------------------------------------------------------------------------
    def membership(self, agent_id: int) -> Member | None:
        """The agent's place in their (open) team, if they have one."""
        rows = self._members("m.agent_id = ?", [agent_id])
        return rows[0] if rows else None

    def is_team_member(self, agent_id: int) -> bool:
        """Whether the agent belongs to an open team (the invite gate asks)."""
        return self.membership(agent_id) is not None

    def members(self, team_id: int) -> list[Member]:
        """Everyone in the team: leader first, then deputies, then members by joining order."""
        return self._members("m.team_id = ?", [team_id])

    def get_member(self, team_id: int, agent_id: int) -> Member | None:
        """One member of this team, or None if they are not in it."""
        rows = self._members("m.team_id = ? AND m.agent_id = ?", [team_id, agent_id])
        return rows[0] if rows else None

    def add_member(self, team_id: int, agent_id: int) -> bool:
        """Join a team; False if the agent is already in one (this or another)."""
        cursor = self.db.execute(
            "INSERT INTO team_members (team_id, agent_id, role, joined_at) "
            "SELECT ?, ?, 'member', ? WHERE EXISTS (SELECT 1 FROM teams WHERE id = ? AND "
            "closed_at IS NULL) ON CONFLICT DO NOTHING",
            [team_id, agent_id, self._stamp(), team_id])
        return cursor.rowcount == 1

    def remove_member(self, team_id: int, agent_id: int) -> bool:
        """Take someone out of the team (never the leader)."""
        cursor = self.db.execute(
            "DELETE FROM team_members WHERE team_id = ? AND agent_id = ? AND role != ?",
            [team_id, agent_id, LEADER])
        return cursor.rowcount == 1

    def set_role(self, team_id: int, agent_id: int, role: str) -> bool:
        """Make a member a deputy or back (the leader's role does not change here)."""
        if role not in ROLES or role == LEADER:
            raise ValueError(role)
        cursor = self.db.execute(
            "UPDATE team_members SET role = ? WHERE team_id = ? AND agent_id = ? AND role != ?",
            [role, team_id, agent_id, LEADER])
        return cursor.rowcount == 1

    def set_nickname(self, team_id: int, agent_id: int, nickname: str | None, *,
                     show: bool | None = None) -> Member | None:
        """The name the group sees, and whether to use it instead of the first name."""
        self.db.execute(
            "UPDATE team_members SET nickname = ?, show_nickname = COALESCE(?, show_nickname) "
            "WHERE team_id = ? AND agent_id = ?",
            [nickname, None if show is None else int(show), team_id, agent_id])
        return self.get_member(team_id, agent_id)

    def set_show_nickname(self, team_id: int, agent_id: int, show: bool) -> Member | None:
        """Whether the group sees the member's nickname instead of their name."""
        self.db.execute(
            "UPDATE team_members SET show_nickname = ? WHERE team_id = ? AND agent_id = ?",
            [int(show), team_id, agent_id])
        return self.get_member(team_id, agent_id)

    def _members(self, where: str, params: list[Any]) -> list[Member]:
        rows = self.db.execute(
            "SELECT m.team_id, m.agent_id, m.role, m.nickname, m.show_nickname, m.joined_at, "
            "a.first_name, a.monthly_target, a.locale, a.blocked_at FROM team_members m "
            "JOIN teams t ON t.id = m.team_id JOIN agents a ON a.id = m.agent_id "
            f"WHERE {where} AND {OPEN_TEAM} ORDER BY CASE m.role WHEN 'leader' THEN 0 "
            "WHEN 'deputy' THEN 1 ELSE 2 END, m.joined_at, m.agent_id", params).fetchall()
        return [Member(r[0], r[1], r[2], r[3], bool(r[4]), datetime.fromisoformat(r[5]), r[6],
                       r[7], r[8], r[9] is not None) for r in rows]

    # -- the group ----------------------------------------------------------------------
    def link_group(self, team_id: int, chat_id: int, title: str | None,
                   bot_status: str | None = None) -> bool:
        """Make this chat the team's group; False if another open team has it."""
        other = self.team_by_group(chat_id)
        if other is not None and other.id != team_id:
            return False
        self.db.execute(
            "UPDATE teams SET group_chat_id = ?, group_title = ?, "
            "bot_status = COALESCE(?, bot_status) WHERE id = ? AND closed_at IS NULL",
            [chat_id, title, bot_status, team_id])
        return True

    def unlink_group(self, chat_id: int) -> Team | None:
        """The bot left or was removed: the team keeps going without its group."""
        team = self.team_by_group(chat_id)
        if team is not None:
            self.db.execute("UPDATE teams SET group_chat_id = NULL, bot_status = NULL "
                            "WHERE id = ?", [team.id])
        return team

    def set_bot_status(self, chat_id: int, status: str) -> None:
        """Remember whether the bot is an admin of a team's group (it works either way)."""
        self.db.execute("UPDATE teams SET bot_status = ? WHERE group_chat_id = ?",
                        [status, chat_id])

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: queued messages and the team's link follow it."""
        super().migrate_chat(old_chat_id, new_chat_id)
        self.db.execute("UPDATE teams SET group_chat_id = ? WHERE group_chat_id = ?",
                        [new_chat_id, old_chat_id])

    # -- reports ------------------------------------------------------------------------
    def teams_for_reports(self) -> list[ReportSchedule]:
        """Open teams with a group, with the leader's time zone their reports follow."""
        rows = self.db.execute(
            f"SELECT {_TEAM_COLUMNS}, a.timezone FROM teams t JOIN agents a ON a.id = t.leader_id "
            f"WHERE {OPEN_TEAM} AND t.group_chat_id IS NOT NULL").fetchall()
        return [ReportSchedule(_team(row[:-1]), row[-1]) for row in rows]

    def mark_team_report_done(self, team_id: int, day: date) -> None:
        """The team's reports for this local day are queued."""
        self.db.execute("UPDATE teams SET last_report_date = ? WHERE id = ?",
                        [day.isoformat(), team_id])

    # -- activity -----------------------------------------------------------------------
    def note_stage_change(self, agent_id: int, client_id: int,
                          values: Mapping[str, Any]) -> None:
        """Before a client's stage changes: record when they became a prospect or a proposal."""
        new = values.get("stage")
        if "stage" not in values or new not in STAGES:
            return
        row = self.db.execute(
            "SELECT stage FROM clients WHERE agent_id = ? AND id = ? AND deleted_at IS NULL",
            [agent_id, client_id]).fetchone()
        if row is None:
            return
        old = row[0]
        kinds = []
        if old is None:
            kinds.append("new_prospect")
        if new in PROPOSAL_STAGES and old not in PROPOSAL_STAGES:
            kinds.append("proposal")
        for kind in kinds:  # once per client: moving back and forth is not new work
            self.db.execute(
                "INSERT INTO activity_events (agent_id, kind, client_id, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(agent_id, kind, client_id) DO NOTHING",
                [agent_id, kind, client_id, self._stamp()])

    def activity_facts(self, agent_ids: Sequence[int], first: date, last: date, zone: ZoneInfo,
                       kinds: Iterable[str] | None = None) -> list[Fact]:
        """What these agents did from `first` to `last` (local days in `zone`): counts only."""
        if not agent_ids:
            return []
        wanted = set(kinds) if kinds is not None else None
        start = datetime.combine(first, time(0), zone)
        end = datetime.combine(last + timedelta(days=1), time(0), zone)
        # stored moments are UTC text; the range is widened by a day either side (cheap) and
        # what falls in the agents' local days is kept exactly
        low = _utc(start - timedelta(days=1))
        high = _utc(end + timedelta(days=1))
        marks = ",".join("?" * len(agent_ids))
        facts: list[Fact] = []

        def keep(kind: str) -> bool:
            return wanted is None or kind in wanted

        def inside(stamp: str) -> datetime | None:
            at = datetime.fromisoformat(stamp)
            if at.tzinfo is None:
                at = at.replace(tzinfo=UTC)
            return at if start <= at < end else None

        if keep("visit") or keep("contact"):
            for agent_id, stamp, channel in self.db.execute(
                    f"SELECT agent_id, at, channel FROM contacts WHERE agent_id IN ({marks}) "
                    "AND at >= ? AND at < ?", [*agent_ids, low, high]):
                kind = "visit" if channel in VISIT_CHANNELS else "contact"
                at = inside(stamp)
                if at is not None and keep(kind):
                    facts.append(Fact(agent_id, kind, at=at))
        if keep("name"):
            for agent_id, stamp in self.db.execute(
                    f"SELECT agent_id, created_at FROM clients WHERE agent_id IN ({marks}) "
                    "AND created_at >= ? AND created_at < ? AND deleted_at IS NULL",
                    [*agent_ids, low, high]):
                at = inside(stamp)
                if at is not None:
                    facts.append(Fact(agent_id, "name", at=at))
        if keep("prospect") or keep("proposal"):
            for agent_id, event, stamp in self.db.execute(
                    f"SELECT agent_id, kind, at FROM activity_events WHERE agent_id IN ({marks}) "
                    "AND at >= ? AND at < ?", [*agent_ids, low, high]):
                kind = "prospect" if event == "new_prospect" else "proposal"
                at = inside(stamp)
                if at is not None and keep(kind):
                    facts.append(Fact(agent_id, kind, at=at))
        if keep("policy"):
            # sold on its start date (起保日期), or the day it was recorded if it has none
            for agent_id, start_date, stamp, premium, currency in self.db.execute(
                    "SELECT p.agent_id, p.start_date, p.created_at, p.annual_premium, p.currency "
                    "FROM policies p JOIN clients c ON c.id = p.client_id "
                    f"WHERE p.agent_id IN ({marks}) AND c.deleted_at IS NULL AND "
                    "((p.start_date BETWEEN ? AND ?) OR (p.start_date IS NULL AND "
                    "p.created_at >= ? AND p.created_at < ?))",
                    [*agent_ids, first.isoformat(), last.isoformat(), low, high]):
                amount = float(premium or 0)
                if start_date:
                    facts.append(Fact(agent_id, "policy", day=date.fromisoformat(start_date),
                                      amount=amount, currency=currency))
                elif (at := inside(stamp)) is not None:
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


_TEAM_COLUMNS = ("t.id, t.name, t.leader_id, t.invite_code, t.group_chat_id, t.group_title, "
                 "t.bot_status, t.report_time, t.weekly_target, t.last_report_date, "
                 "t.closed_at, t.created_at")


def _team(row: Sequence[Any]) -> Team:
    return Team(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
                parse_stamp(row[10]), datetime.fromisoformat(row[11]))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
