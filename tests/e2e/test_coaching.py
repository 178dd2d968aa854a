"""Coaching end to end: SPIN with back/skip/pause/resume, playbooks, objections, practice."""

from __future__ import annotations

from coachbot.services import records
from coachbot.services.book import Draft, save_client
from coachbot.services.coach import PLAYBOOK, SPIN


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
    assert any(b.startswith("问了") for b in bot.buttons(step))
    await bot.press("问了1")
    [step] = await bot.send("我们家四口人，孩子刚上幼儿园，房贷每个月一万多")
    assert step["text"].startswith("✍️ 记下了") and "已记下 1 条" in step["text"]
    assert "第 1/4 步" in step["text"]
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
    summary = (await bot.press("下一步"))[-1]
    assert "需求分析" in summary["text"] and "收入保障" in summary["text"]
    saved = bot.store.clients.get_client(bot.user.id, client.id).needs_summary
    assert saved and any(n["need"] == "income_protect" for n in saved["needs"])
    assert bot.store.coaching.latest_session(bot.user.id, SPIN, client_id=client.id) is None
    # the card shows it and offers the summary under coaching
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
