"""Sending what the bot says: HTML split under Telegram's limits, inline keyboards, resends.

Handlers (replies) and push/ (queued messages) both send through here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from coachbot.render.buttons import MAX_CALLBACK_BYTES
from coachbot.render.templates import plain_text, split_message

logger = logging.getLogger(__name__)

# a ForceReply (a typed step's prompt) opens the reply field; a message sent with it or with a
# reply keyboard can never be edited, so only messages with inline keyboards are edited
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply
Button = tuple[str, str]  # (label text, callback data)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class InlineKeyboard(InlineKeyboardMarkup):
    """PTB's inline keyboard of callback buttons, whose Bot API form is written once from the
    (label, data) pairs: PTB's generic `to_dict` reflects over every button's ~15 attributes
    on each send, a tenth of a card's CPU. Same JSON as PTB's (tests/unit/test_messages.py)."""

    __slots__ = ("_rows",)

    def __init__(self, rows: Sequence[Sequence[Button]]) -> None:
        super().__init__([[InlineKeyboardButton(caption, callback_data=data)
                           for caption, data in row] for row in rows])
        with self._unfrozen():
            self._rows = tuple(tuple(row) for row in rows)

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": caption, "callback_data": data}
                                     for caption, data in row] for row in self._rows]}


def inline_keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    """An inline keyboard from (label, callback data) rows; callback data must fit 64 bytes."""
    kept = []
    for row in rows:
        for _, data in row:
            if not 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES:
                raise ValueError(f"callback data {data!r} does not fit Telegram's 64 bytes")
        if row:
            kept.append(row)
    return InlineKeyboard(kept)


async def send_html(
    bot: Bot, chat_id: int, html: str, *, reply_markup: Markup | None = None
) -> Message:
    """Send HTML, split under Telegram's limit; the keyboard goes on the last part."""
    parts = split_message(html)
    message: Message | None = None
    for index, part in enumerate(parts):
        markup = reply_markup if index == len(parts) - 1 else None
        try:
            message = await bot.send_message(
                chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup,
                link_preview_options=NO_PREVIEW,
            )
        except BadRequest as exc:
            if "can't parse entities" not in str(exc).lower():
                raise
            # A template produced HTML Telegram refuses: say it plainly rather than not at all.
            logger.error("Telegram refused our HTML (%s); resending as plain text", exc)
            message = await bot.send_message(
                chat_id, plain_text(part), reply_markup=markup, link_preview_options=NO_PREVIEW
            )
    assert message is not None
    return message


async def edit_in_place(query: CallbackQuery, html: str,
                        keyboard: InlineKeyboardMarkup | None) -> None:
    """Replace the pressed message's text; a press that changes nothing is no error."""
    try:
        await query.edit_message_text(html, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
