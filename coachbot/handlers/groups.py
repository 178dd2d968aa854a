"""Group chats: the bot speaks there only when addressed, and never about clients."""

from __future__ import annotations

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus

from coachbot.handlers.common import CoachContext, current_agent, reply


async def private_only(update: Update, context: CoachContext) -> None:
    """A private command used in a group: point to the private chat, show nothing there."""
    agent = current_agent(update, context)
    await reply(update, context, agent, "groups/private_only",
                link=f"https://t.me/{context.bot.username}")


async def mentioned(update: Update, context: CoachContext) -> None:
    """Someone @-mentioned the bot in a group it does not serve yet."""
    agent = current_agent(update, context)
    await reply(update, context, agent, "groups/hello", link=f"https://t.me/{context.bot.username}")


async def membership_changed(update: Update, context: CoachContext) -> None:
    """The bot was added to or removed from a group."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type == "private":
        return
    if change.new_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return
    if change.old_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        agent = current_agent(update, context)
        await reply(update, context, agent, "groups/hello",
                    link=f"https://t.me/{context.bot.username}")

