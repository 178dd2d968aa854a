"""The terminal chat, driven by scripted input against a sandbox and the echo bot."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from coachbot.sandbox import Sandbox
from coachbot.sandbox.terminal import (
    LineReader,
    TerminalChat,
    display_width,
    render_text,
    run_terminal_chat,
    wrap,
)

App = Any


def scripted(lines: list[str]):
    pending = list(lines)

    def read(prompt: str) -> str:
        if not pending:
            raise EOFError
        return pending.pop(0)

    return read


async def test_the_reader_reads_a_line_only_when_asked():
    """No read-ahead: the prompt comes back after the bot answered, and after /quit no thread
    is left blocked on stdin (which aborts the interpreter at exit when stdin is a pipe)."""
    asked: list[str] = []

    def read(prompt: str) -> str:
        asked.append(prompt)
        return f"line {len(asked)}"

    reader = LineReader(read, "> ")
    await asyncio.sleep(0.05)
    assert asked == []  # nothing read before a line is wanted
    assert await reader.next() == "line 1"
    await asyncio.sleep(0.05)
    assert len(asked) == 1
    assert await reader.next() == "line 2"
    await asyncio.sleep(0.05)
    assert len(asked) == 2


async def test_a_scripted_conversation(sandbox: Sandbox, echo_app: App, tmp_path: Path):
    report = tmp_path / "report.csv"
    report.write_bytes(b"name,phone\n")
    output = io.StringIO()
    await run_terminal_chat(sandbox.control_url, user_id=1001, first_name="Alice",
                            input_func=scripted([
                                "hello <world>",
                                "2",
                                ":help",
                                f"/file {report}",
                                "/location 31.23 121.47",
                                "/as 2002 Bob",
                                "/say 7",
                                "/group -500 Team",
                                "/quit",
                                "never read",
                            ]), output=output)
    text = output.getvalue()
    assert "Chatting with @CoachSandboxBot as Alice (id 1001)" in text
    assert "echo hello <world>" in text
    assert "[1] 确认  [2] 取消" in text
    assert "(edited)" in text and "pressed cancel" in text
    assert "ⓘ got cancel" in text
    assert "/location LAT LON" in text  # from :help
    assert "report.csv: 11 bytes" in text
    assert "now chatting as Bob (id 2002)" in text
    assert "echo 7" in text
    assert "now in group -500 (the bot was added)" in text
    assert "never read" not in text and text.rstrip().endswith("bye")
    assert "\x1b[" not in text  # no ANSI codes when the output is not a terminal
    messages = sandbox.messages(1001)
    assert messages[-1]["message"]["location"] == {"latitude": 31.23, "longitude": 121.47}
    assert [m["text"] for m in sandbox.messages(2002)] == ["7", "echo 7"]
    assert sandbox.rejections == []


async def test_end_of_input_leaves_quietly(sandbox: Sandbox):
    output = io.StringIO()
    await run_terminal_chat(sandbox.control_url, input_func=scripted([]), output=output)
    assert output.getvalue().rstrip().endswith("bye")


async def test_no_sandbox(tmp_path: Path):
    output = io.StringIO()
    await run_terminal_chat("http://127.0.0.1:9/control", input_func=scripted([]), output=output)
    assert "no sandbox at http://127.0.0.1:9/control" in output.getvalue()


def test_rendering_entities_for_a_terminal():
    text = "粗体 and link\nquoted 😀 end"
    entities = [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "text_link", "offset": 7, "length": 4, "url": "https://example.com"},
        {"type": "blockquote", "offset": 12, "length": 13},
    ]
    assert render_text(text, entities, ansi=False) == (
        "粗体 and link (https://example.com)\n│ quoted 😀 end")
    styled = render_text(text, entities, ansi=True)
    assert styled.startswith("\x1b[1m粗体\x1b[22m")


def test_wrapping_counts_wide_characters():
    assert display_width("\x1b[1m粗体\x1b[22mab") == 6
    assert wrap("粗体粗体粗体", 5) == ["粗体", "粗体", "粗体"]
    assert wrap("short", 10) == ["short"]


async def test_a_typed_steps_placeholder_is_shown():
    """A ForceReply opens the reply field; a reply keyboard's placeholder heads its rows."""
    output = io.StringIO()
    chat = TerminalChat("http://sandbox", user_id=1001, first_name="Alice",
                        language_code="zh-hans", output=output)
    chat.show_buttons(1001, {"message_id": 5, "reply_markup": {
        "force_reply": True, "selective": True, "input_field_placeholder": "例如 138 0013 8000"}})
    chat.show_buttons(1001, {"message_id": 6, "reply_markup": {
        "keyboard": [[{"text": "📍", "request_location": True}]],
        "input_field_placeholder": "例如 Europe/London"}})
    assert output.getvalue().splitlines() == [
        "  ↩ reply field open: 例如 138 0013 8000",
        "  keyboard (例如 Europe/London):",
        "  ‹📍› (/location LAT LON)"]
