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

    @property
    def uses_sandbox(self) -> bool:
        """No token configured: the bot talks to the bundled local sandbox."""
        return not self.token

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
    return replace(settings, **changes)  # type: ignore[arg-type]


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
