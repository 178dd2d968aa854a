"""The Python control API: act as Telegram users and read what the bot did.

Every method is synchronous and must be called from the event loop's thread (the sandbox's
state is not locked). Injecting methods return the Update dict, plus "_seq" (the position of the
injection in the activity log, for wait_for_bot(after=...)) and "_delivered" (False when
Telegram would not have given this update to the bot: privacy mode, bot not in the group...).
"""

from __future__ import annotations

import copy
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from coachbot.sandbox.botapi import BotApi, scope_key
from coachbot.sandbox.entities import find_auto_entities
from coachbot.sandbox.objects import (
    GROUP,
    SUPERGROUP,
    TINY_PNG,
    SandboxUser,
    chat_member,
    group_chat,
    image_size,
    now,
    private_chat,
)
from coachbot.sandbox.state import ChatState, SandboxState, StoredMessage, inline_button_texts

BOT_ACTIVITY = frozenset({"send", "edit"})
DEFAULT_QUIET = 0.05


class SandboxControl(ABC):
    """Mixed into Sandbox; needs `state`, `api` and `bot_user`. The control HTTP API is typed
    against this class, so it also names what the server provides (URLs, waiting for idle)."""

    state: SandboxState
    api: BotApi
    bot_user: dict[str, Any]

    @property
    @abstractmethod
    def base_url(self) -> str: ...

    @property
    @abstractmethod
    def base_file_url(self) -> str: ...

    @abstractmethod
    async def wait_idle(self, timeout: float = 5) -> None: ...

    # -- users and chats ---------------------------------------------------------------------
    def user(
        self,
        id: int,
        first_name: str = "Agent",
        *,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        last_name: str | None = None,
    ) -> SandboxUser:
        """Register a user (or return the registered one, updated with non-default values)."""
        existing = self.state.users.get(id)
        if existing is None:
            existing = SandboxUser(id, first_name, last_name, username, language_code)
            self.state.users[id] = existing
            return existing
        if first_name != "Agent":
            existing.first_name = first_name
        if username is not None:
            existing.username = username
        if last_name is not None:
            existing.last_name = last_name
        if language_code != "zh-hans":
            existing.language_code = language_code
        return existing

    def _user(self, user: SandboxUser | int) -> SandboxUser:
        if isinstance(user, SandboxUser):
            self.state.users.setdefault(user.id, user)
            return self.state.users[user.id]
        return self.user(user)

    def group(self, chat_id: int, title: str, *, type: str = GROUP) -> dict[str, Any]:
        """Register a group the bot is already a member of (no updates are sent; use
        add_bot_to_group to play the bot being added)."""
        existing = self.state.chat(chat_id)
        if existing is not None:
            existing.chat["title"] = title
            return dict(existing.chat)
        return dict(self.state.add_chat(group_chat(chat_id, title, type)).chat)

    def join_group(self, user: SandboxUser | int, chat_id: int, title: str | None = None) -> bool:
        """Make sure the user and the bot are in the group; True if the bot had to be added."""
        sender = self._user(user)
        chat = self.state.chat(chat_id)
        if chat is None or chat.bot_status in ("left", "kicked"):
            self.add_bot_to_group(sender, chat_id, title or f"Group {chat_id}")
            return True
        chat.members.setdefault(sender.id, sender)
        return False

    def _chat(self, user: SandboxUser, chat_id: int | None) -> ChatState:
        if chat_id is None or chat_id == user.id:
            return self.state.add_chat(private_chat(user))
        found = self.state.chat(chat_id)
        if found is None:
            raise LookupError(f"unknown chat {chat_id}: call group() or add_bot_to_group() first")
        chat = found
        if chat.migrated_to is not None:
            raise LookupError(f"chat {chat_id} was migrated to {chat.migrated_to}")
        if chat.is_private:
            raise LookupError(f"chat {chat_id} is another user's private chat")
        chat.members.setdefault(user.id, user)
        return chat

    def block_user(self, user_id: int) -> None:
        """The user blocks the bot: sends to them get 403 (and the bot gets my_chat_member)."""
        self._set_blocked(user_id, True)

    def unblock_user(self, user_id: int) -> None:
        self._set_blocked(user_id, False)

    def _set_blocked(self, user_id: int, blocked: bool) -> None:
        if (user_id in self.state.blocked_users) == blocked:
            return
        if blocked:
            self.state.blocked_users.add(user_id)
        else:
            self.state.blocked_users.discard(user_id)
        chat = self.state.chat(user_id)
        if chat is not None and chat.started:
            old, new = ("member", "kicked") if blocked else ("kicked", "member")
            self._my_chat_member(self._user(user_id), chat, old, new)

    # -- messages from users -----------------------------------------------------------------
    def _inject_message(
        self,
        user: SandboxUser | int,
        chat_id: int | None,
        content: dict[str, Any],
        *,
        file_bytes: bytes | None = None,
        file_name: str | None = None,
        service: bool = False,
    ) -> dict[str, Any]:
        sender = self._user(user)
        if chat_id in (None, sender.id) and sender.id in self.state.blocked_users:
            self.unblock_user(sender.id)  # writing to a blocked bot means restarting it
        chat = self._chat(sender, chat_id)
        message: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "from": sender.to_dict(),
            "chat": dict(chat.chat),
            "date": now(),
            **content,
        }
        self.state.store(chat, StoredMessage(message, False, file_bytes=file_bytes,
                                             file_name=file_name))
        reason = self._undelivered_reason(chat, message, service=service)
        if reason:
            return self.state.not_delivered("message", message, chat.id, reason)
        if chat.is_private:
            chat.started = True
        return self.state.inject("message", copy.deepcopy(message), chat.id)

    def _undelivered_reason(
        self, chat: ChatState, message: dict[str, Any], *, service: bool = False
    ) -> str | None:
        """Why Telegram would not give this group message to the bot (None: it would)."""
        if chat.is_private:
            return None
        if chat.bot_status in ("left", "kicked"):
            return "the bot is not a member of this chat"
        if (not self.api.privacy_mode or chat.bot_status == "administrator" or service
                or self._addresses_bot(message)):
            return None
        return "privacy mode: the bot only sees commands, mentions and replies in groups"

    def _addresses_bot(self, message: dict[str, Any]) -> bool:
        username = str(self.bot_user.get("username", "")).lower()
        text = message.get("text") or message.get("caption") or ""
        for entity in message.get("entities", message.get("caption_entities", [])):
            start, length = entity["offset"], entity["length"]
            piece = text.encode("utf-16-le")[start * 2 : (start + length) * 2].decode("utf-16-le")
            if entity["type"] == "bot_command" and start == 0:
                target = piece.partition("@")[2].lower()
                if not target or target == username:
                    return True
            if entity["type"] == "mention" and piece[1:].lower() == username:
                return True
        replied = message.get("reply_to_message") or {}
        return bool(replied.get("from", {}).get("id") == self.bot_user["id"])

    def send_text(
        self,
        user: SandboxUser | int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """The user sends a text message (commands and @mentions get their entities)."""
        if not text.strip():
            raise ValueError("Telegram clients do not send empty messages")
        content: dict[str, Any] = {"text": text}
        entities = find_auto_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            sender = self._user(user)
            target = self._chat(sender, chat_id).messages.get(reply_to)
            if target is None:
                raise LookupError(f"no message {reply_to} to reply to")
            quoted = copy.deepcopy(target.message)
            quoted.pop("reply_to_message", None)
            content["reply_to_message"] = quoted
        return self._inject_message(user, chat_id, content)

    def send_contact(
        self,
        user: SandboxUser | int,
        phone_number: str,
        first_name: str,
        last_name: str | None = None,
        vcard: str | None = None,
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """Share a contact; pass user_id=<the sender's id> for "share my phone number"."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        if vcard:
            contact["vcard"] = vcard
        return self._inject_message(user, chat_id, {"contact": contact})

    def send_location(
        self, user: SandboxUser | int, latitude: float, longitude: float, *,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError(f"not a location on Earth: {latitude}, {longitude}")
        location = {"latitude": float(latitude), "longitude": float(longitude)}
        return self._inject_message(user, chat_id, {"location": location})

    def send_document(
        self,
        user: SandboxUser | int,
        filename: str,
        content: bytes,
        mime_type: str,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """Send a file; the bot can getFile it and download the bytes."""
        stored = self.state.files.add("document", content, file_name=filename,
                                      mime_type=mime_type)
        document = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                    "file_name": filename, "mime_type": mime_type, "file_size": len(content)}
        body: dict[str, Any] = {"document": document}
        self._add_caption(body, caption)
        return self._inject_message(user, chat_id, body, file_bytes=content, file_name=filename)

    def send_photo(
        self,
        user: SandboxUser | int,
        content: bytes = TINY_PNG,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        size = image_size(content)
        if size is None:
            raise ValueError("not an image (PNG, JPEG, GIF or WebP expected)")
        stored = self.state.files.add("photo", content, mime_type="image/jpeg")
        photo = [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                  "width": size[0], "height": size[1], "file_size": len(content)}]
        body: dict[str, Any] = {"photo": photo}
        self._add_caption(body, caption)
        return self._inject_message(user, chat_id, body, file_bytes=content)

    @staticmethod
    def _add_caption(body: dict[str, Any], caption: str | None) -> None:
        if caption:
            body["caption"] = caption
            entities = find_auto_entities(caption)
            if entities:
                body["caption_entities"] = entities

    def send_sticker(
        self, user: SandboxUser | int, emoji: str = "👍", *, chat_id: int | None = None
    ) -> dict[str, Any]:
        stored = self.state.files.add("sticker", TINY_PNG, mime_type="image/webp")
        sticker = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                   "type": "regular", "width": 512, "height": 512, "is_animated": False,
                   "is_video": False, "emoji": emoji, "set_name": "SandboxStickers",
                   "file_size": stored.size}
        return self._inject_message(user, chat_id, {"sticker": sticker})

    def send_voice(
        self, user: SandboxUser | int, content: bytes, duration: int = 3, *,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        stored = self.state.files.add("voice", content, mime_type="audio/ogg")
        voice = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                 "duration": duration, "mime_type": "audio/ogg", "file_size": len(content)}
        return self._inject_message(user, chat_id, {"voice": voice}, file_bytes=content)

    def forward_text(
        self,
        user: SandboxUser | int,
        text: str,
        *,
        from_name: str,
        from_user: SandboxUser | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """Forward a text written by someone else (a hidden user unless from_user is given)."""
        date = now() - 3600
        if from_user is not None:
            origin = {"type": "user", "sender_user": from_user.to_dict(), "date": date}
        else:
            origin = {"type": "hidden_user", "sender_user_name": from_name, "date": date}
        content: dict[str, Any] = {"forward_origin": origin, "text": text}
        entities = find_auto_entities(text)
        if entities:
            content["entities"] = entities
        return self._inject_message(user, chat_id, content)

    def edit_text(
        self, user: SandboxUser | int, message_id: int, new_text: str, *,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """The user edits one of their text messages (an edited_message update)."""
        sender = self._user(user)
        chat = self._chat(sender, chat_id)
        stored = chat.messages.get(message_id)
        if stored is None or stored.from_bot or stored.message["from"]["id"] != sender.id:
            raise LookupError(f"user {sender.id} has no message {message_id} in chat {chat.id}")
        if "text" not in stored.message:
            raise ValueError(f"message {message_id} has no text to edit")
        message = stored.message
        message["text"] = new_text
        message.pop("entities", None)
        entities = find_auto_entities(new_text)
        if entities:
            message["entities"] = entities
        message["edit_date"] = now()
        stored.edits += 1
        reason = self._undelivered_reason(chat, message)
        if reason:
            return self.state.not_delivered("edited_message", message, chat.id, reason)
        return self.state.inject("edited_message", copy.deepcopy(message), chat.id)

    # -- buttons -----------------------------------------------------------------------------
    def press(
        self,
        user: SandboxUser | int,
        message_id: int,
        callback_data: str,
        *,
        chat_id: int | None = None,
        force: bool = False,
    ) -> dict[str, Any]:
        """Press an inline button. Unless force=True, the message must have that button."""
        sender = self._user(user)
        chat = self._chat(sender, chat_id)
        stored = chat.messages.get(message_id)
        if not force:
            if stored is None:
                raise LookupError(f"no message {message_id} in chat {chat.id}")
            datas = [b.get("callback_data") for row in
                     (stored.message.get("reply_markup") or {}).get("inline_keyboard", [])
                     for b in row]
            if callback_data not in datas:
                raise LookupError(
                    f"message {message_id} has no button with callback_data {callback_data!r}; "
                    f"it has {[d for d in datas if d is not None]}"
                )
        if stored is not None:
            message = copy.deepcopy(stored.message)
        else:
            message = {"chat": dict(chat.chat), "message_id": message_id, "date": 0}
        query_id = self.state.new_callback_query_id()
        query = {
            "id": query_id,
            "from": sender.to_dict(),
            "message": message,
            "chat_instance": _chat_instance(chat.id),
            "data": callback_data,
        }
        if chat.is_group and chat.bot_status in ("left", "kicked"):
            return self.state.not_delivered("callback_query", query, chat.id,
                                            "the bot is not a member of this chat")
        self.state.callback_queries[query_id] = query
        return self.state.inject("callback_query", copy.deepcopy(query), chat.id)

    def press_button(
        self, user: SandboxUser | int, text: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """Press the callback button whose label contains `text`, newest bot message first."""
        sender = self._user(user)
        chat = self._chat(sender, chat_id)
        seen: list[str] = []
        for stored in sorted(chat.messages.values(), key=lambda m: -m.message_id):
            if not stored.from_bot:
                continue
            keyboard = (stored.message.get("reply_markup") or {}).get("inline_keyboard", [])
            for row in keyboard:
                for button in row:
                    if text in button["text"] and button.get("callback_data"):
                        return self.press(sender, stored.message_id, button["callback_data"],
                                          chat_id=chat_id)
            seen.extend(f"{label!r} (message {stored.message_id})"
                        for row in inline_button_texts(stored.message.get("reply_markup"))
                        for label in row)
        raise LookupError(f"no callback button containing {text!r} in chat {chat.id}; "
                          f"available: {', '.join(seen) or 'none'}")

    # -- groups ------------------------------------------------------------------------------
    def _my_chat_member(
        self, actor: SandboxUser, chat: ChatState, old: str, new: str
    ) -> dict[str, Any]:
        payload = {
            "chat": dict(chat.chat),
            "from": actor.to_dict(),
            "date": now(),
            "old_chat_member": chat_member(dict(self.bot_user), old),
            "new_chat_member": chat_member(dict(self.bot_user), new),
        }
        return self.state.inject("my_chat_member", payload, chat.id)

    def add_bot_to_group(
        self,
        user: SandboxUser | int,
        chat_id: int,
        title: str,
        *,
        as_admin: bool = False,
        type: str | None = None,
    ) -> dict[str, Any]:
        """A user adds the bot to a group: my_chat_member, then the new_chat_members message."""
        adder = self._user(user)
        chat_type = type or (SUPERGROUP if str(chat_id).startswith("-100") else GROUP)
        chat = self.state.chat(chat_id)
        if chat is None:
            chat = self.state.add_chat(group_chat(chat_id, title, chat_type))
            chat.bot_status = "left"
        chat.chat["title"] = title
        old = chat.bot_status
        chat.bot_status = "administrator" if as_admin else "member"
        chat.added_by = adder
        chat.members[adder.id] = adder
        self._my_chat_member(adder, chat, old, chat.bot_status)
        return self._inject_message(adder, chat_id, {"new_chat_members": [dict(self.bot_user)]},
                                    service=True)

    def remove_bot_from_group(
        self, user: SandboxUser | int, chat_id: int, *, kicked: bool = True
    ) -> dict[str, Any]:
        """The bot is removed (status "kicked", or "left" with kicked=False)."""
        actor = self._user(user)
        chat = self._chat(actor, chat_id)
        old = chat.bot_status
        chat.bot_status = "kicked" if kicked else "left"
        return self._my_chat_member(actor, chat, old, chat.bot_status)

    def set_bot_admin(self, chat_id: int, is_admin: bool) -> dict[str, Any]:
        chat = self.state.chat(chat_id)
        if chat is None or chat.bot_status in ("left", "kicked") or chat.added_by is None:
            raise LookupError(f"the bot is not in chat {chat_id}")
        old = chat.bot_status
        chat.bot_status = "administrator" if is_admin else "member"
        return self._my_chat_member(chat.added_by, chat, old, chat.bot_status)

    def migrate_group(self, chat_id: int, *, user: SandboxUser | int | None = None) -> int:
        """Upgrade a group to a supergroup; returns the supergroup's id (-100...)."""
        chat = self.state.chat(chat_id)
        if chat is None or chat.type != GROUP:
            raise LookupError(f"chat {chat_id} is not a basic group")
        if chat.migrated_to is not None:
            return chat.migrated_to
        actor = self._user(user) if user is not None else chat.added_by
        if actor is None:
            raise LookupError("who migrates the group? pass user=")
        new_id = int(f"-100{abs(chat_id):010d}")
        new_chat = self.state.add_chat(group_chat(new_id, chat.chat["title"], SUPERGROUP))
        new_chat.bot_status = chat.bot_status
        new_chat.members = dict(chat.members)
        new_chat.added_by = chat.added_by
        self._inject_message(actor, chat_id, {"migrate_to_chat_id": new_id}, service=True)
        chat.migrated_to = new_id
        self._inject_message(actor, new_id, {"migrate_from_chat_id": chat_id}, service=True)
        return new_id

    def raw_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Inject any update (without update_id), e.g. {"inline_query": {...}}."""
        kinds = [k for k in update if k != "update_id"]
        if len(kinds) != 1:
            raise ValueError("an update has exactly one field besides update_id")
        payload = update[kinds[0]]
        chat = payload.get("chat") or payload.get("message", {}).get("chat") or {}
        if kinds[0] == "callback_query":
            self.state.callback_queries[str(payload["id"])] = copy.deepcopy(payload)
        return self.state.inject(kinds[0], copy.deepcopy(payload), chat.get("id"))

    # -- reading -----------------------------------------------------------------------------
    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message in the chat, oldest first, edits applied, deleted ones gone."""
        return [m.view() for m in self.state.ordered_messages(chat_id)]

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m.view() for m in self.state.ordered_messages(chat_id) if m.from_bot]

    def last_bot_message(self, chat_id: int) -> dict[str, Any] | None:
        messages = [m for m in self.state.ordered_messages(chat_id) if m.from_bot]
        return messages[-1].view() if messages else None

    def reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The reply keyboard the user currently sees in that chat."""
        chat = self.state.chat(chat_id)
        return copy.deepcopy(chat.reply_keyboard) if chat else None

    def commands(
        self, scope: dict[str, Any] | str = "default", language_code: str = ""
    ) -> list[dict[str, str]]:
        """The menu set with setMyCommands for that scope ("default", "chat:42"...) and language."""
        return copy.deepcopy(self.state.commands.get((scope_key(scope), language_code), []))

    @property
    def webhook(self) -> dict[str, Any] | None:
        return copy.deepcopy(self.state.webhook)

    @property
    def callback_answers(self) -> dict[str, dict[str, Any]]:
        """answerCallbackQuery parameters, by callback query id."""
        return copy.deepcopy(self.state.callback_answers)

    @property
    def seq(self) -> int:
        """The current position in the activity log."""
        return self.state.seq

    async def wait_for_bot(
        self,
        chat_id: int,
        *,
        count: int = 1,
        after: int | None = None,
        timeout: float = 5.0,
        quiet: float = DEFAULT_QUIET,
    ) -> list[dict[str, Any]]:
        """Wait for `count` bot sends/edits in the chat after `after`, then for `quiet` seconds
        without more; returns the messages touched (current state, oldest first).

        `after` defaults to the last injected update's "_seq".
        """
        since = self.state.last_injection_seq if after is None else after

        def activity() -> list[int]:
            return [e.seq for e in self.state.events_after(since, BOT_ACTIVITY)
                    if e.chat_id == chat_id]

        if not await self.state.signal.wait_until(lambda: len(activity()) >= count, timeout):
            raise TimeoutError(self._diagnose(chat_id, since, count, timeout, len(activity())))
        def more_than(seen: int) -> Callable[[], bool]:
            return lambda: len(activity()) > seen

        while quiet > 0:
            if not await self.state.signal.wait_until(more_than(len(activity())), quiet):
                break
        touched = {e.message_id for e in self.state.events_after(since, BOT_ACTIVITY)
                   if e.chat_id == chat_id}
        chat = self.state.chat(chat_id)
        return [m.view() for m in self.state.ordered_messages(chat_id)
                if chat is not None and m.message_id in touched]

    def _diagnose(self, chat_id: int, since: int, count: int, timeout: float, seen: int) -> str:
        lines = [f"waited {timeout}s for {count} bot message(s)/edit(s) in chat {chat_id} "
                 f"after seq {since}; saw {seen}"]
        for event in self.state.events_after(since):
            if event.kind == "rejection":
                lines.append(f"  rejected {event.data.get('method')}: "
                             f"{event.data.get('description')}")
            elif event.kind in BOT_ACTIVITY | {"delete", "update"}:
                lines.append(f"  {event.kind} in chat {event.chat_id} "
                             f"(message {event.message_id})")
        return "\n".join(lines)

    def events(
        self, after: int = 0, *, kinds: frozenset[str] | None = None
    ) -> list[dict[str, Any]]:
        """The activity log after `after` as JSON-ready dicts (message dicts included)."""
        result = []
        for event in self.state.events_after(after, kinds):
            item: dict[str, Any] = {"seq": event.seq, "kind": event.kind,
                                    "chat_id": event.chat_id, "message_id": event.message_id,
                                    "time": event.time, **copy.deepcopy(event.data)}
            if event.kind in BOT_ACTIVITY and event.chat_id is not None:
                chat = self.state.chat(event.chat_id)
                stored = chat.messages.get(event.message_id or 0) if chat else None
                item["message"] = stored.view() if stored else None
            result.append(item)
        return result

    async def wait_events(
        self, after: int, *, timeout: float, kinds: frozenset[str] | None = None
    ) -> list[dict[str, Any]]:
        """Long-poll for events after `after` (returns [] after `timeout` seconds)."""
        await self.state.signal.wait_until(
            lambda: bool(self.state.events_after(after, kinds)) or self.api.stopping, timeout
        )
        return self.events(after, kinds=kinds)


def _chat_instance(chat_id: int) -> str:
    return str(int(hashlib.sha256(str(chat_id).encode()).hexdigest()[:15], 16))
