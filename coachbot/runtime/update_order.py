"""Updates of one chat in the order they came; different chats' updates at the same time.

PTB handles updates one at a time by default: while one agent's reply is on its way to
Telegram, every other agent waits. Handling all updates concurrently would let two quick taps
of the same agent race through a dialog. This processor keeps each chat's updates in order
(a dialog step, then the next) and lets different chats overlap their waits on the network.

Fairness: a chat's waiting updates queue in that chat's own line and take no shared slot; only
the update at the head of each line competes for the `concurrency` slots. (PTB takes its own
semaphore before handing an update over, and `process_update` is final, so that semaphore is
made wide enough never to bind and the real bound is ours, taken after the chat's line.) One
agent with 1,000 updates queued therefore holds one slot, and another agent's first update is
handled at once, not after them.

A chat's line is bounded: Telegram delivers about one reply per second in a chat, so a backlog
of MAX_BACKLOG updates is already a minute or two of answers. Beyond it updates are dropped
(memory stays bounded whatever one account sends) and the chat is told once to slow down.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 32  # different chats handled at once
# Telegram lets a user forward up to 100 messages at once: that many may wait, not more
MAX_BACKLOG = 100
# PTB's semaphore, taken before ours: only a bound on tasks in flight, never reached in practice
_PTB_SLOTS = 1_000_000

Overflow = Callable[[object], Awaitable[None]]


def chat_key(update: object) -> int | None:
    """The chat whose updates must stay in order (the user's, for chatless updates)."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None  # anything else shares one queue


class _Line:
    """One chat's updates: the one being handled, and the others waiting their turn."""

    __slots__ = ("told", "waiting")

    def __init__(self) -> None:
        self.waiting: deque[asyncio.Future[None]] = deque()
        self.told = False  # told to slow down since the line last emptied


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """A line per chat with work queued, dropped when the chat's line is empty."""

    __slots__ = ("_lines", "_slots", "concurrency", "dropped", "max_backlog", "on_overflow",
                 "told")

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES, *,
                 max_backlog: int = MAX_BACKLOG, on_overflow: Overflow | None = None) -> None:
        super().__init__(_PTB_SLOTS)
        if max_concurrent_updates < 1 or max_backlog < 0:
            raise ValueError("need at least one slot and a backlog of zero or more")
        self.concurrency = max_concurrent_updates
        self.max_backlog = max_backlog
        # called (once per flood) with the first update dropped: the bot asks to slow down
        self.on_overflow = on_overflow
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._lines: dict[int | None, _Line] = {}
        self.dropped = 0  # updates dropped because their chat's line was full
        self.told = 0  # times a chat was told to slow down

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # Nothing awaits between PTB creating this update's task and this point, so a chat's
        # updates join its line in arrival order.
        key = chat_key(update)
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = _Line()  # the line was empty: this update goes first
        else:
            if len(line.waiting) >= self.max_backlog:
                await self._drop(update, coroutine, line)
                return
            turn = asyncio.get_running_loop().create_future()
            line.waiting.append(turn)
            try:
                await turn  # holding no slot: other chats go on meanwhile
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._next(key, line)  # it was our turn: hand it on
                else:
                    line.waiting.remove(turn)
                _discard(coroutine)
                raise
        try:
            async with self._slots:
                await coroutine
        finally:
            self._next(key, line)

    def _next(self, key: int | None, line: _Line) -> None:
        """The head is done: the next of this chat goes, or the line is gone."""
        while line.waiting:
            turn = line.waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        del self._lines[key]

    async def _drop(self, update: object, coroutine: Awaitable[Any], line: _Line) -> None:
        _discard(coroutine)
        self.dropped += 1
        if line.told or self.on_overflow is None:
            return
        line.told = True
        self.told += 1
        logger.warning("chat %s sent more than %d updates at once: dropping the rest",
                       chat_key(update), self.max_backlog)
        try:
            await self.on_overflow(update)
        except Exception:  # telling them is a courtesy: never let it break update handling
            logger.exception("could not ask chat %s to slow down", chat_key(update))

    @property
    def busy_chats(self) -> int:
        """Chats with an update being handled or waiting (for tests and diagnostics)."""
        return len(self._lines)

    def is_busy(self, chat_id: int | None) -> bool:
        """Is an update of this chat being handled or waiting?"""
        return chat_id in self._lines

    def backlog(self, chat_id: int | None) -> int:
        """Updates of this chat waiting behind the one being handled."""
        line = self._lines.get(chat_id)
        return len(line.waiting) if line is not None else 0

    async def initialize(self) -> None:
        """Nothing to set up: lines are made as chats come."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for running updates before calling this."""


def _discard(coroutine: Awaitable[Any]) -> None:
    """Close an update's handling that will never run (no 'never awaited' warning)."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
