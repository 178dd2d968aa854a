"""Issue 16 wired to the handlers: the folded digest, reminders naming the client, greetings to
copy, money settings, team currency, group menus. Real Application, sandbox over HTTP."""

from __future__ import annotations

import asyncio
from datetime import datetime

from coachbot.services import records
from tests.e2e.test_reminders import SHANGHAI, add_client, at_local, make_agent, next_push
from tests.e2e.test_teams import GROUP, LI, team_with_group


def copy_buttons(message):
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row if "copy_text" in b]


async def test_today_folds_the_rest_behind_one_button(bot):
    await make_agent(bot, 801)
    for n in range(14):
        add_client(bot, 801, f"客户{n:02d}", birthday="--11-23")
    user = bot.as_user(801, "小王")
    replies = await bot.send("/today", user=user)
    folds = [b for b in bot.buttons(replies[-1]) if b.startswith("📂")]
    assert len(folds) == 1 and "看其余" in folds[0]
    shown = [b for b in bot.buttons(replies[-1]) if b.startswith("🎂")]
    assert 3 <= len(shown) < 14
    replies = await bot.press("看其余", user=user)
    rest = [b for b in bot.buttons(replies[-1]) if b.startswith("🎂")]
    assert len(shown) + len(rest) == 14 and not set(shown) & set(rest)


async def test_reminders_name_the_client_and_a_chosen_time_fires_in_quiet_hours(bot):
    await make_agent(bot, 802)
    add_client(bot, 802, "张三")
    user = bot.as_user(802, "小王")
    await at_local(bot, datetime(2026, 11, 24, 6, 47, tzinfo=SHANGHAI))
    await bot.send("/remind 张三 今天 06:49 打电话", user=user)
    replies = await bot.send("/reminders", user=user)
    assert "张三" in replies[-1]["text"]
    assert any(b.startswith("✏️ 1 张三") for b in bot.buttons(replies[-1]))
    assert any(b.startswith("✖ 1 张三") for b in bot.buttons(replies[-1]))
    mark = await at_local(bot, datetime(2026, 11, 24, 6, 49, tzinfo=SHANGHAI))
    pushed = await next_push(bot, 802, mark)
    assert any("打电话" in m["text"] for m in pushed)


async def test_every_greeting_has_a_copy_button_and_whatsapp_for_a_hk_mobile(bot):
    await make_agent(bot, 803, region="HK", timezone="Asia/Hong_Kong", locale="zh-Hant")
    add_client(bot, 803, "陳大文", birthday="1980-11-23", gender="m", phone="+85291234567")
    user = bot.as_user(803, "阿明", language_code="zh-hant")
    await bot.send("/today", user=user)
    greeting, _controls = await bot.press("陳大文", user=user, expect=2)
    [copy] = copy_buttons(greeting)
    assert 1 <= len(copy["copy_text"]["text"]) <= 256 and "陳" in copy["copy_text"]["text"]
    urls = [b["url"] for row in greeting["reply_markup"]["inline_keyboard"] for b in row
            if "url" in b]
    assert urls and urls[0].startswith("https://wa.me/85291234567")
    await bot.press("換個說法", user=user)
    assert copy_buttons(bot.sandbox.messages(803)[-2])


async def test_commission_rate_and_source_targets_in_settings(bot):
    await make_agent(bot, 804, region="SG", timezone="Asia/Singapore", locale="en")
    user = bot.as_user(804, "Mei", language_code="en")
    await bot.send("/settings", user=user)
    await bot.press("Commission rate", user=user)
    replies = await bot.send("lots", user=user)
    assert "lots" in replies[-1]["text"]
    await bot.send("35%", user=user)
    assert bot.store.agents.get_agent(804).commission_rate == 0.35
    await bot.press("Targets by source", user=user)
    await bot.send("1 1 0", user=user)
    assert bot.store.agents.get_agent(804).source_targets


async def test_an_hk_policy_counts_on_a_cny_board_after_conversion(bot):
    leader, li, _zhang = await team_with_group(bot)  # 王主管 leads; the team counts in CNY
    await at_local(bot, datetime(2026, 11, 23, 7, 30, tzinfo=SHANGHAI))
    client = add_client(bot, LI, "陈先生")
    records.add_policy(bot.store, LI, client.id, {
        "product": "储蓄险", "annual_premium": 100000, "currency": "HKD",
        "start_date": "2026-11-23"})
    await bot.send("/team", user=leader)
    await bot.press("币种与汇率", user=leader)
    replies = await bot.send("HKD 0.92", user=leader)
    assert "0.92" in replies[-1]["text"]
    replies = await bot.send("/board", user=li, chat_id=GROUP)
    await bot.press("保费", user=li, chat_id=GROUP)
    board = bot.sandbox.bot_messages(GROUP)[-1]["text"]
    assert "92,000" in board


async def test_groups_menu_has_no_private_commands(bot):
    await asyncio.sleep(0)
    groups = [c["command"] for c in bot.sandbox.commands(scope="all_group_chats")]
    admins = [c["command"] for c in bot.sandbox.commands(scope="all_chat_administrators")]
    private = [c["command"] for c in bot.sandbox.commands(scope="default")]
    assert "board" in groups and "help" in groups
    assert "add" not in groups and "clients" not in groups and "link" not in groups
    assert "link" in admins and "add" not in admins
    assert "add" in private


async def test_a_hong_kong_agents_playbook_says_21_days(bot):
    await make_agent(bot, 805, region="HK", timezone="Asia/Hong_Kong", locale="zh-Hant")
    add_client(bot, 805, "陳大文")
    user = bot.as_user(805, "阿明", language_code="zh-hant")
    await bot.send("/clients 陳大文", user=user)
    await bot.press("教練", user=user)
    await bot.press("成交流程", user=user)
    step = (await bot.press("個人保單七步", user=user))[-1]
    texts = [step["text"]]
    for _ in range(6):
        texts.append((await bot.press("下一步", user=user))[-1]["text"])
    assert any("21 天" in text for text in texts)


async def test_where_a_client_came_from_is_one_tap_on_the_card(bot):
    """缘故 / 转介绍 / 陌生 from the card's "more" menu, kept on the client and ticked."""
    await make_agent(bot, bot.user.id)
    client = add_client(bot, bot.user.id, "王芳")
    await bot.send("王芳")
    await bot.press("更多")
    await bot.press("转介绍")
    assert bot.store.clients.get_client(bot.user.id, client.id).origin == "referral"
    await bot.press("更多")
    assert "✓ 转介绍" in bot.buttons()
