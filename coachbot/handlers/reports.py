"""Team numbers: /board in the group, /stats in private, and the group reports the sweep queues.

Group texts are rendered in the leader's language, from records made of counts only
(coachbot.services.team_reports), so a client's name or phone cannot reach a group.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from coachbot.domain import stats
from coachbot.domain.models import Agent, OutboxMessage
from coachbot.domain.teams import Team
from coachbot.handlers.common import (
    Button,
    CoachContext,
    callback_parts,
    current_agent,
    inline_keyboard,
    reply,
    send_html,
)
from coachbot.render import charts
from coachbot.render.templates import CAPTION_LIMIT, plain_text, utf16_len
from coachbot.services import team_reports
from coachbot.services.container import Services

PREFIX = "tb"
STAGE_KEYS = ("names", "prospects", "proposals", "closes")


# -- leaderboards ---------------------------------------------------------------------------
async def board(update: Update, context: CoachContext) -> None:
    """/board: this week's leaderboard by policies; buttons switch period and measure."""
    agent = current_agent(update, context)
    found, leader = _team_here(update, context, agent)
    if found is None or leader is None:
        await reply(update, context, agent, "reports/board_no_team", group=_in_group(update))
        return
    html, keyboard = _board(context.services, found, leader, _locale(update, agent, leader),
                            "week", "policies")
    chat = update.effective_chat
    assert chat is not None
    await send_html(context.bot, chat.id, html, reply_markup=keyboard)


async def on_callback(update: Update, context: CoachContext) -> None:
    """tb:<week|month>:<policies|premium|visits>: switch the board in place."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    agent = current_agent(update, context)
    parts = callback_parts(update, PREFIX)
    found, leader = _team_here(update, context, agent)
    if found is None or leader is None or len(parts) != 2 or parts[0] not in stats.PERIODS \
            or parts[1] not in stats.METRICS:
        await reply(update, context, agent, "reports/board_no_team", group=_in_group(update))
        return
    html, keyboard = _board(context.services, found, leader, _locale(update, agent, leader),
                            parts[0], parts[1])
    try:
        await query.edit_message_text(html, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def _board(services: Services, found: Team, leader: Agent, locale: str, period: str,
           metric: str) -> tuple[str, InlineKeyboardMarkup]:
    data = team_reports.board(services.store, found, leader, period, metric,
                              services.clock.now())
    html = services.renderer.render(locale, "reports/board", region=leader.region, board=data)

    def b(kind: str, value: str, data: str) -> Button:
        text = services.renderer.label(locale, f"board.{value}")
        return ("• " + text if value in (period, metric) else text), data

    keyboard = inline_keyboard([
        [b("period", p, f"{PREFIX}:{p}:{metric}") for p in stats.PERIODS],
        [b("metric", m, f"{PREFIX}:{period}:{m}") for m in stats.METRICS],
    ])
    return html, keyboard


def _team_here(update: Update, context: CoachContext, agent: Agent) -> \
        tuple[Team | None, Agent | None]:
    """In a group, the team linked to it; in private, the agent's own team."""
    store = context.services.store
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        found = store.teams.team_by_group(chat.id)
    else:
        member = store.teams.membership(agent.id)
        found = store.teams.get_team(member.team_id) if member else None
    return found, store.agents.get_agent(found.leader_id) if found else None


def _in_group(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE


def _locale(update: Update, agent: Agent, leader: Agent) -> str:
    """Groups read the team's language (its leader's); in private, the agent's own."""
    return leader.locale if _in_group(update) else agent.locale


# -- /stats ---------------------------------------------------------------------------------
async def my_stats(update: Update, context: CoachContext) -> None:
    """/stats: the agent's own activity, funnel against 1:3:10 and target, with a chart."""
    agent = current_agent(update, context)
    services = context.services
    data = team_reports.personal_stats(services.store, agent, services.clock.now())
    renderer = services.renderer
    values: dict[str, Any] = {"stats": data, "agent": agent,
                              "proposal_rate": team_reports.percent(data.funnel.proposal_rate),
                              "close_rate": team_reports.percent(data.funnel.close_rate)}
    caption = renderer.render(agent.locale, "reports/stats", region=agent.region, **values)
    png = await asyncio.to_thread(
        charts.personal_chart, data.days, data.visits_by_day, data.daily_target,
        data.funnel.stages, (0, data.funnel.planned_prospects, data.funnel.planned_proposals,
                             data.funnel.target),
        _chart_texts(services, agent.locale, "my", data.days[0], data.days[-1]),
        _chart_texts(services, "en", "my", data.days[0], data.days[-1]))
    if utf16_len(plain_text(caption)) <= CAPTION_LIMIT:
        await context.bot.send_photo(agent.id, png, caption=caption, parse_mode=ParseMode.HTML)
        return
    await send_html(context.bot, agent.id, caption)
    await context.bot.send_photo(agent.id, png)


def _chart_texts(services: Services, locale: str, kind: str, first: date,
                 last: date) -> charts.ChartTexts:
    """The chart's words in one locale; kind is week, month or my (the agent's own)."""
    def text(key: str, **values: Any) -> str:
        return services.renderer.label(locale, f"charts.{key}", **values)

    span = f"{first.month}/{first.day}–{last.month}/{last.day}"
    return charts.ChartTexts(
        title=text(f"{kind}_title", span=span), visits=text("visits"),
        policies=text("policies"), funnel=text("my_funnel" if kind == "my" else "funnel"),
        stages=tuple(text(k) for k in STAGE_KEYS),  # type: ignore[arg-type]
        plan=text("plan"), daily_target=text("daily_target"))


# -- what the sweep queued ------------------------------------------------------------------
async def deliver_team_report(bot: Bot, services: Services,
                              message: OutboxMessage) -> int | None:
    """The morning report in the team's group: yesterday, the week so far, streaks, a tip."""
    found, leader = _team_for(services, message)
    if found is None or leader is None:
        return None
    day = date.fromisoformat(message.payload["day"])
    report = team_reports.morning_report(services.store, found, leader, day)
    keys = [k.removeprefix("tips.") for k in services.renderer.label_keys(leader.locale)
            if k.startswith("tips.")]
    html = services.renderer.render(leader.locale, "reports/morning", region=leader.region,
                                    report=report, tip=team_reports.tip_key(day, keys),
                                    late=message.late)
    sent = await send_html(bot, message.chat_id, html)
    return sent.message_id


async def deliver_team_chart(bot: Bot, services: Services, message: OutboxMessage) -> int | None:
    """Last week's or month's chart, as a photo with the members' numbers in its caption."""
    found, leader = _team_for(services, message)
    if found is None or leader is None:
        return None
    kind = message.payload["kind"]
    first = date.fromisoformat(message.payload["first"])
    last = date.fromisoformat(message.payload["last"])
    report = team_reports.period_report(services.store, found, leader, kind, first, last)
    bars = [charts.MemberBar(m.name, m.activity.visits, m.activity.policies)
            for m in report.members]
    png = await asyncio.to_thread(
        charts.team_chart, bars, report.funnel.stages,
        _chart_texts(services, leader.locale, kind, first, last),
        _chart_texts(services, "en", kind, first, last))
    caption = _fitting_caption(services, leader, report)
    sent = await bot.send_photo(message.chat_id, png, caption=caption, parse_mode=ParseMode.HTML)
    return sent.message_id


def _fitting_caption(services: Services, leader: Agent,
                     report: team_reports.PeriodReport) -> str:
    """The caption with as many members as fit Telegram's 1,024 characters."""
    shown = len(report.members)
    while True:
        caption = services.renderer.render(
            leader.locale, "reports/period", region=leader.region, report=report,
            shown=report.members[:shown], more=len(report.members) - shown,
            proposal_rate=team_reports.percent(report.funnel.proposal_rate),
            close_rate=team_reports.percent(report.funnel.close_rate))
        if utf16_len(plain_text(caption)) <= CAPTION_LIMIT or shown == 0:
            return caption
        shown -= 1


async def deliver_nudge(bot: Bot, services: Services, message: OutboxMessage) -> int | None:
    """A leader's friendly push to a member who has been quiet."""
    member = services.store.agents.get_agent(message.agent_id)
    sender = services.store.agents.get_agent(int(message.payload["from"]))
    found = services.store.teams.get_team(int(message.payload["team_id"]))
    if member is None or sender is None or found is None or found.closed_at is not None:
        return None
    data = team_reports.personal_stats(services.store, member, services.clock.now())
    html = services.renderer.render(member.locale, "teams/nudge", region=member.region,
                                    sender=sender, team=found, stats=data)
    sent = await send_html(bot, message.chat_id, html)
    return sent.message_id


async def deliver_team_notice(bot: Bot, services: Services,
                              message: OutboxMessage) -> int | None:
    """Someone joined or left, the team closed, or the bot lost the team's group."""
    reader = services.store.agents.get_agent(message.agent_id)
    found = services.store.teams.get_team(int(message.payload["team_id"]))
    about = services.store.agents.get_agent(int(message.payload["about"]))
    if reader is None or found is None:
        return None
    html = services.renderer.render(reader.locale, f"teams/notice_{message.payload['event']}",
                                    region=reader.region, team=found, about=about)
    sent = await send_html(bot, message.chat_id, html)
    return sent.message_id


def _team_for(services: Services, message: OutboxMessage) -> tuple[Team | None, Agent | None]:
    """The open team a queued group message is for, if that group is still its group."""
    found = services.store.teams.get_team(int(message.payload["team_id"]))
    if found is None or found.closed_at is not None or found.group_chat_id != message.chat_id:
        return None, None
    return found, services.store.agents.get_agent(found.leader_id)
