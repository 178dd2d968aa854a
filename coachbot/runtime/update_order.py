"""Updates of one chat in the order they came; different chats' updates at the same time.

PTB handles updates one at a time by default: while one agent's reply is on its way to
Telegram, every other agent waits. Handling all updates concurrently would let two quick taps
of the same agent race through a dialog. This processor keeps each chat's updates in order
(a dialog step, then the next) and lets different chats overlap their waits on the network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 32


def chat_key(update: object) -> int | None:
    """The chat whose updates must stay in order (the user's, for chatless updates)."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None  # anything else shares one queue


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """One lock per chat with work queued, dropped when the chat's queue is empty."""

    __slots__ = ("_chats",)

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int | None, tuple[asyncio.Lock, list[int]]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # PTB's semaphore hands out slots first come, first served, and nothing awaits
        # between it and this lock: a chat's updates reach the lock in arrival order
        key = chat_key(update)
        lock, waiting = self._chats.setdefault(key, (asyncio.Lock(), [0]))
        waiting[0] += 1
        try:
            async with lock:
                await coroutine
        finally:
            waiting[0] -= 1
            if not waiting[0]:
                del self._chats[key]

    @property
    def busy_chats(self) -> int:
        """Chats with an update being handled or waiting (for tests and diagnostics)."""
        return len(self._chats)

    async def initialize(self) -> None:
        """Nothing to set up: locks are made as chats come."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for running updates before calling this."""
