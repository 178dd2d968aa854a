"""The one periodic sweep: derive what fell due from the database and queue it in the outbox."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from coachbot.domain import reminders
from coachbot.push.team_sweep import team_reports
from coachbot.services.container import Services
from coachbot.services.schedule import roll_occasions_forward
from coachbot.store.outbox import Queued

logger = logging.getLogger(__name__)

LATE_AFTER = timedelta(hours=1)  # a digest queued this long after its time is marked late
EOD_STALE_AFTER = timedelta(hours=2)  # an end-of-day prompt this late is skipped, not sent
UNDO_WINDOW = timedelta(minutes=10)  # a deleted client can be restored this long


def sweep(services: Services) -> int:
    """Queue every push that is due now; returns how many were queued. Safe to run twice."""
    store, now = services.store, services.clock.now()
    roll_occasions_forward(store,
                           now.date() - timedelta(days=reminders.CATCH_UP_DAYS + 1))
    store.clients.purge_deleted(UNDO_WINDOW)
    messages: list[Queued] = []  # in the order they were always queued: agent by agent
    done: dict[str, list[tuple[int, date]]] = {"digest": [], "eod": []}
    with store.atomic():  # 5,000 agents' pushes in one commit, each statement run once for all
        for agent_id, zone, digest_at, last_digest, eod_at, last_eod, quiet_start, quiet_end in \
                store.agents.active_for_pushes():
            local = reminders.local_now(now, zone)
            day = reminders.daily_due(local, digest_at, last_digest)
            if day is not None:
                late = local - _at(local, digest_at) > LATE_AFTER
                since = (date.fromisoformat(last_digest) + timedelta(days=1)).isoformat() \
                    if last_digest else day.isoformat()
                messages.append(Queued(agent_id, agent_id, "digest", f"digest:{agent_id}:{day}",
                                       {"day": day.isoformat(), "since": since}, now, late))
                done["digest"].append((agent_id, day))
            day = reminders.daily_due(local, eod_at, last_eod)
            if day is not None:
                if local - _at(local, eod_at) <= EOD_STALE_AFTER and \
                        not reminders.is_quiet(local, quiet_start, quiet_end):
                    messages.append(Queued(agent_id, agent_id, "eod", f"eod:{agent_id}:{day}",
                                           {"day": day.isoformat()}, now))
                done["eod"].append((agent_id, day))
        queued = store.outbox.enqueue_many(messages)
        for kind, pairs in done.items():
            store.agents.mark_daily_done_many(kind, pairs)
    queued += _one_offs(services, now)
    queued += _snoozed(services, now)
    queued += team_reports(services, now)
    if queued:
        logger.info("sweep queued %d message(s)", queued)
    return queued


def _at(local: datetime, clock: str) -> datetime:
    moment = reminders.clock_time(clock)
    return local.replace(hour=moment.hour, minute=moment.minute, second=0, microsecond=0)


def _quiet_adjusted(services: Services, agent_id: int, now: datetime, *,
                    chosen: bool = False) -> datetime:
    agent = services.store.agents.get_agent(agent_id)
    if agent is None:
        return now
    local = reminders.local_now(now, agent.timezone)
    return reminders.push_time(local, agent.quiet_start, agent.quiet_end, chosen=chosen)


def _one_offs(services: Services, now: datetime) -> int:
    queued = 0
    # claimed and queued in one transaction: a crash in between would leave them claimed
    # ('queued') but in no outbox, never to be sent
    with services.store.atomic():
        for reminder in services.store.schedule.claim_due_one_offs(now):
            # the agent chose this time (/remind 今天 06:49 ...): it fires then, even in
            # quiet hours
            due = _quiet_adjusted(services, reminder.agent_id, now, chosen=True)
            queued += services.store.outbox.enqueue(
                reminder.agent_id, reminder.agent_id, "remind", f"remind:{reminder.id}",
                {"reminder_id": reminder.id}, due_at=due)
    return queued


def _snoozed(services: Services, now: datetime) -> int:
    queued = 0
    for item in services.store.schedule.snoozed_due(now):
        due = _quiet_adjusted(services, item.agent_id, now)
        stamp = item.snooze_until.isoformat() if item.snooze_until else now.isoformat()
        queued += services.store.outbox.enqueue(
            item.agent_id, item.agent_id, "item", f"item:{item.id}:{stamp}",
            {"item_id": item.id}, due_at=due)
        services.store.schedule.update_item(item.agent_id, item.id, status="open")
    return queued
