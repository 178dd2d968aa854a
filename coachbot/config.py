"""Settings, loaded once at start-up from the environment (and an optional TOML file)."""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

# the methodology's tier bands are a rule of the domain; a deployment only overrides them here
from coachbot.domain.tiers import DEFAULT_TIER_THRESHOLDS

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_LLM_URL = "https://api.openai.com/v1"
LLM_JSON_MODES = ("json_schema", "json_object", "off")
_LOCAL_HOSTS = ("127.", "localhost", "[::1]", "0.0.0.0")
DEFAULT_FILE_URL = "https://api.telegram.org/file/bot"


class ConfigError(ValueError):
    """A setting is missing or wrong; the message says what to fix."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to start, validated."""

    token: str | None = None
    api_url: str = DEFAULT_API_URL
    file_url: str = DEFAULT_FILE_URL
    db_path: Path = Path("coachbot.db")
    templates_dir: Path | None = None
    log_level: str = "INFO"
    require_invite: bool = False
    allowed_user_ids: frozenset[int] = field(default_factory=frozenset)
    tier_thresholds: Mapping[str, tuple[int, int]] = field(
        default_factory=lambda: dict(DEFAULT_TIER_THRESHOLDS)
    )
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    sweep_seconds: float = 30.0
    # the optional language model (off unless llm_model or llm_transcribe_model is set)
    llm_base_url: str = DEFAULT_LLM_URL
    llm_api_key: str | None = field(default=None, repr=False)
    llm_model: str | None = None
    llm_transcribe_model: str | None = None
    whisper_model_path: Path | None = None
    llm_json_mode: str = "json_object"
    llm_timeout: float = 20.0
    llm_retries: int = 2
    llm_daily_calls: int = 200  # per agent per day; 0: no limit
    llm_daily_tokens: int = 200_000  # per agent per day; 0: no limit

    @property
    def uses_sandbox(self) -> bool:
        """No token configured: the bot talks to the bundled local sandbox."""
        return not self.token

    @property
    def llm_enabled(self) -> bool:
        """A chat model is configured: role-play, facts and question types use it."""
        return bool(self.llm_model)

    @property
    def transcription_enabled(self) -> bool:
        """Voice notes can be turned into text (a transcription model or local Whisper)."""
        return bool(self.llm_transcribe_model or self.whisper_model_path)

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some values changed (used by the CLI and tests)."""
        return replace(self, **changes)  # type: ignore[arg-type]


_ENV_KEYS = {
    "TELEGRAM_BOT_TOKEN": "token",
    "TELEGRAM_API_URL": "api_url",
    "TELEGRAM_FILE_URL": "file_url",
    "COACHBOT_DB": "db_path",
    "COACHBOT_TEMPLATES": "templates_dir",
    "COACHBOT_LOG_LEVEL": "log_level",
    "COACHBOT_REQUIRE_INVITE": "require_invite",
    "COACHBOT_ALLOWED_USERS": "allowed_user_ids",
    "COACHBOT_WEBHOOK_SECRET": "webhook_secret",
    "COACHBOT_WEBHOOK_LISTEN": "webhook_listen",
    "COACHBOT_WEBHOOK_PORT": "webhook_port",
    "COACHBOT_LLM_BASE_URL": "llm_base_url",
    "COACHBOT_LLM_API_KEY": "llm_api_key",
    "COACHBOT_LLM_MODEL": "llm_model",
    "COACHBOT_LLM_TRANSCRIBE_MODEL": "llm_transcribe_model",
    "COACHBOT_WHISPER_MODEL_PATH": "whisper_model_path",
    "COACHBOT_LLM_JSON_MODE": "llm_json_mode",
    "COACHBOT_LLM_TIMEOUT": "llm_timeout",
    "COACHBOT_LLM_RETRIES": "llm_retries",
    "COACHBOT_LLM_DAILY_CALLS": "llm_daily_calls",
    "COACHBOT_LLM_DAILY_TOKENS": "llm_daily_tokens",
}


def load_settings(
    env: Mapping[str, str] | None = None, config_file: Path | None = None
) -> Settings:
    """Read settings from a TOML file (optional) overlaid by environment variables."""
    env = os.environ if env is None else env
    raw: dict[str, object] = {}
    path = config_file or (Path(env["COACHBOT_CONFIG"]) if env.get("COACHBOT_CONFIG") else None)
    if path is not None:
        raw.update(_read_toml(path))
    for key, name in _ENV_KEYS.items():
        value = env.get(key)
        if value is not None and value != "":
            raw[name] = value
    return _validate(raw)


def _read_toml(path: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"COACHBOT_CONFIG: file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"COACHBOT_CONFIG: {path} is not valid TOML ({exc})") from exc
    section = data.get("coachbot", data)
    if not isinstance(section, dict):
        raise ConfigError(f"COACHBOT_CONFIG: {path} needs a [coachbot] table")
    known = set(_ENV_KEYS.values()) | {"tier_thresholds"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"COACHBOT_CONFIG: unknown setting(s) {', '.join(unknown)} in {path}")
    return dict(section)


def _validate(raw: Mapping[str, object]) -> Settings:
    settings = Settings()
    changes: dict[str, object] = {}
    token = raw.get("token")
    if token is not None:
        token = str(token).strip()
        if ":" not in token or not token.split(":", 1)[0].isdigit():
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN looks wrong: expected '<digits>:<secret>' as BotFather gives it"
            )
        changes["token"] = token
    for name in ("api_url", "file_url"):
        if name in raw:
            url = str(raw[name]).strip()
            if not url.startswith(("http://", "https://")):
                var = "TELEGRAM_API_URL" if name == "api_url" else "TELEGRAM_FILE_URL"
                raise ConfigError(f"{var} must start with http:// or https:// (got {url!r})")
            changes[name] = url
    if "db_path" in raw:
        db_path = Path(str(raw["db_path"])).expanduser()
        if not db_path.parent.exists():
            raise ConfigError(f"COACHBOT_DB: folder {db_path.parent} does not exist")
        changes["db_path"] = db_path
    if "templates_dir" in raw:
        folder = Path(str(raw["templates_dir"])).expanduser()
        if not folder.is_dir():
            raise ConfigError(f"COACHBOT_TEMPLATES: {folder} is not a folder")
        changes["templates_dir"] = folder
    if "log_level" in raw:
        level = str(raw["log_level"]).upper()
        if level not in logging.getLevelNamesMapping():
            raise ConfigError(
                f"COACHBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR (got {level!r})"
            )
        changes["log_level"] = level
    if "require_invite" in raw:
        changes["require_invite"] = _to_bool("COACHBOT_REQUIRE_INVITE", raw["require_invite"])
    if "allowed_user_ids" in raw:
        changes["allowed_user_ids"] = _to_ids(raw["allowed_user_ids"])
    if "webhook_port" in raw:
        try:
            changes["webhook_port"] = int(str(raw["webhook_port"]))
        except ValueError as exc:
            raise ConfigError("COACHBOT_WEBHOOK_PORT must be a port number") from exc
    for name in ("webhook_secret", "webhook_listen"):
        if name in raw:
            changes[name] = str(raw[name])
    if "tier_thresholds" in raw:
        changes["tier_thresholds"] = _to_thresholds(raw["tier_thresholds"])
    changes.update(_validate_llm(raw))
    return replace(settings, **changes)  # type: ignore[arg-type]


def _validate_llm(raw: Mapping[str, object]) -> dict[str, object]:
    """The language-model settings: all optional, but consistent when any is given."""
    changes: dict[str, object] = {}
    for name in ("llm_api_key", "llm_model", "llm_transcribe_model"):
        if name in raw and str(raw[name]).strip():
            changes[name] = str(raw[name]).strip()
    if "llm_base_url" in raw:
        url = str(raw["llm_base_url"]).strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(
                f"COACHBOT_LLM_BASE_URL must start with http:// or https:// (got {url!r})")
        changes["llm_base_url"] = url
    if "whisper_model_path" in raw:
        path = Path(str(raw["whisper_model_path"])).expanduser()
        if not path.exists():
            raise ConfigError(f"COACHBOT_WHISPER_MODEL_PATH: {path} does not exist "
                              "(a faster-whisper model folder, e.g. a CTranslate2 'small')")
        changes["whisper_model_path"] = path
    if "llm_json_mode" in raw:
        mode = str(raw["llm_json_mode"]).strip().lower()
        if mode not in LLM_JSON_MODES:
            raise ConfigError(f"COACHBOT_LLM_JSON_MODE must be {', '.join(LLM_JSON_MODES)} "
                              f"(got {mode!r})")
        changes["llm_json_mode"] = mode
    bounds = {"llm_timeout": (1, 300, float, "seconds per request"),
              "llm_retries": (0, 5, int, "retries after a failed request"),
              "llm_daily_calls": (0, 1_000_000, int, "requests per agent per day, 0 for none"),
              "llm_daily_tokens": (0, 100_000_000, int, "tokens per agent per day, 0 for none")}
    for name, (low, high, kind, meaning) in bounds.items():
        if name in raw:
            var = "COACHBOT_" + name.upper()
            try:
                value = kind(str(raw[name]).strip())
            except ValueError as exc:
                raise ConfigError(f"{var} must be a number: {meaning}") from exc
            if not low <= value <= high:
                raise ConfigError(f"{var} must be between {low} and {high}: {meaning}")
            changes[name] = value
    model, key = changes.get("llm_model"), changes.get("llm_api_key")
    url = str(changes.get("llm_base_url", DEFAULT_LLM_URL))
    wants_server = any(n in changes for n in ("llm_base_url", "llm_api_key",
                                              "llm_transcribe_model"))
    if wants_server and not model and "llm_transcribe_model" not in changes:
        raise ConfigError("COACHBOT_LLM_MODEL is not set: name the chat model to use "
                          "(e.g. gpt-4o-mini, deepseek-chat, qwen-plus, qwen2.5:7b)")
    if (model or "llm_transcribe_model" in changes) and not key \
            and not url.split("://", 1)[1].startswith(_LOCAL_HOSTS):
        raise ConfigError("COACHBOT_LLM_API_KEY is not set: the provider's API key is needed "
                          "(only a server on this machine, like Ollama, runs without one)")
    return changes


def _to_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false (got {value!r})")


def _to_ids(value: object) -> frozenset[int]:
    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    try:
        return frozenset(int(str(item).strip()) for item in items if str(item).strip())
    except ValueError as exc:
        raise ConfigError(
            "COACHBOT_ALLOWED_USERS must be Telegram user ids separated by commas"
        ) from exc


def _to_thresholds(value: object) -> dict[str, tuple[int, int]]:
    if not isinstance(value, dict):
        raise ConfigError("tier_thresholds must be a table like CNY = [20000, 200000]")
    result = dict(DEFAULT_TIER_THRESHOLDS)
    for currency, pair in value.items():
        if not (isinstance(pair, list) and len(pair) == 2 and pair[0] < pair[1]):
            raise ConfigError(f"tier_thresholds.{currency} must be [vip_from, hnw_from], ascending")
        result[str(currency).upper()] = (int(pair[0]), int(pair[1]))
    return result
