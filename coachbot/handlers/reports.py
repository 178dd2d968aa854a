"""Team numbers: /board in the group (or in private), /stats in private.

Group texts are rendered in the leader's language, from records made of counts only
(coachbot.services.team_reports), so a client's name or phone cannot reach a group. The
reports the sweep queues for a group are push/teams.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType, ParseMode

from coachbot.domain import stats
from coachbot.domain.models import Agent
from coachbot.domain.teams import Team
from coachbot.handlers.common import CoachContext, chat_id_of, current_agent, reply
from coachbot.handlers.dispatch import Buttons, Command, Feature, Press
from coachbot.render import charts
from coachbot.render.buttons import BOARD
from coachbot.render.templates import CAPTION_LIMIT, plain_text, utf16_len
from coachbot.runtime.messages import Button, edit_in_place, inline_keyboard, send_html
from coachbot.services import team_reports
from coachbot.services import teams as team_service
from coachbot.services.container import Services


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
    await send_html(context.bot, chat_id_of(update), html, reply_markup=keyboard)


async def _switch(press: Press) -> None:
    """tb:<week|month>:<policies|premium|visits>: switch the board in place."""
    found, leader = _team_here(press.update, press.context, press.agent)
    period, metric = press.arg(0), press.arg(1)
    if found is None or leader is None or len(press.args) != 2 or period not in stats.PERIODS \
            or metric not in stats.METRICS:
        await press.reply("reports/board_no_team", group=_in_group(press.update))
        return
    html, keyboard = _board(press.services, found, leader,
                            _locale(press.update, press.agent, leader), period, metric)
    query = press.update.callback_query
    assert query is not None
    await edit_in_place(query, html, keyboard)


def _board(services: Services, found: Team, leader: Agent, locale: str, period: str,
           metric: str) -> tuple[str, InlineKeyboardMarkup]:
    data = team_reports.board(services.store, found, leader, period, metric,
                              services.clock.now())
    html = services.renderer.render(locale, "reports/board", region=leader.region, board=data)

    def b(value: str, data: str) -> Button:
        text = services.renderer.label(locale, f"board.{value}")
        return ("• " + text if value in (period, metric) else text), data

    keyboard = inline_keyboard([
        [b(p, BOARD.data("show", p, metric)) for p in stats.PERIODS],
        [b(m, BOARD.data("show", period, m)) for m in stats.METRICS],
    ])
    return html, keyboard


def _team_here(update: Update, context: CoachContext, agent: Agent) -> \
        tuple[Team | None, Agent | None]:
    """In a group, the team linked to it; in private, the agent's own team."""
    store = context.services.store
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        found = team_service.team_in_chat(store, chat.id)
    else:
        found = team_service.team_of(store, agent.id)[1]
    return found, team_service.leader_of(store, found) if found else None


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
    await context.bot.send_chat_action(agent.id, ChatAction.UPLOAD_PHOTO)  # the chart takes a beat
    png = await asyncio.to_thread(
        charts.personal_chart, data.days, data.visits_by_day, data.daily_target,
        data.funnel.stages, (0, data.funnel.planned_prospects, data.funnel.planned_proposals,
                             data.funnel.target),
        charts.chart_texts(renderer, agent.locale, "my", data.days[0], data.days[-1]),
        charts.chart_texts(renderer, "en", "my", data.days[0], data.days[-1]))
    if utf16_len(plain_text(caption)) <= CAPTION_LIMIT:
        await context.bot.send_photo(agent.id, png, caption=caption, parse_mode=ParseMode.HTML)
        return
    await send_html(context.bot, agent.id, caption)
    await context.bot.send_photo(agent.id, png)


FEATURE = Feature(
    commands=(Command("stats", my_stats, section="team"),
              Command("board", board, where="any", section="team")),
    buttons=(Buttons(BOARD, {"show": _switch}, group_safe=True),),
)
