"""A note turned into checked facts, a voice note into text, and what reached the server."""

from __future__ import annotations

import json
from typing import ClassVar

from coachbot.fakellm import Reply
from coachbot.runtime.model_client import LocalWhisper

NOTE = ("张三（手机13812345678，身份证110101199003074514）说老婆全职带两个孩子，"
        "老大上小学，房贷每月1.5万。他爸去年中风。住在朝阳区建国路88号3栋501室。")
ANSWER = {"spouse": True, "spouse_works": False, "children": 2, "child_stage": ["primary"],
          "mortgage": True, "mortgage_monthly": 15000,
          "health_event": [{"who": "father", "what": "stroke"}], "name": "[C1]"}


async def test_a_note_becomes_facts_and_its_identifiers_never_leave(make_ai, llm, agent):
    ai = make_ai()
    llm.script(json.dumps(ANSWER))
    found = await ai.facts.read(agent_id=agent, text=NOTE, locale="zh-Hans", names=["张三"],
                                kind="visit_log")
    assert found.source == "model" and found.notice is None
    assert found.facts == {k: v for k, v in ANSWER.items() if k != "name"}
    assert found.dropped == ("name",)

    [request] = llm.chat_requests()
    sent = request.text
    for secret in ("13812345678", "110101199003074514", "建国路88号", "张三"):
        assert secret not in sent
    assert "[C1]" in sent and "[PHONE]" in sent and "[ID]" in sent and "[ADDRESS]" in sent
    assert "两个孩子" in sent and "1.5万" in sent  # the facts themselves do go
    assert request.headers["Authorization"] == "Bearer sk-test"


async def test_names_in_a_text_answer_are_restored(make_ai, llm, agent):
    ai = make_ai()
    assert ai.gateway is not None
    llm.responder = lambda request: Reply("好的，" + request.messages[-1]["content"][1:])
    reply = await ai.gateway.ask_text(agent_id=agent, feature="test", system="be brief",
                                      messages=[{"role": "user",
                                                 "content": "约陈美玲和 Jason Tan 下周见"}],
                                      names=["陈美玲", "Jason Tan"])
    assert reply == "好的，陈美玲和 Jason Tan 下周见"
    sent = llm.chat_requests()[0].text
    assert "陈美玲" not in sent and "Jason" not in sent


async def test_json_schema_mode_sends_the_schema(make_ai, llm, agent):
    ai = make_ai(env={"COACHBOT_LLM_JSON_MODE": "json_schema"})
    llm.script('```json\n{"children": 1}\n```')
    found = await ai.facts.read(agent_id=agent, text="女儿上初中", locale="zh-Hans")
    assert found.facts == {"children": 1}
    fmt = llm.chat_requests()[0].body["response_format"]
    assert fmt["type"] == "json_schema"
    assert "child_stage" in fmt["json_schema"]["schema"]["properties"]


async def test_a_voice_note_becomes_text(make_ai, llm, store, agent):
    ai = make_ai()
    llm.script_transcripts("客户说太太刚生了二胎。")
    audio = b"OggS" + bytes(2000)
    result = await ai.voice.transcribe(agent_id=agent, audio=audio, locale="zh-Hans")
    assert (result.text, result.source, result.notice) == ("客户说太太刚生了二胎。", "model", None)
    [request] = llm.requests
    assert request.path == "/v1/audio/transcriptions"
    assert request.files["file"] == audio
    assert request.form["model"] == "whisper-1" and request.form["language"] == "zh"
    [call] = store.model_calls.recent()
    assert (call.feature, call.endpoint, call.sent_bytes) == ("voice", "transcription", 2004)


async def test_a_failed_transcription_tells_the_agent(make_ai, llm, agent):
    ai = make_ai()
    llm.script_transcripts(Reply(status=500), Reply(status=500), Reply(status=500))
    result = await ai.voice.transcribe(agent_id=agent, audio=b"OggS", locale="en")
    assert result.text is None and result.failure == "failed"
    assert result.notice == ("🎙 The voice note couldn’t be turned into text just now: "
                             "please type your note.")


async def test_voice_without_any_transcriber_says_not_configured(offline_ai, agent):
    result = await offline_ai.voice.transcribe(agent_id=agent, audio=b"OggS", locale="zh-Hant")
    assert (result.text, result.failure) == (None, "not_configured")
    assert result.notice == "🎙 語音轉文字尚未開通，請直接打字記錄。"


class FakeWhisperModel:
    """Stands in for faster_whisper.WhisperModel (no model weights in tests)."""

    loaded: ClassVar[list[str]] = []

    def __init__(self, path: str) -> None:
        self.loaded.append(path)

    def transcribe(self, audio, language=None):
        class Segment:
            def __init__(self, text: str) -> None:
                self.text = text
        size = len(audio.read())
        return iter([Segment(f" {size} bytes"), Segment(f" in {language}")]), None


async def test_local_whisper_is_preferred_and_sends_nothing(make_ai, llm, store, agent):
    local = LocalWhisper("/models/small", loader=FakeWhisperModel)
    ai = make_ai(local_transcriber=local)
    for _ in range(2):
        result = await ai.voice.transcribe(agent_id=agent, audio=b"x" * 10, locale="en")
        assert (result.text, result.source) == ("10 bytes in en", "local")
    assert FakeWhisperModel.loaded == ["/models/small"]  # loaded once, on first use
    assert llm.requests == [] and store.model_calls.recent() == []


async def test_local_whisper_without_the_package_falls_back_to_the_server(make_ai, llm, agent):
    ai = make_ai(local_transcriber=LocalWhisper("/models/none"))  # faster-whisper absent
    llm.script_transcripts("hello")
    result = await ai.voice.transcribe(agent_id=agent, audio=b"OggS", locale="en")
    assert (result.text, result.source) == ("hello", "model")
