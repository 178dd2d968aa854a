"""The AI coach end to end: the real Application over HTTP to the sandbox, the fake model server
started here, and every failure falling back to the rules with a one-line notice."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest

from coachbot.config import Settings
from coachbot.fakellm import FakeLLM, Reply
from coachbot.services.coach import SPIN
from tests.e2e.test_coaching import onboard, young_family
from tests.harness import start_harness

SUMMARY_BUTTON = "记下聊了什么"
AUDIO = b"OggS" + bytes(2000)
PRACTICE_NOTICE = "AI 教练暂时没有响应，这次用内置规则陪练回答"


@pytest.fixture
async def llm() -> AsyncIterator[FakeLLM]:
    async with FakeLLM() as server:
        yield server


@pytest.fixture
async def aibot(tmp_path, clock, llm) -> AsyncIterator[object]:
    settings = Settings(llm_base_url=llm.base_url, llm_model="fake-model",
                        llm_api_key="sk-test", llm_transcribe_model="whisper-1",
                        llm_timeout=1.0, llm_retries=1)
    async with start_harness(tmp_path, clock, settings=settings) as harness:
        yield harness


async def ask(bot, text: str, *, activities: int = 2) -> dict:
    """Type a question to the prospect; wait for the reply to be sent and edited to its end."""
    update = bot.sandbox.send_text(bot.user, text)
    messages = await bot.sandbox.wait_for_bot(bot.user.id, count=activities,
                                              after=update["_seq"], timeout=15, quiet=0.5)
    return messages[-1]


def kinds_after(bot, seq: int) -> list[str]:
    return [e["kind"] for e in bot.sandbox.events(seq)
            if e["chat_id"] == bot.user.id and e["kind"] in ("send", "edit", "chat_action")]


async def test_a_practice_session_with_the_model(aibot, llm):
    bot = aibot
    await onboard(bot)
    await bot.send("/practice")
    await bot.press("嫌贵的年轻父母")
    llm.script('{"type": "S", "need": null}', Reply("我们家三口人，儿子三岁，我和先生都上班。",
                                                     chunk=2))
    seq = bot.sandbox.seq
    turn = await ask(bot, "您家里现在几口人？")
    assert "我们家三口人，儿子三岁，我和先生都上班。" in turn["text"]
    assert turn["text"].startswith("🏷") and PRACTICE_NOTICE not in turn["text"]
    assert kinds_after(bot, seq)[:3] == ["chat_action", "send", "edit"]  # streamed, edited in

    llm.script('{"type": "I", "need": "income_protect"}',
               Reply("说实话，家里七成收入靠我先生，他们公司最近在裁员。"))
    turn = await ask(bot, "要是家里的顶梁柱倒下了，日子怎么过？")
    assert "裁员" in turn["text"] and "隐藏需求" in turn["text"]
    # the prospect remembers: the whole conversation went with the second question
    said = [m["content"] for m in llm.chat_requests()[-1].messages[1:]]
    assert said[1:] == ["您家里现在几口人？", "我们家三口人，儿子三岁，我和先生都上班。",
                        "要是家里的顶梁柱倒下了，日子怎么过？"]

    result = (await bot.press("结束并打分"))[-1]
    assert "练习结束" in result["text"] and "共 2 个问题" in result["text"]
    assert "↳ 第" in result["text"] and "「" in result["text"]  # tips quote the agent


@pytest.mark.parametrize("failure", [Reply(status=500), Reply(delay=1.5), Reply("不是 JSON {")],
                         ids=["500", "timeout", "malformed-json"])
async def test_a_failing_model_falls_back_to_the_scripted_prospect(aibot, llm, failure):
    bot = aibot
    await onboard(bot)
    await bot.send("/practice")
    await bot.press("嫌贵的年轻父母")
    # the question's type (a try and a retry), then the prospect's reply (the same)
    llm.script(failure, failure, Reply(status=500), Reply(status=500))
    turn = await ask(bot, "您家里现在几口人？", activities=1)
    assert turn["text"].startswith("🏷") and PRACTICE_NOTICE in turn["text"]
    assert "「" in turn["text"]  # the scripted prospect answered
    record = bot.store.coaching.latest_session(bot.user.id, "practice")
    assert record is not None and len(record.state["turns"]) == 1


async def test_a_voice_note_becomes_a_spin_answer(aibot, llm):
    bot = aibot
    await onboard(bot)
    client = young_family(bot)
    await bot.send("/spin 李娜")
    llm.script_transcripts("我们家四口人，孩子刚上幼儿园，房贷每个月一万多")
    update = bot.sandbox.send_voice(bot.user, AUDIO)
    texts = [m["text"] for m in await bot.inject(update, bot.user.id, expect=2)]
    assert any(t.startswith("🎙 听到的是：「我们家四口人") for t in texts), texts
    # the transcript answered the current question, as if typed
    assert any("1. ✅" in t for t in texts), texts
    record = bot.store.coaching.latest_session(bot.user.id, SPIN, client_id=client.id)
    [answer] = record.state["answers"]
    assert answer["text"] == "我们家四口人，孩子刚上幼儿园，房贷每个月一万多"
    await until(lambda: len(llm.requests) == 2)
    request, facts = llm.requests
    assert request.path == "/v1/audio/transcriptions" and request.files["file"] == AUDIO
    # the answer it became is read for facts too, as what it is: a transcript
    assert facts.messages[-1]["content"] == "(transcript)\n" + answer["text"]


async def test_without_a_model_everything_works_and_voice_says_not_configured(bot):
    await onboard(bot)
    client = young_family(bot)
    await bot.send("/spin 李娜")
    update = bot.sandbox.send_voice(bot.user, AUDIO)
    replies = await bot.inject(update, bot.user.id, expect=2)
    assert "语音转文字还没有开通" in replies[0]["text"] and "保存" in replies[0]["text"]
    record = bot.store.coaching.latest_session(bot.user.id, SPIN, client_id=client.id)
    [answer] = record.state["answers"]
    assert answer["voice_file_id"]
    # outside any flow: just the line
    await bot.send("/cancel")
    update = bot.sandbox.send_voice(bot.user, AUDIO)
    [line] = await bot.inject(update, bot.user.id)
    assert line["text"].startswith("🎙 语音转文字还没有开通")



NOTE = ("张三说老婆全职带两个孩子，老大上小学，房贷每月1.5万。"
        "手机13812345678，身份证110101199003074514。")


async def test_a_note_becomes_facts_confirmed_with_one_tap_and_private_details_stay(aibot, llm):
    bot = aibot
    await onboard(bot)
    await bot.send("/add 张三")
    await bot.press("记一笔拜访")
    await bot.press("面谈")
    await bot.press(SUMMARY_BUTTON)
    llm.script(json.dumps({"spouse": True, "spouse_works": False, "children": 2,
                           "child_stage": ["primary"], "mortgage_monthly": 15000}))
    replies = await bot.send(NOTE, expect=2)
    offer = replies[-1]
    assert "AI" in offer["text"] and "孩子人数: 2" in offer["text"]
    sent = llm.chat_requests()[0].text
    for secret in ("13812345678", "110101199003074514", "张三"):
        assert secret not in sent
    assert "[PHONE]" in sent and "[ID]" in sent
    saved = (await bot.press("都对"))[-1]
    assert "已保存" in saved["text"]
    client = bot.store.clients.list_clients(bot.user.id)[0][0]
    known = bot.store.facts.facts_of(bot.user.id, client.id)
    agent_said = {f.key: f.value for f in known if f.source == "agent"}
    assert agent_said["children"] == 2 and agent_said["spouse_works"] is False


@pytest.mark.parametrize("failure", [Reply(status=500), Reply("不是 JSON {")],
                         ids=["500", "malformed-json"])
async def test_a_failing_model_leaves_the_rules_facts_with_the_notice(aibot, llm, failure):
    bot = aibot
    await onboard(bot)
    await bot.send("/add 张三")
    await bot.press("记一笔拜访")
    await bot.press("面谈")
    await bot.press(SUMMARY_BUTTON)
    llm.script(failure, failure)
    replies = await bot.send(NOTE, expect=2)
    assert "AI 教练暂时没有响应，这次用内置规则识别客户信息" in replies[-1]["text"]


# -- facts from every free text: quick add, a note on the card, a SPIN answer, a forward ----------
FOUND = {"spouse": True, "spouse_works": False, "children": 2}
OFFER = "AI 从记录里读到"
BUDGET_NOTICE = "ℹ️ 今天的 AI 教练额度已用完，这次用内置规则识别客户信息。"


async def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for something the bot does after its last message (a request to the model)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


async def settle(bot, seq: int) -> list[str]:
    """What the bot did in the chat since `seq`, once it has been quiet for a while."""
    await bot.sandbox.wait_for_bot(bot.user.id, count=1, after=seq, timeout=10, quiet=0.5)
    return kinds_after(bot, seq)


def said_to_model(llm, index: int = -1) -> str:
    """The text a facts request carried (after our instructions)."""
    return llm.chat_requests()[index].messages[-1]["content"]


def fact_lines(card: dict) -> dict[str, str]:
    """The card's facts block: each line's fact, with where it came from."""
    lines = [line.removeprefix("· ") for line in card["text"].splitlines()
             if line.startswith("· ") and " · " in line]
    return dict(line.split(" · ", 1) for line in lines)


async def test_a_quick_add_note_is_read_by_the_model_and_saved_with_one_tap(aibot, llm):
    bot = aibot
    await onboard(bot)
    llm.script(json.dumps(FOUND))
    seq = bot.sandbox.seq
    card, offer = await bot.send("/add 张三 13800138000 老婆全职带两个孩子 房贷每月1.5万",
                                 expect=2)
    # the card comes first, as without a model; the model's reading follows, typing first
    assert card["text"].startswith("✅ 已添加") and "张三" in card["text"]
    assert OFFER in offer["text"] and "孩子人数: 2" in offer["text"]
    assert kinds_after(bot, seq) == ["send", "chat_action", "send"]
    assert said_to_model(llm) == "(note)\n老婆全职带两个孩子 房贷每月1.5万"
    saved = (await bot.press("都对"))[-1]
    assert saved["message_id"] == offer["message_id"] and "已保存" in saved["text"]
    facts = fact_lines((await bot.press("客户卡片"))[-1])
    # the model's facts as the agent confirmed them, the rules' with their note beside them
    assert facts["2 个孩子"] == "你确认的" and facts["配偶没有工作"] == "你确认的"
    assert facts["有房贷"].startswith("来自") and facts["有房贷"].endswith("备注")
    client = bot.store.clients.list_clients(bot.user.id)[0][0]
    stored = {(f.key, f.source) for f in bot.store.facts.facts_of(bot.user.id, client.id)}
    assert {("children", "agent"), ("spouse_works", "agent"), ("mortgage", "note"),
            ("mortgage_monthly", "note")} <= stored


async def test_a_quick_add_note_reaches_the_model_without_phone_or_id_numbers(aibot, llm):
    bot = aibot
    await onboard(bot)
    llm.script(json.dumps({"spouse": True}))
    await bot.send("/add 张三 13800138000 老婆全职 她手机13912345678 "
                   "身份证110101199003074514", expect=2)
    [request] = llm.chat_requests()
    for secret in ("13800138000", "13912345678", "110101199003074514", "张三"):
        assert secret not in request.text
    assert said_to_model(llm) == "(note)\n老婆全职 她手机[PHONE] 身份证[ID]"
    [call] = bot.store.model_calls.recent()
    assert (call.feature, call.outcome, call.redacted) == ("facts", "ok", 2)


async def test_a_note_typed_on_the_card_is_read_by_the_model(aibot, llm):
    bot = aibot
    await onboard(bot)
    await bot.send("/add 张三")
    await bot.press("编辑资料")
    await bot.press("备注")
    llm.script(json.dumps(FOUND))
    card, offer = await bot.send("老婆全职带两个孩子", expect=2)
    assert card["text"].startswith("✅ 已保存") and OFFER in offer["text"]
    assert said_to_model(llm) == "(note)\n老婆全职带两个孩子"


async def test_a_spin_answer_is_read_by_the_model_below_the_step_it_answers(aibot, llm):
    bot = aibot
    await onboard(bot)
    young_family(bot)
    step = (await bot.send("/spin 李娜"))[-1]
    llm.script(json.dumps({"children": 2, "child_stage": ["preschool"], "mortgage": True}))
    seq = bot.sandbox.seq
    answered, offer = await bot.send("我们家四口人，孩子刚上幼儿园，房贷每个月一万多",
                                     expect=2)
    # the step is edited in place as before; the facts come as their own short message
    assert answered["message_id"] == step["message_id"]
    assert answered["text"].startswith("✍️ 记下了") and "第 1/4 步" in answered["text"]
    assert OFFER in offer["text"] and "孩子人数: 2" in offer["text"]
    assert kinds_after(bot, seq) == ["edit", "chat_action", "send"]
    assert said_to_model(llm) == "(spin_answer)\n我们家四口人，孩子刚上幼儿园，房贷每个月一万多"
    saved = (await bot.press("都对"))[-1]
    assert saved["message_id"] == offer["message_id"] and "已保存" in saved["text"]
    # the talk goes on in its step message, above the facts
    [again] = await bot.send("两个人都上班")
    assert again["message_id"] == step["message_id"] and "✅ 1" in bot.buttons(again)
    await until(lambda: len(llm.chat_requests()) == 2)
    assert said_to_model(llm) == "(spin_answer)\n两个人都上班"


async def test_a_forwarded_message_is_read_by_the_model(aibot, llm):
    bot = aibot
    await onboard(bot)
    await bot.send("/add 张三")
    update = bot.sandbox.forward_text(bot.user, "我老婆刚生了二胎，最近想了解教育金",
                                      from_name="张三")
    await bot.inject(update, bot.user.id)
    llm.script(json.dumps({"spouse": True, "children": 2, "child_stage": ["baby"]}))
    card, offer = await bot.press("张三", expect=2)
    assert "已记入联系记录" in card["text"] and OFFER in offer["text"]
    assert said_to_model(llm) == "(forwarded)\n我老婆刚生了二胎，最近想了解教育金"
    await bot.press("都对")
    client = bot.store.clients.list_clients(bot.user.id)[0][0]
    agent_said = {f.key: f.value for f in bot.store.facts.facts_of(bot.user.id, client.id)
                  if f.source == "agent"}
    assert agent_said["children"] == 2 and agent_said["child_stage"] == frozenset({"baby"})


async def test_without_a_model_free_texts_get_their_reply_and_nothing_more(bot):
    await onboard(bot)
    seq = bot.sandbox.seq
    await bot.send("/add 张三 13800138000 老婆全职带两个孩子 房贷每月1.5万")
    assert await settle(bot, seq) == ["send"]
    client = bot.store.clients.list_clients(bot.user.id)[0][0]
    assert {f.key for f in bot.store.facts.facts_of(bot.user.id, client.id)} >= \
        {"spouse", "children", "mortgage"}  # the rules read the note, as ever

    await bot.press("编辑资料")
    await bot.press("备注")
    seq = bot.sandbox.seq
    await bot.send("老公开了家餐馆")
    assert await settle(bot, seq) == ["send"]

    update = bot.sandbox.forward_text(bot.user, "我老婆刚生了二胎", from_name="张三")
    await bot.inject(update, bot.user.id)
    seq = bot.sandbox.seq
    await bot.press("张三")
    assert await settle(bot, seq) == ["edit"]

    young_family(bot)
    await bot.send("/spin 李娜")
    seq = bot.sandbox.seq
    await bot.send("我们家四口人，孩子刚上幼儿园")
    assert await settle(bot, seq) == ["edit"]


async def test_a_used_up_daily_budget_falls_back_to_the_rules_until_the_next_day(tmp_path,
                                                                                 clock, llm):
    settings = Settings(llm_base_url=llm.base_url, llm_model="fake-model",
                        llm_api_key="sk-test", llm_timeout=1.0, llm_retries=1,
                        llm_daily_calls=2)
    # not onboarded: no digest comes in between when the day changes
    async with start_harness(tmp_path, clock, settings=settings) as bot:
        for name, note in (("张三", "老婆全职带两个孩子"), ("李四", "房贷每月1万")):
            llm.script(json.dumps(FOUND))
            _, offer = await bot.send(f"/add {name} {note}", expect=2)
            assert OFFER in offer["text"]
        card, notice = await bot.send("/add 王五 自己开了家餐馆", expect=2)
        assert card["text"].startswith("✅ 已添加") and notice["text"] == BUDGET_NOTICE
        assert len(llm.chat_requests()) == 2  # nothing more was sent
        wang = next(c for c in bot.store.clients.list_clients(bot.user.id)[0]
                    if c.name == "王五")
        ruled = {(f.key, f.source) for f in bot.store.facts.facts_of(bot.user.id, wang.id)}
        assert ("business_owner", "note") in ruled  # the rules read the note, as always
        seq = bot.sandbox.seq
        await bot.send("/add 孙七 儿子读高中")  # said once a day, not under every note
        assert (await settle(bot, seq)).count("send") == 1

        clock.set(clock.now() + timedelta(days=1))  # a new day where the agent is
        llm.script(json.dumps({"children": 1, "child_stage": ["secondary"]}))
        _, offer = await bot.send("/add 赵六 女儿上初中", expect=2)
        assert OFFER in offer["text"] and len(llm.chat_requests()) == 3



async def test_the_agents_next_message_is_not_held_behind_a_slow_model(tmp_path, clock, llm):
    settings = Settings(llm_base_url=llm.base_url, llm_model="fake-model",
                        llm_api_key="sk-test", llm_timeout=5.0, llm_retries=0)
    async with start_harness(tmp_path, clock, settings=settings) as bot:
        llm.script(Reply(json.dumps(FOUND), delay=1.5))
        [card] = await bot.send("/add 张三 老婆全职带两个孩子")
        assert card["text"].startswith("✅ 已添加")
        [help_reply] = await bot.send("/help")  # answered while the model is still reading
        assert OFFER not in help_reply["text"]
        offer = await bot.sandbox.wait_for_bot(bot.user.id, count=1, after=bot.sandbox.seq,
                                               timeout=10)
        assert OFFER in offer[-1]["text"] and "张三" in offer[-1]["text"]
        assert offer[-1]["message_id"] > help_reply["message_id"]
