"""Onboarding, settings and unexpected input, through the real Application and the sandbox."""

from __future__ import annotations

import pytest

from coachbot.domain.plan import activity_plan


async def onboard(bot, *, language: str, region: str, time: str, target: str) -> dict:
    await bot.send("/start", expect=2)
    await bot.press(language)
    await bot.press(region)
    await bot.press(time)
    replies = await bot.press(target)
    return replies[-1]


async def test_onboarding_in_simplified_chinese_shows_the_activity_plan(bot):
    replies = await bot.send("/start", expect=2)
    assert "展业教练" in replies[0]["text"]
    assert "第 1 步" in replies[1]["text"]
    assert bot.buttons(replies[1])[0].startswith("✓ 简体中文")
    await bot.press("简体中文")
    await bot.press("中国香港")
    await bot.press("08:30")
    done = (await bot.press("3"))[-1]
    assert "设置完成" in done["text"]
    assert "30" in done["text"] and "120" in done["text"] and "4.8" in done["text"]
    agent = bot.store.agents.get_agent(bot.user.id)
    assert agent.onboarded
    assert (agent.locale, agent.region, agent.timezone) == ("zh-Hans", "HK", "Asia/Hong_Kong")
    assert (agent.digest_time, agent.monthly_target) == ("08:30", 3)
    assert bot.store.dialogs.get_dialog(bot.user.id, bot.user.id) is None


async def test_a_second_tap_on_the_last_step_does_not_finish_the_onboarding_twice(bot):
    await bot.send("/start", expect=2)
    await bot.press("简体中文")
    await bot.press("中国内地")
    step = (await bot.press("08:00"))[-1]
    target_data = step["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    done = (await bot.press("2"))[-1]
    # the step's message became the summary: no buttons left to tap again
    assert done["message_id"] == step["message_id"] and "设置完成" in done["text"]
    assert not bot.buttons(done)
    again = (await bot.press_data(step["message_id"], target_data))[-1]
    assert "设置完成" not in again["text"]
    done_messages = [m for m in bot.sandbox.bot_messages(bot.user.id) if "设置完成" in m["text"]]
    assert len(done_messages) == 1


async def test_onboarding_in_traditional_chinese_for_a_taiwan_agent(bot):
    bot.user = bot.as_user(2002, "阿明", language_code="zh-hant")
    replies = await bot.send("/start", expect=2)
    assert "展業教練" in replies[0]["text"]
    assert bot.buttons(replies[1])[1].startswith("✓ 繁體中文")
    await bot.press("繁體中文")
    await bot.press("台灣")
    await bot.press("07:30")
    done = (await bot.press("2"))[-1]
    assert "設定完成" in done["text"] and "3.2" in done["text"]
    agent = bot.store.agents.get_agent(2002)
    assert (agent.locale, agent.timezone) == ("zh-Hant", "Asia/Taipei")
    # the chat's own command menu now speaks Traditional Chinese
    menu = bot.sandbox.commands(scope={"type": "chat", "chat_id": 2002})
    assert any(c["description"] == "我能做什麼" for c in menu)


async def test_a_language_and_region_typed_instead_of_tapped(bot):
    """Typed words that name one choice are the tap; others get the choices again."""
    await bot.send("/start", expect=2)
    [step] = await bot.send("简体中文")
    assert "第 2 步" in step["text"]
    [unsure] = await bot.send("中国")  # in three regions' captions: ask, don't guess
    assert "中国" in unsure["text"] and "中国香港" in bot.buttons(unsure)
    assert bot.store.agents.get_agent(bot.user.id).region == "CN"  # unchanged
    [step] = await bot.send("新加坡")
    assert "第 3 步" in step["text"]
    agent = bot.store.agents.get_agent(bot.user.id)
    assert (agent.region, agent.timezone) == ("SG", "Asia/Singapore")
    # the buttons under the "which one?" reply still work
    await bot.send("/settings")
    await bot.press("语言")
    [unsure] = await bot.send("klingon")
    [card] = await bot.press("English")
    assert bot.store.agents.get_agent(bot.user.id).locale == "en"
    assert "Settings" in card["text"] or "settings" in card["text"]


async def test_onboarding_in_english_with_a_typed_zone_time_and_target(bot):
    bot.user = bot.as_user(3003, "Mei", language_code="en-SG")
    await bot.send("/start", expect=2)
    await bot.press("English")
    replies = await bot.press("Somewhere else")
    assert "time zone" in replies[-1]["text"]
    replies = await bot.send("Mars/Base")
    assert "couldn't find" in replies[-1]["text"]
    replies = await bot.send("europe/london", expect=2)
    assert "Europe/London" in replies[0]["text"]
    replies = await bot.send("25:99")
    assert "doesn't look like a time" in replies[-1]["text"]
    await bot.send("7:45")
    replies = await bot.send("0")
    assert "1 to 100" in replies[-1]["text"]
    done = (await bot.send("5"))[-1]
    plan = activity_plan(5)
    assert "All set" in done["text"] and f"{plan.visits_per_day:g}" in done["text"]
    agent = bot.store.agents.get_agent(3003)
    assert (agent.locale, agent.region, agent.timezone) == ("en", "XX", "Europe/London")
    assert (agent.digest_time, agent.monthly_target) == ("07:45", 5)


async def test_time_zone_from_a_shared_location(bot):
    bot.user = bot.as_user(4004, "Ah Kow", language_code="en")
    await bot.send("/start", expect=2)
    await bot.press("English")
    await bot.press("Somewhere else")
    update = bot.sandbox.send_location(bot.user, 3.139, 101.6869)  # Kuala Lumpur
    replies = await bot.inject(update, bot.user.id, expect=2)
    assert "Asia/Kuala_Lumpur" in replies[0]["text"]
    agent = bot.store.agents.get_agent(4004)
    assert (agent.region, agent.timezone) == ("MY", "Asia/Kuala_Lumpur")


async def test_onboarding_survives_a_restart_mid_flow(bot, tmp_path, clock):
    from coachbot.app import build_application
    from coachbot.runner import start_bot, stop_bot

    await bot.send("/start", expect=2)
    await bot.press("English")
    await bot.press("Singapore")
    # a second bot process on the same database picks up where the first stopped
    await stop_bot(bot.app)
    settings = bot.services.settings
    bot.app = build_application(settings, store=bot.store, clock=clock)
    await start_bot(bot.app)
    done = (await bot.send("9:15"))[-1]
    assert "Step 4 of 4" in done["text"]
    assert bot.store.agents.get_agent(bot.user.id).digest_time == "09:15"


async def test_settings_change_each_preference(bot):
    await onboard(bot, language="简体中文", region="中国内地", time="08:00", target="2")
    card = (await bot.send("/settings"))[-1]
    assert "我的设置" in card["text"] and "中国内地（北京时间）" in card["text"]
    await bot.press("月度目标")
    card = (await bot.press("4"))[-1]
    assert "已更新" in card["text"] and "每天 7 访（每月 160 访）" in card["text"]
    await bot.press("晨报时间")
    await bot.send("7点半")
    await bot.press("地区")
    await bot.press("新加坡")
    await bot.press("语言")
    card = (await bot.press("English"))[-1]
    assert "My settings" in card["text"]
    agent = bot.store.agents.get_agent(bot.user.id)
    assert (agent.monthly_target, agent.digest_time, agent.region, agent.locale) == \
        (4, "07:30", "SG", "en")


async def test_settings_back_button_returns_to_the_card(bot):
    await onboard(bot, language="English", region="Malaysia", time="09:00", target="1")
    await bot.send("/settings")
    await bot.press("Language")
    card = (await bot.press("Back"))[-1]
    assert "My settings" in card["text"]


async def test_help_lists_commands_in_the_agents_language(bot):
    await onboard(bot, language="English", region="Hong Kong", time="08:00", target="2")
    text = (await bot.send("/help"))[-1]["text"]
    assert "/settings" in text and "/cancel" in text and "What I can do" in text


@pytest.mark.parametrize(
    ("action", "expected"),
    [("command", "/help"), ("text", "/help"), ("sticker", "/help"), ("photo", "/help")],
)
async def test_unexpected_input_gets_a_helpful_reply(bot, action, expected):
    if action == "command":
        update = bot.sandbox.send_text(bot.user, "/frobnicate")
    elif action == "text":
        update = bot.sandbox.send_text(bot.user, "今天天气不错")
    elif action == "sticker":
        update = bot.sandbox.send_sticker(bot.user)
    else:
        update = bot.sandbox.send_photo(bot.user)
    replies = await bot.inject(update, bot.user.id)
    assert expected in replies[-1]["text"]


async def test_edited_message_is_answered_not_replayed(bot):
    sent = bot.sandbox.send_text(bot.user, "/help")
    await bot.inject(sent, bot.user.id)
    update = bot.sandbox.edit_text(bot.user, sent["message"]["message_id"], "/settings")
    replies = await bot.inject(update, bot.user.id)
    assert "修改过的消息" in replies[-1]["text"]


async def test_html_hostile_input_is_shown_literally(bot):
    await bot.send("/start", expect=2)
    await bot.press("English")
    await bot.press("Somewhere else")
    hostile = "<b>Tom & Jerry</b> <a href='x'>&amp;"
    replies = await bot.send(hostile)
    assert hostile[:60] in replies[-1]["text"]


async def test_a_forged_or_stale_button_changes_nothing(bot):
    await onboard(bot, language="English", region="Hong Kong", time="08:00", target="2")
    message_id = bot.last_reply()["message_id"]
    for data in ("pf:target:999:s", "pf:lang:xx:s", "pf:time:9999:s", "zz:whatever", "pf:"):
        replies = await bot.press_data(message_id, data)
        assert "expired" in replies[-1]["text"]
    assert bot.store.agents.get_agent(bot.user.id).monthly_target == 2


async def test_group_messages_are_answered_only_when_addressed(bot):
    bot.sandbox.group(-500, "Team")
    update = bot.sandbox.send_text(bot.user, "/settings", chat_id=-500)
    replies = await bot.inject(update, -500)
    assert "私聊" in replies[-1]["text"]
    update = bot.sandbox.send_text(bot.user, f"@{bot.app.bot.username} 你好", chat_id=-500)
    replies = await bot.inject(update, -500)
    assert "展业教练" in replies[-1]["text"]


async def test_settings_for_greetings_and_the_end_of_day_log(bot):
    await onboard(bot, language="简体中文", region="中国香港", time="08:00", target="2")
    await bot.send("/settings")
    await bot.press("祝福语气")
    card = (await bot.press("正式"))[-1]
    assert "祝福语气：正式" in card["text"]
    await bot.press("署名")
    card = (await bot.send("王芳 · 您的保险顾问"))[-1]
    assert "署名：王芳 · 您的保险顾问" in card["text"]
    await bot.press("晚间小结时间")
    card = (await bot.press("19:00"))[-1]
    assert "晚间小结：19:00" in card["text"]
    agent = bot.store.agents.get_agent(bot.user.id)
    assert (agent.tone, agent.signature, agent.eod_time) == ("formal", "王芳 · 您的保险顾问",
                                                             "19:00")
