"""The sweep's part for teams: queue each group's morning report, and the weekly and monthly
charts, at the team's report time in its leader's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from coachbot.domain import reminders, stats
from coachbot.domain.teams import TEAM_CHART, TEAM_REPORT
from coachbot.services.container import Services

# A morning report this late is about a day nobody is thinking of any more: skip it. The
# weekly and monthly charts still go out (they are about a whole period, and worth reading).
REPORT_STALE_AFTER = timedelta(hours=3)


def team_reports(services: Services, now: datetime) -> int:
    """Queue the group reports that fell due; returns how many were queued. Safe to run twice."""
    store = services.store
    queued = 0
    for schedule in store.teams.teams_for_reports():
        team = schedule.team
        local = reminders.local_now(now, schedule.timezone)
        day = reminders.daily_due(local, team.report_time, team.last_report_date)
        if day is None or team.group_chat_id is None:
            continue
        at = reminders.clock_time(team.report_time)
        late = local - local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        chat, leader = team.group_chat_id, team.leader_id
        if late <= REPORT_STALE_AFTER:
            yesterday = day - timedelta(days=1)
            queued += store.outbox.enqueue(leader, chat, TEAM_REPORT,
                                           f"team_report:{team.id}:{day}",
                                           {"team_id": team.id, "day": yesterday.isoformat()},
                                           due_at=now)
        for kind in _periods_ending(day):
            first, last = stats.previous_period(kind, day)
            queued += store.outbox.enqueue(leader, chat, TEAM_CHART,
                                           f"team_{kind}:{team.id}:{first}",
                                           {"team_id": team.id, "kind": kind,
                                            "first": first.isoformat(), "last": last.isoformat()},
                                           due_at=now)
        store.teams.mark_team_report_done(team.id, day)
    return queued


def _periods_ending(day: date) -> list[str]:
    """Monday brings last week's chart; the 1st of a month brings last month's."""
    kinds = []
    if day.weekday() == 0:
        kinds.append("week")
    if day.day == 1:
        kinds.append("month")
    return kinds
