"""Hostile input through the real bot: nothing crashes, every request is valid Telegram.

Hypothesis draws sequences of what a user can do in the private chat (random and huge text,
every command with random arguments, forged callback data for every prefix, files that are not
what they claim, stickers, locations, contacts, edits, forwards, replies) against an agent
with a full book. After each step: no ERROR log record from the bot; at the end the bot still
answers /help, and the harness checks that the sandbox accepted every request.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from coachbot.domain.clock import ManualClock
from tests.conftest import LONG
from tests.faults.inputs import BIG_DOCUMENTS, Action, actions
from tests.faults.live import LiveBot, forgive_double_taps, settle
from tests.faults.world import BookIds, onboard, seed_book
from tests.harness import BotHarness

AGENT = 1001


def perform(h: BotHarness, action: Action) -> dict[str, Any]:
    """Do one user action in the agent's private chat (on the bot's loop)."""
    sandbox, user = h.sandbox, h.user
    if action.kind == "text":
        return sandbox.send_text(user, action.args[0])
    if action.kind == "press":
        last = sandbox.last_bot_message(user.id)
        return sandbox.press(user, last["message_id"] if last else 1, action.args[0],
                             force=True)
    if action.kind == "document":
        doc = action.args[0]
        return sandbox.send_document(user, doc.filename, doc.content, doc.mime_type)
    if action.kind == "sticker":
        return sandbox.send_sticker(user)
    if action.kind == "photo":
        return sandbox.send_photo(user)
    if action.kind == "voice":
        return sandbox.send_voice(user, action.args[0])
    if action.kind == "location":
        return sandbox.send_location(user, *action.args)
    if action.kind == "contact":
        phone, name, own = action.args
        return sandbox.send_contact(user, phone, name, user_id=user.id if own else None)
    if action.kind == "edit":
        mine = [m for m in sandbox.messages(user.id)
                if m.get("from", {}).get("id") == user.id and "text" in m]
        if not mine:
            mine = [sandbox.send_text(user, "first")["message"]]
        return sandbox.edit_text(user, mine[-1]["message_id"], action.args[0])
    if action.kind == "forward":
        return sandbox.forward_text(user, action.args[0], from_name=action.args[1])
    if action.kind == "reply":
        last = sandbox.last_bot_message(user.id)
        return sandbox.send_text(user, action.args[0],
                                 reply_to=last["message_id"] if last else None)
    raise ValueError(action.kind)


def is_bot_error(record: logging.LogRecord) -> bool:
    """An ERROR record from the bot (handlers, the error handler, jobs) or from PTB itself."""
    return record.levelno >= logging.ERROR and \
        record.name.split(".")[0] in ("coachbot", "telegram")


def bot_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if is_bot_error(r)]


def error_text(records: list[logging.LogRecord]) -> str:
    """Each distinct failure once: message, then the last lines of its traceback."""
    import traceback

    seen: dict[str, str] = {}
    for record in records:
        text = f"{record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            lines = traceback.format_exception(record.exc_info[1])
            text += "\n" + "".join(lines[-4:])
        key = text.splitlines()[-1] + (text.splitlines()[-3] if text.count("\n") > 2 else "")
        seen.setdefault(key, text)
    return f"{len(records)} error record(s), {len(seen)} distinct:\n" + "\n".join(seen.values())


# Bugs found by this suite and reported, not ours to fix: (where, what the error says).
# An error matching one of these turns the test into an xfail naming it; any other error
# fails. Delete an entry once its bug is fixed.
KNOWN_BUGS: list[tuple[str, str, str]] = []


def known_bug(record: logging.LogRecord) -> str | None:
    text = error_text([record])
    return next((why for where, what, why in KNOWN_BUGS if where in text and what in text),
                None)


def check_errors(caplog: pytest.LogCaptureFixture) -> None:
    """Fail on any ERROR record from the bot; xfail if every one is a known, reported bug."""
    errors = bot_errors(caplog)
    unknown = [r for r in errors if known_bug(r) is None]
    assert not unknown, error_text(unknown)
    if errors:
        pytest.xfail("known bug(s): " + "; ".join(sorted({known_bug(r) or "" for r in errors})))


def start_fuzz_bot(tmp_path: Path, clock: ManualClock) -> tuple[LiveBot, BookIds]:
    live = LiveBot(tmp_path, clock).__enter__()

    def prepare(h: BotHarness) -> BookIds:
        onboard(h.store, AGENT, clock.now())
        return seed_book(h.store, AGENT, clock.now().date())

    ids = live.run(prepare)
    live.run(lambda h: h.sandbox.send_text(h.user, "/help"))  # the chat is started
    live.settle()
    return live, ids


def check_still_answers(live: LiveBot) -> None:
    async def ask(h: BotHarness) -> list[dict[str, Any]]:
        await h.sandbox.wait_idle(timeout=15)
        return await h.send("/help")

    replies = live.run(ask)
    assert "/today" in replies[-1]["text"]


def fuzz(tmp_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture,
         examples: int) -> int:
    """Run `examples` hypothesis examples of 1-4 actions; returns how many actions ran."""
    caplog.set_level(logging.WARNING)  # errors are what counts; thousands of INFO lines cost
    live, ids = start_fuzz_bot(tmp_path, clock)
    done = [0]
    try:
        @settings(max_examples=examples, deadline=None, database=None, derandomize=not LONG,
                  phases=(Phase.explicit, Phase.generate),
                  suppress_health_check=list(HealthCheck))
        @given(st.lists(actions(ids.all_ids()), min_size=1, max_size=4))
        def run_sequence(sequence: list[Action]) -> None:
            seen = len(caplog.records)
            for action in sequence:
                live.run(lambda h, a=action: perform(h, a))
                live.settle()
                done[0] += 1
                new = [r for r in caplog.records[seen:]
                       if is_bot_error(r) and known_bug(r) is None]
                assert not new, f"after {action!r}:\n{error_text(new)}"

        run_sequence()
        check_still_answers(live)
    finally:
        live.__exit__(None, None, None)
    print(f"fuzz: {done[0]} actions")
    check_errors(caplog)
    return done[0]


def test_hostile_private_input_never_breaks_the_bot(tmp_path, clock, caplog):
    fuzz(tmp_path, clock, caplog, examples=90)


@pytest.mark.slow
@pytest.mark.timeout(3 * 3600)
def test_hostile_private_input_long_run(tmp_path, clock, caplog):
    assert fuzz(tmp_path, clock, caplog, examples=4000) >= 10_000


HOSTILE_ARGUMENTS = [
    "x" * 12_000, "<b>&amp;</b> *bold* _it_ `code` [a](http://x) ||s|| {{ x }} {% if %}",
    "\u202e\u200f反转\u200b\u200d\u0301\u0301\u0301 \U0001f468\u200d\U0001f469\u200d\U0001f467",
    "𠀀𝕏\U0010fffd\U000e0001 ﷽", "2月30日 25:99 农历十三月", "+++ 000 -1 1e308 nan -0",
    "张三 13800138000 1985-02-30 明天 99点", "\t\n\n \u3000",
]


async def test_every_command_with_hostile_arguments(bot, caplog):
    from coachbot.handlers.registry import COMMANDS

    caplog.set_level(logging.INFO)
    onboard(bot.store, bot.user.id, bot.clock.now())
    seed_book(bot.store, bot.user.id, bot.clock.now().date())
    await bot.send("/help")
    arguments = HOSTILE_ARGUMENTS if LONG else HOSTILE_ARGUMENTS[:5]
    for command in COMMANDS:
        for argument in arguments:
            bot.sandbox.send_text(bot.user, f"/{command.name} {argument}")
            if LONG:  # the same as plain text, into whatever flow the command opened
                bot.sandbox.send_text(bot.user, argument if argument.strip() else "x")
        await settle(bot)  # one command at a time: Telegram lets a bot send ~30 messages/s
    assert "/today" in (await bot.send("/help"))[-1]["text"]
    forgive_double_taps(bot)
    check_errors(caplog)


async def test_big_and_bombed_files_are_refused_politely(bot, caplog):
    onboard(bot.store, bot.user.id, bot.clock.now())
    await bot.send("/help")
    for doc in BIG_DOCUMENTS:
        update = bot.sandbox.send_document(bot.user, doc.filename, doc.content, doc.mime_type)
        replies = await bot.inject(update, bot.user.id)
        assert replies[-1]["text"], doc
    assert bot.store.transfer.book_clients(bot.user.id) == []
    check_errors(caplog)
    assert "/today" in (await bot.send("/help"))[-1]["text"]
