"""The client book end to end: adding, the card, editing, classifying, logging, finding."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coachbot.domain.clients import clean_name
from coachbot.domain.models import ClientFilter
from coachbot.services import records


async def onboard(bot, *, language="简体中文", region="中国内地"):
    await bot.send("/start", expect=2)
    await bot.press(language)
    await bot.press(region)
    await bot.press("08:00")
    await bot.press("2")


def clients_of(bot, agent_id=None):
    clients, _ = bot.store.clients.list_clients(agent_id or bot.user.id, ClientFilter(), limit=1000)
    return clients


async def test_quick_add_saves_and_opens_the_card(bot):
    await onboard(bot)
    [card] = await bot.send("/add 张三 13800138000 1985-03-02")  # one message: the card
    assert card["text"].startswith("✅ 已添加")
    assert "张三" in card["text"] and "138" in card["text"] and "1985" in card["text"]
    [client] = clients_of(bot)
    assert (client.name, client.phone, client.birthday) == ("张三", "+8613800138000",
                                                            "1985-03-02")
    assert "记一笔拜访" in " ".join(bot.buttons(card))


async def test_a_client_line_typed_without_add_is_offered_not_guessed(bot):
    await onboard(bot)
    [offer] = await bot.send("张三 13800138000 1985-03-12 老婆全职带两个孩子 房贷每月1.5万")
    assert "新客户" in offer["text"] and "138 0013 8000" in offer["text"]
    assert "房贷每月1.5万" in offer["text"]
    assert "🎂 1985年3月12日" in offer["text"]  # everything read is shown before the tap
    assert clients_of(bot) == []  # nothing saved before the tap
    [card] = await bot.press("加为客户")
    assert card["text"].startswith("✅ 已添加") and "2 个孩子" in card["text"]
    [client] = clients_of(bot)
    assert (client.name, client.phone) == ("张三", "+8613800138000")
    # a second tap on the same offer adds nobody twice
    again = (await bot.press_data(offer["message_id"],
                                  offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]))
    assert len(clients_of(bot)) == 1 and "已添加" not in again[-1]["text"]


async def test_plain_text_and_a_declined_offer_save_nothing(bot):
    await onboard(bot, language="English", region="Singapore")
    [answer] = await bot.send("had a good day today")
    assert "not sure" in answer["text"].lower() or "/help" in answer["text"]
    [offer] = await bot.send("Jason Tan 91234567 son in Sec 3")
    assert "new client" in offer["text"]
    [declined] = await bot.press("No, thanks")
    assert clients_of(bot) == [] and "haven't added" in declined["text"]
    # ignoring an offer and typing on: the new text is read afresh, the offer forgotten
    await bot.send("Mary Lim 98765432")
    [answer] = await bot.send("see you tomorrow")
    assert clients_of(bot) == [] and "new client" not in answer["text"]


async def test_quick_add_with_a_lunar_birthday_without_year(bot):
    await onboard(bot)
    replies = await bot.send("/add 王芳 女 生日 农历八月十五")
    assert "农历八月十五" in replies[0]["text"]
    [client] = clients_of(bot)
    assert (client.gender, client.birthday) == ("f", "L--08-15")


async def test_quick_add_with_a_bad_phone_saves_nothing_and_says_why(bot):
    await onboard(bot)
    replies = await bot.send("/add 李四 12345")
    assert "电话号码不对" in replies[-1]["text"]
    assert clients_of(bot) == []


async def test_guided_add_with_skips(bot):
    await onboard(bot)
    replies = await bot.send("/add")
    assert "叫什么名字" in replies[-1]["text"]
    replies = await bot.send("赵六")
    assert "手机号" in replies[-1]["text"]
    await bot.press("跳过")
    replies = await bot.send("3月2日")
    assert "已添加" in replies[0]["text"]
    [client] = clients_of(bot)
    assert (client.name, client.phone, client.birthday) == ("赵六", None, "--03-02")


async def test_duplicate_is_flagged_before_saving(bot):
    await onboard(bot)
    await bot.send("/add 张三 13800138000")
    replies = await bot.send("/add 张小三 138-0013-8000")
    assert "已经有这位" in replies[-1]["text"]
    assert len(clients_of(bot)) == 1
    await bot.press("仍然添加")
    assert len(clients_of(bot)) == 2


async def test_shared_contact_card_becomes_a_client(bot):
    await onboard(bot)
    update = bot.sandbox.send_contact(bot.user, "+85291234567", "陈", last_name="大文")
    replies = await bot.inject(update, bot.user.id)
    assert "陈 大文" in replies[0]["text"]
    [client] = clients_of(bot)
    assert client.phone == "+85291234567"


async def test_edit_fields_from_the_card(bot):
    await onboard(bot)
    await bot.send("/add 张三")
    await bot.press("编辑资料")
    await bot.press("职业")
    replies = await bot.send("<b>老板</b> & 合伙人")
    assert "&lt;b&gt;" not in replies[-1]["text"]
    assert "<b>老板</b> & 合伙人" in replies[-1]["text"]
    await bot.press("编辑资料")
    await bot.press("性别")
    await bot.press("男")
    await bot.press("编辑资料")
    await bot.press("电话")
    replies = await bot.send("abc")
    assert "不像有效的手机号" in replies[-1]["text"]
    await bot.send("13912345678")
    [client] = clients_of(bot)
    assert (client.occupation, client.gender, client.phone) == \
        ("<b>老板</b> & 合伙人", "m", "+8613912345678")


async def test_grade_from_traits_and_override(bot):
    await onboard(bot)
    await bot.send("/add 张三")
    await bot.press("名单分级")
    for trait in ("经济能力", "身体健康", "认同保险"):
        replies = await bot.press(trait)
    assert "B" in replies[-1]["text"]
    client = clients_of(bot)[0]
    assert client.traits == {"financial", "health", "accepts"}
    await bot.press("A")
    card = (await bot.press("完成"))[-1]
    assert "A 级" in card["text"] and "手动定级" in card["text"]


async def test_stage_and_the_suggested_move_after_an_event(bot):
    await onboard(bot)
    await bot.send("/add 张三")
    await bot.press("准客户阶段")
    card = (await bot.press("C 可邀约"))[-1]
    assert "邀请他参加一场活动" in card["text"]
    await bot.press("记一笔拜访")
    await bot.press("活动")
    card = (await bot.press("完成"))[-1]
    assert "可以升到「B 计划书」阶段了" in card["text"]
    card = (await bot.press("升到 B 阶段"))[-1]
    assert clients_of(bot)[0].stage == "B"
    assert "SPIN" in card["text"]


async def test_log_a_visit_in_two_taps_with_a_next_step(bot):
    await onboard(bot)
    await bot.send("/add 张三")
    await bot.press("记一笔拜访")
    replies = await bot.press("面谈")
    assert "已记下" in replies[-1]["text"]
    card = (await bot.press("下周"))[-1]
    client = clients_of(bot)[0]
    [contact] = bot.store.clients.contacts_of(bot.user.id, client.id)
    assert contact.channel == "face"
    today = bot.clock.now().date()
    assert contact.next_step_date >= today + timedelta(days=6)
    assert "下一步已约好" in card["text"]


async def test_forwarded_message_is_logged_for_the_right_client(bot):
    await onboard(bot)
    await bot.send("/add 张三")
    await bot.send("/add 李四")
    update = bot.sandbox.forward_text(bot.user, "我考虑一下，下周给你答复", from_name="张三")
    replies = await bot.inject(update, bot.user.id)
    assert bot.buttons(replies[-1]) == ["张三"]
    card = (await bot.press("张三"))[-1]
    assert "已记入联系记录" in card["text"]
    client = next(c for c in clients_of(bot) if c.name == "张三")
    [contact] = bot.store.clients.contacts_of(bot.user.id, client.id)
    assert (contact.channel, contact.summary) == ("message", "我考虑一下，下周给你答复")


async def test_family_dates_and_policies(bot):
    await onboard(bot)
    await bot.send("/add 张三")
    await bot.press("家人")
    await bot.press("添加家人")
    await bot.press("子女")
    await bot.send("张小宝")
    await bot.send("2018-06-01", expect=1)
    await bot.press("纪念日")
    await bot.press("添加纪念日")
    await bot.press("结婚纪念日")
    await bot.send("2012-10-01")
    await bot.press("保单")
    await bot.press("添加保单")
    await bot.send("重疾险")
    replies = await bot.send("两万")
    assert "金额没看懂" in replies[-1]["text"]
    await bot.send("2.5万")
    policy = (await bot.send("2024-03-01"))[-1]
    assert "重疾险" in policy["text"]
    await bot.press("缴别")
    await bot.press("月缴")
    client = clients_of(bot)[0]
    card = bot.store.clients.client_card(bot.user.id, client.id)
    assert [(m.relation, m.name, m.birthday) for m in card.family] == \
        [("child", "张小宝", "2018-06-01")]
    assert [(d.kind, d.date) for d in card.dates] == [("wedding", "2012-10-01")]
    [p] = card.policies
    assert (p.product, p.annual_premium, p.payment_frequency) == ("重疾险", 25000.0, "monthly")
    # 25,000 a year makes a VIP (贵宾) client
    replies = await bot.send("/clients 张三")
    assert "贵宾" in replies[-1]["text"]


async def test_search_by_pinyin_initials_and_phone(bot):
    await onboard(bot)
    await bot.send("/add 张三 13800138000")
    await bot.send("/add 李四 13900139000")
    await bot.send("/add 张三丰")
    replies = await bot.send("/clients zs")
    assert sorted(bot.buttons(replies[-1])) == ["张三", "张三丰"]
    replies = await bot.send("/clients 0139")
    assert "李四" in replies[-1]["text"]  # a single hit opens the card
    replies = await bot.send("zhangsanf")  # plain text outside a flow searches too
    assert "张三丰" in replies[-1]["text"]


async def test_list_pages_and_filters(bot):
    await onboard(bot)
    for index in range(11):
        await bot.send(f"/add 客户{index:02d}")
    replies = await bot.send("/clients")
    assert "共 11 位" in replies[-1]["text"]
    assert len(bot.buttons(replies[-1])) == 8 + 2  # eight names, filter, next page
    replies = await bot.press("▶")
    assert "第 2/2 页" in replies[-1]["text"]
    await bot.press("筛选")
    replies = await bot.press("B 计划书")
    assert "共 0 位" in replies[-1]["text"]


async def test_delete_with_undo_and_erase(bot):
    await onboard(bot)
    await bot.send("/add 张三 13800138000")
    await bot.press("更多")
    await bot.press("删除")
    await bot.press("确认删除")
    assert clients_of(bot) == []
    await bot.press("撤销删除")
    assert len(clients_of(bot)) == 1
    client_id = clients_of(bot)[0].id
    bot.store.schedule.add_one_off(bot.user.id, client_id=client_id, text="送计划书",
                                   due_at=bot.clock.now() + timedelta(days=1))
    await bot.press("更多")
    await bot.press("彻底删除")
    replies = await bot.press("确认彻底删除")
    assert "已彻底删除" in replies[-1]["text"]
    assert bot.store.clients.get_client(bot.user.id, client_id, include_deleted=True) is None
    assert bot.store.schedule.pending_one_offs(bot.user.id) == []


async def test_book_summary(bot):
    await onboard(bot)
    await bot.send("/add 张三")
    replies = await bot.send("/book")
    text = replies[-1]["text"]
    assert "共 1 位" in text and "目标 2 件" in text and "20" in text


async def test_another_agent_cannot_reach_my_clients(bot):
    await onboard(bot)
    await bot.send("/add 张三 13800138000")
    client_id = clients_of(bot)[0].id
    intruder = bot.as_user(9009, "Intruder")
    replies = await bot.send("/start", user=intruder, expect=2)
    await bot.press("简体中文", user=intruder)
    message_id = replies[-1]["message_id"]
    for data in (f"cl:o:{client_id}", f"cl:del:{client_id}:ok", f"cl:er:{client_id}:ok",
                 f"cl:g:{client_id}:financial", f"vi:c:{client_id}:face", f"cl:x:{client_id}",
                 f"rc:pol+:{client_id}", f"cl:ss:{client_id}:A"):
        replies = await bot.press_data(message_id, data, user=intruder)
        assert "张三" not in replies[-1]["text"]
    replies = await bot.send("/clients 张", user=intruder)
    assert "没找到" in replies[-1]["text"]
    client = bot.store.clients.get_client(bot.user.id, client_id)
    assert client is not None and client.stage is None and client.traits == frozenset()
    assert bot.store.clients.contacts_of(bot.user.id, client_id) == []


@pytest.mark.parametrize("name", ["<b>Tom & Jerry</b>", "😀" * 30, "王" * 200, "A\u202eB"])
async def test_hostile_names_display_safely(bot, name):
    await onboard(bot)
    await bot.send("/add")
    await bot.send(name)
    await bot.press("跳过")
    replies = await bot.press("跳过")
    [client] = clients_of(bot)
    assert client.name == clean_name(name)  # bidi overrides and control characters dropped
    assert client.name in replies[0]["text"]


async def test_group_client_roles_source_credit_and_value_checks(bot):
    await onboard(bot)
    await bot.send("/add 星辰科技有限公司")
    await bot.press("更多")
    await bot.press("改为团体客户")
    panel = (await bot.press("团体资料"))[-1]
    assert "四个关键角色" in panel["text"]
    await bot.press("最终决策者")
    await bot.send("王总 总经理")
    await bot.press("最终决策者")
    await bot.press("已经搞定这个人")
    await bot.press("使用者")
    await bot.send("李主管")
    await bot.press("使用者")
    await bot.press("已经搞定这个人")
    await bot.press("已有向导")
    await bot.press("招标")
    await bot.press("资信评分")
    replies = await bot.send("80 90")
    assert "四个 0 到 100" in replies[-1]["text"]
    await bot.send("80 90 70 60")
    await bot.press("赔付率")
    panel = (await bot.send("45%"))[-1]
    assert "1+2+1 已成形" in panel["text"]
    assert "资信评分 79" in panel["text"]  # 80x.5 + 90x.25 + 70x.15 + 60x.1
    assert "超过 40%" in panel["text"]
    client = clients_of(bot)[0]
    assert client.group_profile["source"] == "tender"
    assert client.group_profile["credit"] == {"potential": 80.0, "negative": 90.0,
                                              "reputation": 70.0, "operations": 60.0}
    roles = {r.role: r for r in bot.store.clients.roles_of(bot.user.id, client.id)}
    assert roles["decider"].person == "王总 总经理" and roles["decider"].won


async def test_a_forged_press_asking_a_role_person_without_its_role_is_refused(bot):
    await onboard(bot)
    await bot.send("/add 星辰科技有限公司")
    await bot.press("更多")
    await bot.press("改为团体客户")
    panel = (await bot.press("团体资料"))[-1]
    client = clients_of(bot)[0]
    await bot.press_data(panel["message_id"], f"gc:t:{client.id}:person")
    assert bot.store.dialogs.get_dialog(bot.user.id, bot.user.id) is None
    await bot.send("王总 总经理")  # nothing open to take it
    assert bot.store.clients.roles_of(bot.user.id, client.id) == []


async def test_group_panel_classifies_the_client_and_says_where_to_find_more(bot):
    await onboard(bot)
    await bot.send("/add 星辰科技有限公司")
    await bot.press("更多")
    await bot.press("改为团体客户")
    panel = (await bot.press("团体资料"))[-1]
    assert "价值分类" in panel["text"] and "去哪找、怎么摸底" in panel["text"]
    assert "还没评" in panel["text"] and "社会价值：未标记" in panel["text"]
    panel = (await bot.press("盈利好"))[-1]
    assert "盈利水平：盈利好" in panel["text"]
    assert "✓ 盈利好" in bot.buttons(panel)
    panel = (await bot.press("标为有社会价值"))[-1]
    assert "行业里的标杆" in panel["text"]
    assert any("取消社会价值标记" in b for b in bot.buttons(panel))
    await bot.press("非水险保额")
    replies = await bot.send("很多")
    assert "金额没看懂" in replies[-1]["text"]
    await bot.send("1.5亿")
    await bot.press("交强险占比")
    panel = (await bot.send("15%"))[-1]
    assert "交强险占车险保费：15% ✅" in panel["text"]
    profile = clients_of(bot)[0].group_profile
    assert profile["profit"] == "good" and profile["social"] is True
    assert profile["sum_insured"] == 150_000_000 and profile["compulsory_share"] == 0.15


async def test_gatherings_and_claims_move_the_client_on(bot):
    await onboard(bot)
    await bot.send("/add 陈大文 13800138000")
    [client] = clients_of(bot)
    records.update_client(bot.store, bot.user.id, client.id, {"stage": "D"})
    replies = await bot.press("活动·理赔")
    assert "记一笔服务" in replies[-1]["text"]
    await bot.press("客户活动")
    replies = await bot.send("年末客户答谢会")
    recorded = replies[-1]
    assert "年末客户答谢会" in recorded["text"] and "已邀请" in recorded["text"]
    assert "💡 升到 C 阶段" in bot.buttons(recorded)
    await bot.press("升到 C 阶段")
    assert clients_of(bot)[0].stage == "C"
    await bot.press("活动·理赔")
    await bot.press("服务记录")
    replies = await bot.press("他来了", expect=2)
    assert "已参加" in replies[0]["text"]
    assert "💡 升到 B 阶段" in bot.buttons(replies[0])
    assert "要转介绍的好时机" in replies[-1]["text"]  # a gathering attended opens a moment
    await bot.press("升到 B 阶段")
    [client] = clients_of(bot)
    assert client.stage == "B"
    await bot.press("活动·理赔")
    await bot.press("理赔")
    replies = await bot.send("住院医疗 3月")
    assert "办理中" in replies[-1]["text"]
    assert "要转介绍" not in replies[-1]["text"]
    replies = await bot.press("已赔付到账", expect=2)
    assert "已赔付" in replies[0]["text"]
    assert "要转介绍的好时机" in replies[-1]["text"]
    listed = (await bot.press("服务记录"))[-1]["text"]
    assert "年末客户答谢会" in listed and "住院医疗 3月" in listed
