"""Fixtures: a running sandbox, a telegram.Bot talking to it, and a tiny echo Application."""

from __future__ import annotations

import contextlib
import html
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from coachbot.sandbox import Sandbox

KEYBOARD = InlineKeyboardMarkup([[
    InlineKeyboardButton("确认", callback_data="confirm"),
    InlineKeyboardButton("取消", callback_data="cancel"),
]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    await update.effective_message.reply_text(
        f"<b>echo</b> {html.escape(text)}", parse_mode=ParseMode.HTML, reply_markup=KEYBOARD
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"pressed <i>{html.escape(query.data or '')}</i>",
                                  parse_mode=ParseMode.HTML)


async def document_size(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    file = await message.document.get_file()
    data = await file.download_as_bytearray()
    await message.reply_text(f"{message.document.file_name}: {len(data)} bytes, "
                             f"starts {bytes(data[:5])!r}")


async def remember(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("updates", []).append(update)


def build_echo_app(sandbox: Sandbox) -> Application[Any, Any, Any, Any, Any, Any]:
    """Echoes texts (HTML, with two buttons), answers presses, measures documents; every
    update it gets is kept in bot_data["updates"]."""
    app = (ApplicationBuilder().token(sandbox.token).base_url(sandbox.base_url)
           .base_file_url(sandbox.base_file_url).build())
    app.add_handler(TypeHandler(Update, remember), group=-1)
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(MessageHandler(filters.Document.ALL, document_size))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


@contextlib.asynccontextmanager
async def polling(
    app: Application[Any, Any, Any, Any, Any, Any],
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        yield running


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[Bot]:
    """A plain telegram.Bot for direct API calls."""
    async with Bot(sandbox.token, base_url=sandbox.base_url,
                   base_file_url=sandbox.base_file_url) as client:
        yield client


@pytest.fixture
async def echo_app(sandbox: Sandbox) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The echo bot, long-polling the sandbox."""
    async with polling(build_echo_app(sandbox)) as app:
        yield app
