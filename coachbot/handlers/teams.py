"""/team: create a team, invite, members and deputies, nudges, settings; /link; the invite gate.

Roles decide what each button does (coachbot.domain.teams.PERMISSIONS); every callback checks them
again against the store, so an old or forged button cannot reach another team.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ApplicationHandlerStop

from coachbot.domain import stats, teams
from coachbot.domain.locales import LOCALES, locale_from_language_code
from coachbot.domain.models import Agent, Dialog
from coachbot.domain.regions import currency_for
from coachbot.domain.teams import Member, Team
from coachbot.handlers.common import (
    CoachContext,
    current_agent,
    label,
    reply,
    show,
    typed_answer,
)
from coachbot.handlers.dispatch import Action, Buttons, Command, Feature, Press
from coachbot.render.buttons import TEAM
from coachbot.runtime.messages import Button, inline_keyboard
from coachbot.services import dialogs, team_reports
from coachbot.services import teams as team_service
from coachbot.services.container import Services

logger = logging.getLogger(__name__)

FLOW = "team"
NICK, RENAME, GOAL, CURRENCY = "nick", "name", "goal", "cur"  # what a typed answer is for

TeamStep = Callable[[Press, Member, Team], Awaitable[None]]
TypedStep = Callable[[Update, CoachContext, Agent, Member, Team, str], Awaitable[None]]


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
    found = team_service.team_by_invite(store, code)
    current, mine = team_service.team_of(store, agent.id)
    if found is None:
        await reply(update, context, agent, "teams/invite_invalid")
    elif current is not None:
        await reply(update, context, agent, "teams/already_in_team", team=mine,
                    same=current.team_id == found.id)
    elif team_service.join(store, found.id, agent.id):
        await reply(update, context, agent, "teams/joined", team=found,
                    leader=team_service.leader_of(store, found), onboarded=agent.onboarded)
        _notify(context.services, found.leader_id, found, "joined", agent.id)
    return agent.onboarded


async def link(update: Update, context: CoachContext) -> None:
    """/link in a group: the team's leader (or a deputy) makes it the team's group."""
    agent = current_agent(update, context)
    chat = update.effective_chat
    assert chat is not None
    services = context.services
    member, found = team_service.team_of(services.store, agent.id)
    if member is None or found is None or not teams.can(member.role, "link_group"):
        await reply(update, context, agent, "teams/link_denied")
        return
    linked = team_service.link_group(services.store, found, chat.id, chat.title,
                                     services.clock.now())
    if linked is None:
        await reply(update, context, agent, "teams/link_taken")
        return
    await reply(update, context, agent, "teams/linked", team=linked)


async def gate(update: Update, context: CoachContext) -> None:
    """When the deployment requires an invite: only team members and listed users get in, in
    every chat: a stranger's command or (forged) press in a group does nothing at all."""
    settings = context.services.settings
    chat, user = update.effective_chat, update.effective_user
    if not settings.require_invite or chat is None or user is None:
        return
    if update.message is None and update.callback_query is None \
            and update.edited_message is None:
        return  # the bot added to or removed from a group: housekeeping, nobody's data
    if _let_in(update, context, user.id):
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    if chat.type == ChatType.PRIVATE:
        locale = locale_from_language_code(user.language_code)
        await context.bot.send_message(
            chat.id, context.services.renderer.render(locale, "teams/not_invited"),
            parse_mode=ParseMode.HTML)
    raise ApplicationHandlerStop


def _let_in(update: Update, context: CoachContext, user_id: int) -> bool:
    """Listed users and team members; a private /start with a real invitation; and a group's
    move to a supergroup, whoever upgraded it (the team follows its group)."""
    settings, store = context.services.settings, context.services.store
    if user_id in settings.allowed_user_ids or team_service.is_team_member(store, user_id):
        return True
    message = update.message
    if message is not None and (message.migrate_to_chat_id or message.migrate_from_chat_id):
        return True
    chat = update.effective_chat
    words = (message.text or "").split() if message else []
    if chat is None or chat.type != ChatType.PRIVATE or len(words) != 2 \
            or words[0].split("@")[0] != "/start":
        return False
    code = teams.invite_code_from_start(words[1])
    return code is not None and team_service.team_by_invite(store, code) is not None


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """Text typed while /team asked for a nickname, a team name or a weekly target."""
    message = update.effective_message
    assert message is not None and message.text is not None
    store = context.services.store
    member, found = team_service.team_of(store, agent.id)
    if member is None or found is None:
        dialogs.clear_dialog(store, agent.id, message.chat_id)
        await reply(update, context, agent, "teams/no_team", keyboard=_none_keyboard(context,
                                                                                     agent))
        return
    step = TYPED_STEPS.get(dialog.step)
    if step is None:
        dialogs.clear_dialog(store, agent.id, message.chat_id)
        await reply(update, context, agent, "general/stale_button")
        return
    await step(update, context, agent, member, found, message.text)


# -- the home screen ------------------------------------------------------------------------
async def _home(update: Update, context: CoachContext, agent: Agent, *, fresh: bool = False,
                notice: str | None = None) -> None:
    services = context.services
    member, found = team_service.team_of(services.store, agent.id)
    if member is None or found is None:
        await _show(update, context, agent, "teams/no_team", _none_keyboard(context, agent),
                    fresh=fresh)
        return
    leader = team_service.leader_of(services.store, found)
    assert leader is not None
    status = team_reports.team_status(services.store, found, leader, services.clock.now())
    members = team_service.team_members(services.store, found.id)
    week_target = stats.team_weekly_target(found.weekly_target,
                                           [m.monthly_target for m in members])
    mine = next(s for s in status if s.member.agent_id == agent.id)
    await _show(update, context, agent, "teams/home", _home_keyboard(context, agent, member),
                fresh=fresh, team=found, member=member, leader=leader, status=status, mine=mine,
                week_target=week_target, manager=teams.can(member.role, "view_members"),
                week=stats.sum_activity(s.week for s in status), notice=notice)


def _home_keyboard(context: CoachContext, agent: Agent, member: Member) -> InlineKeyboardMarkup:
    def b(key: str, action: str) -> Button:
        return label(context, agent, f"team.{key}"), TEAM.data(action)

    role = member.role
    rows: list[list[Button]] = []
    if teams.can(role, "view_members"):
        rows.append([b("members", "members"), b("invite", "invite")])
    if teams.can(role, "settings"):
        rows.append([b("report_time", "time"), b("weekly_target", "goal")])
        rows.append([b("currency", "currency")])
    rows.append([b("nickname", "nickname")] + ([b("rename", "rename")]
                                               if teams.can(role, "rename") else []))
    rows.append([b("close", "close")] if teams.can(role, "close_team") else [b("leave", "leave")])
    return inline_keyboard(rows)


def _none_keyboard(context: CoachContext, agent: Agent) -> InlineKeyboardMarkup:
    return inline_keyboard([[(label(context, agent, "team.create"), TEAM.data("new"))]])


# -- buttons --------------------------------------------------------------------------------
def _in_team(step: TeamStep, *, answers_itself: bool = False) -> Action:
    """tm:<action>[:<argument>]: only for someone in a team; the rest see /team's home."""
    async def run(press: Press) -> None:
        member, found = team_service.team_of(press.store, press.agent.id)
        if member is None or found is None:
            if answers_itself:
                await press.answer()
            await _home_again(press)
            return
        await step(press, member, found)
    return run


async def _home_again(press: Press) -> None:
    await _home(press.update, press.context, press.agent)


def _in_private(press: Press) -> bool:
    """Teams are made and invite links shown only in a private chat, whatever data a group
    member forges."""
    chat = press.update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


async def _create(press: Press) -> None:
    if not _in_private(press):
        return
    name = press.label("team.default_name", name=press.agent.first_name or "")
    created = team_service.create_team(press.store, press.agent.id, name)
    if created is None:  # already in a team: show it
        await _home_again(press)
        return
    await _home(press.update, press.context, press.agent, notice="created")
    await _send_invite(press, created, fresh=True)


async def _b_home(press: Press, member: Member, found: Team) -> None:
    dialogs.clear_dialog(press.store, press.agent.id, press.agent.id)
    await _home_again(press)


async def _b_invite(press: Press, member: Member, found: Team) -> None:
    if not _in_private(press):
        return
    if not teams.can(member.role, "show_invite"):
        await _home_again(press)
        return
    await _send_invite(press, found)


async def _b_regenerate(press: Press, member: Member, found: Team) -> None:
    if not _in_private(press):
        return
    if not teams.can(member.role, "regenerate_invite"):
        await _home_again(press)
        return
    renewed = team_service.renew_invite(press.store, found.id)
    assert renewed is not None
    await _send_invite(press, renewed, notice="renewed")


async def _send_invite(press: Press, found: Team, *, fresh: bool = False,
                       notice: str | None = None) -> None:
    member = team_service.get_member(press.store, found.id, press.agent.id)
    rows: list[list[Button]] = []
    if member is not None and teams.can(member.role, "regenerate_invite"):
        rows.append([(press.label("team.regenerate"), TEAM.data("regenerate"))])
    rows.append([(press.label("buttons.back"), TEAM.data("home"))])
    await _show_press(press, "teams/invite", inline_keyboard(rows), fresh=fresh, team=found,
                      link=teams.invite_link(press.context.bot.username, found.invite_code),
                      notice=notice)


async def _b_members(press: Press, member: Member, found: Team) -> None:
    if not teams.can(member.role, "view_members"):
        await _home_again(press)
        return
    status = _status(press, found)
    buttons: list[Button] = []
    for s in status:
        caption = press.label("team.member_button", name=s.member.first_name[:14],
                              visits=s.week.visits, policies=s.week.policies)
        buttons.append((("💤 " if s.idle else "") + caption,
                        TEAM.data("member", s.member.agent_id)))
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(press.label("buttons.back"), TEAM.data("home"))])
    await _show_press(press, "teams/members", inline_keyboard(rows), team=found, status=status)


def _status(press: Press, found: Team) -> list[team_reports.MemberStatus]:
    leader = team_service.leader_of(press.store, found)
    assert leader is not None
    return team_reports.team_status(press.store, found, leader, press.services.clock.now())


async def _b_member(press: Press, member: Member, found: Team, *,
                    notice: str | None = None) -> None:
    target = _target(press, member, found)
    if target is None:
        await _b_members(press, member, found)
        return
    leader = team_service.leader_of(press.store, found)
    assert leader is not None
    [status] = [s for s in _status(press, found) if s.member.agent_id == target.agent_id]

    def b(key: str, action: str) -> Button:
        return press.label(f"team.{key}"), TEAM.data(action, target.agent_id)

    rows: list[list[Button]] = []
    if target.agent_id != press.agent.id and teams.can(member.role, "nudge"):
        rows.append([b("nudge", "nudge")])
    if teams.can(member.role, "manage_deputies") and target.role != teams.LEADER:
        rows.append([b("undeputy" if target.role == teams.DEPUTY else "deputy", "deputy")])
    if target.agent_id != press.agent.id and teams.can_remove(member.role, target.role):
        rows.append([b("remove", "remove")])
    rows.append([(press.label("buttons.back"), TEAM.data("members"))])
    await _show_press(press, "teams/member", inline_keyboard(rows), team=found, status=status,
                      notice=notice, currency=currency_for(leader.region),
                      plan_daily=stats.daily_visit_target(target.monthly_target))


async def _b_nudge(press: Press, member: Member, found: Team) -> None:
    """A friendly push to a quiet member, once a day; the press is answered with the outcome."""
    target = _target(press, member, found)
    if target is None or target.agent_id == press.agent.id or \
            not teams.can(member.role, "nudge"):
        await press.answer()
        await _home_again(press)
        return
    queued = team_service.queue_nudge(press.store, found, press.agent, target.agent_id,
                                      press.services.clock.now())
    if queued:
        press.services.wake_sender()
    notice = "nudged" if queued else "nudged_already"
    await press.answer(press.label(f"team.{notice}"))
    await _b_member(press, member, found, notice=notice)


async def _b_deputy(press: Press, member: Member, found: Team) -> None:
    target = _target(press, member, found)
    if target is not None and teams.can(member.role, "manage_deputies") \
            and target.role != teams.LEADER:
        team_service.toggle_deputy(press.store, found.id, target)
    await _b_member(press, member, found)


async def _b_remove(press: Press, member: Member, found: Team) -> None:
    target = _target(press, member, found)
    if target is None or target.agent_id == press.agent.id or \
            not teams.can_remove(member.role, target.role):
        await _home_again(press)
        return
    rows = [[(press.label("team.confirm_remove"), TEAM.data("remove_confirmed", target.agent_id)),
             (press.label("buttons.cancel"), TEAM.data("member", target.agent_id))]]
    await _show_press(press, "teams/confirm_remove", inline_keyboard(rows), team=found,
                      target=target)


async def _b_remove_confirmed(press: Press, member: Member, found: Team) -> None:
    target = _target(press, member, found)
    if target is not None and target.agent_id != press.agent.id and \
            teams.can_remove(member.role, target.role) and \
            team_service.remove_member(press.store, found.id, target.agent_id):
        _notify(press.services, target.agent_id, found, "removed", target.agent_id)
        await _show_press(press, "teams/removed", _back(press, "members"), team=found,
                          target=target)
        return
    await _b_members(press, member, found)


async def _b_time(press: Press, member: Member, found: Team) -> None:
    if not teams.can(member.role, "settings"):
        await _home_again(press)
        return
    chosen = press.arg(0).replace("-", ":")
    if press.args and chosen in teams.REPORT_TIMES:
        team_service.set_report_time(press.store, found, chosen, press.services.clock.now())
        await _home(press.update, press.context, press.agent, notice="time_set")
        return
    choices = [(("✓ " if t == found.report_time else "") + t,
                TEAM.data("time", t.replace(":", "-"))) for t in teams.REPORT_TIMES]
    rows = [choices[i:i + 3] for i in range(0, len(choices), 3)]
    rows.append([(press.label("buttons.back"), TEAM.data("home"))])
    await _show_press(press, "teams/time_menu", inline_keyboard(rows), team=found)


async def _b_goal(press: Press, member: Member, found: Team) -> None:
    if not teams.can(member.role, "settings"):
        await _home_again(press)
        return
    arg, goal = press.arg(0), press.int_arg(0)
    if press.args and arg == "type":
        dialogs.set_dialog(press.store, press.agent.id, press.agent.id, Dialog(FLOW, GOAL, {}))
        await press.reply("teams/ask_goal", keyboard=press.typed_answer("team.goal"))
        return
    if goal is not None and (goal == 0 or goal in teams.WEEKLY_TARGETS):
        team_service.set_weekly_target(press.store, found.id, goal)
        await _home(press.update, press.context, press.agent, notice="goal_set")
        return
    await _goal_menu(press, found)


async def _goal_menu(press: Press, found: Team) -> None:
    members = team_service.team_members(press.store, found.id)
    automatic = stats.team_weekly_target(0, [m.monthly_target for m in members])
    choices = [(("✓ " if found.weekly_target == 0 else "")
                + press.label("team.goal_auto", count=automatic), TEAM.data("goal", 0))]
    choices += [(("✓ " if found.weekly_target == n else "") + str(n), TEAM.data("goal", n))
                for n in teams.WEEKLY_TARGETS]
    rows = [choices[:1]] + [choices[i:i + 4] for i in range(1, len(choices), 4)]
    rows.append([(press.label("team.goal_type"), TEAM.data("goal", "type")),
                 (press.label("buttons.back"), TEAM.data("home"))])
    await _show_press(press, "teams/goal_menu", inline_keyboard(rows), team=found,
                      automatic=automatic)


async def _b_nickname(press: Press, member: Member, found: Team) -> None:
    if press.args and press.arg(0) == "type":
        dialogs.set_dialog(press.store, press.agent.id, press.agent.id, Dialog(FLOW, NICK, {}))
        await press.reply("teams/ask_nickname", limit=teams.MAX_NICKNAME,
                          keyboard=press.typed_answer("team.nickname"))
        return
    if press.args and press.arg(0) == "show" and member.nickname:
        member = team_service.toggle_show_nickname(press.store, member) or member
    await _nickname_menu(press.update, press.context, press.agent, member, found)


async def _nickname_menu(update: Update, context: CoachContext, agent: Agent, member: Member,
                         found: Team, *, fresh: bool = False) -> None:
    rows = [[(label(context, agent, "team.nickname_type"), TEAM.data("nickname", "type"))]]
    if member.nickname:
        key = "team.nickname_hide" if member.show_nickname else "team.nickname_show"
        rows.append([(label(context, agent, key), TEAM.data("nickname", "show"))])
    rows.append([(label(context, agent, "buttons.back"), TEAM.data("home"))])
    await _show(update, context, agent, "teams/nickname", inline_keyboard(rows), fresh=fresh,
                team=found, member=member,
                shown=teams.display_name(agent.first_name, member.nickname,
                                         member.show_nickname))


async def _b_rename(press: Press, member: Member, found: Team) -> None:
    if not teams.can(member.role, "rename"):
        await _home_again(press)
        return
    dialogs.set_dialog(press.store, press.agent.id, press.agent.id, Dialog(FLOW, RENAME, {}))
    await press.reply("teams/ask_name", team=found, limit=teams.MAX_TEAM_NAME,
                      keyboard=press.typed_answer("team.name"))


async def _b_close(press: Press, member: Member, found: Team) -> None:
    if not teams.can(member.role, "close_team"):
        await _home_again(press)
        return
    rows = [[(press.label("team.confirm_close"), TEAM.data("close_confirmed")),
             (press.label("buttons.cancel"), TEAM.data("home"))]]
    await _show_press(press, "teams/confirm_close", inline_keyboard(rows), team=found,
                      count=len(team_service.team_members(press.store, found.id)))


async def _b_close_confirmed(press: Press, member: Member, found: Team) -> None:
    if not teams.can(member.role, "close_team"):
        await _home_again(press)
        return
    others = [m.agent_id for m in team_service.team_members(press.store, found.id)
              if m.agent_id != press.agent.id]
    if team_service.close_team(press.store, found.id):
        for other in others:
            _notify(press.services, other, found, "closed", other)
    await _show_press(press, "teams/closed", _none_keyboard(press.context, press.agent),
                      team=found)


async def _b_leave(press: Press, member: Member, found: Team) -> None:
    if not teams.can_leave(member.role):
        await _home_again(press)
        return
    if list(press.args) == ["yes"]:
        team_service.remove_member(press.store, found.id, press.agent.id)
        _notify(press.services, found.leader_id, found, "left", press.agent.id)
        await _show_press(press, "teams/left", _none_keyboard(press.context, press.agent),
                          team=found)
        return
    rows = [[(press.label("team.confirm_leave"), TEAM.data("leave", "yes")),
             (press.label("buttons.cancel"), TEAM.data("home"))]]
    await _show_press(press, "teams/confirm_leave", inline_keyboard(rows), team=found)


# -- typed answers --------------------------------------------------------------------------
async def _typed_nickname(update: Update, context: CoachContext, agent: Agent, member: Member,
                          found: Team, typed: str) -> None:
    nickname = teams.clean_nickname(typed)
    if nickname is None:
        await reply(update, context, agent, "teams/bad_nickname", limit=teams.MAX_NICKNAME,
                    keyboard=typed_answer(context, agent, "team.nickname"))
        return
    store = context.services.store
    dialogs.clear_dialog(store, agent.id, agent.id)
    member = team_service.set_nickname(store, found.id, agent.id, nickname) or member
    await _nickname_menu(update, context, agent, member, found, fresh=True)


async def _typed_name(update: Update, context: CoachContext, agent: Agent, member: Member,
                      found: Team, typed: str) -> None:
    name = teams.clean_team_name(typed)
    if name is None or not teams.can(member.role, "rename"):
        await reply(update, context, agent, "teams/bad_name", limit=teams.MAX_TEAM_NAME,
                    keyboard=typed_answer(context, agent, "team.name"))
        return
    store = context.services.store
    dialogs.clear_dialog(store, agent.id, agent.id)
    team_service.rename_team(store, found.id, name)
    await _home(update, context, agent, fresh=True, notice="renamed")


async def _typed_goal(update: Update, context: CoachContext, agent: Agent, member: Member,
                      found: Team, typed: str) -> None:
    goal = teams.parse_weekly_target(typed)
    if goal is None or not teams.can(member.role, "settings"):
        await reply(update, context, agent, "teams/bad_goal", limit=teams.MAX_WEEKLY_TARGET,
                    keyboard=typed_answer(context, agent, "team.goal"))
        return
    store = context.services.store
    dialogs.clear_dialog(store, agent.id, agent.id)
    team_service.set_weekly_target(store, found.id, goal)
    await _home(update, context, agent, fresh=True, notice="goal_set")


# -- currency and rates (a leader, or whoever has "settings") -----------------------------------
async def _b_currency(press: Press, member: Member, found: Team) -> None:
    """tm:cur: the team's currency and rates; lines typed next set a rate or the currency."""
    if not teams.can(member.role, "settings"):
        await _home_again(press)
        return
    dialogs.set_dialog(press.store, press.agent.id, press.agent.id, Dialog(FLOW, CURRENCY, {}))
    # a panel with buttons (remove a rate, back): typed lines are read while it is open, its
    # buttons stay (a message carries one markup), the examples are in its text
    await _currency(press.update, press.context, press.agent, found)


async def _b_remove_rate(press: Press, member: Member, found: Team) -> None:
    """tm:rmr:<currency>: stop converting that currency."""
    if not teams.can(member.role, "settings") or len(press.args) != 1 or not press.arg(0):
        await _home_again(press)
        return
    team_reports.remove_team_rate(press.store, found, press.arg(0))
    await _currency(press.update, press.context, press.agent, found, notice="removed")


async def _currency(update: Update, context: CoachContext, agent: Agent, found: Team, *,
                    notice: str | None = None, fresh: bool = False) -> None:
    store = context.services.store
    leader = team_service.leader_of(store, found)
    assert leader is not None
    panel = team_reports.currency_panel(store, found, leader, notice)
    removes = [(label(context, agent, "team.remove_rate", currency=cur),
                TEAM.data("remove_rate", cur)) for cur in panel.rates]
    rows = [removes[i:i + 3] for i in range(0, len(removes), 3)]
    rows.append([(label(context, agent, "buttons.back"), TEAM.data("home"))])
    await _show(update, context, agent, "teams/currency", inline_keyboard(rows), fresh=fresh,
                team=found, panel=panel)


async def _typed_currency(update: Update, context: CoachContext, agent: Agent, member: Member,
                          found: Team, typed: str) -> None:
    """A currency word then a code ("currency SGD") sets the team's currency; "HKD 0.92" a
    rate."""
    if not teams.can(member.role, "settings"):
        await _home(update, context, agent, fresh=True)
        return
    store = context.services.store
    words = typed.split(maxsplit=1)
    if len(words) == 2 and words[0].lower() in _currency_words(context):
        updated = team_reports.set_team_currency(store, found, words[1])
        changed, found = updated is not None, updated or found
    else:
        leader = team_service.leader_of(store, found)
        assert leader is not None
        changed = team_reports.set_team_rate(store, found, leader, typed) is not None
    await _currency(update, context, agent, found, notice="set" if changed else "bad",
                    fresh=True)


def _currency_words(context: CoachContext) -> set[str]:
    """The word before a currency that makes a line "the team's currency", in every language."""
    renderer = context.services.renderer
    return {word.lower() for locale in LOCALES
            for word in renderer.label(locale, "team.currency_words").split()}


TYPED_STEPS: dict[str, TypedStep] = {NICK: _typed_nickname, RENAME: _typed_name,
                                     GOAL: _typed_goal, CURRENCY: _typed_currency}


# -- helpers --------------------------------------------------------------------------------
def _target(press: Press, member: Member, found: Team) -> Member | None:
    """The member a button is about, only if they are in the presser's team and it's allowed."""
    target_id = press.int_arg(0)
    if target_id is None or not teams.can(member.role, "view_members"):
        return None
    return team_service.get_member(press.store, found.id, target_id)


def _back(press: Press, to: str) -> InlineKeyboardMarkup:
    return inline_keyboard([[(press.label("buttons.back"), TEAM.data(to))]])


async def _show(update: Update, context: CoachContext, agent: Agent, name: str,
                keyboard: InlineKeyboardMarkup, *, fresh: bool = False, **values: object) -> None:
    await show(update, context, agent, name, fresh=fresh or update.callback_query is None,
               keyboard=keyboard, **values)


async def _show_press(press: Press, name: str, keyboard: InlineKeyboardMarkup, *,
                      fresh: bool = False, **values: object) -> None:
    await _show(press.update, press.context, press.agent, name, keyboard, fresh=fresh, **values)


def _notify(services: Services, chat_id: int, found: Team, event: str, about: int) -> None:
    """Tell someone privately what happened in the team (through the outbox, paced)."""
    team_service.notify(services.store, chat_id, found, event, about, services.clock.now())
    services.wake_sender()


FEATURE = Feature(
    commands=(Command("team", team, section="team"),
              Command("link", link, where="group", in_menu=False)),
    buttons=(Buttons(TEAM, {
        "new": _create, "home": _in_team(_b_home), "invite": _in_team(_b_invite),
        "regenerate": _in_team(_b_regenerate), "members": _in_team(_b_members),
        "member": _in_team(_b_member), "nudge": _in_team(_b_nudge, answers_itself=True),
        "deputy": _in_team(_b_deputy), "remove": _in_team(_b_remove),
        "remove_confirmed": _in_team(_b_remove_confirmed), "time": _in_team(_b_time),
        "goal": _in_team(_b_goal), "nickname": _in_team(_b_nickname),
        "rename": _in_team(_b_rename), "close": _in_team(_b_close),
        "close_confirmed": _in_team(_b_close_confirmed), "leave": _in_team(_b_leave),
        "currency": _in_team(_b_currency), "remove_rate": _in_team(_b_remove_rate),
    }, answers_itself=frozenset({"nudge"}), unknown=_home_again, group_safe=True),),
    text_steps={FLOW: on_text},
)
