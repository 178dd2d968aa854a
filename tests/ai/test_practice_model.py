"""Role-play with a model-played prospect: streamed, in character, reveals by the rules."""

from __future__ import annotations

import json

from coachbot.domain.coaching.practice import ask, start_practice
from coachbot.fakellm import Reply
from coachbot.scripts import load_library

LIBRARY = load_library()
SCENARIO = LIBRARY.get("zh-Hans").scenarios["young_parents"]
INCOME = SCENARIO.hidden_needs[0]


async def test_a_practice_exchange_with_the_model(make_ai, llm, clock, agent):
    ai = make_ai()
    session = start_practice(SCENARIO, "zh-Hans", clock.now())
    # turn 1: the model says S; the prospect's reply streams in
    llm.script('{"type": "S", "need": null}', Reply("我们家三口人，儿子三岁。", chunk=2))
    stream = await ai.practice.start_turn(agent_id=agent, session=session, scenario=SCENARIO,
                                          question="您家里几口人？", now=clock.now())
    chunks = [chunk async for chunk in stream]
    assert len(chunks) > 3 and "".join(chunks) == "我们家三口人，儿子三岁。"
    turn = stream.turn
    assert (turn.qtype, turn.reply_by, turn.classified_by, turn.notice) == \
        ("S", "model", "model", None)
    session = turn.session
    # turn 2: an implication question in words no trigger lists; the model names the topic
    llm.script('{"type": "I", "need": "income_protect"}',
               Reply("说实话，家里七成收入靠我先生，他们公司最近在裁员。"))
    turn = await ai.practice.take_turn(agent_id=agent, session=session, scenario=SCENARIO,
                                       question="要是家里的顶梁柱倒下了，日子怎么过？",
                                       now=clock.now())
    assert turn.qtype == "I" and turn.revealed == ("income_protect",)
    session = turn.session

    # the prospect was told who it is, what to reveal now, and remembers the conversation
    last = llm.chat_requests()[-1].messages
    assert last[0]["role"] == "system"
    assert SCENARIO.persona.name in last[0]["content"]
    assert INCOME.reveal in last[0]["content"].split("Stage direction")[-1]
    assert "Simplified Chinese" in last[0]["content"]
    assert [m["content"] for m in last[1:]] == [
        SCENARIO.opening, "您家里几口人？", "我们家三口人，儿子三岁。",
        "要是家里的顶梁柱倒下了，日子怎么过？"]
    assert llm.chat_requests()[-1].body["stream"] is True
    # the question's type and topic were asked with the scenario's topics
    classify = llm.chat_requests()[-2]
    assert "income_protect" in classify.messages[0]["content"]
    assert classify.body["response_format"] == {"type": "json_object"}

    # scoring stays the rules', fed with the model's types, tips quoting the agent's words
    llm.script('{"type": "pitch"}', "产品我先不看。")
    turn = await ai.practice.take_turn(agent_id=agent, session=session, scenario=SCENARIO,
                                       question="我们这款重疾险性价比很高", now=clock.now())
    result = ai.practice.score(turn.session)
    assert result.counts["S"] == 1 and result.counts["I"] == 1 and result.counts["pitch"] == 1
    assert result.reached_implication and result.hidden_found == ("income_protect",)
    quotes = {tip.key: tip.data.get("quote") for tip in result.tips}
    assert quotes["ask_need_payoff"] == "要是家里的顶梁柱倒下了，日子怎么过？"
    assert all(quote for quote in quotes.values())
    json.dumps(result.to_dict(), ensure_ascii=False)


async def test_the_model_cannot_reveal_a_need_to_a_situation_question(make_ai, llm, clock,
                                                                      agent):
    ai = make_ai()
    session = start_practice(SCENARIO, "zh-Hans", clock.now())
    llm.script('{"type": "S", "need": "income_protect"}', "我先生在互联网公司。")
    turn = await ai.practice.take_turn(agent_id=agent, session=session, scenario=SCENARIO,
                                       question="您先生做什么工作？", now=clock.now())
    assert turn.revealed == ()
    assert "do not reveal" in llm.chat_requests()[-1].messages[0]["content"]


async def test_a_stream_that_breaks_off_is_replaced_by_the_scripted_answer(make_ai, llm, clock,
                                                                           agent):
    ai = make_ai()
    session = start_practice(SCENARIO, "zh-Hans", clock.now())
    question = "如果您先生的收入突然断了，房贷谁来还？"
    llm.script('{"type": "I"}', Reply("说实话，家里七成收入靠我先生……" * 3, chunk=2,
                                      break_after=3))
    stream = await ai.practice.start_turn(agent_id=agent, session=session, scenario=SCENARIO,
                                          question=question, now=clock.now())
    shown = [chunk async for chunk in stream]
    turn = stream.turn
    assert shown and turn.replaced and turn.reply_by == "rules"
    assert turn.reply == INCOME.reveal and turn.revealed == ("income_protect",)
    assert turn.notice == "ℹ️ AI 教练暂时没有响应，这次用内置规则陪练回答。"


async def test_a_model_down_from_the_start_gives_the_offline_role_play(make_ai, llm, clock,
                                                                       agent):
    ai = make_ai()
    questions = ["您家里几口人？孩子多大了？", "如果您先生的收入突然断了，房贷谁来还？"]
    llm.responder = lambda request: Reply(status=500)
    session = offline = start_practice(SCENARIO, "zh-Hans", clock.now())
    for question in questions:
        stream = await ai.practice.start_turn(agent_id=agent, session=session,
                                              scenario=SCENARIO, question=question,
                                              now=clock.now())
        chunks = [chunk async for chunk in stream]
        assert chunks == [stream.turn.reply] and stream.turn.notice
        session = stream.turn.session
        offline, _ = ask(offline, question, SCENARIO, clock.now())
    assert session == offline


async def test_without_a_model_the_role_play_is_the_scripted_one(offline_ai, clock, agent,
                                                                 store):
    session = offline = start_practice(SCENARIO, "zh-Hans", clock.now())
    for question in ["您家里几口人？", "现在每个月的开销里，哪一块让您压力最大？",
                     "如果您先生的收入突然断了，房贷谁来还？"]:
        turn = await offline_ai.practice.take_turn(agent_id=agent, session=session,
                                                   scenario=SCENARIO, question=question,
                                                   now=clock.now())
        assert turn.notice is None and turn.reply_by == "rules"
        session = turn.session
        offline, _ = ask(offline, question, SCENARIO, clock.now())
    assert session == offline
    assert store.model_calls.recent() == []


async def test_the_classifier_protocol_remembers_the_models_answer(make_ai, llm, agent):
    ai = make_ai()
    llm.script('{"type": "N"}')
    found = await ai.classifier.aclassify("这样对您有帮助吗？", "zh-Hans", agent_id=agent)
    assert (str(found.qtype), found.source) == ("N", "model")
    assert str(ai.classifier.classify("这样对您有帮助吗？", "zh-Hans")) == "N"
    assert str(ai.classifier.classify("您做什么工作？", "zh-Hans")) == "S"  # the rules
    llm.script(Reply("not json"), Reply("not json"), Reply("not json"))
    found = await ai.classifier.aclassify("万一您病了，家里怎么办？", "zh-Hans", agent_id=agent)
    assert (str(found.qtype), found.source, found.failure) == ("I", "rules", "failed")
