"""Every failure of the model ends in the rules' answer and a one-line notice; every attempt
is bounded (timeout, retries, daily budget) and logged by size, never by content."""

from __future__ import annotations

import time

import pytest

from coachbot.fakellm import Reply
from coachbot.services.ai.gateway import Limits
from tests.ai.conftest import AGENT, FAST

NOTE = "老婆全职带两个孩子，房贷每月1.5万"


def rules(text: str, locale: str, kind: str = "note") -> dict[str, object]:
    """A stand-in for the rule-based extractor, to tell its answer from the model's."""
    return {"spouse": True, "children": 2} if "两个孩子" in text else {}


async def test_a_429_with_retry_after_is_retried_then_answered(make_ai, llm, store, agent):
    ai = make_ai(fact_rules=rules)
    llm.script(Reply(status=429, retry_after=0.01), '{"spouse": true, "spouse_works": false}')
    found = await ai.facts.read(agent_id=agent, text=NOTE, locale="zh-Hans")
    assert (found.source, found.facts, found.notice) == \
        ("model", {"spouse": True, "spouse_works": False}, None)
    outcomes = [c.outcome for c in reversed(store.model_calls.recent())]
    assert outcomes == ["rate_limited", "ok"]


@pytest.mark.parametrize("failure", [
    Reply(status=500), Reply(status=429, retry_after=0.01), Reply("这不是 JSON {"),
    Reply(raw_body="{broken"), Reply('{"children": "many"}'), Reply(delay=1.5),
], ids=["500", "429", "malformed-json", "broken-body", "schema-invalid-only", "timeout"])
async def test_each_failure_falls_back_to_the_rules_with_a_notice(make_ai, llm, store, agent,
                                                                  failure):
    ai = make_ai(limits=Limits(retries=1, daily_calls=50, daily_tokens=0, backoff=0.0,
                               max_wait=0.02), fact_rules=rules)
    llm.script(failure, failure)
    began = time.monotonic()
    found = await ai.facts.read(agent_id=agent, text=NOTE, locale="zh-Hans")
    if failure.content == '{"children": "many"}':  # valid JSON: the bad key alone is dropped
        assert (found.source, found.facts, found.dropped) == ("model", {}, ("children",))
        return
    assert found.source == "rules" and found.facts == {"spouse": True, "children": 2}
    assert found.notice == "ℹ️ AI 教练暂时没有响应，这次用内置规则识别客户信息。"
    assert len(llm.chat_requests()) == 2  # one try and one retry, no more
    assert time.monotonic() - began < 4  # two 1 s timeouts at most
    calls = store.model_calls.recent()
    assert len(calls) == 2 and all(c.outcome != "ok" for c in calls)


async def test_a_refused_request_is_not_retried(make_ai, llm, store, agent):
    ai = make_ai(fact_rules=rules)
    llm.script(Reply(status=401))
    found = await ai.facts.read(agent_id=agent, text=NOTE, locale="zh-Hans")
    assert found.source == "rules" and found.failure == "failed"
    assert len(llm.chat_requests()) == 1
    assert store.model_calls.recent()[0].outcome == "refused"


async def test_the_daily_budget_stops_calls_and_says_so(make_ai, llm, store, agent, clock):
    ai = make_ai(limits=Limits(retries=0, daily_calls=2, daily_tokens=0, backoff=0.0),
                 fact_rules=rules)
    for _ in range(2):
        assert (await ai.facts.read(agent_id=agent, text=NOTE, locale="zh-Hans")).source \
            == "model"
    found = await ai.facts.read(agent_id=agent, text=NOTE, locale="zh-Hans")
    assert found.source == "rules" and found.failure == "budget"
    assert found.notice == "ℹ️ 今天的 AI 教练额度已用完，这次用内置规则识别客户信息。"
    assert len(llm.chat_requests()) == 2
    # another agent has their own budget; the next day (Shanghai midnight) it starts again
    store.agents.ensure_agent(7, first_name="B", username=None, locale="en")
    assert (await ai.facts.read(agent_id=7, text=NOTE, locale="en")).source == "model"
    from datetime import timedelta
    clock.set(clock.now() + timedelta(days=1))
    assert (await ai.facts.read(agent_id=agent, text=NOTE, locale="zh-Hans")).source == "model"


async def test_a_token_budget_counts_what_the_server_reports(make_ai, llm, store, agent):
    ai = make_ai(limits=Limits(retries=0, daily_calls=0, daily_tokens=10, backoff=0.0),
                 fact_rules=rules)
    await ai.facts.read(agent_id=agent, text=NOTE, locale="zh-Hans")
    assert store.model_calls.usage_since(agent, store.clock.now().replace(hour=0)).tokens > 10
    found = await ai.facts.read(agent_id=agent, text=NOTE, locale="zh-Hans")
    assert found.failure == "budget" and len(llm.chat_requests()) == 1


async def test_the_log_holds_sizes_and_never_the_text(make_ai, llm, store, agent):
    ai = make_ai()
    await ai.facts.read(agent_id=agent, text="张三手机13812345678，" + NOTE, locale="zh-Hans",
                        names=["张三"])
    [call] = store.model_calls.recent()
    assert (call.agent_id, call.feature, call.endpoint, call.model, call.outcome) == \
        (AGENT, "facts", "chat", "fake-model", "ok")
    assert call.host == llm.base_url.split("//")[1].split("/")[0]
    assert call.redacted == 1 and call.names_masked == 1
    assert call.sent_chars == sum(len(m["content"]) for m in llm.chat_requests()[0].messages)
    assert call.prompt_tokens > 0 and not call.tokens_estimated
    row = store.db.execute("SELECT * FROM model_calls").fetchone()
    assert not any(isinstance(v, str) and ("两个孩子" in v or "张三" in v) for v in row)


async def test_without_a_model_the_rules_answer_nothing_is_sent_and_nothing_is_said(
        offline_ai, store, agent):
    found = await offline_ai.facts.read(agent_id=agent, text=NOTE, locale="zh-Hans")
    assert (found.source, found.notice) == ("rules", None)
    assert found.facts == {"spouse": True, "spouse_works": False, "children": 2,
                           "mortgage": True, "mortgage_monthly": 15000}
    assert store.model_calls.recent() == []
    assert FAST.retries == 2


async def test_a_server_that_wants_other_sampling_parameters_is_asked_again(make_ai, llm,
                                                                            agent):
    ai = make_ai()
    llm.script(Reply(status=400, message="Unsupported parameter: 'max_tokens' is not supported "
                     "with this model. Use 'max_completion_tokens' instead."),
               Reply(status=400, message="Unsupported value: 'temperature' does not support 0"),
               '{"children": 1}',
               Reply("女儿今年上初中。"))
    found = await ai.facts.read(agent_id=agent, text="女儿上初中", locale="zh-Hans")
    assert found.facts == {"children": 1}
    last = llm.chat_requests()[-1].body
    assert "max_tokens" not in last and last["max_completion_tokens"] == 400
    assert "temperature" not in last
    chunks = [c async for c in ai.gateway.stream_text(  # the stream keeps what was learnt
        agent_id=agent, feature="test", system="", messages=[{"role": "user", "content": "hi"}])]
    assert "".join(chunks) == "女儿今年上初中。"
    assert "max_tokens" not in llm.chat_requests()[-1].body
