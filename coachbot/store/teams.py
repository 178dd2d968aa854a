"""SQL for teams: members and roles, the linked group, report schedule, and activity counts.

What leaves this module about a member's work is counts and totals: no query here returns a
client's name, phone or policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from coachbot.domain.teams import LEADER, ROLES, Member, ReportSchedule, Team
from coachbot.store.base import Repository, parse_stamp

EDITABLE_TEAM_FIELDS = frozenset({"name", "report_time", "weekly_target", "last_report_date",
                                  "currency"})
OPEN_TEAM = "t.closed_at IS NULL"


class TeamStore(Repository):
    """Teams, their members and their group, and when reports were queued."""

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
        """A group became a supergroup: the team's link follows it."""
        self.db.execute("UPDATE teams SET group_chat_id = ? WHERE group_chat_id = ?",
                        [new_chat_id, old_chat_id])

    # -- currency -----------------------------------------------------------------------
    def set_rate(self, team_id: int, currency: str, rate: float | None) -> None:
        """The leader's rate: `rate` team-currency units for one unit of `currency` (None
        removes it, and premiums in that currency are shown apart again)."""
        if rate is None:
            self.db.execute("DELETE FROM team_rates WHERE team_id = ? AND currency = ?",
                            [team_id, currency])
            return
        self.db.execute(
            "INSERT INTO team_rates (team_id, currency, rate, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(team_id, currency) DO UPDATE SET rate = excluded.rate, "
            "updated_at = excluded.updated_at", [team_id, currency, rate, self._stamp()])

    def rates(self, team_id: int) -> dict[str, float]:
        """The team's conversion rates by currency."""
        return {currency: float(rate) for currency, rate in self.db.execute(
            "SELECT currency, rate FROM team_rates WHERE team_id = ? ORDER BY currency",
            [team_id])}

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


_TEAM_COLUMNS = ("t.id, t.name, t.leader_id, t.invite_code, t.group_chat_id, t.group_title, "
                 "t.bot_status, t.report_time, t.weekly_target, t.last_report_date, "
                 "t.closed_at, t.created_at, t.currency")


def _team(row: Sequence[Any]) -> Team:
    return Team(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
                parse_stamp(row[10]), datetime.fromisoformat(row[11]), row[12])


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
