"""Sample contexts for teams, group reports, leaderboards and /stats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from coachbot.domain.plan import activity_plan
from coachbot.domain.stats import Activity, funnel
from coachbot.domain.teams import Member, Pipeline, Team
from coachbot.services.team_reports import (
    Board,
    BoardRow,
    CurrencyPanel,
    MemberLine,
    MemberStatus,
    MorningReport,
    PeriodReport,
    PersonalStats,
)
from tests.meta.samples.clients import MONEY
from tests.meta.samples.general import HOSTILE, SAMPLE_AGENT

AT = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
DAY = date(2026, 11, 22)
TEAM = Team(1, HOSTILE, 1, "AbCdEfGhIjKl", -1001234, HOSTILE, "member", "08:30", 0, None, None,
            AT)
LEADER = Member(1, 1, "leader", None, False, AT, HOSTILE, 2, "zh-Hans", False)
DEPUTY = Member(1, 2, "deputy", HOSTILE, True, AT, HOSTILE, 3, "en", False)
AGENT = Member(1, 3, "member", None, False, AT, HOSTILE, 2, "zh-Hant", True)
BUSY = Activity(visits=4, contacts=6, names=3, prospects=2, proposals=1, policies=1,
                premium=12000.0)
QUIET = Activity()
STATUS = [MemberStatus(LEADER, BUSY, BUSY + BUSY, 18, 0),
          MemberStatus(DEPUTY, BUSY, BUSY, 28, 1),
          MemberStatus(AGENT, QUIET, QUIET, 18, 5)]
LINES = [MemberLine(1, 1, HOSTILE, BUSY, 3, 4), MemberLine(2, 2, HOSTILE, QUIET, 3, 0),
         MemberLine(3, 3, HOSTILE, Activity(visits=1, policies=1), 3, 2)]
MORNING = MorningReport(HOSTILE, DAY, LINES, BUSY + Activity(visits=1, policies=1),
                        date(2026, 11, 16), date(2026, 11, 22), False, BUSY + BUSY, 3,
                        [LINES[0], LINES[2]], "HKD")
PERIOD = PeriodReport("week", HOSTILE, date(2026, 11, 16), date(2026, 11, 22), LINES * 10,
                      BUSY + BUSY, funnel(BUSY + BUSY, 3), "HKD")
BOARD = Board(HOSTILE, "week", "premium", date(2026, 11, 23), date(2026, 11, 25),
              [BoardRow(1, HOSTILE, 24000.0), BoardRow(1, "小王", 24000.0),
               BoardRow(3, HOSTILE, 0.0, (("USD", 5000.0),))], "HKD", previous=True)
DAYS = [date(2026, 10, 29) + timedelta(days=i) for i in range(28)]
STATS = PersonalStats(
    today=date(2026, 11, 25), today_activity=BUSY, week=BUSY + BUSY, month=BUSY + BUSY + BUSY,
    plan=activity_plan(2), daily_target=3, week_visit_target=18, funnel=funnel(BUSY + BUSY, 2),
    pipeline=Pipeline(40, {"D": 5, "C": 3, "B": 2, "A": 1}), streak=3, days=DAYS,
    visits_by_day=[i % 5 for i in range(28)], days_on_target=9, currency="HKD",
    money=MONEY.without_names())

SAMPLES: dict[str, dict[str, Any]] = {
    "teams/no_team": {},
    "teams/home": {"team": TEAM, "member": DEPUTY, "leader": SAMPLE_AGENT, "status": STATUS,
                   "mine": STATUS[1], "week_target": 3, "manager": True, "week": BUSY,
                   "notice": "created"},
    "teams/invite": {"team": TEAM, "link": "https://t.me/CoachSandboxBot?start=t_AbCdEfGhIjKl",
                     "notice": "renewed"},
    "teams/members": {"team": TEAM, "status": STATUS},
    "teams/member": {"team": TEAM, "status": STATUS[2], "notice": "nudged", "currency": "HKD",
                     "plan_daily": 3},
    "teams/confirm_remove": {"team": TEAM, "target": AGENT},
    "teams/removed": {"team": TEAM, "target": AGENT},
    "teams/time_menu": {"team": TEAM},
    "teams/goal_menu": {"team": TEAM, "automatic": 2},
    "teams/ask_goal": {},
    "teams/bad_goal": {"limit": 500},
    "teams/nickname": {"team": TEAM, "member": DEPUTY, "shown": HOSTILE},
    "teams/ask_nickname": {"limit": 20},
    "teams/bad_nickname": {"limit": 20},
    "teams/ask_name": {"team": TEAM, "limit": 40},
    "teams/bad_name": {"limit": 40},
    "teams/confirm_close": {"team": TEAM, "count": 12},
    "teams/closed": {"team": TEAM},
    "teams/confirm_leave": {"team": TEAM},
    "teams/left": {"team": TEAM},
    "teams/joined": {"team": TEAM, "leader": SAMPLE_AGENT, "onboarded": False},
    "teams/already_in_team": {"team": TEAM, "same": False},
    "teams/invite_invalid": {},
    "teams/link_denied": {},
    "teams/link_taken": {},
    "teams/linked": {"team": TEAM},
    "teams/not_invited": {},
    "teams/nudge": {"sender": SAMPLE_AGENT, "team": TEAM, "stats": STATS},
    "teams/notice_joined": {"team": TEAM, "about": SAMPLE_AGENT},
    "teams/notice_left": {"team": TEAM, "about": None},
    "teams/notice_removed": {"team": TEAM, "about": SAMPLE_AGENT},
    "teams/notice_closed": {"team": TEAM, "about": SAMPLE_AGENT},
    "teams/notice_group_lost": {"team": TEAM, "about": None},
    "groups/team_help": {"team": TEAM},
    "groups/link_hint": {"team": TEAM},
    "reports/morning": {"report": MORNING, "tip": "t01", "late": True},
    "reports/period": {"report": PERIOD, "shown": PERIOD.members[:12], "more": 18,
                       "proposal_rate": 50, "close_rate": 100},
    "reports/board": {"board": BOARD},
    "teams/currency": {"team": TEAM, "panel": CurrencyPanel("CNY", False, {"HKD": 0.92,
                                                                          "USD": 7.2}, "bad")},
    "reports/board_no_team": {"group": True},
    "reports/stats": {"stats": STATS, "agent": SAMPLE_AGENT, "proposal_rate": 50,
                      "close_rate": None},
}
