"""Settings come from the environment and fail with a message that says what to fix."""

from pathlib import Path

import pytest

from coachbot.config import ConfigError, load_settings


def test_defaults_without_a_token_use_the_sandbox():
    settings = load_settings({})
    assert settings.uses_sandbox
    assert settings.db_path == Path("coachbot.db")
    assert settings.api_url == "https://api.telegram.org/bot"


def test_environment_values_are_read(tmp_path):
    settings = load_settings({
        "TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_API_URL": "http://127.0.0.1:9/bot",
        "COACHBOT_DB": str(tmp_path / "x.db"), "COACHBOT_TEMPLATES": str(tmp_path),
        "COACHBOT_LOG_LEVEL": "debug", "COACHBOT_REQUIRE_INVITE": "yes",
        "COACHBOT_ALLOWED_USERS": "1, 2,3",
    })
    assert settings.token == "123:abc" and not settings.uses_sandbox
    assert settings.api_url == "http://127.0.0.1:9/bot"
    assert settings.templates_dir == tmp_path
    assert settings.log_level == "DEBUG"
    assert settings.require_invite and settings.allowed_user_ids == {1, 2, 3}


@pytest.mark.parametrize(
    ("env", "says"),
    [({"TELEGRAM_BOT_TOKEN": "nonsense"}, "TELEGRAM_BOT_TOKEN"),
     ({"TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
     ({"COACHBOT_DB": "/no/such/folder/x.db"}, "COACHBOT_DB"),
     ({"COACHBOT_TEMPLATES": "/no/such/folder"}, "COACHBOT_TEMPLATES"),
     ({"COACHBOT_LOG_LEVEL": "LOUD"}, "COACHBOT_LOG_LEVEL"),
     ({"COACHBOT_REQUIRE_INVITE": "maybe"}, "COACHBOT_REQUIRE_INVITE"),
     ({"COACHBOT_ALLOWED_USERS": "alice"}, "COACHBOT_ALLOWED_USERS")],
)
def test_wrong_values_name_the_variable(env, says):
    with pytest.raises(ConfigError, match=says):
        load_settings(env)


def test_toml_file_then_environment(tmp_path):
    path = tmp_path / "coachbot.toml"
    path.write_text('[coachbot]\nlog_level = "WARNING"\n[coachbot.tier_thresholds]\n'
                    'SGD = [5000, 50000]\n', encoding="utf-8")
    settings = load_settings({"COACHBOT_CONFIG": str(path), "COACHBOT_LOG_LEVEL": "ERROR"})
    assert settings.log_level == "ERROR"
    assert settings.tier_thresholds["SGD"] == (5000, 50000)
    assert settings.tier_thresholds["CNY"] == (20000, 200000)


def test_toml_unknown_key_is_named(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[coachbot]\ntokn = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="tokn"):
        load_settings({}, config_file=path)
