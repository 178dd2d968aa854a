"""Coaching end to end: SPIN with back/skip/pause/resume, playbooks, objections, practice."""

from __future__ import annotations

from coachbot.services import records
from coachbot.services.book import Draft, save_client
from coachbot.services.coach import PLAYBOOK, SPIN
from tests.faults.live import settle


async def onboard(bot):
    await bot.send("/start")
    for choice in ("简体中文", "中国内地", "08:00", "2"):
        await bot.press(choice)


def young_family(bot):
    store, agent_id = bot.store, bot.user.id
    client = save_client(store, agent_id, Draft(name="李娜", birthday="1990-05-06"),
                         force=True).client
    records.add_family_member(store, agent_id, client.id, relation="spouse", name="王强")
    records.add_family_member(store, agent_id, client.id, relation="child", name="王小宝",
                              birthday="2023-01-01")
    records.update_client(store, agent_id, client.id, {"stage": "C"})
    return client


async def test_a_full_spin_session_with_back_skip_pause_and_resume(bot):
    await onboard(bot)
    client = young_family(bot)
    step = (await bot.send("/spin 李娜"))[-1]
    assert "第 1/4 步" in step["text"] and "年轻家庭" in step["text"]
    positions = [b for b in bot.buttons(step)][:4]
    assert positions[0] == "👉 1" and positions[1:] == ["2", "3", "4"][:len(positions) - 1]
    # typing answers the current question: the step message is edited in place
    [answered] = await bot.send("我们家四口人，孩子刚上幼儿园，房贷每个月一万多")
    assert answered["message_id"] == step["message_id"]
    assert answered["text"].startswith("✍️ 记下了") and "第 1/4 步" in answered["text"]
    after = bot.buttons(answered)[:len(positions)]
    assert after[0] == "✅ 1" and [b[-1] for b in after] == [p[-1] for p in positions]
    # a fixed position picks the question the next answer is for
    picked = (await bot.press("3"))[-1] if len(positions) >= 3 else answered
    assert picked["message_id"] == step["message_id"]
    step = (await bot.press("下一步"))[-1]
    assert "第 2/4 步" in step["text"]
    await bot.send("最担心的是先生万一生病，房贷就没人还了")
    step = (await bot.press("上一步"))[-1]
    assert "第 1/4 步" in step["text"]
    await bot.press("下一步")
    step = (await bot.press("下一步"))[-1]
    assert "第 3/4 步" in step["text"]
    paused = (await bot.press("暂停"))[-1]
    assert "已暂停" in paused["text"]
    record = bot.store.coaching.latest_session(bot.user.id, SPIN, client_id=client.id)
    assert record.status == "paused"

    # a restart does not lose it: the state is in SQLite
    from coachbot.app import build_application
    from coachbot.runner import start_bot, stop_bot

    await stop_bot(bot.app)
    bot.app = build_application(bot.services.settings, store=bot.store, clock=bot.clock)
    await start_bot(bot.app)
    step = (await bot.send("/spin 李娜"))[-1]
    assert "接着上次" in step["text"] and "第 3/4 步" in step["text"]
    await bot.send("要是真出事，孩子上学都成问题，我不敢想")
    step = (await bot.press("跳过"))[-1]
    assert "第 4/4 步" in step["text"]
    await bot.send("对，就是想给家里留一份保障，万一我倒下也有人还房贷")
    await bot.press("下一步")
    summary = (await bot.press("结束并总结"))[-1]
    assert "需求分析" in summary["text"] and "收入保障" in summary["text"]
    assert "已记为一次" in summary["text"]
    saved = bot.store.clients.get_client(bot.user.id, client.id).needs_summary
    assert saved and any(n["need"] == "income_protect" for n in saved["needs"])
    assert bot.store.coaching.latest_session(bot.user.id, SPIN, client_id=client.id) is None
    # the finished talk is logged as a contact with what the client said
    contacts = bot.store.clients.contacts_of(bot.user.id, client.id, limit=5)
    assert contacts and "房贷" in (contacts[0].summary or "")
    card = (await bot.send("/clients 李娜"))[-1]
    assert "需求分析" in card["text"]
    menu = (await bot.press("教练"))[-1]
    assert any("需求分析结果" in b for b in bot.buttons(menu))


async def test_prep_sheet_before_a_meeting(bot):
    await onboard(bot)
    young_family(bot)
    sheet = (await bot.send("/prep 李娜"))[-1]
    assert "备课" in sheet["text"] and "预判需求" in sheet["text"]
    assert "别想当然" in sheet["text"]


async def test_each_playbook_attached_and_advanced(bot):
    await onboard(bot)
    client = young_family(bot)
    expected_steps = {"个人保单七步": 7, "大客户销售六步": 6, "团单销售七步": 7, "车商渠道": 15}
    for title, steps in expected_steps.items():
        await bot.send("/clients 李娜")
        await bot.press("教练")
        await bot.press("成交流程")
        step = (await bot.press(title))[-1]
        assert f"第 1/{steps} 步" in step["text"]
        checklist = [b for b in bot.buttons(step) if b.startswith("▫️")]
        ticked = (await bot.press(checklist[0][3:]))[-1]
        assert any(b.startswith("✅") for b in bot.buttons(ticked))
        step = (await bot.press("下一步"))[-1]
        assert f"第 2/{steps} 步" in step["text"]
    records = bot.store.coaching.sessions_of(bot.user.id, PLAYBOOK, client_id=client.id)
    assert len(records) == 4
    assert all(r.state["step_index"] == 1 and len(r.state["done_items"]) == 1 for r in records)


async def test_an_objection_answered(bot):
    await onboard(bot)
    answer = (await bot.send("/objection 客户说太贵了，负担不起"))[-1]
    assert "太贵" in answer["text"] and "1." in answer["text"] and "2." in answer["text"]
    listing = (await bot.send("/objection"))[-1]
    assert len(bot.buttons(listing)) >= 8
    answer = (await bot.press("买过了"))[-1] if any("买过" in b for b in bot.buttons(listing)) \
        else (await bot.press(bot.buttons(listing)[2]))[-1]
    assert "「" in answer["text"]


async def test_referral_coaching_names_the_person(bot):
    await onboard(bot)
    young_family(bot)
    await bot.send("/clients 李娜")
    await bot.press("教练")
    await bot.press("要转介绍")
    await bot.press("递送保单之后")
    lines = (await bot.send("她的同事张姐"))[-1]
    assert "她的同事张姐" in lines["text"] and "李娜" in lines["text"]


async def test_next_lists_priority_clients_with_their_next_action(bot):
    await onboard(bot)
    young_family(bot)
    answer = (await bot.send("/next"))[-1]
    assert "李娜" in answer["text"] and "活动" in answer["text"]  # stage C: invite to an event


async def test_a_practice_session_is_scored(bot):
    await onboard(bot)
    await bot.send("/practice")
    start = (await bot.press("嫌贵的年轻父母"))[-1]
    assert "开始提问" in start["text"]
    questions = ["您家里现在几口人？孩子多大了？",
                 "现在家里的开销，最让您有压力的是哪一块？",
                 "如果先生生病半年不能工作，房贷怎么办？",
                 "我们这款产品保障很全，每年只要五千块",
                 "如果有一份保障，能在最坏的时候替家里还房贷，对您有帮助吗？"]
    kinds = []
    for question in questions:
        turn = (await bot.send(question))[-1]
        kinds.append(turn["text"].split("\n")[0])
    assert any("暗示" in k for k in kinds) and any("介绍产品" in k for k in kinds)
    result = (await bot.press("结束并打分"))[-1]
    assert "练习结束" in result["text"] and "建议" in result["text"]
    assert "共 5 个问题" in result["text"]


async def add_family_client(bot):
    await bot.send("/add 张三 41岁 老婆全职带两个孩子 房贷每月1.5万")
    clients, _ = bot.store.clients.list_clients(bot.user.id, limit=10)
    [client] = [c for c in clients if c.name == "张三"]
    return client


async def test_a_family_read_from_quick_add_gets_family_questions_and_facts(bot):
    await onboard(bot)
    client = await add_family_client(bot)
    step = (await bot.send("/spin 张三"))[-1]
    assert "年轻家庭" in step["text"] and "单身" not in step["text"]
    sheet = (await bot.send("/prep 张三"))[-1]
    assert "备课" in sheet["text"] and "年轻家庭" in sheet["text"]
    card = (await bot.send("/clients 张三"))[-1]
    assert "2 个孩子" in card["text"] and "来自" in card["text"]
    assert client.id


async def test_a_client_with_no_facts_gets_the_one_tap_type_question(bot):
    await onboard(bot)
    await bot.send("/add 李四")
    question = (await bot.send("/spin 李四"))[-1]
    assert "属于哪一类客户" in question["text"]
    assert any("单身" in b for b in bot.buttons(question))
    step = (await bot.press("单身"))[-1]
    assert "第 1/4 步" in step["text"] and "单身青年" in step["text"]


async def test_needs_then_an_explained_proposal_moves_the_client_to_a(bot):
    await onboard(bot)
    client = await add_family_client(bot)
    await bot.send("/spin 张三")
    await bot.send("家里就我一个人挣钱，老婆在家带两个孩子")
    await bot.press("下一步")
    await bot.send("最怕我万一病倒了，房贷和孩子上学都没着落")
    await bot.press("下一步")
    await bot.send("真出事的话，老婆孩子可能连房子都保不住")
    await bot.press("下一步")
    await bot.send("对，就是想给家里留一份保障，万一我倒下也有人还房贷")
    await bot.press("下一步")
    await bot.press("结束并总结")
    await bot.send("/clients 张三")
    await bot.press("教练")
    needs = (await bot.press("需求分析结果"))[-1]
    must = needs["text"].split("🟡")[0]
    assert "必需" in must and "收入保障" in must
    assert "计划书" in needs["text"] and "B 阶段" in needs["text"]
    assert "A 阶段" not in needs["text"]
    # a proposal: product, sum insured, premium, frequency
    await bot.send("/clients 张三")
    await bot.press("计划书")
    await bot.press("新计划书")
    await bot.press("重疾险")
    await bot.send("50万")
    await bot.send("8000")
    shown = (await bot.press("年缴"))[-1]
    assert "计划书 · 张三" in shown["text"] and "重疾险" in shown["text"]
    await bot.press("已讲解")
    explained = (await bot.send("挺好的，回去就签"))[-1]
    assert "💡 升到 A 阶段" in bot.buttons(explained)
    staged = (await bot.press("升到 A 阶段"))[-1]
    assert bot.store.clients.get_client(bot.user.id, client.id).stage == "A"
    assert "阶段已更新" in staged["text"]
    answer = (await bot.send("/next"))[-1]
    assert "张三" in answer["text"] and "促成" in answer["text"]


async def test_an_objection_in_the_reaction_stays_open(bot):
    await onboard(bot)
    await add_family_client(bot)
    await bot.send("/clients 张三")
    await bot.press("计划书")
    await bot.press("新计划书")
    await bot.press("医疗险")
    await bot.send("100万")
    await bot.send("500")
    await bot.press("月缴")
    await bot.press("已讲解")
    shown = (await bot.send("太贵了，我要回去问问老婆"))[-1]
    assert "异议" in shown["text"] and "还没处理" in shown["text"]
    assert any("异议已解决" in b for b in bot.buttons(shown))


async def test_every_spin_answer_edits_the_one_screen_and_says_it_was_noted(bot):
    await onboard(bot)
    young_family(bot)
    [screen] = await bot.send("/spin 李娜")
    for number in range(8):  # more answers than the step has questions
        bot.sandbox.send_text(bot.user, f"客户的回答 {number}")
    await settle(bot)
    sent = [m for m in bot.sandbox.bot_messages(bot.user.id)
            if m["message_id"] > screen["message_id"]]
    assert sent == []  # no second copy of the screen
    assert "已记 8 条" in bot.sandbox.last_bot_message(bot.user.id)["text"]
