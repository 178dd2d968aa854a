"""The global error handler: log with context, tell the user, react to Telegram's refusals."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from coachbot.handlers.common import CoachContext, reply
from coachbot.services import agents

logger = logging.getLogger(__name__)


async def on_error(update: object, context: CoachContext) -> None:
    """Handle an exception raised while processing an update."""
    error = context.error
    user_id = update.effective_user.id if isinstance(update, Update) and update.effective_user \
        else None
    if isinstance(error, BadRequest) and "message is not modified" in str(error).lower():
        return  # a double tap on the same button: nothing changed, nothing to say
    if isinstance(error, Forbidden):
        logger.info("user %s blocked the bot or left: %s", user_id, error)
        if user_id is not None:
            agents.mark_blocked(context.services.store, user_id)
        return
    if isinstance(error, RetryAfter | TimedOut | NetworkError) and \
            not isinstance(error, BadRequest):
        logger.warning("Telegram unreachable while handling update of user %s: %s", user_id, error)
        return
    logger.error("error while handling an update of user %s", user_id, exc_info=error)
    if isinstance(update, Update) and update.effective_chat and update.effective_user:
        agent = agents.get_agent(context.services.store, update.effective_user.id)
        if agent is None:
            return
        try:
            await reply(update, context, agent, "general/oops")
        except Exception:  # the apology itself failed: logging is all we can do
            logger.exception("could not tell user %s about the error", user_id)

