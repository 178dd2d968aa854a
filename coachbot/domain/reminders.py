"""Reminder rules: which dates recur, when reviews and contacts fall due, quiet hours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain.calendar import YearlyDate, next_occurrence
from coachbot.domain.classify import LIVE_POLICY_STATUSES
from coachbot.domain.models import Client, FamilyMember, ImportantDate, Policy

REVIEW_MONTHS = {"regular": 12, "vip": 6, "hnw": 3}  # periodic policy review, by tier
PREMIUM_NOTICE_DAYS = (30, 7, 1)  # premium-due reminders this many days ahead
COOLING_OFF_DAYS = 10  # 犹豫期 after the client receives the policy
CALLBACK_AFTER_DAYS = 2  # call the client this soon after delivery, well inside cooling-off
CATCH_UP_DAYS = 7  # a digest missed while the bot was down still shows a week back
LATER_TODAY = timedelta(hours=3)


@dataclass(frozen=True)
class Occasion:
    """A yearly date worth a greeting: what it is, which record, and when it recurs."""

    kind: str  # birthday | family_birthday | wedding | custom | policy_anniversary
    ref_id: int
    yearly: str  # YearlyDate storage form


def occasions_of(client: Client, family: Sequence[FamilyMember], dates: Sequence[ImportantDate],
                 policies: Sequence[Policy]) -> list[Occasion]:
    """Every yearly date of a client: own and family birthdays, anniversaries, policy dates."""
    found: list[Occasion] = []
    if client.birthday:
        found.append(Occasion("birthday", 0, client.birthday))
    found += [Occasion("family_birthday", m.id, m.birthday) for m in family if m.birthday]
    found += [Occasion(d.kind, d.id, d.date) for d in dates]
    for policy in policies:
        if policy.start_date and policy.status in LIVE_POLICY_STATUSES:
            yearly = YearlyDate(policy.start_date.month, policy.start_date.day,
                                year=policy.start_date.year)
            found.append(Occasion("policy_anniversary", policy.id, yearly.to_storage()))
    return found


def next_date_of(occasion: Occasion, today: date) -> date:
    """The next time an occasion falls, today included."""
    return next_occurrence(YearlyDate.from_storage(occasion.yearly), today)


def contact_due_date(last_contact: date | None, created: date, every_days: int | None) -> \
        date | None:
    """When the client should next hear from the agent (stay in touch)."""
    if not every_days:
        return None
    return (last_contact or created) + timedelta(days=every_days)


def review_due_date(tier: str | None, last_review: date | None,
                    policies: Sequence[Policy], created: date) -> date | None:
    """Periodic policy review: every 12/6/3 months for regular/VIP/HNW clients."""
    if tier is None:
        return None
    starts = [p.start_date for p in policies if p.start_date]
    since = last_review or (min(starts) if starts else created)
    return add_months(since, REVIEW_MONTHS[tier])


def add_months(day: date, months: int) -> date:
    """The same day `months` later (clamped to the month's end)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def local_now(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def clock_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def is_quiet(local: datetime, quiet_start: str, quiet_end: str) -> bool:
    """Whether a local moment falls in the agent's quiet hours (which may span midnight)."""
    start, end, moment = clock_time(quiet_start), clock_time(quiet_end), local.time()
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def after_quiet_hours(local: datetime, quiet_start: str, quiet_end: str) -> datetime:
    """The moment a push falling at `local` may go out: now, or when quiet hours end."""
    if not is_quiet(local, quiet_start, quiet_end):
        return local
    end = clock_time(quiet_end)
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


def daily_due(local: datetime, at: str, last_done: str | None) -> date | None:
    """The local date whose daily push (digest or end-of-day) is due now, if any."""
    today = local.date()
    if last_done is not None and last_done >= today.isoformat():
        return None
    if local.time() < clock_time(at):
        return None
    return today


def premium_notice_days(due: date, today: date) -> int | None:
    """If a premium falling due on `due` deserves a reminder today, how many days ahead."""
    days = (due - today).days
    return days if days in PREMIUM_NOTICE_DAYS else None


def pushes_already_past(local: datetime, digest_time: str, eod_time: str) -> list[str]:
    """Daily pushes whose time today has passed: a new agent gets them from tomorrow."""
    moment = local.time()
    return [kind for kind, at in (("digest", digest_time), ("eod", eod_time))
            if moment >= clock_time(at)]
