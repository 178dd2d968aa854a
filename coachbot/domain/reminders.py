"""Reminder rules: which dates recur, when reviews and contacts fall due, quiet hours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from coachbot.domain import classify
from coachbot.domain.calendar import YearlyDate, next_occurrence
from coachbot.domain.classify import LIVE_POLICY_STATUSES
from coachbot.domain.models import Client, FamilyMember, ImportantDate, Policy
from coachbot.domain.regions import currency_for

REVIEW_MONTHS = {"regular": 12, "vip": 6, "hnw": 3}  # periodic policy review, by tier
PREMIUM_NOTICE_DAYS = (30, 7, 1)  # premium-due reminders this many days ahead
# the cooling-off period (犹豫期 / 冷靜期) differs by market: coachbot/scripts/cooling_off.yaml
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


# -- a client's derived schedule --------------------------------------------------------------
@dataclass(frozen=True)
class DerivationInputs:
    """What one agent's clients' schedules are derived from (read by the store)."""

    timezone: str
    region: str
    clients: Sequence[Client]
    family: Mapping[int, Sequence[FamilyMember]]  # by client id
    dates: Mapping[int, Sequence[ImportantDate]]
    policies: Mapping[int, Sequence[Policy]]
    last_reviews: Mapping[int, datetime]


@dataclass(frozen=True)
class ClientSchedule:
    """A client's occasions with their next dates, tier and due dates, as the rules derive them."""

    client_id: int
    occasions: list[tuple[Occasion, date]]
    tier: str | None
    contact_due: date | None
    review_due: date | None


def derive_schedules(inputs: DerivationInputs, now: datetime,
                     thresholds: Mapping[str, tuple[int, int]]) -> list[ClientSchedule]:
    """Each client's schedule from its records, in the agent's zone and currency."""
    zone = ZoneInfo(inputs.timezone)
    currency = currency_for(inputs.region)
    today = now.astimezone(zone).date()
    schedules = []
    for client in inputs.clients:
        owned = list(inputs.policies.get(client.id, ()))
        occasions = [(occasion, next_date_of(occasion, today)) for occasion in occasions_of(
            client, inputs.family.get(client.id, ()), inputs.dates.get(client.id, ()), owned)]
        tier = classify.client_tier(owned, currency, thresholds)
        created = (client.created_at or now).astimezone(zone).date()
        last_contact = client.last_contact_at.astimezone(zone).date() \
            if client.last_contact_at else None
        reviewed = inputs.last_reviews.get(client.id)
        last_review = reviewed.astimezone(zone).date() if reviewed else None
        contact_due = contact_due_date(last_contact, created,
                                       classify.contact_every_days(client, tier))
        schedules.append(ClientSchedule(client.id, occasions, tier, contact_due,
                                        review_due_date(tier, last_review, owned, created)))
    return schedules


def cooling_off_end(delivered: date, days: int) -> date:
    """The last day the client may still cancel: `days` calendar days counted from the day
    after the policy was delivered (the delivery day itself is not counted)."""
    return delivered + timedelta(days=days)


def catch_up_from(now: datetime, timezone: str) -> date:
    """The first day a missed occasion is still shown (a week back)."""
    return now.astimezone(ZoneInfo(timezone)).date() - timedelta(days=CATCH_UP_DAYS)


@dataclass(frozen=True)
class PassedOccasion:
    """An occasion whose stored next date has gone by."""

    id: int
    occasion: Occasion
    next_date: date


def rolled_forward(passed: Sequence[PassedOccasion], before: date) -> list[tuple[int, date]]:
    """Each passed occasion's next date on or after `before` (and after the one it had)."""
    return [(p.id, next_date_of(p.occasion, max(p.next_date + timedelta(days=1), before)))
            for p in passed]


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


@lru_cache(maxsize=1024)  # the sweep reads every agent's few clock settings each minute
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


def push_time(local: datetime, quiet_start: str, quiet_end: str, *, chosen: bool) -> datetime:
    """When a push due at `local` goes out. A time the agent chose (a /remind, a snooze)
    fires then, quiet hours or not: they asked for it. Quiet hours hold back only what the
    bot decides to send on its own (digests, nudges, automatic reminders)."""
    return local if chosen else after_quiet_hours(local, quiet_start, quiet_end)


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


@dataclass(frozen=True)
class ReminderItem:
    id: int
    agent_id: int
    client_id: int | None
    kind: str
    ref: str
    occasion_date: date
    status: str
    snooze_until: datetime | None
    variant: int
    text_message_id: int | None


@dataclass(frozen=True)
class OneOff:
    """A reminder the agent set for a time they chose: what to do, about whom."""

    id: int
    agent_id: int
    client_id: int | None
    text: str
    due_at: datetime
    status: str
    client_name: str | None = None


def item_key(agent_id: int, kind: str, client_id: int | None, ref: str, day: date) -> str:
    """The unique key of one occurrence's to-do item."""
    return f"{agent_id}:{kind}:{client_id or '-'}:{ref}:{day.isoformat()}"


class ItemKey(NamedTuple):
    """One occurrence of a reminder: its to-do item is created once and found again by key."""

    agent_id: int
    kind: str
    client_id: int | None
    ref: str
    occasion_date: date

    @property
    def key(self) -> str:
        return item_key(*self)


class ItemState(NamedTuple):
    """What a digest needs of a to-do item: its id (for the buttons) and whether it is open."""

    id: int
    status: str


HANDLED = ("done", "skipped", "snoozed")  # statuses that take an entry off the digest
