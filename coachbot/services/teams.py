"""Teams: membership, invites, roles, settings, the team's group, and the notices they send.

Every function takes ids the caller checked against the presser's own team (roles are checked
by the handlers with coachbot.domain.teams.can before they call here).
"""

from __future__ import annotations

from datetime import datetime

from coachbot.domain import reminders, teams
from coachbot.domain.models import Agent
from coachbot.domain.teams import NUDGE, TEAM_NOTICE, Member, Team
from coachbot.store import Store


# -- who is in which team -------------------------------------------------------------------
def team_of(store: Store, agent_id: int) -> tuple[Member | None, Team | None]:
    """The agent's membership and team, if they are in one."""
    member = store.teams.membership(agent_id)
    return member, store.teams.get_team(member.team_id) if member else None


def team_in_chat(store: Store, chat_id: int) -> Team | None:
    """The team whose group this chat is."""
    return store.teams.team_by_group(chat_id)


def team_by_invite(store: Store, code: str) -> Team | None:
    """The open team an invite code is for."""
    return store.teams.team_by_invite(code)


def is_team_member(store: Store, user_id: int) -> bool:
    """Whether this Telegram user is in any team (the invite gate lets them in)."""
    return store.teams.is_team_member(user_id)


def leader_of(store: Store, team: Team) -> Agent | None:
    """The team's leader (whose language and time zone the team's group reads)."""
    return store.agents.get_agent(team.leader_id)


def get_member(store: Store, team_id: int, agent_id: int) -> Member | None:
    """A member of this team (None for anyone outside it)."""
    return store.teams.get_member(team_id, agent_id)


def team_members(store: Store, team_id: int) -> list[Member]:
    """Everyone in the team."""
    return store.teams.members(team_id)


# -- joining, leaving, roles ----------------------------------------------------------------
def create_team(store: Store, leader_id: int, name: str) -> Team | None:
    """A new team led by the agent; None if they are in a team already."""
    return store.teams.create_team(leader_id, name[: teams.MAX_TEAM_NAME],
                                   teams.new_invite_code())


def join(store: Store, team_id: int, agent_id: int) -> bool:
    """Add the agent to the team; False if that did not happen."""
    return store.teams.add_member(team_id, agent_id)


def remove_member(store: Store, team_id: int, agent_id: int) -> bool:
    """Take someone out of the team (or let them leave)."""
    return store.teams.remove_member(team_id, agent_id)


def toggle_deputy(store: Store, team_id: int, target: Member) -> None:
    """Make a member a deputy, or a deputy a member again."""
    role = teams.MEMBER if target.role == teams.DEPUTY else teams.DEPUTY
    store.teams.set_role(team_id, target.agent_id, role)


def close_team(store: Store, team_id: int) -> bool:
    """Close the team for everyone; False if it was closed already."""
    return store.teams.close_team(team_id)


def renew_invite(store: Store, team_id: int) -> Team | None:
    """A fresh invite code: the old link stops working."""
    return store.teams.set_invite_code(team_id, teams.new_invite_code())


# -- settings and names ---------------------------------------------------------------------
def rename_team(store: Store, team_id: int, name: str) -> None:
    """The team's new name."""
    store.teams.update_team(team_id, name=name)


def set_weekly_target(store: Store, team_id: int, target: int) -> None:
    """The team's weekly target of policies (0: the sum of the members' own targets)."""
    store.teams.update_team(team_id, weekly_target=target)


def set_report_time(store: Store, team: Team, report_time: str, now: datetime) -> Team:
    """When the group's morning report goes out."""
    store.teams.update_team(team.id, report_time=report_time)
    return settle_schedule(store, store.teams.get_team(team.id) or team, now)


def set_nickname(store: Store, team_id: int, agent_id: int, nickname: str) -> Member | None:
    """The name the team's group shows for the agent (shown from now on)."""
    return store.teams.set_nickname(team_id, agent_id, nickname, show=True)


def toggle_show_nickname(store: Store, member: Member) -> Member | None:
    """Show the nickname in the group instead of the first name, or stop showing it."""
    return store.teams.set_show_nickname(member.team_id, member.agent_id,
                                         not member.show_nickname)


# -- the team's group -----------------------------------------------------------------------
def link_group(store: Store, team: Team, chat_id: int, title: str | None, now: datetime) -> \
        Team | None:
    """Make the chat the team's group; None if another team has it."""
    if not store.teams.link_group(team.id, chat_id, title):
        return None
    return settle_schedule(store, team, now)


def unlink_group(store: Store, chat_id: int) -> Team | None:
    """The bot left the group: the team it was linked to, now without a group."""
    return store.teams.unlink_group(chat_id)


def set_bot_status(store: Store, chat_id: int, status: str) -> None:
    """The bot's rights in the group changed (reports go on either way)."""
    store.teams.set_bot_status(chat_id, status)


def migrate_chat(store: Store, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: its team and what is queued for it follow."""
    store.migrate_chat(old_chat_id, new_chat_id)


def settle_schedule(store: Store, team: Team, now: datetime) -> Team:
    """A report time already past today starts tomorrow: linking at 10:00 sends nothing now."""
    leader = store.agents.get_agent(team.leader_id)
    if leader is None:
        return team
    local = reminders.local_now(now, leader.timezone)
    if reminders.daily_due(local, team.report_time, team.last_report_date) is not None:
        return store.teams.update_team(team.id,
                                       last_report_date=local.date().isoformat()) or team
    return team


# -- what goes through the outbox -----------------------------------------------------------
def notify(store: Store, chat_id: int, team: Team, event: str, about: int,
           now: datetime) -> None:
    """Tell someone privately what happened in the team (queued, paced by the sender)."""
    store.outbox.enqueue(chat_id, chat_id, TEAM_NOTICE,
                         f"team_notice:{team.id}:{event}:{about}:{chat_id}:{now.isoformat()}",
                         {"team_id": team.id, "event": event, "about": about}, due_at=now)


def notify_group_lost(store: Store, team: Team, actor: int, now: datetime) -> None:
    """Tell the leader the bot was removed from the team's group."""
    store.outbox.enqueue(team.leader_id, team.leader_id, TEAM_NOTICE,
                         f"team_notice:{team.id}:group_lost:{now.isoformat()}",
                         {"team_id": team.id, "event": "group_lost", "about": actor},
                         due_at=now)


def queue_nudge(store: Store, team: Team, sender: Agent, target_id: int, now: datetime) -> bool:
    """A leader's nudge to a quiet member, at most once a day; False if already sent today."""
    day = reminders.local_now(now, sender.timezone).date()
    return store.outbox.enqueue(target_id, target_id, NUDGE,
                                f"nudge:{team.id}:{target_id}:{day}",
                                {"team_id": team.id, "from": sender.id}, due_at=now)
