"""Chat with the bot from a terminal, as a Telegram user, through the sandbox's control API.

    python -m coachbot.sandbox.terminal --control-url http://127.0.0.1:8081/control

Type a message and press Enter. Inline buttons are numbered: type the number to press one.
:help lists the commands (/location, /contact, /file, /photo, /sticker, /as, /group, /quit...).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import mimetypes
import shlex
import shutil
import sys
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import aiohttp

HELP = """\
Type a message and press Enter to send it.
  N                   press inline button N of the latest keyboard
  /press N            the same
  /say TEXT           send TEXT literally (e.g. a number, or a line starting with : )
  /location LAT LON   share a location (answers a "share location" button)
  /contact PHONE NAME share a contact (your own if the bot asked for it)
  /file PATH          send a file as a document
  /photo [PATH]       send a photo (a tiny PNG by default)
  /sticker [EMOJI]    send a sticker
  /as USER_ID [NAME]  become another user (back in your private chat)
  /group CHAT_ID [TITLE]  talk in a group chat (the bot is added if needed)
  /private            back to the private chat
  /quit               leave
  :help               this list
Any other /command goes to the bot."""
LOCAL_COMMANDS = frozenset({"/press", "/say", "/location", "/contact", "/file", "/photo",
                            "/sticker", "/as", "/group", "/private", "/quit"})
ANSI_STYLES = {
    "bold": ("\x1b[1m", "\x1b[22m"),
    "italic": ("\x1b[3m", "\x1b[23m"),
    "underline": ("\x1b[4m", "\x1b[24m"),
    "strikethrough": ("\x1b[9m", "\x1b[29m"),
    "spoiler": ("\x1b[7m", "\x1b[27m"),
    "code": ("\x1b[36m", "\x1b[39m"),
    "pre": ("\x1b[36m", "\x1b[39m"),
}
DIM, RED, RESET = "\x1b[2m", "\x1b[31m", "\x1b[0m"
REPLY_WAIT = 3.0  # at most this long for the bot to finish answering before prompting again


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns the text takes (CJK characters take two), ANSI sequences excluded."""
    width = 0
    escape = False
    for ch in text:
        if escape:
            escape = ch != "m"
            continue
        if ch == "\x1b":
            escape = True
            continue
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def wrap(line: str, width: int) -> list[str]:
    """Hard-wrap one line at `width` columns (ANSI- and CJK-aware)."""
    if width <= 0 or display_width(line) <= width:
        return [line]
    pieces: list[str] = []
    current, used, escape = "", 0, False
    for ch in line:
        if escape or ch == "\x1b":
            current += ch
            escape = ch != "m"
            continue
        columns = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + columns > width:
            pieces.append(current)
            current, used = "", 0
        current += ch
        used += columns
    pieces.append(current)
    return pieces


def render_text(text: str, entities: list[dict[str, Any]], *, ansi: bool) -> str:
    """Telegram text + entities, readable on a terminal: styles as ANSI (or nothing), links
    as `text (url)`, quotes with a bar."""
    chars: list[tuple[int, str]] = []  # (utf-16 offset, character)
    offset = 0
    for ch in text:
        chars.append((offset, ch))
        offset += 2 if ord(ch) > 0xFFFF else 1
    starts: dict[int, list[dict[str, Any]]] = {}
    ends: dict[int, list[dict[str, Any]]] = {}
    for entity in entities:
        starts.setdefault(entity["offset"], []).append(entity)
        ends.setdefault(entity["offset"] + entity["length"], []).append(entity)
    out: list[str] = []
    quote_depth = 0

    def close(at: int) -> None:
        nonlocal quote_depth
        for entity in reversed(ends.get(at, [])):
            kind = entity["type"]
            if ansi and kind in ANSI_STYLES:
                out.append(ANSI_STYLES[kind][1])
            if kind == "text_link":
                label = text_at(text, entity)
                if label != entity.get("url"):
                    out.append(f" ({entity['url']})" if not ansi
                               else f" {DIM}({entity['url']}){RESET}")
            if kind in ("blockquote", "expandable_blockquote"):
                quote_depth -= 1

    for position, ch in chars:
        close(position)
        for entity in starts.get(position, []):
            kind = entity["type"]
            if kind in ("blockquote", "expandable_blockquote"):
                quote_depth += 1
                out.append("│ ")
            if ansi and kind in ANSI_STYLES:
                out.append(ANSI_STYLES[kind][0])
        out.append(ch)
        if ch == "\n" and quote_depth:
            out.append("│ ")
    close(offset)
    return "".join(out)


def text_at(text: str, entity: dict[str, Any]) -> str:
    units = text.encode("utf-16-le")
    start, end = entity["offset"] * 2, (entity["offset"] + entity["length"]) * 2
    return units[start:end].decode("utf-16-le", errors="replace")


def human_size(size: int | None) -> str:
    if size is None:
        return "?"
    return f"{size} B" if size < 1024 else f"{size / 1024:.0f} KB"


@dataclass
class Button:
    number: int
    text: str
    chat_id: int
    message_id: int
    callback_data: str


# ---------------------------------------------------------------------------------------------
# The chat
# ---------------------------------------------------------------------------------------------


class TerminalChat:
    def __init__(
        self,
        control_url: str,
        *,
        user_id: int,
        first_name: str,
        language_code: str,
        output: TextIO,
    ) -> None:
        self.control_url = control_url.rstrip("/")
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.output = output
        self.ansi = bool(getattr(output, "isatty", lambda: False)())
        self.chat_id: int | None = None  # None: the private chat with the bot
        self.buttons: dict[int, Button] = {}
        self.button_message: tuple[int, int] | None = None  # (chat, message) they belong to
        self.reply_keyboards: dict[int, dict[str, Any] | None] = {}
        self.seq = 0
        self.printed_seq = 0
        self.shown = asyncio.Event()  # set whenever the event follower has printed
        self.bot_name = "bot"
        self.session: aiohttp.ClientSession | None = None

    @property
    def current_chat(self) -> int:
        return self.chat_id if self.chat_id is not None else self.user_id

    @property
    def width(self) -> int:
        return max(20, shutil.get_terminal_size((80, 24)).columns)

    # -- output --------------------------------------------------------------------------------
    def style(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.ansi else text

    def say(self, text: str = "") -> None:
        for line in text.split("\n"):
            self.output.write(line + "\n")
        self.output.flush()

    def show_message(self, event: dict[str, Any]) -> None:
        message = event.get("message")
        if not message:
            return
        chat_id = int(event["chat_id"])
        where = "" if chat_id == self.current_chat else f" in chat {chat_id}"
        edited = " (edited)" if event["kind"] == "edit" else ""
        header = f"{self.bot_name} #{message['message_id']}{where}{edited}"
        self.say(self.style(header, "\x1b[1;34m"))
        body: list[str] = []
        telegram = message.get("message") or {}
        if "photo" in telegram:
            size = telegram["photo"][-1]
            body.append(f"[photo {size['width']}x{size['height']}, "
                        f"{human_size(size.get('file_size'))}]")
        if "document" in telegram:
            document = telegram["document"]
            body.append(f"[document {document.get('file_name', '?')}, "
                        f"{human_size(document.get('file_size'))}]")
        text = message.get("text") if message.get("text") is not None else message.get("caption")
        if text:
            body.append(render_text(text, message.get("entities") or [], ansi=self.ansi))
        indent = "  "
        for line in "\n".join(body).split("\n"):
            for piece in wrap(line, self.width - len(indent)):
                self.output.write(indent + piece + "\n")
        self.show_buttons(chat_id, message)
        self.output.flush()

    def show_buttons(self, chat_id: int, message: dict[str, Any]) -> None:
        markup = message.get("reply_markup") or {}
        if "inline_keyboard" in markup:
            self.buttons, self.button_message = {}, (chat_id, message["message_id"])
            rows: list[str] = []
            for row in markup["inline_keyboard"]:
                labels = []
                for button in row:
                    if button.get("callback_data"):
                        number = len(self.buttons) + 1
                        self.buttons[number] = Button(number, button["text"], chat_id,
                                                      message["message_id"],
                                                      button["callback_data"])
                        labels.append(self.style(f"[{number}]", "\x1b[1;33m")
                                      + f" {button['text']}")
                    elif button.get("url"):
                        labels.append(f"[↗ {button['text']}] ({button['url']})")
                    else:
                        labels.append(f"[{button['text']}]")
                rows.append("  ".join(labels))
            self.write_rows(rows)
        elif self.button_message == (chat_id, message["message_id"]):
            self.buttons, self.button_message = {}, None  # its keyboard was removed
        if "keyboard" in markup:
            self.reply_keyboards[chat_id] = markup
            rows = []
            for row in markup["keyboard"]:
                labels = []
                for button in row:
                    hint = ""
                    if button.get("request_location"):
                        hint = " (/location LAT LON)"
                    elif button.get("request_contact"):
                        hint = " (/contact PHONE NAME)"
                    labels.append(f"‹{button['text']}›{hint}")
                rows.append("  ".join(labels))
            placeholder = markup.get("input_field_placeholder")
            self.write_rows([f"keyboard ({placeholder}):" if placeholder else "keyboard:", *rows])
        elif "remove_keyboard" in markup:
            self.reply_keyboards[chat_id] = None
        if markup.get("force_reply"):
            example = markup.get("input_field_placeholder")
            self.write_rows([f"↩ reply field open: {example}" if example
                             else "↩ reply field open"])

    def write_rows(self, rows: list[str]) -> None:
        for row in rows:
            for piece in wrap(row, self.width - 2):
                self.output.write("  " + piece + "\n")

    def show_event(self, event: dict[str, Any]) -> None:
        kind = event["kind"]
        if kind in ("send", "edit"):
            self.show_message(event)
        elif kind == "delete":
            self.say(self.style(f"  (message #{event['message_id']} deleted)", DIM))
        elif kind == "callback_answer" and event.get("text"):
            mark = "⚠" if event.get("show_alert") else "ⓘ"
            self.say(f"  {mark} {event['text']}")
        elif kind == "rejection":
            self.say(self.style(f"  ✗ the bot's {event.get('method')} was rejected: "
                                f"{event.get('description')}", RED))

    # -- control API ---------------------------------------------------------------------------
    async def call(self, action: str, **fields: Any) -> dict[str, Any] | None:
        assert self.session is not None
        body = {"user_id": self.user_id, "first_name": self.first_name,
                "language_code": self.language_code, **fields}
        if self.chat_id is not None and "chat_id" not in body:
            body["chat_id"] = self.chat_id
        try:
            async with self.session.post(f"{self.control_url}/{action}", json=body) as response:
                answer: dict[str, Any] = await response.json()
        except (aiohttp.ClientError, OSError, ValueError) as error:
            self.say(self.style(f"! the sandbox did not answer: {error}", RED))
            return None
        if not answer.get("ok"):
            self.say(self.style(f"! {answer.get('error')}", RED))
            return None
        return answer

    async def follow_events(self) -> None:
        assert self.session is not None
        failures = 0
        while True:
            try:
                async with self.session.get(f"{self.control_url}/events",
                                            params={"after": self.seq, "timeout": 20}) as response:
                    answer = await response.json()
                failures = 0
            except (aiohttp.ClientError, OSError, ValueError, TimeoutError):
                failures += 1
                if failures == 1:
                    self.say(self.style("! lost the sandbox; retrying...", RED))
                await asyncio.sleep(min(failures, 5) * 0.5)
                continue
            for event in answer.get("events", []):
                self.show_event(event)
                self.seq = max(self.seq, int(event["seq"]))
            self.shown.set()

    async def wait_for_replies(self) -> None:
        """Let the bot finish answering (and its answer be printed) before prompting again."""
        assert self.session is not None
        try:
            async with self.session.get(f"{self.control_url}/idle",
                                        params={"timeout": REPLY_WAIT}) as response:
                target = int((await response.json())["bot_seq"])
        except (aiohttp.ClientError, OSError, ValueError, KeyError):
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 1.0
        while self.seq < target and loop.time() < deadline:
            self.shown.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.shown.wait(), deadline - loop.time())

    # -- input ---------------------------------------------------------------------------------
    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line == ":help":
            self.say(HELP)
            return True
        if line.isdigit() and int(line) in self.buttons:
            return await self.press(int(line))
        word, _, rest = line.partition(" ")
        if word not in LOCAL_COMMANDS:
            await self.send_text(line)
            return True
        if word == "/quit":
            return False
        handler = getattr(self, "cmd_" + word[1:])
        await handler(rest.strip())
        return True

    async def send_text(self, text: str) -> None:
        keyboard = self.reply_keyboards.get(self.current_chat) or {}
        for row in keyboard.get("keyboard", []):
            for button in row:
                if button.get("text") == text and button.get("request_location"):
                    self.say("  (this button shares a location: /location LAT LON)")
                    return
                if button.get("text") == text and button.get("request_contact"):
                    self.say("  (this button shares your phone number: /contact PHONE NAME)")
                    return
        if await self.call("send_text", text=text):
            await self.wait_for_replies()

    async def press(self, number: int) -> bool:
        button = self.buttons.get(number)
        if button is None:
            self.say(f"! no button {number}" + (f" (1-{len(self.buttons)})" if self.buttons
                                                else " (no keyboard shown)"))
            return True
        if await self.call("press", chat_id=button.chat_id, message_id=button.message_id,
                           callback_data=button.callback_data):
            await self.wait_for_replies()
        return True

    async def cmd_press(self, rest: str) -> None:
        if not rest.isdigit():
            self.say("! usage: /press N")
            return
        await self.press(int(rest))

    async def cmd_say(self, rest: str) -> None:
        if rest:
            await self.send_text(rest)

    async def cmd_location(self, rest: str) -> None:
        try:
            latitude, longitude = (float(v) for v in rest.replace(",", " ").split())
        except ValueError:
            self.say("! usage: /location LAT LON   e.g. /location 31.23 121.47")
            return
        if await self.call("send_location", latitude=latitude, longitude=longitude):
            await self.wait_for_replies()

    async def cmd_contact(self, rest: str) -> None:
        phone, _, name = rest.partition(" ")
        if not phone or not name.strip():
            self.say("! usage: /contact +8613800138000 Name")
            return
        first, _, last = name.strip().partition(" ")
        fields: dict[str, Any] = {"phone_number": phone, "first_name": first}
        if last:
            fields["last_name"] = last
        keyboard = self.reply_keyboards.get(self.current_chat) or {}
        if any(b.get("request_contact") for row in keyboard.get("keyboard", []) for b in row):
            fields["contact_user_id"] = self.user_id  # "share my phone number"
        if await self.call("send_contact", **fields):
            await self.wait_for_replies()

    async def cmd_file(self, rest: str) -> None:
        try:
            parts = shlex.split(rest)
        except ValueError:
            parts = []
        if not parts:
            self.say("! usage: /file PATH [CAPTION]")
            return
        path = Path(parts[0]).expanduser()
        try:
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as error:
            self.say(f"! cannot read {path}: {error.strerror}")
            return
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        fields: dict[str, Any] = {"filename": path.name, "mime_type": mime,
                                  "content": base64.b64encode(content).decode()}
        if len(parts) > 1:
            fields["caption"] = " ".join(parts[1:])
        if await self.call("send_document", **fields):
            await self.wait_for_replies()

    async def cmd_photo(self, rest: str) -> None:
        fields: dict[str, Any] = {}
        if rest:
            try:
                content = await asyncio.to_thread(Path(rest).expanduser().read_bytes)
            except OSError as error:
                self.say(f"! cannot read {rest}: {error.strerror}")
                return
            fields["content"] = base64.b64encode(content).decode()
        if await self.call("send_photo", **fields):
            await self.wait_for_replies()

    async def cmd_sticker(self, rest: str) -> None:
        if await self.call("send_sticker", emoji=rest or "👍"):
            await self.wait_for_replies()

    async def cmd_as(self, rest: str) -> None:
        user_id, _, name = rest.partition(" ")
        if not user_id.isdigit():
            self.say("! usage: /as USER_ID [FIRST_NAME]")
            return
        self.user_id, self.chat_id = int(user_id), None
        self.first_name = name.strip() or self.first_name
        self.buttons, self.button_message = {}, None
        self.say(f"  now chatting as {self.first_name} (id {self.user_id}), privately")

    async def cmd_group(self, rest: str) -> None:
        chat, _, title = rest.partition(" ")
        try:
            chat_id = int(chat)
        except ValueError:
            self.say("! usage: /group CHAT_ID [TITLE]   (group ids are negative, e.g. -500)")
            return
        if chat_id >= 0:
            self.say("! group chat ids are negative, e.g. /group -500")
            return
        answer = await self.call("join_group", chat_id=chat_id, title=title.strip() or None)
        if answer is None:
            return
        self.chat_id = chat_id
        self.buttons, self.button_message = {}, None
        self.say(f"  now in group {chat_id}" + (" (the bot was added)" if answer["added"] else ""))
        if answer["added"]:
            await self.wait_for_replies()

    async def cmd_private(self, rest: str) -> None:
        self.chat_id = None
        self.buttons, self.button_message = {}, None
        self.say("  back in the private chat")

    # -- main loop -----------------------------------------------------------------------------
    async def run(self, input_func: Callable[[str], str]) -> None:
        async with aiohttp.ClientSession() as session:
            self.session = session
            try:
                async with session.get(f"{self.control_url}/info") as response:
                    info = await response.json()
            except (aiohttp.ClientError, OSError, ValueError) as error:
                self.say(f"! no sandbox at {self.control_url}: {error}")
                return
            self.seq = int(info.get("seq", 0))
            username = (info.get("bot") or {}).get("username")
            self.bot_name = f"@{username}" if username else "bot"
            self.say(f"Chatting with {self.bot_name} as {self.first_name} (id {self.user_id}). "
                     "Type :help for commands, /quit to leave.")
            follower = asyncio.create_task(self.follow_events(), name="terminal-events")
            lines = LineReader(input_func, "› " if self.ansi else "")
            try:
                while True:
                    line = await lines.next()
                    if line is None or not await self.handle(line):
                        break
            finally:
                follower.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await follower
        self.say("bye")


class LineReader:
    """Reads lines in a daemon thread, one at a time, so the event loop never blocks and the
    prompt comes back only after the previous line was handled."""

    def __init__(self, input_func: Callable[[str], str], prompt: str) -> None:
        self.input_func = input_func
        self.prompt = prompt
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.go = threading.Event()  # set by next(): read exactly one line
        self.reading = False  # a line was asked for and has not come yet
        self.thread = threading.Thread(target=self._read, name="terminal-input", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            self.go.wait()
            self.go.clear()
            try:
                line: str | None = self.input_func(self.prompt)
            except (EOFError, KeyboardInterrupt):
                line = None
            try:
                self.loop.call_soon_threadsafe(self.queue.put_nowait, line)
            except RuntimeError:  # the loop is closed
                return
            if line is None:
                return

    async def next(self) -> str | None:
        # Never read ahead: a thread blocked in input() after /quit holds stdin's lock, and
        # the interpreter then aborts at shutdown when stdin is a pipe.
        if not self.reading:
            self.reading = True
            self.go.set()
        line = await self.queue.get()
        self.reading = False
        return line


async def run_terminal_chat(
    control_url: str,
    *,
    user_id: int = 1001,
    first_name: str = "Agent",
    language_code: str = "zh-hans",
    input_func: Callable[[str], str] = input,
    output: TextIO = sys.stdout,
) -> None:
    """Chat with the bot behind a sandbox's control API until /quit or end of input."""
    chat = TerminalChat(control_url, user_id=user_id, first_name=first_name,
                        language_code=language_code, output=output)
    await chat.run(input_func)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Chat with the bot through a sandbox")
    parser.add_argument("--control-url", default="http://127.0.0.1:8081/control")
    parser.add_argument("--user-id", type=int, default=1001)
    parser.add_argument("--first-name", default="Agent")
    parser.add_argument("--language", default="zh-hans")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_terminal_chat(args.control_url, user_id=args.user_id,
                                      first_name=args.first_name, language_code=args.language))


if __name__ == "__main__":
    main()
