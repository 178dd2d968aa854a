"""Outbox message kind -> what renders and sends it (the outbox sender's table)."""

from __future__ import annotations

from coachbot.domain.teams import NUDGE, TEAM_CHART, TEAM_NOTICE, TEAM_REPORT
from coachbot.push import digest, items, reminders, teams
from coachbot.push.sender import Deliver

DELIVERERS: dict[str, Deliver] = {
    "digest": digest.deliver_digest,
    "item": items.deliver_item,
    "remind": reminders.deliver_one_off,
    "eod": reminders.deliver_eod,
    TEAM_REPORT: teams.deliver_team_report,
    TEAM_CHART: teams.deliver_team_chart,
    NUDGE: teams.deliver_nudge,
    TEAM_NOTICE: teams.deliver_team_notice,
}
