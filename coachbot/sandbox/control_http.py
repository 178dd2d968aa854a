"""The control API over HTTP (JSON in, JSON out), for the terminal chat in another process.

POST /control/send_text      {user_id, first_name?, language_code?, username?, text, chat_id?}
POST /control/press          {user_id, message_id, callback_data, chat_id?}
POST /control/press_button   {user_id, text, chat_id?}
POST /control/send_location  {user_id, latitude, longitude, chat_id?}
POST /control/send_contact   {user_id, phone_number, first_name, last_name?, vcard?,
                              contact_user_id?, chat_id?}
POST /control/send_document  {user_id, filename, content (base64), mime_type, caption?, chat_id?}
POST /control/send_photo     {user_id, content? (base64), caption?, chat_id?}
POST /control/send_sticker   {user_id, emoji?, chat_id?}
POST /control/add_bot_to_group {user_id, chat_id, title?, as_admin?}
POST /control/join_group     {user_id, chat_id, title?}   adds the bot first if it is not in
GET  /control/events?after=SEQ&timeout=SECONDS   bot activity after SEQ (long poll)
GET  /control/messages?chat_id=ID                the chat as the sandbox sees it
GET  /control/idle?timeout=SECONDS               waits until the bot is idle (see wait_idle);
                                                 bot_seq: the seq of its latest activity
GET  /control/info                               bot, current seq, URLs
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from coachbot.sandbox.control import SandboxControl as Sandbox
from coachbot.sandbox.objects import TINY_PNG, SandboxUser

MAX_EVENT_WAIT = 60.0
BOT_EVENT_KINDS = frozenset({"send", "edit", "delete", "callback_answer", "rejection",
                             "chat_action"})
Action = Callable[["Sandbox", SandboxUser, dict[str, Any]], dict[str, Any]]


class ControlError(ValueError):
    """A malformed control request (answered with 400)."""


def jsonable(value: Any) -> Any:
    """Bytes become {"base64": ...}; everything else is already JSON."""
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode(), "size": len(value)}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def without_file_bytes(event: dict[str, Any]) -> dict[str, Any]:
    """Events carry message dicts; their file bytes stay out of the long poll (sizes only)."""
    message = event.get("message")
    if message and message.get("file_bytes") is not None:
        event = {**event, "message": {**message, "file_bytes": None,
                                      "file_size": len(message["file_bytes"])}}
    return event


def _field(body: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    if name not in body:
        raise ControlError(f"missing field {name!r}")
    value = body[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ControlError(f"field {name!r} has the wrong type")
    return value


def _bytes(body: dict[str, Any], name: str) -> bytes:
    try:
        return base64.b64decode(_field(body, name, str), validate=True)
    except binascii.Error:
        raise ControlError(f"field {name!r} is not valid base64") from None


def _user(sandbox: Sandbox, body: dict[str, Any]) -> SandboxUser:
    user_id = _field(body, "user_id", int)
    kwargs: dict[str, Any] = {}
    for key in ("username", "last_name"):
        if body.get(key):
            kwargs[key] = body[key]
    if "language_code" in body:
        kwargs["language_code"] = body["language_code"]
    return sandbox.user(user_id, body.get("first_name") or "Agent", **kwargs)


def _chat_id(body: dict[str, Any]) -> int | None:
    chat_id = body.get("chat_id")
    if chat_id is not None and (not isinstance(chat_id, int) or isinstance(chat_id, bool)):
        raise ControlError("field 'chat_id' must be an integer")
    return chat_id


ACTIONS: dict[str, Action] = {
    "send_text": lambda s, u, b: s.send_text(u, _field(b, "text", str), chat_id=_chat_id(b)),
    "press": lambda s, u, b: s.press(u, _field(b, "message_id", int),
                                     _field(b, "callback_data", str), chat_id=_chat_id(b),
                                     force=bool(b.get("force"))),
    "press_button": lambda s, u, b: s.press_button(u, _field(b, "text", str),
                                                   chat_id=_chat_id(b)),
    "send_location": lambda s, u, b: s.send_location(
        u, float(_field(b, "latitude", (int, float))), float(_field(b, "longitude", (int, float))),
        chat_id=_chat_id(b)),
    "send_contact": lambda s, u, b: s.send_contact(
        u, _field(b, "phone_number", str), _field(b, "first_name", str), b.get("last_name"),
        b.get("vcard"), chat_id=_chat_id(b), user_id=b.get("contact_user_id")),
    "send_document": lambda s, u, b: s.send_document(
        u, _field(b, "filename", str), _bytes(b, "content"),
        b.get("mime_type") or "application/octet-stream", caption=b.get("caption"),
        chat_id=_chat_id(b)),
    "send_photo": lambda s, u, b: s.send_photo(
        u, _bytes(b, "content") if b.get("content") else TINY_PNG, caption=b.get("caption"),
        chat_id=_chat_id(b)),
    "send_sticker": lambda s, u, b: s.send_sticker(u, b.get("emoji") or "👍",
                                                   chat_id=_chat_id(b)),
    "add_bot_to_group": lambda s, u, b: s.add_bot_to_group(
        u, _field(b, "chat_id", int), b.get("title") or f"Group {b['chat_id']}",
        as_admin=bool(b.get("as_admin"))),
}


Handler = Callable[[web.Request], Awaitable[web.Response]]


def control_routes(app: web.Application, sandbox: Sandbox) -> None:
    """Register the control API's routes on `app`, all answering from `sandbox`."""
    for name, action in ACTIONS.items():
        app.router.add_post(f"/control/{name}", _action_handler(sandbox, action))
    app.router.add_post("/control/join_group", _join_group_handler(sandbox))
    app.router.add_get("/control/idle", _idle_handler(sandbox))
    app.router.add_get("/control/events", _events_handler(sandbox))
    app.router.add_get("/control/messages", _messages_handler(sandbox))
    app.router.add_get("/control/info", _info_handler(sandbox))


def _action_handler(sandbox: Sandbox, action: Action) -> Handler:
    """POST /control/<action>: the user in the JSON body does `action`; the update is returned."""
    async def handle(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ControlError("a JSON object is expected")
            user = _user(sandbox, body)
            update = action(sandbox, user, body)
        except (ControlError, LookupError, ValueError, TypeError) as error:
            return web.json_response({"ok": False, "error": str(error)}, status=400)
        return web.json_response({"ok": True, "update": jsonable(update),
                                  "seq": update["_seq"]})
    return handle


def _events_handler(sandbox: Sandbox) -> Handler:
    """GET /control/events: bot activity after a seq, long-polled up to a timeout."""
    async def events(request: web.Request) -> web.Response:
        try:
            after = int(request.query.get("after", "0"))
            timeout = min(float(request.query.get("timeout", "0")), MAX_EVENT_WAIT)
        except ValueError:
            return web.json_response({"ok": False, "error": "after and timeout are numbers"},
                                     status=400)
        kinds = BOT_EVENT_KINDS
        if request.query.get("kinds"):
            kinds = frozenset(request.query["kinds"].split(","))
        found = await sandbox.wait_events(after, timeout=max(timeout, 0.0), kinds=kinds)
        light = [without_file_bytes(event) for event in found]
        return web.json_response({"ok": True, "seq": sandbox.seq, "events": jsonable(light)})
    return events


def _messages_handler(sandbox: Sandbox) -> Handler:
    """GET /control/messages: one chat's messages and reply keyboard as the sandbox sees them."""
    async def messages(request: web.Request) -> web.Response:
        try:
            chat_id = int(request.query["chat_id"])
        except (KeyError, ValueError):
            return web.json_response({"ok": False, "error": "chat_id is required"}, status=400)
        return web.json_response({
            "ok": True,
            "messages": jsonable(sandbox.messages(chat_id)),
            "reply_keyboard": sandbox.reply_keyboard(chat_id),
        })
    return messages


def _info_handler(sandbox: Sandbox) -> Handler:
    """GET /control/info: the bot, the current seq and the sandbox's URLs."""
    async def info(request: web.Request) -> web.Response:
        return web.json_response({
            "ok": True, "seq": sandbox.seq, "bot": sandbox.bot_user,
            "base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url,
            "webhook": sandbox.webhook,
        })
    return info


def _join_group_handler(sandbox: Sandbox) -> Handler:
    """POST /control/join_group: a user joins a group (the bot is added first if needed)."""
    async def join_group(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ControlError("a JSON object is expected")
            user = _user(sandbox, body)
            added = sandbox.join_group(user, _field(body, "chat_id", int), body.get("title"))
        except (ControlError, LookupError, ValueError, TypeError) as error:
            return web.json_response({"ok": False, "error": str(error)}, status=400)
        return web.json_response({"ok": True, "added": added, "seq": sandbox.seq})
    return join_group


def _idle_handler(sandbox: Sandbox) -> Handler:
    """GET /control/idle: wait until the bot is idle; also the seq of its latest activity."""
    async def idle(request: web.Request) -> web.Response:
        try:
            timeout = min(float(request.query.get("timeout", "5")), MAX_EVENT_WAIT)
        except ValueError:
            return web.json_response({"ok": False, "error": "timeout is a number"}, status=400)
        try:
            await sandbox.wait_idle(timeout=timeout)
            settled = True
        except TimeoutError:
            settled = False
        bot_seq = next((e.seq for e in reversed(sandbox.state.events)
                        if e.kind in BOT_EVENT_KINDS), 0)
        return web.json_response({"ok": True, "idle": settled, "seq": sandbox.seq,
                                  "bot_seq": bot_seq})
    return idle
