"""The Bot API methods the sandbox implements, on top of SandboxState."""

from __future__ import annotations

import copy
import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any

from coachbot.sandbox.errors import ApiError, bad_request, forbidden
from coachbot.sandbox.limits import FloodLimiter
from coachbot.sandbox.objects import (
    PRIVATE,
    SUPERGROUP,
    chat_member,
    full_chat_info,
    image_size,
    now,
)
from coachbot.sandbox.state import ChatState, SandboxState, StoredFile, StoredMessage
from coachbot.sandbox.validation import UploadedFile, format_text, reply_markup_kind

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
CONFLICT_WEBHOOK = ("Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first")
CONFLICT_POLLING = ("Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running")
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


def scope_key(scope: dict[str, Any] | str | None) -> str:
    """'default', 'all_private_chats', 'chat:42', 'chat_member:-5:42'..."""
    if scope is None:
        return "default"
    if isinstance(scope, str):
        return scope
    kind = scope["type"]
    if kind in ("chat", "chat_administrators"):
        return f"{kind}:{scope['chat_id']}"
    if kind == "chat_member":
        return f"chat_member:{scope['chat_id']}:{scope['user_id']}"
    return str(kind)


class BotApi:
    """Implements Bot API methods; every method takes decoded, validated parameters."""

    def __init__(
        self,
        state: SandboxState,
        *,
        bot_user: dict[str, Any],
        privacy_mode: bool,
        flood: FloodLimiter | None,
    ) -> None:
        self.state = state
        self.bot_user = bot_user
        self.privacy_mode = privacy_mode
        self.flood = flood
        self.stopping = False
        self._poll_generation = 0
        self.on_webhook_change: Callable[[], None] | None = None
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "getFile": self.get_file,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "leaveChat": self.leave_chat,
        }

    # -- chats -------------------------------------------------------------------------------
    def find_chat(self, chat_id: int | str) -> ChatState:
        """The chat, or 400 as Telegram answers for unknown or upgraded chats."""
        chat: ChatState | None = None
        if isinstance(chat_id, int):
            chat = self.state.chat(chat_id)
        elif chat_id.startswith("@"):
            name = chat_id[1:].lower()
            chat = next((c for c in self.state.chats.values() if not c.is_private
                         and str(c.chat.get("username", "")).lower() == name), None)
        if chat is None and isinstance(chat_id, int) and chat_id in self.state.users:
            raise forbidden("bot can't initiate conversation with a user")
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request("group chat was upgraded to a supergroup chat",
                              {"migrate_to_chat_id": chat.migrated_to})
        return chat

    def reachable_chat(self, chat_id: int | str, *, sending: bool = True) -> ChatState:
        """A chat the bot may act in: 403 if blocked, kicked, or never started."""
        chat = self.find_chat(chat_id)
        if chat.is_private:
            if sending and chat.id in self.state.blocked_users:
                raise forbidden("bot was blocked by the user")
            if not chat.started:
                raise forbidden("bot can't initiate conversation with a user")
        else:
            kind = "supergroup" if chat.type == SUPERGROUP else "group"
            if chat.bot_status == "kicked":
                raise forbidden(f"bot was kicked from the {kind} chat")
            if chat.bot_status == "left":
                raise forbidden(f"bot is not a member of the {kind} chat")
        return chat

    # -- getMe, updates, webhook -------------------------------------------------------------
    async def get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.state.webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        self._poll_generation += 1
        generation = self._poll_generation
        self.state.signal.fire()  # an older poll still waiting is now superseded
        queue = self.state.updates
        queue.set_allowed(params.get("allowed_updates"))
        queue.confirm(params.get("offset"))
        self.state.signal.fire()  # confirmations matter to wait_idle
        limit = params.get("limit") or 100
        timeout = float(params.get("timeout") or 0)
        if not queue.pending and timeout > 0 and not self.stopping:
            await self.state.signal.wait_until(
                lambda: bool(queue.pending) or self.stopping
                or generation != self._poll_generation,
                timeout,
            )
        if generation != self._poll_generation:
            raise ApiError(409, CONFLICT_POLLING)
        if self.stopping:
            return []
        return queue.take(limit)

    async def set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url", "")
        if params.get("drop_pending_updates"):
            self.state.updates.drop_all()
        self.state.updates.set_allowed(params.get("allowed_updates"))
        if not url:
            self.state.webhook = None
        else:
            self.state.webhook = {
                "url": url,
                "secret_token": params.get("secret_token"),
                "max_connections": params.get("max_connections", 40),
                "allowed_updates": params.get("allowed_updates"),
                "ip_address": params.get("ip_address"),
                "last_error_date": None,
                "last_error_message": None,
            }
        self._poll_generation += 1  # a pending getUpdates must give way to the webhook
        self.state.signal.fire()
        if self.on_webhook_change is not None:
            self.on_webhook_change()
        return True

    async def delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self.state.updates.drop_all()
        self.state.webhook = None
        self.state.signal.fire()
        if self.on_webhook_change is not None:
            self.on_webhook_change()
        return True

    async def get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        hook = self.state.webhook
        info: dict[str, Any] = {
            "url": hook["url"] if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.state.updates.pending),
        }
        if hook:
            info["max_connections"] = hook["max_connections"]
            if hook["allowed_updates"] is not None:
                info["allowed_updates"] = hook["allowed_updates"]
            if hook["last_error_date"]:
                info["last_error_date"] = hook["last_error_date"]
                info["last_error_message"] = hook["last_error_message"]
        return info

    # -- commands ----------------------------------------------------------------------------
    def _command_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope")
        if scope is not None and "chat_id" in scope:
            self.find_chat(scope["chat_id"])
        return scope_key(scope), params.get("language_code") or ""

    async def set_my_commands(self, params: dict[str, Any]) -> bool:
        key = self._command_key(params)
        commands = [{"command": c["command"], "description": c["description"]}
                    for c in params["commands"]]
        if commands:
            self.state.commands[key] = commands
        else:
            self.state.commands.pop(key, None)
        return True

    async def get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return copy.deepcopy(self.state.commands.get(self._command_key(params), []))

    async def delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.state.commands.pop(self._command_key(params), None)
        return True

    # -- sending -----------------------------------------------------------------------------
    def _reply_target(self, chat: ChatState, reply: dict[str, Any] | None) -> StoredMessage | None:
        if not reply:
            return None
        target_chat = chat
        if reply.get("chat_id") is not None:
            target_chat = self.find_chat(reply["chat_id"])
        target = target_chat.messages.get(reply["message_id"])
        if target is None and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return target

    def _new_message(self, chat: ChatState, params: dict[str, Any]) -> dict[str, Any]:
        reply_to = self._reply_target(chat, params.get("reply_parameters"))
        if self.flood is not None:
            self.flood.check(chat.id)
        message: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "from": dict(self.bot_user),
            "chat": dict(chat.chat),
            "date": now(),
        }
        if reply_to is not None:
            quoted = copy.deepcopy(reply_to.message)
            quoted.pop("reply_to_message", None)
            message["reply_to_message"] = quoted
        return message

    def _finish(
        self, chat: ChatState, message: dict[str, Any], params: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        markup = params.get("reply_markup")
        if markup is not None:
            kind = reply_markup_kind(markup)
            if kind == "InlineKeyboardMarkup":
                message["reply_markup"] = copy.deepcopy(markup)
            elif kind == "ReplyKeyboardMarkup":
                chat.reply_keyboard = copy.deepcopy(markup)
            elif kind == "ReplyKeyboardRemove":
                chat.reply_keyboard = None
        stored = StoredMessage(message, True, reply_markup=copy.deepcopy(markup), **extra)
        self.state.store(chat, stored)
        return copy.deepcopy(message)

    async def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        formatted = format_text(params["text"], params.get("parse_mode"), params.get("entities"))
        chat = self.reachable_chat(params["chat_id"])
        message = self._new_message(chat, params)
        message["text"] = formatted.text
        if formatted.entities:
            message["entities"] = formatted.entities
        if params.get("link_preview_options"):
            message["link_preview_options"] = copy.deepcopy(params["link_preview_options"])
        return self._finish(chat, message, params, html=formatted.html)

    def _caption(self, message: dict[str, Any], params: dict[str, Any]) -> str | None:
        caption = format_text(params.get("caption"), params.get("parse_mode"),
                              params.get("caption_entities"), caption=True)
        if caption.text:
            message["caption"] = caption.text
            if caption.entities:
                message["caption_entities"] = caption.entities
        return caption.html

    def _input_file(self, value: Any, kind: str) -> tuple[StoredFile, bool]:
        """The file being sent: (stored file, newly uploaded?)."""
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            limit = MAX_PHOTO_BYTES if kind == "photo" else MAX_UPLOAD_BYTES
            if len(value.data) > limit:
                raise ApiError(413, "Request Entity Too Large")
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename or "")[0] or mime
            stored = self.state.files.add(kind, value.data, file_name=value.filename,
                                          mime_type=mime)
            return stored, True
        if value.startswith(("http://", "https://")):
            return self.state.files.add(kind, None, url=value), True
        stored_file = self.state.files.by_id.get(value)
        if stored_file is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if (stored_file.kind == "photo") != (kind == "photo"):
            raise bad_request("type of file mismatch")
        return stored_file, False

    async def send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.reachable_chat(params["chat_id"])
        value = params["photo"]
        if isinstance(value, UploadedFile) and value.data and image_size(value.data) is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        stored_file, _ = self._input_file(value, "photo")
        width, height = image_size(stored_file.data or b"") or (0, 0)
        probe: dict[str, Any] = {}
        html = self._caption(probe, params)
        message = self._new_message(chat, params)
        size: dict[str, Any] = {"file_id": stored_file.file_id,
                                "file_unique_id": stored_file.file_unique_id,
                                "width": width, "height": height}
        if stored_file.size is not None:
            size["file_size"] = stored_file.size
        message["photo"] = [size]
        message.update(probe)
        return self._finish(chat, message, params, html=html, file_bytes=stored_file.data,
                            file_name=stored_file.file_name)

    async def send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.reachable_chat(params["chat_id"])
        stored_file, _ = self._input_file(params["document"], "document")
        probe: dict[str, Any] = {}
        html = self._caption(probe, params)
        message = self._new_message(chat, params)
        document: dict[str, Any] = {"file_id": stored_file.file_id,
                                    "file_unique_id": stored_file.file_unique_id}
        if stored_file.file_name:
            document["file_name"] = stored_file.file_name
        if stored_file.mime_type:
            document["mime_type"] = stored_file.mime_type
        if stored_file.size is not None:
            document["file_size"] = stored_file.size
        message["document"] = document
        message.update(probe)
        return self._finish(chat, message, params, html=html, file_bytes=stored_file.data,
                            file_name=stored_file.file_name)

    async def send_chat_action(self, params: dict[str, Any]) -> bool:
        chat = self.reachable_chat(params["chat_id"])
        self.state.record("chat_action", chat.id, action=params["action"])
        return True

    # -- editing and deleting ----------------------------------------------------------------
    def _message_to_edit(self, params: dict[str, Any]) -> tuple[ChatState, StoredMessage]:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # no inline mode in the sandbox
        if params.get("chat_id") in (None, ""):
            raise bad_request("chat_id is empty")
        if not params.get("message_id"):
            raise bad_request("message identifier is not specified")
        chat = self.reachable_chat(params["chat_id"], sending=False)
        stored = chat.messages.get(params["message_id"])
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        if reply_markup_kind(stored.reply_markup or {}) in ("ForceReply", "ReplyKeyboardMarkup"):
            # sent with a ForceReply or a reply keyboard: Telegram never lets it be edited
            # (the keyboard's behaviour depends on the message's content; tdlib/td#3196)
            raise bad_request("message can't be edited")
        return chat, stored

    def _apply_edit(self, chat: ChatState, stored: StoredMessage) -> dict[str, Any]:
        stored.edits += 1
        stored.message["edit_date"] = now()
        self.state.record("edit", chat.id, stored.message_id)
        return copy.deepcopy(stored.message)

    async def edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        formatted = format_text(params["text"], params.get("parse_mode"), params.get("entities"))
        chat, stored = self._message_to_edit(params)
        message = stored.message
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        markup = params.get("reply_markup")
        if (formatted.text == message["text"]
                and formatted.entities == message.get("entities", [])
                and markup == message.get("reply_markup")):
            raise bad_request(NOT_MODIFIED)
        message["text"] = formatted.text
        _set_or_drop(message, "entities", formatted.entities)
        _set_or_drop(message, "reply_markup", copy.deepcopy(markup))
        _set_or_drop(message, "link_preview_options",
                     copy.deepcopy(params.get("link_preview_options")))
        stored.html = formatted.html
        stored.reply_markup = copy.deepcopy(markup)
        return self._apply_edit(chat, stored)

    async def edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, stored = self._message_to_edit(params)
        markup = params.get("reply_markup")
        if markup == stored.message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        _set_or_drop(stored.message, "reply_markup", copy.deepcopy(markup))
        stored.reply_markup = copy.deepcopy(markup)
        return self._apply_edit(chat, stored)

    async def delete_message(self, params: dict[str, Any]) -> bool:
        chat = self.reachable_chat(params["chat_id"], sending=False)
        stored = chat.messages.get(params["message_id"])
        if stored is None:
            raise bad_request("message to delete not found")
        if not stored.from_bot and chat.is_group and chat.bot_status != "administrator":
            raise bad_request("message can't be deleted")
        del chat.messages[stored.message_id]
        self.state.record("delete", chat.id, stored.message_id, from_bot=stored.from_bot)
        return True

    async def answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = params["callback_query_id"]
        query = self.state.callback_queries.pop(query_id, None)
        if query is None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        answer = {k: v for k, v in params.items() if k != "callback_query_id"}
        self.state.callback_answers[query_id] = answer
        chat_id = query.get("message", {}).get("chat", {}).get("id")
        self.state.record("callback_answer", chat_id, query.get("message", {}).get("message_id"),
                          query_id=query_id, **answer)
        return True

    # -- files and chats ---------------------------------------------------------------------
    async def get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.state.files.by_id.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size is not None and stored.size > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return stored.to_file()

    async def get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        return full_chat_info(self.find_chat(params["chat_id"]).chat)

    async def get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.find_chat(params["chat_id"])
        user_id = params["user_id"]
        if user_id == self.bot_user["id"]:
            return chat_member(dict(self.bot_user), chat.bot_status)
        user = self.state.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.is_private:
            status = "member" if user_id == chat.id else "left"
        else:
            status = "member" if user_id in chat.members else "left"
        return chat_member(user.to_dict(), status)

    async def leave_chat(self, params: dict[str, Any]) -> bool:
        chat = self.reachable_chat(params["chat_id"], sending=False)
        if chat.type == PRIVATE:
            raise bad_request("chat member status can't be changed in private chats")
        old = chat.bot_status
        chat.bot_status = "left"
        payload = {
            "chat": dict(chat.chat), "from": dict(self.bot_user), "date": now(),
            "old_chat_member": chat_member(dict(self.bot_user), old),
            "new_chat_member": chat_member(dict(self.bot_user), "left"),
        }
        self.state.inject("my_chat_member", payload, chat.id)
        return True

    async def wait_while_stopping(self, delay: float) -> None:
        """Sleep `delay` seconds, cut short when the sandbox stops."""
        await self.state.signal.wait_until(lambda: self.stopping, delay)


def _set_or_drop(target: dict[str, Any], key: str, value: Any) -> None:
    if value:
        target[key] = value
    else:
        target.pop(key, None)

