"""What the team sweep and team events queue: group reports and charts, nudges, notices.

Group texts are rendered in the leader's language, from records made of counts only
(coachbot.services.team_reports), so a client's name or phone cannot reach a group.
"""

from __future__ import annotations

import asyncio
from datetime import date

from telegram import Bot
from telegram.constants import ParseMode

from coachbot.domain.models import Agent, OutboxMessage
from coachbot.domain.teams import Team
from coachbot.render import charts
from coachbot.render.templates import CAPTION_LIMIT, plain_text, utf16_len
from coachbot.runtime.messages import send_html
from coachbot.services import team_reports
from coachbot.services.container import Services


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
        charts.chart_texts(services.renderer, leader.locale, kind, first, last),
        charts.chart_texts(services.renderer, "en", kind, first, last))
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
