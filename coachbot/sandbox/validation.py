"""Request validation: what Telegram would reject is rejected here, with Telegram's wording.

Two deliberate differences from Telegram, both stricter: unknown parameters (and unknown fields
inside JSON objects) are errors instead of being ignored, and parse_mode must be HTML or absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from coachbot.sandbox.entities import trim, with_auto_entities
from coachbot.sandbox.errors import ApiError, bad_request
from coachbot.sandbox.html import HtmlParseError, parse_html, utf16_len
from coachbot.sandbox.spec import BotApiSpec, FieldSpec, MethodSpec, TypeSpec

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_PLACEHOLDER = 64  # input_field_placeholder: "1-64 characters"
MAX_CALLBACK_ANSWER = 200
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
ENTITY_TYPES = frozenset({
    "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
    "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
    "code", "pre", "text_link", "text_mention", "custom_emoji", "date_time",
})
INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)
# Messages for a missing required parameter, where Telegram has its own wording.
MISSING = {
    "text": "message text is empty",
    "chat_id": "chat_id is empty",
    "photo": "there is no photo in the request",
    "document": "there is no document in the request",
}
# What Telegram says when a JSON-serialized parameter is not valid JSON of the right kind.
UNPARSABLE = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "link_preview_options": "can't parse link preview options JSON object",
    "reply_parameters": "can't parse reply parameters JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
    "commands": "can't parse commands JSON object",
    "scope": "can't parse BotCommandScope JSON object",
    "allowed_updates": "can't parse allowed updates JSON object",
}
# Prefixes Telegram puts before errors inside these object types.
CONTEXTS = {
    "InlineKeyboardButton": "Can't parse inline keyboard button: ",
    "KeyboardButton": "Can't parse keyboard button: ",
    "MessageEntity": "Can't parse MessageEntity: ",
    "BotCommand": "Can't parse BotCommand: ",
}
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_INTEGER = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


@dataclass
class FormattedText:
    """Text (or caption) as Telegram stores it, plus what the bot sent."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None  # the raw HTML, when parse_mode was HTML


def unparsable(name: str) -> str:
    return UNPARSABLE.get(name, f"can't parse {name} JSON object")


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# ---------------------------------------------------------------------------------------------
# Decoding parameters
# ---------------------------------------------------------------------------------------------


def decode_params(
    method: MethodSpec,
    raw: Mapping[str, Any],
    files: Mapping[str, UploadedFile],
) -> dict[str, Any]:
    """Turn raw request values into typed values, per the spec's field types.

    Form and query values are strings, JSON-encoded unless the field is a plain String
    (python-telegram-bot's convention, and the Bot API's); a JSON body's values may be typed,
    or strings read the same way as a form's (Telegram's server turns
    every field into its text first: {"chat_id": "42", "reply_markup": "{...}"} works).
    """
    params: dict[str, Any] = {}
    attached: set[str] = set()
    for name, value in raw.items():
        spec = method.fields.get(name)
        if spec is None:
            raise bad_request(f"unknown parameter {name}")
        params[name] = _decode(spec, value, files, attached)
    for part, upload in files.items():
        if part in attached:
            continue
        spec = method.fields.get(part)
        if spec is None or "InputFile" not in spec.types or part in params:
            raise bad_request(f"unknown parameter {part}")
        params[part] = upload
    return params


def _decode(
    spec: FieldSpec, value: Any, files: Mapping[str, UploadedFile], attached: set[str],
) -> Any:
    types = spec.types
    if isinstance(value, str) and "InputFile" in types and value.startswith("attach://"):
        name = value[len("attach://") :]
        if name not in files:
            raise bad_request(f"file attach://{name} is not found in the request")
        attached.add(name)
        return files[name]
    if not isinstance(value, str):
        return value
    if spec.is_plain_string or "InputFile" in types:
        return value
    if types == ("Integer", "String"):
        return int(value) if _INTEGER.match(value.strip()) else value
    if types == ("Integer",):
        if not _INTEGER.match(value.strip()):
            raise bad_request(f"parameter {spec.name} must be an Integer")
        return int(value)
    if types == ("Float",):
        try:
            return float(value)
        except ValueError:
            raise bad_request(f"parameter {spec.name} must be a Float") from None
    if types == ("Boolean",):
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
        raise bad_request(f"parameter {spec.name} must be a Boolean")
    try:
        return json.loads(value)
    except ValueError:
        raise bad_request(unparsable(spec.name)) from None


def check_required(method: MethodSpec, params: Mapping[str, Any]) -> None:
    order = sorted(method.required, key=lambda name: name != "text")
    for name in order:
        value = params.get(name)
        if value is None or value == "":
            raise bad_request(MISSING.get(name, f"parameter {name} is required"))


# ---------------------------------------------------------------------------------------------
# Shapes of JSON objects, checked against the spec's types
# ---------------------------------------------------------------------------------------------


class ShapeError(ValueError):
    """Telegram-style detail, e.g. 'Field "text" must be of type String'."""


def _kind(type_name: str) -> str:
    if type_name.startswith("Array of"):
        return "Array"
    return {"Integer": "Number", "Float": "Number", "String": "String",
            "Boolean": "Boolean"}.get(type_name, "Object")


def _matches(spec: BotApiSpec, type_name: str, value: Any) -> None:
    """Raise ShapeError unless `value` fits `type_name`."""
    if type_name == "Integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif type_name == "Float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif type_name == "String":
        ok = isinstance(value, str)
    elif type_name == "Boolean":
        ok = isinstance(value, bool)
    elif type_name == "InputFile":
        ok = isinstance(value, str | UploadedFile)
    elif type_name.startswith("Array of "):
        if not isinstance(value, list):
            raise ShapeError("Array expected")
        for item in value:
            _matches(spec, type_name[len("Array of ") :], item)
        return
    else:
        check_object(spec, type_name, value)
        return
    if not ok:
        raise ShapeError(f"{_kind(type_name)} expected")


def check_object(spec: BotApiSpec, type_name: str, value: Any) -> None:
    """Check a JSON object against a spec type (known fields only, required ones present)."""
    type_spec = spec.types.get(type_name)
    if type_spec is None:
        return  # a type the spec does not describe: nothing to check
    if not isinstance(value, dict):
        raise ShapeError("Object expected")
    if type_spec.subtypes:
        type_spec = _pick_subtype(spec, type_spec.subtypes, value)
    for key in value:
        if key not in type_spec.fields:
            raise ShapeError(f'Unknown field "{key}" in {type_spec.name}')
    for name, field_spec in type_spec.fields.items():
        if name not in value:
            if field_spec.required:
                raise ShapeError(f'Can\'t find field "{name}"')
            continue
        try:
            _check_union(spec, field_spec.types, value[name])
        except ShapeError as error:
            if str(error).endswith(" expected"):
                kinds = " or ".join(sorted({_kind(t) for t in field_spec.types}))
                raise ShapeError(f'Field "{name}" must be of type {kinds}') from None
            raise


def _check_union(spec: BotApiSpec, types: tuple[str, ...], value: Any) -> None:
    errors: list[ShapeError] = []
    for type_name in types:
        try:
            _matches(spec, type_name, value)
            return
        except ShapeError as error:
            errors.append(error)
    # Prefer a detailed error (from an object of the right kind) to "X expected".
    detailed = [e for e in errors if not str(e).endswith(" expected")]
    raise (detailed or errors)[0]


def _pick_subtype(spec: BotApiSpec, subtypes: tuple[str, ...], value: dict[str, Any]) -> TypeSpec:
    """The subtype a value belongs to: by its discriminator ("type": "chat"...) or, for types
    without one (MaybeInaccessibleMessage), the first subtype it fits."""
    candidates = [spec.types[name] for name in subtypes if name in spec.types]
    tagged = [(sub, sub.discriminator) for sub in candidates if sub.discriminator is not None]
    for sub, (key, expected) in tagged:
        if value.get(key) == expected:
            return sub
    if tagged:
        key = tagged[0][1][0]
        raise ShapeError(f'Unsupported {key} "{value.get(key)}" specified')
    errors: list[ShapeError] = []
    for sub in candidates:
        try:
            check_object(spec, sub.name, value)
            return sub
        except ShapeError as error:
            errors.append(error)
    raise errors[0] if errors else ShapeError("Object expected")


def check_shapes(spec: BotApiSpec, method: MethodSpec, params: Mapping[str, Any]) -> None:
    """Check every object/array parameter (reply_markup has its own, richer check)."""
    for name, value in params.items():
        field_spec = method.fields[name]
        if name == "reply_markup":
            validate_reply_markup(spec, value, inline_only=field_spec.types == (
                "InlineKeyboardMarkup",))
            continue
        try:
            _check_union(spec, field_spec.types, value)
        except ShapeError as error:
            detail = str(error)
            if detail.endswith(" expected"):
                if any(_kind(t) in ("Object", "Array") for t in field_spec.types):
                    raise bad_request(unparsable(name)) from None
                raise bad_request(f"parameter {name} must be of type "
                                  + " or ".join(field_spec.types)) from None
            raise _contextual(detail, field_spec.types) from None


def _contextual(detail: str, types: tuple[str, ...]) -> ApiError:
    prefix = ""
    for type_name in types:
        inner = type_name.removeprefix("Array of ")
        if inner in CONTEXTS:
            prefix = CONTEXTS[inner]
    return bad_request(lower_first(prefix + detail))


# ---------------------------------------------------------------------------------------------
# reply_markup
# ---------------------------------------------------------------------------------------------

REPLY_MARKUP_KINDS = (
    ("inline_keyboard", "InlineKeyboardMarkup"),
    ("keyboard", "ReplyKeyboardMarkup"),
    ("remove_keyboard", "ReplyKeyboardRemove"),
    ("force_reply", "ForceReply"),
)


def reply_markup_kind(markup: Mapping[str, Any]) -> str:
    for key, kind in REPLY_MARKUP_KINDS:
        if key in markup:
            return kind
    return ""


def validate_reply_markup(spec: BotApiSpec, markup: Any, *, inline_only: bool = False) -> str:
    """Validate a reply_markup object; returns its type name."""
    if not isinstance(markup, dict):
        raise bad_request(UNPARSABLE["reply_markup"])
    kind = reply_markup_kind(markup)
    if not kind:
        raise bad_request(UNPARSABLE["reply_markup"])
    if inline_only and kind != "InlineKeyboardMarkup":
        raise bad_request("inline keyboard expected")
    if kind == "InlineKeyboardMarkup":
        _inline_keyboard(spec, markup)
        return kind
    if kind == "ReplyKeyboardMarkup":
        _reply_keyboard(spec, markup)
    try:
        check_object(spec, kind, markup)
    except ShapeError as error:
        raise bad_request(lower_first(str(error))) from None
    _placeholder(markup)
    return kind


def _placeholder(markup: dict[str, Any]) -> None:
    """ForceReply's and ReplyKeyboardMarkup's input_field_placeholder: the spec says 1-64
    characters. What Telegram answers to a longer one is not documented: the sandbox refuses
    it, so a bot never counts on a placeholder being cut or dropped."""
    placeholder = markup.get("input_field_placeholder")
    if placeholder is not None and not 1 <= utf16_len(placeholder) <= MAX_PLACEHOLDER:
        raise bad_request("input field placeholder must be 1-64 characters long")


def _rows(markup: dict[str, Any], key: str) -> list[list[Any]]:
    rows = markup[key]
    if not isinstance(rows, list):
        raise bad_request(f'field "{key}" must be of type Array')
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(f'field "{key}" must be an Array of Arrays')
    return rows


def _inline_keyboard(spec: BotApiSpec, markup: dict[str, Any]) -> None:
    for key in markup:
        if key != "inline_keyboard":
            raise bad_request(f'unknown field "{key}" in InlineKeyboardMarkup')
    rows = _rows(markup, "inline_keyboard")
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            _inline_button(spec, button)


def _inline_button(spec: BotApiSpec, button: Any) -> None:
    prefix = CONTEXTS["InlineKeyboardButton"]
    if not isinstance(button, dict):
        raise bad_request(lower_first(prefix + "Object expected"))
    if "text" not in button:
        raise bad_request(lower_first(prefix + 'Can\'t find field "text"'))
    try:
        check_object(spec, "InlineKeyboardButton", button)
    except ShapeError as error:
        raise bad_request(lower_first(prefix + str(error))) from None
    if not button["text"].strip():
        raise bad_request(lower_first(prefix + "Text must be non-empty"))
    actions = [a for a in INLINE_ACTIONS if a in button and button[a] not in ("", None)]
    if not actions:
        raise bad_request(
            lower_first(prefix + "Text buttons are unallowed in the inline keyboard")
        )
    if len(actions) > 1:
        raise bad_request(lower_first(
            prefix + "exactly one of the fields " + ", ".join(actions) + " must be used"
        ))
    action = actions[0]
    value = button[action]
    if action == "callback_data" and len(value.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    if action == "url":
        problem = url_problem(value, schemes=("http", "https", "tg", "ton"))
        if problem:
            raise bad_request(f"inline keyboard button URL '{value}' is invalid: {problem}")
    if action == "web_app" and not str(value.get("url", "")).startswith("https://"):
        raise bad_request(f"inline keyboard button Web App URL '{value.get('url', '')}' is "
                          "invalid: Only HTTPS links are allowed")
    if action == "copy_text" and not 1 <= len(value.get("text", "")) <= 256:
        raise bad_request("BUTTON_COPY_TEXT_INVALID")
    if action in ("pay", "callback_game"):
        raise bad_request("BUTTON_TYPE_INVALID")


def _reply_keyboard(spec: BotApiSpec, markup: dict[str, Any]) -> None:
    prefix = CONTEXTS["KeyboardButton"]
    for row in _rows(markup, "keyboard"):
        for button in row:
            if not isinstance(button, dict):
                raise bad_request(lower_first(prefix + "Object expected"))
            if "text" not in button:
                raise bad_request(lower_first(prefix + 'Can\'t find field "text"'))
            try:
                check_object(spec, "KeyboardButton", button)
            except ShapeError as error:
                raise bad_request(lower_first(prefix + str(error))) from None
            if not button["text"].strip():
                raise bad_request(lower_first(prefix + "Text must be non-empty"))
            web_app = button.get("web_app")
            if web_app is not None and not str(web_app.get("url", "")).startswith("https://"):
                raise bad_request(f"keyboard button Web App URL '{web_app.get('url', '')}' is "
                                  "invalid: Only HTTPS links are allowed")


def url_problem(url: str, *, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """None if Telegram would accept the URL, else its complaint."""
    if not url or any(c.isspace() for c in url):
        return "URL host is empty" if not url else "Wrong HTTP URL"
    if "://" in url or url.startswith("tg:"):
        parts = urlsplit(url)
        if parts.scheme.lower() not in schemes:
            return "Unsupported URL protocol"
        if parts.scheme.lower() in ("http", "https") and not parts.hostname:
            return "URL host is empty"
        return None
    host = url.split("/", 1)[0].split(":", 1)[0]
    if "." not in host or not re.fullmatch(r"[A-Za-z0-9.-]+", host) or host.endswith("."):
        return "Wrong HTTP URL"
    return None


# ---------------------------------------------------------------------------------------------
# Text and captions
# ---------------------------------------------------------------------------------------------


def format_text(
    raw: str | None,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    caption: bool = False,
) -> FormattedText:
    """Parse, trim and measure a message text or caption as Telegram does."""
    mode = (parse_mode or "").strip().lower()
    if mode not in ("", "html"):
        raise bad_request("unsupported parse_mode")
    if raw is None or raw == "":
        if caption:
            return FormattedText("")
        raise bad_request("message text is empty")
    if mode == "html":
        try:
            parsed = parse_html(raw)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        text, found = parsed.text, parsed.entities
    else:
        text, found = raw, check_entities(raw, entities or [])
    text, found = trim(text, found)
    if not text:
        if caption:
            return FormattedText("", [], raw if mode == "html" else None)
        raise bad_request("text must be non-empty")
    if utf16_len(text) > (MAX_CAPTION if caption else MAX_TEXT):
        raise bad_request("message caption is too long" if caption else "message is too long")
    return FormattedText(text, with_auto_entities(text, found), raw if mode == "html" else None)


def check_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities given explicitly (entities=/caption_entities=) must fit the text."""
    end = utf16_len(text)
    for entity in entities:
        kind, offset, length = entity["type"], entity["offset"], entity["length"]
        prefix = CONTEXTS["MessageEntity"]
        if kind not in ENTITY_TYPES:
            raise bad_request(lower_first(prefix + "Unsupported type specified"))
        required = {"text_link": "url", "text_mention": "user", "custom_emoji": "custom_emoji_id"}
        if kind in required and required[kind] not in entity:
            raise bad_request(lower_first(prefix + f'Can\'t find field "{required[kind]}"'))
        if offset < 0:
            raise bad_request(f"receive an entity with incorrect offset {offset}")
        if length < 0:
            raise bad_request(f"receive an entity with incorrect length {length}")
        if offset > end:
            raise bad_request(f"entity begins after the end of the text at UTF-16 offset {offset}")
        if offset + length > end:
            raise bad_request(f"entity beginning at UTF-16 offset {offset} ends after the end of "
                              f"the text at UTF-16 offset {offset + length}")
        if kind == "text_link":
            problem = url_problem(entity["url"], schemes=("http", "https", "tg", "ton", "mailto"))
            if problem:
                raise bad_request(f"entity URL '{entity['url']}' is invalid: {problem}")
    return [dict(e) for e in entities if e["length"] > 0]


# ---------------------------------------------------------------------------------------------
# Smaller method-specific rules
# ---------------------------------------------------------------------------------------------


def validate_method_rules(method: str, params: Mapping[str, Any]) -> None:
    """Rules that need no sandbox state."""
    if params.get("business_connection_id"):
        raise bad_request("business connection not found")  # the sandbox has none
    if params.get("message_thread_id"):
        raise bad_request("message thread not found")  # nor forum topics
    if method == "sendChatAction" and params["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    if method in ("setMyCommands", "getMyCommands", "deleteMyCommands"):
        code = params.get("language_code", "")
        if code and not _LANGUAGE.match(code):
            raise bad_request("invalid language code specified")
    if method == "setMyCommands":
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not _COMMAND.match(command["command"]):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"].strip()) <= 256:
                raise bad_request("command description must be non-empty")
    if method == "answerCallbackQuery" and len(params.get("text") or "") > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    if method == "setWebhook":
        _webhook_rules(params)
    if method in ("sendMessage", "editMessageText"):
        options = params.get("link_preview_options") or {}
        if options.get("url") and url_problem(options["url"]):
            raise bad_request("WEBPAGE_URL_INVALID")
    if method == "getUpdates":
        limit = params.get("limit")
        if limit is not None and not 1 <= limit <= 100:
            raise bad_request("limit must be between 1 and 100")  # Telegram clamps instead
        if params.get("timeout", 0) < 0:
            raise bad_request("timeout must be non-negative")


def _webhook_rules(params: Mapping[str, Any]) -> None:
    url = params.get("url", "")
    if url:
        parts = urlsplit(url)
        local = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (local and parts.scheme == "http"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if not parts.hostname:
            raise bad_request("bad webhook: Webhook URL host is empty")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    connections = params.get("max_connections")
    if connections is not None and not 1 <= connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
