"""Team numbers: /board in the group, /stats in private, and the group reports the sweep queues.

Group texts are rendered in the leader's language, from records made of counts only
(coachbot.services.team_reports), so a client's name or phone cannot reach a group.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from coachbot.domain import stats
from coachbot.domain.models import Agent
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
        charts.chart_texts(services.renderer, agent.locale, "my", data.days[0], data.days[-1]),
        charts.chart_texts(services.renderer, "en", "my", data.days[0], data.days[-1]))
    if utf16_len(plain_text(caption)) <= CAPTION_LIMIT:
        await context.bot.send_photo(agent.id, png, caption=caption, parse_mode=ParseMode.HTML)
        return
    await send_html(context.bot, agent.id, caption)
    await context.bot.send_photo(agent.id, png)


# -- what the sweep queued ------------------------------------------------------------------
