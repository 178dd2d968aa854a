"""The one place user-facing text is made: Jinja2 templates and labels under templates/."""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import coachbot_templates
import yaml
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    pass_context,
)
from jinja2.runtime import Context
from markupsafe import escape

from coachbot.domain import locales
from coachbot.domain.clock import Clock, SystemClock
from coachbot.domain.regions import REGIONS

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
PLACEHOLDER_LIMIT = 64  # input_field_placeholder of ForceReply and ReplyKeyboardMarkup
FALLBACKS = {"zh-Hant": ("zh-Hant", "zh-Hans", "en"), "en": ("en", "zh-Hans")}
LABELS_DIR = "labels"  # templates/<locale>/labels/*.yaml, one file per feature
# libyaml's safe loader where PyYAML has it: the same data, read ten times faster (the
# labels are read when a locale is first used: 0.3 s in Python)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def bundled_templates_dir() -> Path:
    """templates/ of a source checkout, or the copy shipped inside the wheel."""
    return Path(coachbot_templates.__file__).resolve().parent


class Renderer:
    """Renders every message (HTML, escaped for Telegram) and every button label (plain)."""

    def __init__(self, override_dir: Path | None = None, clock: Clock | None = None) -> None:
        # the clock gives today for examples in prompts ("例如 12月16日" is always ahead)
        self.clock: Clock = clock or SystemClock()
        roots = [bundled_templates_dir()]
        if override_dir is not None:
            roots.insert(0, override_dir)
        self._roots = roots
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(str(root)) for root in roots]),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,
            # every template stays compiled: there are ~600 (3 locales), more than Jinja's
            # default LRU of 400, which would recompile includes evicted in a busy day
            cache_size=-1,
        )
        self._label_env = Environment(undefined=StrictUndefined, autoescape=False)
        # labels may show a date too: a placeholder's example counted from today
        self._label_env.filters.update(date=_date_filter)
        self._label_env.globals.update(example_day=_example_day)
        self.env.filters.update(
            date=_date_filter, datetime=_datetime_filter, time=_time_filter,
            number=_number_filter, money=_money_filter, yearly=_yearly_filter,
            phone=_phone_filter, zone_name=_zone_name_filter, premium=_premium_filter,
        )
        self.env.globals.update(label=_label_global, example_day=_example_day)
        self._labels: dict[str, dict[str, str]] = {}
        self._label_cache: dict[tuple[str, str], Template] = {}
        # (locale, key, region) -> a label that is plain text, as its fallbacks resolve it
        self._plain_labels: dict[tuple[str, str, str | None], str] = {}
        # (locale, name) -> the template its fallbacks resolve to (templates never reload)
        self._templates: dict[tuple[str, str], Template] = {}

    # -- messages -------------------------------------------------------------------------
    def render(self, locale: str, name: str, /, **context: Any) -> str:
        """The HTML of message `name` (e.g. "onboarding/welcome") in the agent's locale."""
        template = self._template(locale, name)
        context.setdefault("region", None)
        return template.render(locale=locale, renderer=self, **context).strip()

    def has_template(self, locale: str, name: str) -> bool:
        """Whether `name` exists for this exact locale (used by meta-tests)."""
        try:
            self.env.get_template(f"{locale}/{name}.j2")
        except TemplateNotFound:
            return False
        return True

    def _template(self, locale: str, name: str) -> Template:
        template = self._templates.get((locale, name))
        if template is None:
            candidates = [f"{loc}/{name}.j2" for loc in FALLBACKS.get(locale, (locale, "en"))]
            template = self.env.select_template(candidates)
            self._templates[(locale, name)] = template
        return template

    # -- labels (buttons, command descriptions, short phrases) ---------------------------
    def label(self, locale: str, key: str, /, default: str | None = None, *,
              region: str | None = None, **context: Any) -> str:
        """A short plain-text label (not HTML-escaped: button texts are plain). A key may have
        a variant for a region, written `key@HK` in the labels files (Hong Kong says 危疾 and
        冷靜期 where Taiwan says 重大疾病險 and 契約撤銷期); it wins for agents of that region."""
        plain = self._plain_labels.get((locale, key, region))
        if plain is not None:
            return plain
        for loc in FALLBACKS.get(locale, (locale, "en")):
            labels = self._labels_for(loc)
            found = f"{key}@{region}" if region and f"{key}@{region}" in labels else key
            source = labels.get(found)
            if source is not None:
                if "{" not in source and not source.endswith("\n"):
                    # most labels are plain text: Jinja would return them as is; a card asks
                    # for twenty, each found again through the locale's fallbacks
                    self._plain_labels[(locale, key, region)] = source
                    return source
                template = self._label_cache.get((loc, found))
                if template is None:
                    template = self._label_env.from_string(source)
                    self._label_cache[(loc, found)] = template
                return template.render(
                    **{"locale": locale, "region": region, "renderer": self, **context})
        if default is not None:
            return default
        raise KeyError(f"label {key!r} is missing in templates/{locale}/{LABELS_DIR}/")

    def placeholder(self, locale: str, key: str, /, *, region: str | None = None,
                    zone: str | None = None, **context: Any) -> str:
        """The example a typed step shows in the agent's input field (label
        `placeholders.<key>`), within Telegram's 64 characters; a date in it is counted from
        today in `zone`, so it is never one already past."""
        text = self.label(locale, f"placeholders.{key}", region=region, zone=zone, **context)
        return text[:_index_within(text, PLACEHOLDER_LIMIT)].strip()

    def label_keys(self, locale: str) -> set[str]:
        """Every label key defined for a locale."""
        return set(self._labels_for(locale))

    def _labels_for(self, locale: str) -> Mapping[str, str]:
        if locale not in self._labels:
            merged: dict[str, str] = {}
            for root in reversed(self._roots):  # bundled first, overrides on top
                for path in sorted((root / locale / LABELS_DIR).glob("*.yaml")):
                    tree = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
                    merged.update(_flatten(tree))
            self._labels[locale] = merged
        return self._labels[locale]


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


# -- filters and globals: they read the locale and region from the render context ---------
@pass_context
def _label_global(ctx: Context, key: str, **kwargs: Any) -> str:
    return ctx["renderer"].label(ctx["locale"], key, region=ctx.get("region"), **kwargs)


def _zone(ctx: Context) -> tzinfo | None:
    """The reader's time zone: `zone` if the caller gave it, else the agent's, else their
    region's; None when none is known (a moment is then shown as stored, in UTC)."""
    name = ctx.get("zone")
    agent = ctx.get("agent")
    if not name and agent is not None:
        name = getattr(agent, "timezone", None)
    if not name and ctx.get("region") in REGIONS:
        name = REGIONS[ctx["region"]].timezone
    if not name or not isinstance(name, str):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _local(ctx: Context, value: Any) -> Any:
    """A stored moment (UTC) in the reader's zone: a visit at 06:25 in Beijing on 12/7 is
    12/7 on the card, not the 6th."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        zone = _zone(ctx)
        if zone is not None:
            return value.astimezone(zone)
    return value


@pass_context
def _date_filter(ctx: Context, value: Any, fmt: str = "medium") -> str:
    return locales.format_date(_local(ctx, value), ctx["locale"], ctx.get("region"), fmt)


@pass_context
def _datetime_filter(ctx: Context, value: Any, fmt: str = "medium") -> str:
    return locales.format_datetime(_local(ctx, value), ctx["locale"], ctx.get("region"), fmt)


@pass_context
def _time_filter(ctx: Context, value: Any) -> str:
    return locales.format_time(_local(ctx, value), ctx["locale"], ctx.get("region"))


@pass_context
def _zone_name_filter(ctx: Context, name: str) -> str:
    """A time zone as people say it: "香港時間", "北京时间", "英国时间" - not "Asia/Hong_Kong"."""
    named = ctx["renderer"].label(ctx["locale"], f"zones.{name}", default="")
    if named:
        return str(named)
    try:
        return str(locales.zone_location(name, ctx["locale"], ctx.get("region")))
    except (LookupError, ValueError):
        return name


@pass_context
def _example_day(ctx: Context, days_ahead: int) -> date:
    """A date `days_ahead` from today where the reader is, for examples in prompts (an
    example must never be a date already past). `today` in the context wins."""
    today = ctx.get("today")
    if not isinstance(today, date):
        now = ctx["renderer"].clock.now()
        zone = _zone(ctx)
        today = (now.astimezone(zone) if zone else now).date()
    return today + timedelta(days=days_ahead)


@pass_context
def _number_filter(ctx: Context, value: Any) -> str:
    return locales.format_number(value, ctx["locale"], ctx.get("region"))


@pass_context
def _money_filter(ctx: Context, value: Any, currency: str) -> str:
    return locales.format_money(value, currency, ctx["locale"], ctx.get("region"))


@pass_context
def _premium_filter(ctx: Context, value: Any, currency: str) -> str:
    """Premium of an Activity (or a board row) in the team's currency, plus what is in a
    currency without a rate, each as itself: "¥27,600 + US$5,000"."""
    amount = getattr(value, "premium", None)
    if amount is None:
        amount = getattr(value, "value", 0.0)
    parts = [(currency, amount)] if amount or not value.unconverted else []
    parts += list(value.unconverted)
    return " + ".join(locales.format_money(a, c, ctx["locale"], ctx.get("region"))
                      for c, a in parts)


@pass_context
def _yearly_filter(ctx: Context, stored: str) -> str:
    from coachbot.domain.display import yearly_text

    return yearly_text(stored, ctx["locale"], ctx.get("region"))


@pass_context
def _phone_filter(ctx: Context, e164: str) -> str:
    from coachbot.domain.display import phone_text

    return phone_text(e164, ctx.get("region"))


# -- Telegram's length limits -------------------------------------------------------------
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)([^>]*)>")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split HTML into parts under Telegram's limit, at line ends, keeping tags balanced."""
    if utf16_len(html) <= limit:
        return [html]
    parts: list[str] = []
    current = ""
    for line, joiner in _lines_within(html, limit // 2):
        candidate = f"{current}{joiner}{line}" if current else line
        if current and utf16_len(candidate) + len(_close(_open_tags(candidate))) > limit:
            # close what is open at the cut, and open it again at the start of the next part
            still_open = _open_tags(current)
            parts.append(current + _close(still_open))
            current = "".join(tag for _, tag in still_open) + line
        else:
            current = candidate
    if current:
        parts.append(current)
    return [part for part in parts if part.strip()]


def _lines_within(html: str, max_len: int) -> list[tuple[str, str]]:
    """Lines (pieces of over-long ones) with what joins each to the previous: newline or ""."""
    pieces: list[tuple[str, str]] = []
    for line in html.split("\n"):
        joiner = "\n"
        while utf16_len(line) > max_len:
            cut = _safe_cut(line, max_len)
            pieces.append((line[:cut], joiner))
            line, joiner = line[cut:], ""
        pieces.append((line, joiner))
    return pieces


def _safe_cut(line: str, max_len: int) -> int:
    """A cut position (a str index) whose head is at most max_len UTF-16 units and is not
    inside a tag or an entity."""
    fits = _index_within(line, max_len)
    cut = fits
    while cut > 0:
        head = line[:cut]
        if head.rfind("<") <= head.rfind(">") and head.rfind("&") <= head.rfind(";"):
            return cut
        cut -= 1
    return max(fits, 1)


def _index_within(line: str, max_len: int) -> int:
    """The longest prefix of line (as a str index) that is at most max_len UTF-16 units:
    astral characters (emoji) count twice, as Telegram counts them."""
    units = 0
    for index, char in enumerate(line):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > max_len:
            return index
    return len(line)


def _open_tags(text: str) -> list[tuple[str, str]]:
    stack: list[tuple[str, str]] = []
    for match in _TAG.finditer(text):
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            if stack and stack[-1][0] == name:
                stack.pop()
        else:
            stack.append((name, match.group(0)))
    return stack


def _close(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def plain_text(html: str) -> str:
    """The text Telegram would show for our HTML, for resending without parse mode."""
    return html_module.unescape(_TAG.sub("", html))


def escape_html(value: object) -> str:
    """Escape one value for Telegram HTML (used outside templates, e.g. in tests)."""
    return str(escape(value))
