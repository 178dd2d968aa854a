"""Reminders end to end: the real JobQueue sweep on a manual clock, the outbox, the sandbox."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain.calendar import YearlyDate, festivals, next_occurrence
from coachbot.domain.reminders import pushes_already_past
from coachbot.services import records
from coachbot.services.book import Draft, save_client

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def make_agent(bot, agent_id, *, region="CN", timezone="Asia/Shanghai",
                     locale="zh-Hans", digest_time="08:00", name="小王"):
    """An onboarded agent who has talked to the bot (Telegram requires that before pushes)."""
    store = bot.store
    user = bot.as_user(agent_id, name, language_code=locale.lower())
    await bot.send("/help", user=user)
    store.agents.update_agent(agent_id, region=region, timezone=timezone, digest_time=digest_time,
                              locale=locale)
    store.agents.mark_onboarded(agent_id)
    agent = store.agents.get_agent(agent_id)
    local = bot.clock.now().astimezone(ZoneInfo(timezone))
    for kind in pushes_already_past(local, agent.digest_time, agent.eod_time):
        store.agents.mark_daily_done(agent_id, kind, local.date())
    return agent


def add_client(bot, agent_id, name, **values):
    client = save_client(bot.store, agent_id, Draft(name=name), force=True).client
    if values:
        client = records.update_client(bot.store, agent_id, client.id, values)
    return client


async def at_local(bot, moment: datetime) -> int:
    """Move the manual clock (the real scheduler's next sweep sees it); returns a mark."""
    mark = bot.sandbox.seq
    bot.clock.set(moment)
    return mark


async def next_push(bot, chat_id, mark, *, count=1, timeout=8.0):
    return await bot.sandbox.wait_for_bot(chat_id, count=count, after=mark, timeout=timeout)


def digests(bot, chat_id):
    return [m for m in bot.sandbox.bot_messages(chat_id) if m["text"].startswith("☀️")]


async def test_digest_arrives_at_each_agents_local_time(bot):
    await make_agent(bot, 501, region="CN", timezone="Asia/Shanghai", digest_time="08:00")
    await make_agent(bot, 502, region="XX", timezone="Europe/London", locale="en",
                     digest_time="08:00")
    add_client(bot, 501, "张三", birthday="--11-23")
    # 08:00 in Shanghai is 00:00 UTC: only the Shanghai agent gets a digest
    mark = await at_local(bot, datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI))
    [digest] = await next_push(bot, 501, mark)
    assert "张三" in digest["text"] and "生日" in digest["text"]
    assert digests(bot, 502) == []
    # 08:00 in London (UTC+0 in November) is eight hours later
    mark = await at_local(bot, datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Europe/London")))
    [digest] = await next_push(bot, 502, mark)
    assert "target" in digest["text"].lower()
    await asyncio.sleep(0.5)
    assert len(digests(bot, 501)) == 1  # never twice


async def test_digest_respects_daylight_saving(bot):
    await make_agent(bot, 503, region="XX", timezone="Europe/London", locale="en")
    # 2026-03-29: London moves to BST; 08:00 local is 07:00 UTC
    bot.store.agents.mark_daily_done(503, "digest", date(2026, 3, 28))
    await at_local(bot, datetime(2026, 3, 29, 6, 59, tzinfo=UTC))
    await asyncio.sleep(0.4)
    assert digests(bot, 503) == []
    mark = await at_local(bot, datetime(2026, 3, 29, 7, 0, tzinfo=UTC))
    await next_push(bot, 503, mark)
    assert len(digests(bot, 503)) == 1


async def test_lunar_birthday_in_a_leap_month_year(bot):
    # 2025 has a leap sixth month: a birthday on the regular 6/10 is kept there, once
    bot.clock.set(datetime(2025, 1, 1, 7, 0, tzinfo=SHANGHAI))
    await make_agent(bot, 504)
    add_client(bot, 504, "李娜", birthday="L--06-10")
    regular = next_occurrence(YearlyDate(6, 10, lunar=True), date(2025, 1, 1))
    mark = await at_local(bot, datetime.combine(regular, datetime.min.time(), SHANGHAI)
                          + timedelta(hours=9))
    [digest] = await next_push(bot, 504, mark)
    assert "李娜" in digest["text"] and "农历六月初十" in digest["text"]
    leap = next_occurrence(YearlyDate(6, 10, lunar=True, leap=True), date(2025, 1, 1))
    assert leap > regular
    mark = await at_local(bot, datetime.combine(leap, datetime.min.time(), SHANGHAI)
                          + timedelta(hours=9))
    [digest] = await next_push(bot, 504, mark)
    assert "李娜" not in digest["text"]


async def test_festival_greeting_follows_the_agents_region(bot):
    await make_agent(bot, 505, region="HK", timezone="Asia/Hong_Kong")
    await make_agent(bot, 506, region="SG", timezone="Asia/Singapore", locale="en")
    # Mid-Autumn 2026 is 25 September
    mark = await at_local(bot, datetime(2026, 9, 25, 9, 0, tzinfo=ZoneInfo("Asia/Hong_Kong")))
    [hk] = await next_push(bot, 505, mark)
    [sg] = await next_push(bot, 506, mark)
    assert "🎊" in " ".join(bot.buttons(hk)) and "🎊" in " ".join(bot.buttons(sg))
    await bot.press("🎊", user=bot.as_user(505, "阿明", language_code="zh-hant"), expect=2)
    greeting, controls = bot.sandbox.bot_messages(505)[-2:]
    assert "中秋" in greeting["text"] and "✅" in " ".join(bot.buttons(controls))


async def test_deepavali_only_for_singapore_and_malaysia(bot):
    await make_agent(bot, 507, region="SG", timezone="Asia/Singapore", locale="en")
    await make_agent(bot, 508, region="CN", timezone="Asia/Shanghai")
    [deepavali] = [f for f in festivals("SG", 2026) if f.key == "diwali"]
    mark = await at_local(bot, datetime.combine(deepavali.date, datetime.min.time(), SHANGHAI)
                          + timedelta(hours=9))
    [sg] = await next_push(bot, 507, mark)
    [cn] = await next_push(bot, 508, mark)
    assert "Deepavali" in " ".join(bot.buttons(sg))
    assert "🎊" not in " ".join(bot.buttons(cn))


async def test_greeting_buttons_sent_snooze_skip_and_another_wording(bot):
    agent = await make_agent(bot, 509)
    zhang = add_client(bot, 509, "张三", birthday="1986-11-23", gender="m")
    add_client(bot, 509, "王芳", birthday="--11-23", gender="f")
    user = bot.as_user(509, "小王")
    mark = await at_local(bot, datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI))
    await next_push(bot, 509, mark)
    greeting, _controls = await bot.press("张三", user=user, expect=2)
    assert "张哥" in greeting["text"] and "小王" in greeting["text"]
    first_wording = greeting["text"]
    await bot.press("换一种说法", user=user)
    assert bot.sandbox.messages(509)[-2]["text"] != first_wording
    await bot.press("已发送", user=user)
    [contact] = bot.store.clients.contacts_of(509, zhang.id)
    assert contact.channel == "message"
    # snooze 王芳 till later today: she comes back three hours on
    await bot.press("王芳", user=user, expect=2)
    replies = await bot.press("晚点", user=user)
    assert "再提醒" in replies[-1]["text"]
    mark = await at_local(bot, datetime(2026, 11, 23, 11, 1, tzinfo=SHANGHAI))
    pushed = await next_push(bot, 509, mark, count=2)
    assert "王芳" in pushed[-1]["text"]
    await bot.press("这次跳过", user=user)
    replies = await bot.send("/today", user=user)
    assert "王芳" not in replies[-1]["text"] and "张三" not in replies[-1]["text"]
    assert agent.digest_time == "08:00"


async def test_one_off_reminder_in_chinese(bot):
    await make_agent(bot, 510)
    add_client(bot, 510, "张三")
    user = bot.as_user(510, "小王")
    replies = await bot.send("/remind 张三 明天 15:00 送计划书", user=user)
    assert "送计划书" in replies[-1]["text"] and "15:00" in replies[-1]["text"]
    [reminder] = bot.store.schedule.pending_one_offs(510)
    assert reminder.due_at == datetime(2026, 11, 24, 15, 0, tzinfo=SHANGHAI)
    assert reminder.client_id is not None
    mark = await at_local(bot, datetime(2026, 11, 24, 15, 0, tzinfo=SHANGHAI))
    pushed = await next_push(bot, 510, mark, count=2)  # the (late) digest and the reminder
    [reminder] = [m for m in pushed if "送计划书" in m["text"]]
    assert "张三" in reminder["text"]


async def test_one_off_reminder_in_english_listed_edited_and_cancelled(bot):
    await make_agent(bot, 511, region="SG", timezone="Asia/Singapore", locale="en")
    add_client(bot, 511, "Mary Lee")
    user = bot.as_user(511, "Mei", language_code="en")
    await bot.send("/remind Mary Lee next Friday call about renewal", user=user)
    [reminder] = bot.store.schedule.pending_one_offs(511)
    assert reminder.text == "call about renewal"
    # Monday 23 November: "next Friday" is the Friday of next week, as 下周五 is
    assert reminder.due_at.astimezone(ZoneInfo("Asia/Singapore")).date() == date(2026, 12, 4)
    await bot.send("/remind tomorrow 9am team meeting", user=user)
    await bot.send("/reminders", user=user)
    await bot.press("✏️ 1", user=user)
    await bot.send("Dec 1 10:00", user=user)
    await bot.press("✖ 2", user=user)
    [left] = bot.store.schedule.pending_one_offs(511)
    assert left.due_at == datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Singapore"))


async def test_a_past_or_unreadable_time_is_refused(bot):
    await make_agent(bot, 512)
    user = bot.as_user(512, "小王")
    replies = await bot.send("/remind 2026-11-20 10:00 开会", user=user)
    assert "已经过去" in replies[-1]["text"]
    replies = await bot.send("/remind 找个时间吃饭", user=user)
    assert "没看懂" in replies[-1]["text"]
    assert bot.store.schedule.pending_one_offs(512) == []


async def test_a_reminder_the_agent_set_for_the_night_fires_then(bot):
    """Quiet hours are for automatic pushes: a time the agent chose (23:30) is kept (issue 16;
    it used to be held until 07:30 without a word)."""
    await make_agent(bot, 513)
    bot.store.schedule.add_one_off(513, client_id=None, text="夜里的事",
                                   due_at=datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI))
    mark = await at_local(bot, datetime(2026, 11, 23, 23, 31, tzinfo=SHANGHAI))
    pushed = await next_push(bot, 513, mark, count=1)
    assert any("夜里的事" in m["text"] for m in pushed)


async def test_restart_in_the_middle_of_a_fan_out(bot):
    from coachbot.app import build_application
    from coachbot.runner import start_bot, stop_bot

    agents = list(range(600, 640))
    for agent_id in agents:
        await make_agent(bot, agent_id)
        add_client(bot, agent_id, f"客户{agent_id}", birthday="--11-23")
    bot.sandbox.fail_next("sendMessage", error_code=None, delay=0.05, count=1000)  # slow it down
    await at_local(bot, datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI))
    while sum(bool(digests(bot, a)) for a in agents) < 10:
        await asyncio.sleep(0.05)
    await stop_bot(bot.app)  # mid fan-out
    delivered_before = sum(bool(digests(bot, a)) for a in agents)
    assert delivered_before < len(agents)
    bot.app = build_application(bot.services.settings, store=bot.store, clock=bot.clock)
    await start_bot(bot.app)
    for _ in range(200):
        if all(digests(bot, a) for a in agents):
            break
        await asyncio.sleep(0.1)
    counts = {a: len(digests(bot, a)) for a in agents}
    assert set(counts.values()) == {1}, counts  # nothing lost, nothing doubled


async def test_429_is_waited_out_and_403_stops_pushes_but_keeps_data(bot):
    await make_agent(bot, 520)
    await make_agent(bot, 521)
    client = add_client(bot, 521, "张三", birthday="--11-23")
    bot.sandbox.fail_next("sendMessage", error_code=429, description="Too Many Requests: "
                          "retry after 1", retry_after=1, count=1)
    bot.sandbox.block_user(521)
    mark = await at_local(bot, datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI))
    [digest] = await next_push(bot, 520, mark, timeout=10)
    assert "今天目标" in digest["text"]
    for _ in range(50):
        if bot.store.agents.get_agent(521).blocked_at is not None:
            break
        await asyncio.sleep(0.1)
    assert bot.store.agents.get_agent(521).blocked_at is not None
    assert bot.store.clients.get_client(521, client.id) is not None
    assert len(digests(bot, 520)) == 1
    # the agent comes back: writing to the bot again makes them reachable
    bot.sandbox.unblock_user(521)
    await bot.send("/help", user=bot.as_user(521, "小王"))
    assert bot.store.agents.get_agent(521).blocked_at is None


async def test_a_digest_makes_no_rows_and_an_entry_becomes_a_to_do_item_when_opened(bot):
    await make_agent(bot, 520)
    await make_agent(bot, 521, name="小李")
    zhang = add_client(bot, 520, "张三", birthday="1986-11-23")
    user, other = bot.as_user(520, "小王"), bot.as_user(521, "小李")
    mark = await at_local(bot, datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI))
    [digest] = await next_push(bot, 520, mark)
    assert bot.store.db.execute("SELECT COUNT(*) FROM reminder_items").fetchone()[0] == 0
    [data] = [b["callback_data"] for row in digest["reply_markup"]["inline_keyboard"]
              for b in row if "张三" in b["text"]]
    assert re.fullmatch(rf"rm:e:b:{zhang.id}:20261123:\d+", data)  # kind, client, day, ref

    # another agent replaying the button (or a forged one) gets nothing and makes nothing
    for forged in (data, f"rm:e:b:{zhang.id}:20261399:x", "rm:e:?:-:20261123:x",
                   f"rm:e:b:{zhang.id}"):
        replies = await bot.press_data(digest["message_id"], forged, user=other)
        assert "张三" not in replies[-1]["text"]
    assert bot.store.db.execute("SELECT COUNT(*) FROM reminder_items").fetchone()[0] == 0

    greeting, _controls = await bot.press("张三", user=user, expect=2)
    assert "生日" in greeting["text"]  # the ready-to-forward birthday greeting
    [item_id] = [row[0] for row in bot.store.db.execute("SELECT id FROM reminder_items")]
    await bot.press("已发送", user=user)
    # the next /today no longer lists what was done; nothing new was written for it
    replies = await bot.send("/today", user=user)
    assert "张三" not in " ".join(bot.buttons(replies[-1]))
    assert [row[0] for row in bot.store.db.execute("SELECT id FROM reminder_items")] == [item_id]


async def test_an_entry_too_long_for_callback_data_gets_its_item_at_once(bot):
    from coachbot.push.digest import digest_message
    from coachbot.services.digest import Digest, Entry

    agent = await make_agent(bot, 522)
    day = date(2026, 11, 23)
    holiday = "national_day_of_remembrance_of_a_very_long_named_public_holiday"
    digest = Digest(day=day, festivals=[Entry(None, "festival", None, holiday, day, {
        "festival": {"key": holiday, "names": {}, "kind": "public"}}, holiday)])
    _html, keyboard = digest_message(bot.services, agent, digest)
    [[button]] = keyboard.inline_keyboard
    [(item_id, ref)] = bot.store.db.execute("SELECT id, ref FROM reminder_items").fetchall()
    assert button.callback_data == f"rm:o:{item_id}" and ref == holiday


async def test_a_daily_catch_up_snoozed_till_next_week_stays_away_until_then(bot):
    await make_agent(bot, 523)
    add_client(bot, 523, "老周", contact_every_days=7)
    user = bot.as_user(523, "小王")
    # ten days without a word: 老周 is in the morning's digest, and in every one after it
    mark = await at_local(bot, datetime(2026, 12, 3, 8, 0, tzinfo=SHANGHAI))
    [digest] = await next_push(bot, 523, mark)
    assert "老周" in " ".join(bot.buttons(digest))
    card = await bot.press("老周", user=user)
    assert "下周" in " ".join(bot.buttons(card[-1])), card[-1]
    replies = await bot.press("下周", user=user)
    assert "再提醒" in replies[-1]["text"]

    for day in (4, 5, 9):  # the next mornings, up to the day before the snooze ends
        mark = await at_local(bot, datetime(2026, 12, day, 8, 0, tzinfo=SHANGHAI))
        [digest] = await next_push(bot, 523, mark)
        assert "老周" not in " ".join(bot.buttons(digest)), day
        replies = await bot.send("/today", user=user)
        assert "老周" not in " ".join(bot.buttons(replies[-1])), day

    # a week on, the snoozed reminder itself comes back, once: not also as the day's entry
    mark = await at_local(bot, datetime(2026, 12, 10, 8, 0, tzinfo=SHANGHAI))
    pushed = await next_push(bot, 523, mark, count=2)
    with_him = [m for m in pushed if "老周" in m["text"] + " ".join(bot.buttons(m))]
    assert len(with_him) == 1
    # the next morning, still not done, he is an entry of the digest again
    mark = await at_local(bot, datetime(2026, 12, 11, 8, 0, tzinfo=SHANGHAI))
    [digest] = await next_push(bot, 523, mark)
    assert "老周" in " ".join(bot.buttons(digest))
