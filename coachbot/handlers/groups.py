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
from coachbot.services import teams as team_service

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
    team = team_service.team_in_chat(context.services.store, chat.id) if chat is not None \
        else None
    if team is not None:
        await reply(update, context, agent, "groups/team_help", team=team)
        return
    await reply(update, context, agent, "groups/hello", link=f"https://t.me/{context.bot.username}")


async def membership_changed(update: Update, context: CoachContext) -> None:
    """The bot was added to or removed from a group, or its admin rights changed."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type == "private":
        return
    services = context.services
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new in GONE:
        team = team_service.unlink_group(services.store, change.chat.id)
        if team is not None:
            logger.info("removed from the group of team %s; unlinked", team.id)
            team_service.notify_group_lost(services.store, team, change.from_user.id,
                                           services.clock.now())
            services.wake_sender()
        return
    if old in GONE:
        await _added(update, context)
        return
    # still in the group: only the admin rights changed; reports go on either way
    team_service.set_bot_status(services.store, change.chat.id, new)


async def _added(update: Update, context: CoachContext) -> None:
    """Added to a group: say hello; tell whoever may link it how."""
    agent = current_agent(update, context)
    member, team = team_service.team_of(context.services.store, agent.id)
    await reply(update, context, agent, "groups/hello",
                link=f"https://t.me/{context.bot.username}")
    if member is not None and can(member.role, "link_group"):
        await reply(update, context, agent, "groups/link_hint", team=team)


async def migrated(update: Update, context: CoachContext) -> None:
    """The group became a supergroup: its team, and what is queued for it, move to the new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        team_service.migrate_chat(context.services.store, message.chat.id,
                                  message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        team_service.migrate_chat(context.services.store, message.migrate_from_chat_id,
                                  message.chat.id)


async def guard_private_buttons(update: Update, context: CoachContext) -> None:
    """A private button pressed in a group (only forged data can do that): show nothing there."""
    chat, query = update.effective_chat, update.callback_query
    if chat is None or query is None or chat.type == ChatType.PRIVATE:
        return  # private chats go on to the feature handlers
    await query.answer()
    raise ApplicationHandlerStop
