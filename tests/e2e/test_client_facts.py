"""What the coach knows about a client, edited fact by fact from the card: confirm, correct (one
tap or typed, asked again on a bad value), remove; stale and forged presses refused; the client
type follows. Real Application, sandbox over HTTP."""

from __future__ import annotations

from tests.e2e.test_reminders import add_client, make_agent

STALE = "这个按钮已经过期了"


def button(bot, message, ends_with):
    """The caption of the message's button that ends with `ends_with` ("3. 孩子人数")."""
    [caption] = [b for b in bot.buttons(message) if b.endswith(ends_with)]
    return caption


def data_of(message, caption):
    [data] = [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
              for b in row if b["text"] == caption]
    return data


async def test_facts_confirmed_corrected_and_removed_and_the_type_follows(bot):
    await make_agent(bot, 931)
    user = bot.as_user(931, "小王")
    zhang = add_client(bot, 931, "张三", notes="老婆全职带两个孩子，房贷每月1.5万")
    card = (await bot.send("/clients 张三", user=user))[-1]
    assert "2 个孩子 · 来自" in card["text"] and "🧠 客户情况" in bot.buttons(card)

    [page] = await bot.press("🧠 客户情况", user=user)
    assert page["message_id"] == card["message_id"]  # the card turns into the facts page
    assert "张三 · 客户情况" in page["text"] and "1. 已婚/有伴侣 · 来自" in page["text"]
    assert "客户类型：👨‍👩‍👧 年轻家庭" in page["text"]
    assert bot.buttons(page)[:3] == ["1. 婚姻/伴侣", "2. 配偶是否工作", "3. 孩子人数"]

    # correct a number: typed, asked again when it can't be read
    [fact] = await bot.press("3. 孩子人数", user=user)
    assert "2 个孩子 · 来自" in fact["text"] and "原话：“老婆全职带两个孩子" in fact["text"]
    assert bot.buttons(fact) == ["✅ 对", "✏️ 改", "🗑 不对，删掉", "◀ 返回"]
    [ask] = await bot.press("✏️ 改", user=user)
    assert "张三 · 孩子人数" in ask["text"] and "请写数字" in ask["text"]
    [again] = await bot.send("好几个吧", user=user)
    assert "⚠️ 没看懂，请只写数字" in again["text"] and "现在记的是：2 个孩子" in again["text"]
    [page] = await bot.send("0", user=user)
    assert page["text"].startswith("✅ 已改好") and "3. 没有孩子 · 你确认的" in page["text"]

    # correct a yes/no with one tap: single, no children: the type follows
    await bot.press("1. 婚姻/伴侣", user=user)
    [ask] = await bot.press("✏️ 改", user=user)
    assert "已婚或者有伴侣吗？" in ask["text"] and bot.buttons(ask) == ["是", "否", "◀ 返回"]
    [page] = await bot.press("否", user=user)
    assert "1. 单身 · 你确认的" in page["text"] and "客户类型：🧑 单身" in page["text"]

    # remove one; the old message's buttons are refused afterwards
    [fact] = await bot.press(button(bot, page, ". 配偶是否工作"), user=user)
    confirm = data_of(fact, "✅ 对")
    [page] = await bot.press("🗑 不对，删掉", user=user)
    assert page["text"].startswith("🗑 已删掉") and "配偶没有工作" not in page["text"]
    [stale] = await bot.press_data(fact["message_id"], confirm, user=user)
    assert STALE in stale["text"]

    # confirm one: the agent's word from now on
    await bot.press(button(bot, page, ". 房贷"), user=user)
    [page] = await bot.press("✅ 对", user=user)
    assert page["text"].startswith("✅ 已确认") and "有房贷 · 你确认的" in page["text"]

    # a re-read of the note keeps the agent's word; the card and prep follow it
    prep = (await bot.send("/prep 张三", user=user))[-1]
    assert "年轻家庭" not in prep["text"] and "单身" in prep["text"]
    card = (await bot.send("/clients 张三", user=user))[-1]
    assert "单身 · 你确认的" in card["text"] and "没有孩子 · 你确认的" in card["text"]
    assert "2 个孩子" not in card["text"] and "配偶没有工作" not in card["text"]
    facts = {f.key: f for f in bot.store.facts.facts_of(931, zhang.id)
             if f.source == "agent"}
    assert (facts["children"].value, facts["spouse"].value) == (0, False)


async def test_one_tap_choices_and_forged_presses(bot):
    await make_agent(bot, 932)
    await make_agent(bot, 933, name="小李")
    user, other = bot.as_user(932, "小王"), bot.as_user(933, "小李")
    li = add_client(bot, 932, "李四", notes="在医院当护士，公司给买了团险")
    await bot.send("/clients 李四", user=user)
    [page] = await bot.press("🧠 客户情况", user=user)
    # a choice: the occupation, one tap
    await bot.press(button(bot, page, ". 职业"), user=user)
    [ask] = await bot.press("✏️ 改", user=user)
    assert "护士" in bot.buttons(ask) and "老师" in bot.buttons(ask)
    [page] = await bot.press("老师", user=user)
    assert "职业：老师 · 你确认的" in page["text"]
    # a set: cover toggled on and off, then done
    await bot.press(button(bot, page, ". 已有保障"), user=user)
    [ask] = await bot.press("✏️ 改", user=user)
    assert "✅ 单位团险" in bot.buttons(ask)
    [ask] = await bot.press("重疾险", user=user)
    assert {"✅ 单位团险", "✅ 重疾险"} <= set(bot.buttons(ask))
    [page] = await bot.press("✅ 完成", user=user)
    assert "已有：重疾险、单位团险 · 你确认的" in page["text"]

    # another agent replaying these buttons, or data that is not ours, gets nothing
    for forged in (f"kf:l:{li.id}", f"kf:c:{li.id}:occupation:doctor",
                   f"kf:c:{li.id}:occupation:pilot", f"kf:e:{li.id}:nonsense",
                   f"kf:c:{li.id}:spouse:maybe"):
        [reply] = await bot.press_data(page["message_id"], forged, user=other)
        assert STALE in reply["text"]
    [reply] = await bot.press_data(page["message_id"], f"kf:c:{li.id}:occupation:pilot",
                                   user=user)
    assert STALE in reply["text"]
    assert "职业：老师" in (await bot.send("/clients 李四", user=user))[-1]["text"]


async def test_facts_edited_in_english(bot):
    await make_agent(bot, 934, region="SG", timezone="Asia/Singapore", locale="en", name="Mei")
    user = bot.as_user(934, "Mei", language_code="en")
    add_client(bot, 934, "Tan Ah Kow", notes="married, 2 kids, wife stays at home")
    await bot.send("/clients Tan Ah Kow", user=user)
    [page] = await bot.press("🧠 What I know", user=user)
    assert "Tan Ah Kow · What I know" in page["text"] and "3. 2 children · from" in page["text"]
    await bot.press("3. Number of children", user=user)
    await bot.press("✏️ Change", user=user)
    [again] = await bot.send("a few", user=user)
    assert "I didn't get that: numbers only" in again["text"]
    [page] = await bot.send("3", user=user)
    assert page["text"].startswith("✅ Changed") and "3 children · confirmed by you" in page["text"]
    await bot.press("2. Partner working", user=user)
    [page] = await bot.press("✅ Right", user=user)
    assert "partner not working · confirmed by you" in page["text"]
