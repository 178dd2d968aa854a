"""Teams: roles and what each may do, invite codes and links, how members are named in groups."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

LEADER, DEPUTY, MEMBER = "leader", "deputy", "member"
ROLES = (LEADER, DEPUTY, MEMBER)
INVITE_PREFIX = "t_"  # /start t_<code>: the deep link of a team invite
INVITE_BYTES = 9  # 12 url-safe characters, 72 bits: not guessable
MAX_NICKNAME = 20
MAX_TEAM_NAME = 40
REPORT_TIMES = ("07:30", "08:00", "08:30", "09:00", "09:30", "10:00")
WEEKLY_TARGETS = (3, 5, 8, 10, 15, 20, 30, 50)
MAX_WEEKLY_TARGET = 500
# what a team queues in the outbox (the message kinds push/ renders)
TEAM_REPORT, TEAM_CHART, NUDGE, TEAM_NOTICE = "team_report", "team_chart", "nudge", "team_notice"

# what each role may do; the leader may do everything
PERMISSIONS: dict[str, frozenset[str]] = {
    LEADER: frozenset({
        "view_members", "nudge", "show_invite", "regenerate_invite", "remove_member",
        "manage_deputies", "close_team", "link_group", "settings", "rename",
    }),
    DEPUTY: frozenset({"view_members", "nudge", "show_invite", "remove_member", "link_group"}),
    MEMBER: frozenset(),
}
_INVITE = re.compile(r"^[A-Za-z0-9_-]{8,40}$")


def can(role: str | None, action: str) -> bool:
    """Whether someone with this role may do this."""
    return role is not None and action in PERMISSIONS.get(role, frozenset())


def can_remove(actor_role: str | None, target_role: str) -> bool:
    """Leaders remove anyone but themselves; deputies remove ordinary members only."""
    if not can(actor_role, "remove_member") or target_role == LEADER:
        return False
    return actor_role == LEADER or target_role == MEMBER


def can_leave(role: str) -> bool:
    """Members and deputies may leave; a leader closes the team instead."""
    return role != LEADER


def new_invite_code() -> str:
    """A fresh, unguessable invite code (fits Telegram's 64-character start parameter)."""
    return secrets.token_urlsafe(INVITE_BYTES)


def invite_code_from_start(argument: str) -> str | None:
    """The invite code in a /start argument ("t_<code>"), or None if it is not a team invite."""
    if not argument.startswith(INVITE_PREFIX):
        return None
    code = argument[len(INVITE_PREFIX):]
    return code if _INVITE.match(code) else None


def invite_link(bot_username: str, code: str) -> str:
    """The deep link agents open to join: t.me/<bot>?start=t_<code>."""
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{code}"


def clean_nickname(typed: str) -> str | None:
    """A nickname as typed, trimmed; None if empty, too long, or a command."""
    text = " ".join(unicodedata.normalize("NFC", typed).split())
    if not text or text.startswith("/") or len(text) > MAX_NICKNAME:
        return None
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        return None
    return text


def clean_team_name(typed: str) -> str | None:
    """A team name as typed, trimmed; None if empty or too long."""
    text = " ".join(unicodedata.normalize("NFC", typed).split())
    if not text or text.startswith("/") or len(text) > MAX_TEAM_NAME:
        return None
    return text


def parse_weekly_target(typed: str) -> int | None:
    """A weekly team target typed as a number ("12", "１２", "12件")."""
    text = typed.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    match = re.match(r"^(\d{1,3})\s*(件|单|單|张|張|份|policies)?$", text, re.IGNORECASE)
    if match is None:
        return None
    value = int(match.group(1))
    return value if 1 <= value <= MAX_WEEKLY_TARGET else None


def display_name(first_name: str, nickname: str | None, show_nickname: bool) -> str:
    """How a member appears in the group: the nickname when they chose it, else the first name."""
    if show_nickname and nickname:
        return nickname
    return first_name or "—"


PROPOSAL_STAGES = frozenset({"B", "A"})  # prospect stages that count as a proposal made


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
    currency: str | None = None  # what premiums are counted in; None: the leader's region's


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
