"""The model settings, the start-up line that says what is on, and `coachbot model-log`."""

from __future__ import annotations

import pytest

from coachbot.cli import main
from coachbot.config import ConfigError, load_settings
from coachbot.services.ai.setup import features_line

DEEPSEEK = {"COACHBOT_LLM_BASE_URL": "https://api.deepseek.com/v1",
            "COACHBOT_LLM_API_KEY": "sk-x", "COACHBOT_LLM_MODEL": "deepseek-chat"}


def test_the_model_is_off_unless_configured():
    settings = load_settings({})
    assert not settings.llm_enabled and not settings.transcription_enabled
    assert features_line(settings).startswith("AI coach: off (rules only;")


def test_a_provider_is_three_variables():
    settings = load_settings({**DEEPSEEK, "COACHBOT_LLM_DAILY_CALLS": "50"})
    assert settings.llm_enabled and settings.llm_model == "deepseek-chat"
    assert "sk-x" not in repr(settings)
    line = features_line(settings)
    assert line.startswith("AI coach: on: role-play, facts from notes and question types "
                           "with deepseek-chat at api.deepseek.com;")
    assert "voice notes off" in line and "50 requests" in line


def test_a_local_server_needs_no_key_and_openai_is_the_default_url():
    local = load_settings({"COACHBOT_LLM_BASE_URL": "http://localhost:11434/v1",
                           "COACHBOT_LLM_MODEL": "qwen2.5:7b"})
    assert local.llm_enabled and local.llm_api_key is None
    openai = load_settings({"COACHBOT_LLM_API_KEY": "sk", "COACHBOT_LLM_MODEL": "gpt-4o-mini",
                            "COACHBOT_LLM_TRANSCRIBE_MODEL": "whisper-1"})
    assert openai.llm_base_url == "https://api.openai.com/v1"
    assert "voice notes via whisper-1 at api.openai.com" in features_line(openai)


def test_local_whisper_is_named_at_start_up(tmp_path):
    settings = load_settings({"COACHBOT_WHISPER_MODEL_PATH": str(tmp_path)})
    assert settings.transcription_enabled and not settings.llm_enabled
    assert "voice notes via local faster-whisper" in features_line(settings)


@pytest.mark.parametrize(("env", "says"), [
    ({"COACHBOT_LLM_MODEL": "gpt-4o-mini"}, "COACHBOT_LLM_API_KEY"),
    ({"COACHBOT_LLM_API_KEY": "sk"}, "COACHBOT_LLM_MODEL"),
    ({**DEEPSEEK, "COACHBOT_LLM_BASE_URL": "api.deepseek.com"}, "COACHBOT_LLM_BASE_URL"),
    ({**DEEPSEEK, "COACHBOT_LLM_TIMEOUT": "soon"}, "COACHBOT_LLM_TIMEOUT"),
    ({**DEEPSEEK, "COACHBOT_LLM_RETRIES": "9"}, "COACHBOT_LLM_RETRIES"),
    ({**DEEPSEEK, "COACHBOT_LLM_DAILY_TOKENS": "-1"}, "COACHBOT_LLM_DAILY_TOKENS"),
    ({**DEEPSEEK, "COACHBOT_LLM_JSON_MODE": "xml"}, "COACHBOT_LLM_JSON_MODE"),
    ({"COACHBOT_WHISPER_MODEL_PATH": "/no/such/model"}, "COACHBOT_WHISPER_MODEL_PATH"),
])
def test_wrong_model_settings_name_the_variable(env, says):
    with pytest.raises(ConfigError, match=says) as error:
        load_settings(env)
    assert "\n" not in str(error.value)


def test_model_settings_in_the_toml_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[coachbot]\nllm_model = "qwen-plus"\nllm_api_key = "sk"\n'
                    'llm_base_url = "https://dashscope.aliyuncs.com/compatible-mode/v1"\n'
                    'llm_daily_calls = 30\n', encoding="utf-8")
    settings = load_settings({}, config_file=path)
    assert (settings.llm_model, settings.llm_daily_calls) == ("qwen-plus", 30)


def test_model_log_lists_what_left_the_server(tmp_path, capsys, monkeypatch):
    from datetime import UTC, datetime

    from coachbot.domain.model_calls import ModelCall
    from coachbot.store import Store

    db = tmp_path / "bot.db"
    store = Store.open(db)
    now = datetime.now(UTC)
    store.model_calls.record(ModelCall(at=now, agent_id=42, feature="facts", endpoint="chat",
                                       host="api.deepseek.com", model="deepseek-chat",
                                       outcome="ok", sent_chars=812, redacted=2,
                                       names_masked=1, received_chars=40, prompt_tokens=300,
                                       completion_tokens=20))
    store.model_calls.record(ModelCall(at=now, agent_id=42, feature="voice",
                                       endpoint="transcription", host="api.openai.com",
                                       model="whisper-1", outcome="timeout", sent_bytes=9000))
    store.close()
    monkeypatch.setenv("COACHBOT_DB", str(db))
    assert main(["model-log"]) == 0
    out = capsys.readouterr().out
    assert "facts" in out and "812" in out and "9000" in out
    assert "agent 42" in out and "-> api.deepseek.com deepseek-chat #1: ok" in out
    assert "timeout" in out
    assert main(["model-log", "--feature", "voice", "--calls", "0"]) == 0
    assert "facts" not in capsys.readouterr().out
