"""Group chats: the bot speaks there only when addressed, and never about clients.

It keeps working whatever happens to it in a group: losing admin rights changes nothing (it
needs none: in privacy mode it sees only commands and mentions), being removed unlinks the
group from its team and tells the leader, and a group upgraded to a supergroup keeps its team
and queued reports under the new chat id.
"""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ApplicationHandlerStop

from coachbot.domain.teams import can
from coachbot.handlers.common import CoachContext, current_agent, reply
from coachbot.push.team_sweep import TEAM_NOTICE

logger = logging.getLogger(__name__)

GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


async def private_only(update: Update, context: CoachContext) -> None:
    """A private command used in a group: point to the private chat, show nothing there."""
    agent = current_agent(update, context)
    await reply(update, context, agent, "groups/private_only",
                link=f"https://t.me/{context.bot.username}")


async def mentioned(update: Update, context: CoachContext) -> None:
    """Someone @-mentioned the bot in a group: what it does here."""
    agent = current_agent(update, context)
    chat = update.effective_chat
    team = context.services.store.teams.team_by_group(chat.id) if chat is not None else None
    if team is not None:
        await reply(update, context, agent, "groups/team_help", team=team)
        return
    await reply(update, context, agent, "groups/hello", link=f"https://t.me/{context.bot.username}")


async def membership_changed(update: Update, context: CoachContext) -> None:
    """The bot was added to or removed from a group, or its admin rights changed."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type == "private":
        return
    store = context.services.store
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new in GONE:
        team = store.teams.unlink_group(change.chat.id)
        if team is not None:
            logger.info("removed from the group of team %s; unlinked", team.id)
            _notify_leader(context, team.id, team.leader_id, change.from_user.id)
        return
    if old in GONE:
        agent = current_agent(update, context)
        member = store.teams.membership(agent.id)
        await reply(update, context, agent, "groups/hello",
                    link=f"https://t.me/{context.bot.username}")
        if member is not None and can(member.role, "link_group"):
            team = store.teams.get_team(member.team_id)
            await reply(update, context, agent, "groups/link_hint", team=team)
        return
    # still in the group: only the admin rights changed; reports go on either way
    store.teams.set_bot_status(change.chat.id, new)


async def migrated(update: Update, context: CoachContext) -> None:
    """The group became a supergroup: its team, and what is queued for it, move to the new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        context.services.store.migrate_chat(message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        context.services.store.migrate_chat(message.migrate_from_chat_id, message.chat.id)


def _notify_leader(context: CoachContext, team_id: int, leader_id: int, actor: int) -> None:
    services = context.services
    now = services.clock.now()
    services.store.outbox.enqueue(leader_id, leader_id, TEAM_NOTICE,
                                  f"team_notice:{team_id}:group_lost:{now.isoformat()}",
                                  {"team_id": team_id, "event": "group_lost", "about": actor},
                                  due_at=now)
    services.wake_sender()


async def guard_private_buttons(update: Update, context: CoachContext) -> None:
    """A private button pressed in a group (only forged data can do that): show nothing there."""
    chat, query = update.effective_chat, update.callback_query
    if chat is None or query is None or chat.type == ChatType.PRIVATE:
        return  # private chats go on to the feature handlers
    await query.answer()
    raise ApplicationHandlerStop
