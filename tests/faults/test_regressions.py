"""Bugs this suite found, pinned down one by one (the fuzzers find them again only by luck)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tests.faults.live import settle
from tests.faults.test_fuzz_bot import check_errors
from tests.faults.world import onboard, seed_book

FORGED = ["cl:o:²", f"cl:o:{2**63}", "cl:o:" + "9" * 30, "rc:fx:1:²", f"ls:all:{10**30}",
          f"vi:c:{2**63}:face", "ro:x:٣²", "rm:o:²", "eod:v:²", "vi:n:²:1", "tm:member:²"]


async def test_a_forged_id_that_is_no_id_is_a_stale_button(bot, caplog):
    """'²'.isdigit() is True but int('²') raises; ids past 2**63-1 overflow SQLite."""
    caplog.set_level(logging.INFO)
    onboard(bot.store, bot.user.id, bot.clock.now())
    await bot.send("/help")
    for forged in FORGED:
        replies = await bot.press_data(bot.last_reply()["message_id"], forged)
        assert replies, forged
    check_errors(caplog)


async def test_removing_a_tag_from_the_more_menu(bot, caplog):
    """The button answered its callback query twice; Telegram refuses the second answer."""
    caplog.set_level(logging.INFO)
    onboard(bot.store, bot.user.id, bot.clock.now())
    ids = seed_book(bot.store, bot.user.id, bot.clock.now().date())
    client_id = ids.clients[0]
    await bot.send("/help")
    await bot.press_data(bot.last_reply()["message_id"], f"cl:o:{client_id}:new")
    await bot.press_data(bot.last_reply()["message_id"], f"cl:m:{client_id}")
    replies = await bot.press("✖ #tag0")
    assert "#tag0" not in " ".join(bot.buttons(replies[-1]))
    assert bot.store.clients.get_client(bot.user.id, client_id).tags == ()
    await settle(bot)
    assert bot.sandbox.rejections == []
    check_errors(caplog)


class Killed(Exception):
    """Plays the process dying at that point."""


async def test_a_crash_between_claiming_and_queueing_a_reminder_loses_nothing(bot,
                                                                              monkeypatch):
    """The sweep marked due one-off reminders 'queued', then put them in the outbox, in two
    commits: a crash in between (played here by the outbox write failing) lost them."""
    from datetime import timedelta

    from coachbot.push.sweep import sweep

    onboard(bot.store, bot.user.id, bot.clock.now())
    await bot.send("/help")
    bot.store.schedule.add_one_off(bot.user.id, client_id=None, text="送计划书ZQ",
                                   due_at=bot.clock.now() + timedelta(hours=2))  # after quiet hours
    real_enqueue = bot.store.outbox.enqueue

    def killed(agent_id, chat_id, kind, *args, **kwargs):
        if kind == "remind":
            raise Killed
        return real_enqueue(agent_id, chat_id, kind, *args, **kwargs)

    monkeypatch.setattr(bot.store.outbox, "enqueue", killed)
    bot.clock.advance(timedelta(hours=2, minutes=1))
    with contextlib.suppress(Killed):
        sweep(bot.services)
    monkeypatch.setattr(bot.store.outbox, "enqueue", real_enqueue)
    for _ in range(50):  # the next sweeps (every 0.1 s here) queue it after all
        if any("送计划书ZQ" in m["text"] for m in bot.sandbox.bot_messages(bot.user.id)):
            break
        await asyncio.sleep(0.1)
    assert any("送计划书ZQ" in m["text"] for m in bot.sandbox.bot_messages(bot.user.id))


async def test_a_button_on_a_file_message_answers_with_a_new_message(bot, caplog):
    """Pressing a card button attached to a document (no text to edit) must not fail."""
    from coachbot.services.book import Draft, save_client

    await bot.send("/help")
    client = save_client(bot.store, bot.user.id, Draft(name="张三"), force=True).client
    update = bot.sandbox.send_document(bot.user, "x.txt", b"hello", "text/plain")
    await bot.inject(update, bot.user.id)
    document = next(m for m in reversed(bot.sandbox.messages(bot.user.id))
                    if not m["from_bot"] and m.get("file_name"))
    replies = await bot.press_data(document["message_id"], f"cl:co:{client.id}")
    assert "张三" in replies[-1]["text"]
