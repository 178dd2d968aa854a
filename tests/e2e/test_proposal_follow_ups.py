"""A proposal (计划书) the client has not answered for days, in the agent's day: ranked in the
morning digest and /today with the other items, opened, called about, snoozed, dropped once
the client answers. Real Application, sandbox over HTTP, manual clock."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain.coaching.proposals import FOLLOW_UP_DAYS
from coachbot.services import proposals
from tests.e2e.test_reminders import SHANGHAI, add_client, at_local, make_agent, next_push

TODAY = date(2026, 11, 23)  # the harness's Monday, 07:00 in Shanghai
WAITED = FOLLOW_UP_DAYS + 1


def sent_proposal(bot, agent_id, client_id, *, products=("critical_illness",), title="",
                  days=WAITED):
    """A proposal prepared, then sent `days` ago (and not answered since)."""
    made = proposals.create_proposal(bot.store, agent_id, client_id,
                                     {"products": products, "title": title},
                                     TODAY - timedelta(days=days + 2))
    assert made is not None
    proposals.mark_sent(bot.store, agent_id, made.proposal.id, TODAY - timedelta(days=days))
    return made.proposal


def lines(message):
    return message["text"].split("\n")


async def test_an_unanswered_proposal_is_a_high_follow_up_with_its_buttons(bot):
    await make_agent(bot, 901)
    user = bot.as_user(901, "小王")
    zhang = add_client(bot, 901, "张三", stage="B")
    add_client(bot, 901, "王芳", birthday="--11-23")  # today's greeting: ranked after it
    fresh = add_client(bot, 901, "钱七", stage="B")
    sent_proposal(bot, 901, zhang.id)
    sent_proposal(bot, 901, fresh.id, days=2)  # sent two days ago: not yet

    [digest] = await bot.send("/today", user=user)
    [entry] = [line for line in lines(digest) if "张三" in line]
    assert entry == (f"1. 📑 张三（B 级准客户） — 计划书《重疾险》送出 {WAITED} 天还没回音，"
                     "打个电话问问看完的感受")
    assert any(line.startswith("2. 🎂 王芳") for line in lines(digest))
    assert "钱七" not in digest["text"]
    assert bot.buttons(digest)[:2] == ["📑 张三", "🎂 王芳"]

    # its to-do item: what to do, with the card and the proposal one tap away
    [item] = await bot.press("📑 张三", user=user)
    assert "张三 · 计划书跟进" in item["text"]
    assert f"计划书《重疾险》送出 {WAITED} 天，客户还没回音" in item["text"]
    assert bot.buttons(item) == ["✅ 已打电话跟进", "⏰ 晚点", "明天", "下周", "⏭ 这次跳过",
                                 "👤 客户卡片", "📑 看计划书"]
    [shown] = await bot.press("看计划书", user=user)
    assert shown["message_id"] != item["message_id"]  # the item keeps its buttons
    assert "计划书 · 张三" in shown["text"] and "已发给客户" in shown["text"]

    # called: logged as a contact, gone from today and from the next days
    [done] = await bot.press("已打电话跟进", user=user)
    assert done["message_id"] == item["message_id"] and "已记入联系记录" in done["text"]
    [contact] = bot.store.clients.contacts_of(901, zhang.id)
    assert (contact.channel, contact.summary) == ("phone", "计划书跟进")
    [digest] = await bot.send("/today", user=user)
    assert "张三" not in digest["text"] and "📑 张三" not in bot.buttons(digest)
    mark = await at_local(bot, datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI))
    [morning] = await next_push(bot, 901, mark)
    assert morning["text"].startswith("☀️") and "张三" not in morning["text"]


async def test_snoozed_then_answered_the_follow_up_leaves_the_list(bot):
    await make_agent(bot, 902)
    user = bot.as_user(902, "小王")
    li = add_client(bot, 902, "李四")
    sent_proposal(bot, 902, li.id, products=("term_life", "medical"))
    [digest] = await bot.send("/today", user=user)
    assert (f"1. 📑 李四 — 计划书《定期寿险、医疗险》送出 {WAITED} 天还没回音"
            in digest["text"])  # no stage set: still first, as a proposal's client is a B

    await bot.press("📑 李四", user=user)
    [proposal] = await bot.press("看计划书", user=user)
    [snoozed] = await bot.press("明天", user=user)
    assert "再提醒你：李四" in snoozed["text"]
    [digest] = await bot.send("/today", user=user)
    assert "李四" not in digest["text"]

    # the client answers: the agent records what they said on the proposal
    await bot.press("已讲解", user=user)
    await bot.send("挺清楚的，我回去和老婆商量一下", user=user)
    assert bot.store.proposals.get_proposal(902, int(proposal_id(bot, proposal))).reaction

    # tomorrow morning: neither the digest nor the snoozed item brings it back
    mark = await at_local(bot, datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI))
    [morning] = await next_push(bot, 902, mark)
    assert morning["text"].startswith("☀️") and "李四" not in morning["text"]
    await asyncio.sleep(1.0)  # the sweep runs every 0.1 s: the snoozed item had its chance
    assert [m for m in bot.sandbox.bot_messages(902) if m["message_id"] > morning["message_id"]
            and "李四" in m["text"]] == []
    [item] = bot.store.db.execute("SELECT status FROM reminder_items WHERE agent_id = 902")
    assert item[0] == "open"  # the sweep took it out of the snooze, the sender dropped it


def proposal_id(bot, message):
    """The proposal behind a proposal screen's buttons (pp:<code>:<id>)."""
    data = [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
            for b in row if b["callback_data"].startswith("pp:") and
            not b["callback_data"].startswith("pp:l:")]
    return data[0].split(":")[2]


async def test_the_follow_up_in_traditional_chinese_and_english(bot):
    await make_agent(bot, 903, region="HK", timezone="Asia/Hong_Kong", locale="zh-Hant",
                     name="阿明")
    await make_agent(bot, 904, region="SG", timezone="Asia/Singapore", locale="en", name="Mei")
    chan = add_client(bot, 903, "陳大文", stage="B")
    tan = add_client(bot, 904, "Tan Ah Kow", stage="A")
    sent_proposal(bot, 903, chan.id, title="家庭危疾保障")
    sent_proposal(bot, 904, tan.id, products=("term_life",))
    mark = await at_local(bot, datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Asia/Hong_Kong")))
    [hk] = await next_push(bot, 903, mark)
    [sg] = await next_push(bot, 904, mark)
    assert (f"1. 📑 陳大文（B 級準客戶） — 計劃書《家庭危疾保障》交給客戶 {WAITED} 天仍未有回覆，"
            "打個電話問問看完的感受") in lines(hk)
    assert (f"1. 📑 Tan Ah Kow (stage A prospect) — proposal “Term life” sent {WAITED} days "
            "ago and no answer yet: call and ask how it read") in lines(sg)
    [item] = await bot.press("📑 Tan Ah Kow", user=bot.as_user(904, "Mei", language_code="en"))
    assert "Proposal follow-up" in item["text"] and f"sent {WAITED} days ago" in item["text"]
    assert "📑 Open the proposal" in bot.buttons(item)
