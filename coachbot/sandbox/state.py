"""Everything the sandbox remembers: chats, messages, files, pending updates, activity log."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import copy
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from coachbot.sandbox.objects import (
    GROUP,
    OPT_IN_UPDATES,
    PRIVATE,
    SUPERGROUP,
    UPDATE_TYPES,
    SandboxUser,
    file_ids,
)


class Signal:
    """Wakes every coroutine waiting for "something changed" (loop thread only)."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def fire(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """True as soon as predicate() holds; False after `timeout` seconds without it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if predicate():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            if self._event is None:
                self._event = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), remaining)


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # photo, document, voice, sticker
    data: bytes | None
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    url: str | None = None  # sent by URL: the sandbox does not fetch it

    @property
    def size(self) -> int | None:
        return len(self.data) if self.data is not None else None

    def to_file(self) -> dict[str, Any]:
        result: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.size is not None:
            result["file_size"] = self.size
        result["file_path"] = self.file_path
        return result


@dataclass
class StoredMessage:
    message: dict[str, Any]  # the Telegram Message object, current state
    from_bot: bool
    html: str | None = None  # what the bot sent with parse_mode=HTML
    reply_markup: dict[str, Any] | None = None  # any markup, reply keyboards included
    file_bytes: bytes | None = None
    file_name: str | None = None
    edits: int = 0

    @property
    def message_id(self) -> int:
        return int(self.message["message_id"])

    def view(self) -> dict[str, Any]:
        """The dict tests read: plain text, raw HTML, entities, markup, file bytes."""
        message = self.message
        markup = self.reply_markup
        return {
            "message_id": self.message_id,
            "chat_id": message["chat"]["id"],
            "from_bot": self.from_bot,
            "date": message["date"],
            "text": message.get("text"),
            "html": self.html,
            "entities": message.get("entities", message.get("caption_entities", [])),
            "caption": message.get("caption"),
            "reply_markup": copy.deepcopy(markup),
            "buttons": inline_button_texts(markup),
            "file_bytes": self.file_bytes,
            "file_name": self.file_name,
            "edited": self.edits > 0,
            "message": copy.deepcopy(message),
        }


def inline_button_texts(markup: dict[str, Any] | None) -> list[list[str]]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [[button["text"] for button in row] for row in markup["inline_keyboard"]]


@dataclass
class ChatState:
    chat: dict[str, Any]
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    bot_status: str = "member"  # member, administrator, left, kicked
    started: bool = False  # private chats: the user has written to the bot
    migrated_to: int | None = None
    members: dict[int, SandboxUser] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None  # the keyboard the user currently sees
    added_by: SandboxUser | None = None

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    @property
    def type(self) -> str:
        return str(self.chat["type"])

    @property
    def is_private(self) -> bool:
        return self.type == PRIVATE

    @property
    def is_group(self) -> bool:
        return self.type in (GROUP, SUPERGROUP)

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class Event:
    """One entry of the activity log: an injected update or something the bot did."""

    seq: int
    kind: str  # update, send, edit, delete, callback_answer, chat_action, rejection
    chat_id: int | None = None
    message_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)


class UpdateQueue:
    """Pending updates, confirmed by getUpdates' offset as Telegram does."""

    def __init__(self) -> None:
        self.pending: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.allowed: frozenset[str] = frozenset(UPDATE_TYPES) - OPT_IN_UPDATES
        self.last_confirmed = 0

    def allows(self, update_type: str) -> bool:
        return update_type in self.allowed

    def set_allowed(self, allowed: list[str] | None) -> None:
        if allowed is None:
            return  # "If not specified, the previous setting will be used"
        chosen = frozenset(allowed) & frozenset(UPDATE_TYPES)
        self.allowed = chosen or frozenset(UPDATE_TYPES) - OPT_IN_UPDATES

    def push(self, update_type: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._ids), update_type: payload}
        self.pending.append(update)
        return update

    def confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
            self.last_confirmed = max(self.last_confirmed, offset - 1)

    def take(self, limit: int) -> list[dict[str, Any]]:
        return [copy.deepcopy(u) for u in self.pending[:limit]]

    def drop_all(self) -> None:
        if self.pending:
            self.last_confirmed = self.pending[-1]["update_id"]
        self.pending.clear()


class FileStore:
    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self._serial = itertools.count(1)

    def add(
        self, kind: str, data: bytes | None, *, file_name: str | None = None,
        mime_type: str | None = None, url: str | None = None,
    ) -> StoredFile:
        serial = next(self._serial)
        file_id, unique_id = file_ids(kind, serial)
        extension = ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photo":
            extension = ".jpg"
        elif kind == "voice":
            extension = ".oga"
        elif kind == "sticker":
            extension = ".webp"
        folder = {"photo": "photos", "document": "documents", "voice": "voice",
                  "sticker": "stickers"}.get(kind, kind)
        stored = StoredFile(file_id, unique_id, kind, data, f"{folder}/file_{serial}{extension}",
                            file_name, mime_type, url)
        self.by_id[file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored


class SandboxState:
    """Chats, messages, files, updates and the activity log; no I/O here."""

    def __init__(self) -> None:
        self.users: dict[int, SandboxUser] = {}
        self.chats: dict[int, ChatState] = {}
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.events: list[Event] = []
        self.signal = Signal()
        self.blocked_users: set[int] = set()
        self.callback_queries: dict[str, dict[str, Any]] = {}  # id -> query, until answered
        self.callback_answers: dict[str, dict[str, Any]] = {}  # id -> answer params
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.last_injection_seq = 0
        self._seq = itertools.count(1)
        self._query_ids = itertools.count(1)
        self.on_update: Callable[[dict[str, Any]], None] | None = None  # webhook hook
        self.on_heard: Callable[[int], None] | None = None  # flood limits: a user wrote here

    # -- activity log ------------------------------------------------------------------------
    @property
    def seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    def record(
        self, kind: str, chat_id: int | None = None, message_id: int | None = None,
        **data: Any,
    ) -> Event:
        event = Event(next(self._seq), kind, chat_id, message_id, data)
        self.events.append(event)
        self.signal.fire()
        return event

    def events_after(self, seq: int, kinds: frozenset[str] | None = None) -> list[Event]:
        start = bisect.bisect_right(self.events, seq, key=lambda e: e.seq)
        return [e for e in self.events[start:] if kinds is None or e.kind in kinds]

    # -- updates -----------------------------------------------------------------------------
    def inject(
        self, update_type: str, payload: dict[str, Any], chat_id: int | None
    ) -> dict[str, Any]:
        """Queue an update for the bot (if it asked for this type) and log it."""
        delivered = self.updates.allows(update_type)
        update = self.updates.push(update_type, payload) if delivered else {update_type: payload}
        event = self.record("update", chat_id, payload.get("message_id"),
                            update=copy.deepcopy(update), delivered=delivered)
        self.last_injection_seq = event.seq
        if delivered and chat_id is not None and self.on_heard is not None:
            self.on_heard(chat_id)
        if delivered and self.on_update is not None:
            self.on_update(update)
        return {**copy.deepcopy(update), "_seq": event.seq, "_delivered": delivered}

    def not_delivered(self, update_type: str, payload: dict[str, Any], chat_id: int | None,
                      reason: str) -> dict[str, Any]:
        """Log a user action the bot does not get to see (privacy mode, not a member...)."""
        event = self.record("update", chat_id, payload.get("message_id"),
                            update={update_type: copy.deepcopy(payload)}, delivered=False,
                            reason=reason)
        self.last_injection_seq = event.seq
        return {update_type: copy.deepcopy(payload), "_seq": event.seq, "_delivered": False,
                "_reason": reason}

    def new_callback_query_id(self) -> str:
        return f"{next(self._query_ids) + 4_000_000_000_000_000}"

    # -- chats and messages ------------------------------------------------------------------
    def chat(self, chat_id: int) -> ChatState | None:
        return self.chats.get(chat_id)

    def add_chat(self, chat: dict[str, Any]) -> ChatState:
        state = self.chats.get(int(chat["id"]))
        if state is None:
            state = ChatState(chat)
            self.chats[state.id] = state
        return state

    def store(self, chat: ChatState, stored: StoredMessage) -> StoredMessage:
        chat.messages[stored.message_id] = stored
        if stored.from_bot:
            self.record("send", chat.id, stored.message_id)
        return stored

    def ordered_messages(self, chat_id: int) -> list[StoredMessage]:
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return sorted(chat.messages.values(), key=lambda m: m.message_id)
