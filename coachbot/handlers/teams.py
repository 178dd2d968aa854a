"""/team: create a team, invite, members and deputies, nudges, settings; /link; the invite gate.

Roles decide what each button does (coachbot.domain.teams.PERMISSIONS); every callback checks them
again against the store, so an old or forged button cannot reach another team.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ApplicationHandlerStop

from coachbot.domain import reminders, stats, teams
from coachbot.domain.locales import locale_from_language_code
from coachbot.domain.models import Agent, Dialog
from coachbot.domain.regions import currency_for
from coachbot.domain.teams import Member, Team
from coachbot.handlers.common import (
    Button,
    CoachContext,
    callback_parts,
    current_agent,
    edit_or_reply,
    inline_keyboard,
    label,
    reply,
)
from coachbot.push.team_sweep import NUDGE, TEAM_NOTICE
from coachbot.services import team_reports
from coachbot.services.container import Services

logger = logging.getLogger(__name__)

PREFIX = "tm"
FLOW = "team"
NICK, RENAME, GOAL = "nick", "name", "goal"  # what a typed answer is for


# -- entry points ---------------------------------------------------------------------------
async def team(update: Update, context: CoachContext) -> None:
    """/team: the agent's team, or how to start one."""
    agent = current_agent(update, context)
    await _home(update, context, agent, fresh=True)


async def join_from_start(update: Update, context: CoachContext) -> bool:
    """/start t_<code>: join the team; True when nothing else is left for /start to do."""
    code = teams.invite_code_from_start(context.args[0]) if context.args else None
    if code is None:
        return False
    agent = current_agent(update, context)
    store = context.services.store
    found = store.teams.team_by_invite(code)
    current = store.teams.membership(agent.id)
    if found is None:
        await reply(update, context, agent, "teams/invite_invalid")
    elif current is not None:
        mine = store.teams.get_team(current.team_id)
        await reply(update, context, agent, "teams/already_in_team", team=mine,
                    same=current.team_id == found.id)
    elif store.teams.add_member(found.id, agent.id):
        leader = store.agents.get_agent(found.leader_id)
        await reply(update, context, agent, "teams/joined", team=found, leader=leader,
                    onboarded=agent.onboarded)
        _notify(context.services, found.leader_id, found, "joined", agent.id)
    return agent.onboarded


async def link(update: Update, context: CoachContext) -> None:
    """/link in a group: the team's leader (or a deputy) makes it the team's group."""
    agent = current_agent(update, context)
    chat = update.effective_chat
    assert chat is not None
    store = context.services.store
    member = store.teams.membership(agent.id)
    found = store.teams.get_team(member.team_id) if member else None
    if member is None or found is None or not teams.can(member.role, "link_group"):
        await reply(update, context, agent, "teams/link_denied")
        return
    if not store.teams.link_group(found.id, chat.id, chat.title):
        await reply(update, context, agent, "teams/link_taken")
        return
    found = _settle_schedule(context.services, found)
    await reply(update, context, agent, "teams/linked", team=found)


async def gate(update: Update, context: CoachContext) -> None:
    """When the deployment requires an invite: only team members and listed users get in."""
    settings = context.services.settings
    chat, user = update.effective_chat, update.effective_user
    if not settings.require_invite or chat is None or user is None \
            or chat.type != ChatType.PRIVATE:
        return
    if update.message is None and update.callback_query is None \
            and update.edited_message is None:
        return
    store = context.services.store
    if user.id in settings.allowed_user_ids or store.teams.is_team_member(user.id):
        return
    message = update.message
    words = (message.text or "").split() if message else []
    if len(words) == 2 and words[0].split("@")[0] == "/start":
        code = teams.invite_code_from_start(words[1])
        if code is not None and store.teams.team_by_invite(code) is not None:
            return  # an invitation: let /start join them
    if update.callback_query is not None:
        await update.callback_query.answer()
    locale = locale_from_language_code(user.language_code)
    await context.bot.send_message(
        chat.id, context.services.renderer.render(locale, "teams/not_invited"),
        parse_mode=ParseMode.HTML)
    raise ApplicationHandlerStop


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """Text typed while /team asked for a nickname, a team name or a weekly target."""
    message = update.effective_message
    assert message is not None and message.text is not None
    member, found = _mine(context, agent)
    if member is None or found is None:
        context.services.store.dialogs.clear_dialog(agent.id, message.chat_id)
        await reply(update, context, agent, "teams/no_team", keyboard=_none_keyboard(context,
                                                                                     agent))
        return
    step = TEXT_STEPS.get(dialog.step)
    if step is None:
        context.services.store.dialogs.clear_dialog(agent.id, message.chat_id)
        await reply(update, context, agent, "general/stale_button")
        return
    await step(update, context, agent, member, found, message.text)


# -- the home screen ------------------------------------------------------------------------
async def _home(update: Update, context: CoachContext, agent: Agent, *, fresh: bool = False,
                notice: str | None = None) -> None:
    member, found = _mine(context, agent)
    if member is None or found is None:
        await _show(update, context, agent, "teams/no_team", _none_keyboard(context, agent),
                    fresh=fresh)
        return
    services = context.services
    leader = services.store.agents.get_agent(found.leader_id)
    assert leader is not None
    status = team_reports.team_status(services.store, found, leader, services.clock.now())
    members = services.store.teams.members(found.id)
    week_target = stats.team_weekly_target(found.weekly_target,
                                           [m.monthly_target for m in members])
    mine = next(s for s in status if s.member.agent_id == agent.id)
    await _show(update, context, agent, "teams/home", _home_keyboard(context, agent, member),
                fresh=fresh, team=found, member=member, leader=leader, status=status, mine=mine,
                week_target=week_target, manager=teams.can(member.role, "view_members"),
                week=stats.sum_activity(s.week for s in status), notice=notice)


def _home_keyboard(context: CoachContext, agent: Agent, member: Member) -> InlineKeyboardMarkup:
    def b(key: str, data: str) -> Button:
        return label(context, agent, f"team.{key}"), f"{PREFIX}:{data}"

    role = member.role
    rows: list[list[Button]] = []
    if teams.can(role, "view_members"):
        rows.append([b("members", "mem"), b("invite", "inv")])
    if teams.can(role, "settings"):
        rows.append([b("report_time", "time"), b("weekly_target", "goal")])
    rows.append([b("nickname", "nick")] + ([b("rename", "name")] if teams.can(role, "rename")
                                           else []))
    rows.append([b("close", "close")] if teams.can(role, "close_team") else [b("leave", "leave")])
    return inline_keyboard(rows)


def _none_keyboard(context: CoachContext, agent: Agent) -> InlineKeyboardMarkup:
    return inline_keyboard([[(label(context, agent, "team.create"), f"{PREFIX}:new")]])


# -- buttons --------------------------------------------------------------------------------
async def on_callback(update: Update, context: CoachContext) -> None:
    """tm:<action>[:<argument>]: every /team button."""
    query = update.callback_query
    assert query is not None
    agent = current_agent(update, context)
    parts = callback_parts(update, PREFIX)
    action = parts[0] if parts else ""
    if action == "new":
        await query.answer()
        await _create(update, context, agent)
        return
    member, found = _mine(context, agent)
    step = BUTTONS.get(action)
    if member is None or found is None or step is None:
        await query.answer()
        await _home(update, context, agent)
        return
    if action != "nudge":  # the nudge answers with what it did
        await query.answer()
    await step(update, context, agent, member, found, parts[1:])


async def _create(update: Update, context: CoachContext, agent: Agent) -> None:
    store = context.services.store
    name = label(context, agent, "team.default_name", name=agent.first_name or "")
    created = store.teams.create_team(agent.id, name[: teams.MAX_TEAM_NAME],
                                      teams.new_invite_code())
    if created is None:  # already in a team: show it
        await _home(update, context, agent)
        return
    await _home(update, context, agent, notice="created")
    await _send_invite(update, context, agent, created, fresh=True)


async def _b_home(update: Update, context: CoachContext, agent: Agent, member: Member,
                  found: Team, args: list[str]) -> None:
    context.services.store.dialogs.clear_dialog(agent.id, agent.id)
    await _home(update, context, agent)


async def _b_invite(update: Update, context: CoachContext, agent: Agent, member: Member,
                    found: Team, args: list[str]) -> None:
    if not teams.can(member.role, "show_invite"):
        await _home(update, context, agent)
        return
    await _send_invite(update, context, agent, found)


async def _b_regenerate(update: Update, context: CoachContext, agent: Agent, member: Member,
                        found: Team, args: list[str]) -> None:
    if not teams.can(member.role, "regenerate_invite"):
        await _home(update, context, agent)
        return
    renewed = context.services.store.teams.set_invite_code(found.id, teams.new_invite_code())
    assert renewed is not None
    await _send_invite(update, context, agent, renewed, notice="renewed")


async def _send_invite(update: Update, context: CoachContext, agent: Agent, found: Team, *,
                       fresh: bool = False, notice: str | None = None) -> None:
    member = context.services.store.teams.get_member(found.id, agent.id)
    rows: list[list[Button]] = []
    if member is not None and teams.can(member.role, "regenerate_invite"):
        rows.append([(label(context, agent, "team.regenerate"), f"{PREFIX}:regen")])
    rows.append([(label(context, agent, "buttons.back"), f"{PREFIX}:home")])
    await _show(update, context, agent, "teams/invite", inline_keyboard(rows), fresh=fresh,
                team=found, link=teams.invite_link(context.bot.username, found.invite_code),
                notice=notice)


async def _b_members(update: Update, context: CoachContext, agent: Agent, member: Member,
                     found: Team, args: list[str]) -> None:
    if not teams.can(member.role, "view_members"):
        await _home(update, context, agent)
        return
    services = context.services
    leader = services.store.agents.get_agent(found.leader_id)
    assert leader is not None
    status = team_reports.team_status(services.store, found, leader, services.clock.now())
    buttons: list[Button] = []
    for s in status:
        caption = label(context, agent, "team.member_button", name=s.member.first_name[:14],
                        visits=s.week.visits, policies=s.week.policies)
        buttons.append((("💤 " if s.idle else "") + caption, f"{PREFIX}:m:{s.member.agent_id}"))
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(label(context, agent, "buttons.back"), f"{PREFIX}:home")])
    await _show(update, context, agent, "teams/members", inline_keyboard(rows), team=found,
                status=status)


async def _b_member(update: Update, context: CoachContext, agent: Agent, member: Member,
                    found: Team, args: list[str], *, notice: str | None = None) -> None:
    target = _target(context, member, found, args)
    if target is None:
        await _b_members(update, context, agent, member, found, [])
        return
    services = context.services
    leader = services.store.agents.get_agent(found.leader_id)
    assert leader is not None
    [status] = [s for s in team_reports.team_status(services.store, found, leader,
                                                    services.clock.now())
                if s.member.agent_id == target.agent_id]

    def b(key: str, data: str) -> Button:
        return label(context, agent, f"team.{key}"), f"{PREFIX}:{data}:{target.agent_id}"

    rows: list[list[Button]] = []
    if target.agent_id != agent.id and teams.can(member.role, "nudge"):
        rows.append([b("nudge", "nudge")])
    if teams.can(member.role, "manage_deputies") and target.role != teams.LEADER:
        rows.append([b("undeputy" if target.role == teams.DEPUTY else "deputy", "dep")])
    if target.agent_id != agent.id and teams.can_remove(member.role, target.role):
        rows.append([b("remove", "rm")])
    rows.append([(label(context, agent, "buttons.back"), f"{PREFIX}:mem")])
    await _show(update, context, agent, "teams/member", inline_keyboard(rows), team=found,
                status=status, notice=notice, currency=currency_for(leader.region),
                plan_daily=stats.daily_visit_target(target.monthly_target))


async def _b_nudge(update: Update, context: CoachContext, agent: Agent, member: Member,
                   found: Team, args: list[str]) -> None:
    target = _target(context, member, found, args)
    if target is None or target.agent_id == agent.id or not teams.can(member.role, "nudge"):
        await _answer(update)
        await _home(update, context, agent)
        return
    services = context.services
    now = services.clock.now()
    day = reminders.local_now(now, agent.timezone).date()
    queued = services.store.outbox.enqueue(
        target.agent_id, target.agent_id, NUDGE, f"nudge:{found.id}:{target.agent_id}:{day}",
        {"team_id": found.id, "from": agent.id}, due_at=now)
    if queued:
        services.wake_sender()
    notice = "nudged" if queued else "nudged_already"
    await _answer(update, label(context, agent, f"team.{notice}"))
    await _b_member(update, context, agent, member, found, args, notice=notice)


async def _b_deputy(update: Update, context: CoachContext, agent: Agent, member: Member,
                    found: Team, args: list[str]) -> None:
    target = _target(context, member, found, args)
    if target is not None and teams.can(member.role, "manage_deputies") \
            and target.role != teams.LEADER:
        role = teams.MEMBER if target.role == teams.DEPUTY else teams.DEPUTY
        context.services.store.teams.set_role(found.id, target.agent_id, role)
    await _b_member(update, context, agent, member, found, args)


async def _b_remove(update: Update, context: CoachContext, agent: Agent, member: Member,
                    found: Team, args: list[str]) -> None:
    target = _target(context, member, found, args)
    if target is None or target.agent_id == agent.id or \
            not teams.can_remove(member.role, target.role):
        await _home(update, context, agent)
        return
    rows = [[(label(context, agent, "team.confirm_remove"), f"{PREFIX}:rmy:{target.agent_id}"),
             (label(context, agent, "buttons.cancel"), f"{PREFIX}:m:{target.agent_id}")]]
    await _show(update, context, agent, "teams/confirm_remove", inline_keyboard(rows),
                team=found, target=target)


async def _b_remove_confirmed(update: Update, context: CoachContext, agent: Agent,
                              member: Member, found: Team, args: list[str]) -> None:
    target = _target(context, member, found, args)
    if target is not None and target.agent_id != agent.id and \
            teams.can_remove(member.role, target.role) and \
            context.services.store.teams.remove_member(found.id, target.agent_id):
        _notify(context.services, target.agent_id, found, "removed", target.agent_id)
        await _show(update, context, agent, "teams/removed", _back(context, agent, "mem"),
                    team=found, target=target)
        return
    await _b_members(update, context, agent, member, found, [])


async def _b_time(update: Update, context: CoachContext, agent: Agent, member: Member,
                  found: Team, args: list[str]) -> None:
    if not teams.can(member.role, "settings"):
        await _home(update, context, agent)
        return
    if args and args[0].replace("-", ":") in teams.REPORT_TIMES:
        context.services.store.teams.update_team(found.id, report_time=args[0].replace("-", ":"))
        _settle_schedule(context.services, context.services.store.teams.get_team(found.id) or found)
        await _home(update, context, agent, notice="time_set")
        return
    choices = [(("✓ " if t == found.report_time else "") + t,
                f"{PREFIX}:time:{t.replace(':', '-')}") for t in teams.REPORT_TIMES]
    rows = [choices[i:i + 3] for i in range(0, len(choices), 3)]
    rows.append([(label(context, agent, "buttons.back"), f"{PREFIX}:home")])
    await _show(update, context, agent, "teams/time_menu", inline_keyboard(rows), team=found)


async def _b_goal(update: Update, context: CoachContext, agent: Agent, member: Member,
                  found: Team, args: list[str]) -> None:
    if not teams.can(member.role, "settings"):
        await _home(update, context, agent)
        return
    store = context.services.store
    if args and args[0] == "type":
        store.dialogs.set_dialog(agent.id, agent.id, Dialog(FLOW, GOAL, {}))
        await reply(update, context, agent, "teams/ask_goal")
        return
    if args and args[0].isdigit() and (int(args[0]) == 0 or int(args[0]) in
                                       teams.WEEKLY_TARGETS):
        store.teams.update_team(found.id, weekly_target=int(args[0]))
        await _home(update, context, agent, notice="goal_set")
        return
    members = store.teams.members(found.id)
    automatic = stats.team_weekly_target(0, [m.monthly_target for m in members])
    choices = [(("✓ " if found.weekly_target == 0 else "")
                + label(context, agent, "team.goal_auto", count=automatic), f"{PREFIX}:goal:0")]
    choices += [(("✓ " if found.weekly_target == n else "") + str(n), f"{PREFIX}:goal:{n}")
                for n in teams.WEEKLY_TARGETS]
    rows = [choices[:1]] + [choices[i:i + 4] for i in range(1, len(choices), 4)]
    rows.append([(label(context, agent, "team.goal_type"), f"{PREFIX}:goal:type"),
                 (label(context, agent, "buttons.back"), f"{PREFIX}:home")])
    await _show(update, context, agent, "teams/goal_menu", inline_keyboard(rows), team=found,
                automatic=automatic)


async def _b_nickname(update: Update, context: CoachContext, agent: Agent, member: Member,
                      found: Team, args: list[str]) -> None:
    store = context.services.store
    if args and args[0] == "type":
        store.dialogs.set_dialog(agent.id, agent.id, Dialog(FLOW, NICK, {}))
        await reply(update, context, agent, "teams/ask_nickname", limit=teams.MAX_NICKNAME)
        return
    if args and args[0] == "show" and member.nickname:
        member = store.teams.set_show_nickname(found.id, agent.id,
                                               not member.show_nickname) or member
    await _nickname_menu(update, context, agent, member, found)


async def _nickname_menu(update: Update, context: CoachContext, agent: Agent, member: Member,
                         found: Team, *, fresh: bool = False) -> None:
    rows = [[(label(context, agent, "team.nickname_type"), f"{PREFIX}:nick:type")]]
    if member.nickname:
        key = "team.nickname_hide" if member.show_nickname else "team.nickname_show"
        rows.append([(label(context, agent, key), f"{PREFIX}:nick:show")])
    rows.append([(label(context, agent, "buttons.back"), f"{PREFIX}:home")])
    await _show(update, context, agent, "teams/nickname", inline_keyboard(rows), fresh=fresh,
                team=found, member=member,
                shown=teams.display_name(agent.first_name, member.nickname,
                                         member.show_nickname))


async def _b_rename(update: Update, context: CoachContext, agent: Agent, member: Member,
                    found: Team, args: list[str]) -> None:
    if not teams.can(member.role, "rename"):
        await _home(update, context, agent)
        return
    context.services.store.dialogs.set_dialog(agent.id, agent.id, Dialog(FLOW, RENAME, {}))
    await reply(update, context, agent, "teams/ask_name", team=found,
                limit=teams.MAX_TEAM_NAME)


async def _b_close(update: Update, context: CoachContext, agent: Agent, member: Member,
                   found: Team, args: list[str]) -> None:
    if not teams.can(member.role, "close_team"):
        await _home(update, context, agent)
        return
    rows = [[(label(context, agent, "team.confirm_close"), f"{PREFIX}:closey"),
             (label(context, agent, "buttons.cancel"), f"{PREFIX}:home")]]
    await _show(update, context, agent, "teams/confirm_close", inline_keyboard(rows), team=found,
                count=len(context.services.store.teams.members(found.id)))


async def _b_close_confirmed(update: Update, context: CoachContext, agent: Agent,
                             member: Member, found: Team, args: list[str]) -> None:
    store = context.services.store
    if not teams.can(member.role, "close_team"):
        await _home(update, context, agent)
        return
    others = [m.agent_id for m in store.teams.members(found.id) if m.agent_id != agent.id]
    if store.teams.close_team(found.id):
        for other in others:
            _notify(context.services, other, found, "closed", other)
    await _show(update, context, agent, "teams/closed", _none_keyboard(context, agent),
                team=found)


async def _b_leave(update: Update, context: CoachContext, agent: Agent, member: Member,
                   found: Team, args: list[str]) -> None:
    if not teams.can_leave(member.role):
        await _home(update, context, agent)
        return
    if args == ["yes"]:
        context.services.store.teams.remove_member(found.id, agent.id)
        _notify(context.services, found.leader_id, found, "left", agent.id)
        await _show(update, context, agent, "teams/left", _none_keyboard(context, agent),
                    team=found)
        return
    rows = [[(label(context, agent, "team.confirm_leave"), f"{PREFIX}:leave:yes"),
             (label(context, agent, "buttons.cancel"), f"{PREFIX}:home")]]
    await _show(update, context, agent, "teams/confirm_leave", inline_keyboard(rows), team=found)


BUTTONS = {
    "home": _b_home, "inv": _b_invite, "regen": _b_regenerate, "mem": _b_members,
    "m": _b_member, "nudge": _b_nudge, "dep": _b_deputy, "rm": _b_remove,
    "rmy": _b_remove_confirmed, "time": _b_time, "goal": _b_goal, "nick": _b_nickname,
    "name": _b_rename, "close": _b_close, "closey": _b_close_confirmed, "leave": _b_leave,
}


# -- typed answers --------------------------------------------------------------------------
async def _typed_nickname(update: Update, context: CoachContext, agent: Agent, member: Member,
                          found: Team, typed: str) -> None:
    nickname = teams.clean_nickname(typed)
    if nickname is None:
        await reply(update, context, agent, "teams/bad_nickname", limit=teams.MAX_NICKNAME)
        return
    store = context.services.store
    store.dialogs.clear_dialog(agent.id, agent.id)
    member = store.teams.set_nickname(found.id, agent.id, nickname, show=True) or member
    await _nickname_menu(update, context, agent, member, found, fresh=True)


async def _typed_name(update: Update, context: CoachContext, agent: Agent, member: Member,
                      found: Team, typed: str) -> None:
    name = teams.clean_team_name(typed)
    if name is None or not teams.can(member.role, "rename"):
        await reply(update, context, agent, "teams/bad_name", limit=teams.MAX_TEAM_NAME)
        return
    store = context.services.store
    store.dialogs.clear_dialog(agent.id, agent.id)
    store.teams.update_team(found.id, name=name)
    await _home(update, context, agent, fresh=True, notice="renamed")


async def _typed_goal(update: Update, context: CoachContext, agent: Agent, member: Member,
                      found: Team, typed: str) -> None:
    goal = teams.parse_weekly_target(typed)
    if goal is None or not teams.can(member.role, "settings"):
        await reply(update, context, agent, "teams/bad_goal", limit=teams.MAX_WEEKLY_TARGET)
        return
    store = context.services.store
    store.dialogs.clear_dialog(agent.id, agent.id)
    store.teams.update_team(found.id, weekly_target=goal)
    await _home(update, context, agent, fresh=True, notice="goal_set")


TEXT_STEPS = {NICK: _typed_nickname, RENAME: _typed_name, GOAL: _typed_goal}


# -- helpers --------------------------------------------------------------------------------
def _mine(context: CoachContext, agent: Agent) -> tuple[Member | None, Team | None]:
    store = context.services.store
    member = store.teams.membership(agent.id)
    return member, store.teams.get_team(member.team_id) if member else None


def _target(context: CoachContext, member: Member, found: Team, args: list[str]) -> \
        Member | None:
    """The member a button is about, only if they are in the presser's team and it's allowed."""
    if not args or not args[0].isdigit() or not teams.can(member.role, "view_members"):
        return None
    return context.services.store.teams.get_member(found.id, int(args[0]))


def _back(context: CoachContext, agent: Agent, to: str) -> InlineKeyboardMarkup:
    return inline_keyboard([[(label(context, agent, "buttons.back"), f"{PREFIX}:{to}")]])


async def _answer(update: Update, text: str | None = None) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text)


async def _show(update: Update, context: CoachContext, agent: Agent, name: str,
                keyboard: InlineKeyboardMarkup, *, fresh: bool = False, **values: object) -> None:
    if fresh or update.callback_query is None:
        await reply(update, context, agent, name, keyboard=keyboard, **values)
    else:
        await edit_or_reply(update, context, agent, name, keyboard=keyboard, **values)


def _settle_schedule(services: Services, found: Team) -> Team:
    """A report time already past today starts tomorrow: linking at 10:00 sends nothing now."""
    leader = services.store.agents.get_agent(found.leader_id)
    if leader is None:
        return found
    local = reminders.local_now(services.clock.now(), leader.timezone)
    if reminders.daily_due(local, found.report_time, found.last_report_date) is not None:
        return services.store.teams.update_team(found.id,
                                                last_report_date=local.date().isoformat()) or found
    return found


def _notify(services: Services, chat_id: int, found: Team, event: str, about: int) -> None:
    """Tell someone privately what happened in the team (through the outbox, paced)."""
    now: datetime = services.clock.now()
    services.store.outbox.enqueue(chat_id, chat_id, TEAM_NOTICE,
                                  f"team_notice:{found.id}:{event}:{about}:{chat_id}:{now.isoformat()}",
                                  {"team_id": found.id, "event": event, "about": about}, due_at=now)
    services.wake_sender()
