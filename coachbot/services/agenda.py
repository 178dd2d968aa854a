"""What the agent has promised to do: next steps typed as one line ("下周三 送计划书"), the
one-off reminders listed with who and what, and the visit target with this month's progress.

Every reminder and follow-up says the client and what to do: a next step keeps its words,
not only its date, and a reminder's line and buttons name the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain.clients import clean_text
from coachbot.domain.dates import parse_next_step
from coachbot.domain.models import Agent
from coachbot.domain.plan import ActivityPlan, activity_plan
from coachbot.domain.reminders import OneOff
from coachbot.domain.stats import VISIT_CHANNELS, month_bounds
from coachbot.render.templates import Renderer
from coachbot.store import Store

LIST_LIMIT = 10  # reminders listed (and given buttons) at once
BUTTON_NAME = 8  # characters of a client's name on a list button

# a next step's problems, as keys of templates/<locale>/labels (clients.field_errors)
NO_DAY, PAST_DAY, NOT_FOUND = "bad_day", "past_day", "not_found"


# -- next steps ---------------------------------------------------------------------------
@dataclass(frozen=True)
class NextStepResult:
    """A next step saved (client, day, what) or why not (error)."""

    client_id: int | None = None
    day: date | None = None
    what: str | None = None
    error: str | None = None


def set_next_step_from_text(store: Store, agent: Agent, contact_id: int, typed: str,
                            now: datetime) -> NextStepResult:
    """Read "下周三 送计划书" (or "明天下午3点 电话确认") into the logged contact's next step:
    the day for the digest, the words for what to do (with the time, if one was typed)."""
    today = now.astimezone(ZoneInfo(agent.timezone)).date()
    step = parse_next_step(typed, today, day_first=_day_first(agent))
    if step is None:
        return NextStepResult(error=NO_DAY)
    if step.day < today:
        return NextStepResult(error=PAST_DAY)
    what = clean_text(step.what, 120) or None
    if what and step.at is not None:
        what = f"{step.at:%H:%M} {what}"
    client_id = store.clients.set_next_step(agent.id, contact_id, next_step=what, on=step.day)
    if client_id is None:
        return NextStepResult(error=NOT_FOUND)
    return NextStepResult(client_id, step.day, what)


def _day_first(agent: Agent) -> bool | None:
    return True if agent.region in ("HK", "SG", "MY") or agent.locale == "en" else None


# -- one-off reminders --------------------------------------------------------------------
@dataclass(frozen=True)
class ReminderLine:
    """One pending reminder as the list shows it: number, local time, who, what."""

    number: int
    reminder: OneOff
    at: datetime  # in the agent's zone

    @property
    def client_name(self) -> str | None:
        return self.reminder.client_name

    @property
    def what(self) -> str:
        return self.reminder.text


def reminder_lines(store: Store, agent: Agent) -> list[ReminderLine]:
    """The agent's pending reminders, soonest first, numbered, in the agent's time zone."""
    zone = ZoneInfo(agent.timezone)
    return [ReminderLine(number, reminder, reminder.due_at.astimezone(zone))
            for number, reminder in enumerate(store.schedule.pending_one_offs(agent.id),
                                              start=1)]


def reminder_buttons(renderer: Renderer, locale: str,
                     lines: list[ReminderLine]) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Per listed reminder: the captions of its edit and cancel buttons with the reminder's
    id ("✏️ 1 张三" / "✖ 1 张三"), for the handler to turn into callback buttons."""
    buttons = []
    for line in lines[:LIST_LIMIT]:
        who = _short(line.client_name or line.what)
        buttons.append(
            ((renderer.label(locale, "reminders.edit_n", n=line.number, who=who),
              str(line.reminder.id)),
             (renderer.label(locale, "reminders.cancel_n", n=line.number, who=who),
              str(line.reminder.id))))
    return buttons


def _short(text: str) -> str:
    return text if len(text) <= BUTTON_NAME else text[:BUTTON_NAME - 1] + "…"


# -- the day's visits -----------------------------------------------------------------------
@dataclass(frozen=True)
class VisitProgress:
    """Today's visits and this month's against the plan: "今天目标 4 访（今天 1/4 · 本月 8/80）"."""

    plan: ActivityPlan
    today: int
    month: int

    @property
    def hit(self) -> bool:
        return self.today >= self.plan.visits_per_day


def visit_progress(store: Store, agent: Agent, now: datetime) -> VisitProgress:
    """The agent's visits today and this month (their own days), with the plan."""
    zone = ZoneInfo(agent.timezone)
    today = now.astimezone(zone).date()
    first, _ = month_bounds(today)
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(today + timedelta(days=1), time(0), zone)
    contacts = store.clients.contacts_between(agent.id, start.astimezone(UTC),
                                              end.astimezone(UTC))
    visits = [c for c in contacts if c.channel in VISIT_CHANNELS]
    today_visits = sum(1 for c in visits if c.at.astimezone(zone).date() == today)
    return VisitProgress(activity_plan(max(1, agent.monthly_target)), today_visits, len(visits))
