"""Telegram objects (User, Chat, ChatMember...) as the Bot API serializes them."""

from __future__ import annotations

import base64
import hashlib
import struct
import time
from dataclasses import dataclass
from typing import Any

# A 1x1 transparent PNG: the default picture a sandbox user sends.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PRIVATE, GROUP, SUPERGROUP, CHANNEL = "private", "group", "supergroup", "channel"
UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost",
)
# Delivered only when asked for explicitly in allowed_updates.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class SandboxUser:
    """A Telegram user the tests (or the terminal) act as."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "zh-hans"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


def now() -> int:
    return int(time.time())


def private_chat(user: SandboxUser) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": user.id, "type": PRIVATE, "first_name": user.first_name}
    if user.last_name:
        chat["last_name"] = user.last_name
    if user.username:
        chat["username"] = user.username
    return chat


def group_chat(chat_id: int, title: str, chat_type: str = GROUP) -> dict[str, Any]:
    if chat_type not in (GROUP, SUPERGROUP):
        raise ValueError(f"group type must be 'group' or 'supergroup', not {chat_type!r}")
    if chat_id >= 0:
        raise ValueError(f"group chat ids are negative, got {chat_id}")
    return {"id": chat_id, "type": chat_type, "title": title}


def full_chat_info(chat: dict[str, Any]) -> dict[str, Any]:
    """ChatFullInfo for getChat."""
    info = dict(chat)
    info.update({
        "accent_color_id": abs(int(chat["id"])) % 7,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
            "premium_subscription": False, "gifts_from_channels": False,
        },
    })
    if chat["type"] in (GROUP, SUPERGROUP):
        info["permissions"] = {
            "can_send_messages": True, "can_send_audios": True, "can_send_documents": True,
            "can_send_photos": True, "can_send_videos": True, "can_send_video_notes": True,
            "can_send_voice_notes": True, "can_send_polls": True,
            "can_send_other_messages": True, "can_add_web_page_previews": True,
            "can_change_info": False, "can_invite_users": True, "can_pin_messages": False,
            "can_manage_topics": False,
        }
    return info


def chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember of the given status: creator, administrator, member, left or kicked."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update({
            "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
            "can_delete_messages": True, "can_manage_video_chats": True,
            "can_restrict_members": True, "can_promote_members": False,
            "can_change_info": True, "can_invite_users": True, "can_post_stories": False,
            "can_edit_stories": False, "can_delete_stories": False, "can_pin_messages": True,
        })
    elif status == "kicked":
        member["until_date"] = 0
    return member


def file_ids(kind: str, serial: int) -> tuple[str, str]:
    """(file_id, file_unique_id) in Telegram's look: opaque url-safe strings."""
    digest = hashlib.sha256(f"{kind}:{serial}".encode()).digest()
    file_id = "SBX" + base64.urlsafe_b64encode(digest + serial.to_bytes(4, "big")).decode()
    unique = "SBU" + base64.urlsafe_b64encode(digest[:9]).decode()
    return file_id.rstrip("="), unique


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF, JPEG or WebP image; None if it is none of these."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8X":
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return width, height
        if chunk == b"VP8 ":
            width, height = struct.unpack("<HH", data[26:30])
            return width & 0x3FFF, height & 0x3FFF
        if chunk == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        return None
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            index += 1
            continue
        marker = data[index + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            index += 2
            continue
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return None
