"""Typed steps' placeholders (the example in the agent's input field): each fits Telegram's 64
characters in every locale and region, each example is an answer its step accepts, and a date
in one is counted from the agent's today, so it is never one already past."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coachbot.domain import money, teams
from coachbot.domain.clients import clean_name, clean_tag, clean_text, search_words
from coachbot.domain.clock import ManualClock
from coachbot.domain.dates import parse_next_step, parse_when, parse_yearly_date
from coachbot.domain.locales import LOCALES
from coachbot.domain.phones import normalize_phone
from coachbot.domain.preferences import place_for_zone_text
from coachbot.domain.regions import REGION_CODES
from coachbot.render.templates import PLACEHOLDER_LIMIT, Renderer, utf16_len
from coachbot.services import book, group_clients, proposals, service_events

ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Typed:
    """Where an example is typed: the agent's locale and region, and their now."""

    locale: str
    region: str
    now: datetime

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(ZONE)).date()


Accepts = Callable[[str, Typed], object]


def _policy(field: str) -> Accepts:
    def accepts(example: str, typed: Typed) -> object:
        parsed = book.parse_policy_field(field, example, typed.today)
        return parsed.error is None and (not isinstance(parsed.value, date)
                                         or parsed.value >= typed.today)
    return accepts


def _proposal(field: str) -> Accepts:
    def accepts(example: str, typed: Typed) -> object:
        value, error = proposals.parse_field(field, example, typed.today)
        return error is None and (not isinstance(value, date) or value > typed.today)
    return accepts


def _ratio(example: str, typed: Typed) -> object:
    ratio = group_clients.parse_ratio(example)
    return ratio is not None and ratio <= 1


def _future(example: str, typed: Typed) -> object:
    when = parse_when(example, typed.now.astimezone(ZoneInfo(ZONE)), typed.locale)
    return when is not None and when.at > typed.now


def _text(example: str, typed: Typed) -> object:
    return clean_text(example)


# what each step does with what is typed (the same functions the steps call)
ACCEPTS: dict[str, Accepts] = {
    "fields.name": lambda e, t: clean_name(e),
    "fields.phone": lambda e, t: normalize_phone(e, t.region if t.region != "XX" else "CN"),
    "fields.birthday": lambda e, t: parse_yearly_date(e),
    "fields.contact_every_days": lambda e, t: e.isdigit() and 1 <= int(e) <= 365,
    "fields.referred_by": lambda e, t: search_words(e),
    **{f"fields.{name}": _text for name in book.TEXT_FIELDS},
    "tag": lambda e, t: clean_tag(e),
    "records.family_line": lambda e, t: not book.parse_family_line(e, t.region,
                                                                    t.today).problems,
    "records.date_label": _text,
    "records.yearly_date": lambda e, t: parse_yearly_date(e),
    **{f"policy.{name}": _policy(name) for name in book.POLICY_TYPED_FIELDS},
    **{f"proposal.{name}": _proposal(name)
       for name in ("sum_insured", "premium", "explain_on", "reaction")},
    "remind_when": _future,
    "next_step": lambda e, t: parse_next_step(e, t.today),
    "visit_summary": _text,
    "client_search": lambda e, t: search_words(e),
    "referral_person": _text,
    "settings.commission": lambda e, t: money.parse_rate(e),
    "settings.source_targets": lambda e, t: money.parse_source_targets(e),
    "settings.zone": lambda e, t: place_for_zone_text(e),
    "team.goal": lambda e, t: teams.parse_weekly_target(e),
    "team.nickname": lambda e, t: teams.clean_nickname(e),
    "team.name": lambda e, t: teams.clean_team_name(e),
    "group.person": _text,
    "group.credit": lambda e, t: group_clients.parse_credit(e),
    **{f"group.{name}": _ratio for name in ("loss", "expense", "compulsory", "group_motor")},
    "group.sum_insured": lambda e, t: book.parse_amount(e),
    "group.industry": _text,
    "group.size": lambda e, t: e.isdigit(),
    **{f"service.{kind}": lambda e, t: service_events.clean_title(e)
       for kind in ("gathering", "claim", "servicing", "renewal")},
}


def _keys(renderer: Renderer, locale: str) -> list[str]:
    return sorted({key.removeprefix("placeholders.").split("@")[0]
                   for key in renderer.label_keys(locale) if key.startswith("placeholders.")})


def _examples(text: str) -> list[str]:
    """"例如 2027-03-15 或 3月15日" -> the two answers it shows."""
    body = re.sub(r"^(例如|e\.g\.)\s+", "", text)
    assert body != text, f"{text!r} does not start the way an example does"
    return [part.strip() for part in re.split(r" 或 | or ", body)]


def test_every_placeholder_names_a_step_that_is_checked(renderer):
    assert _keys(renderer, "zh-Hans") == sorted(ACCEPTS)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("region", REGION_CODES)
def test_every_example_fits_the_input_field_and_is_accepted(locale, region):
    now = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    renderer = Renderer(clock=ManualClock(now))
    typed = Typed(locale, region, now)
    for key in _keys(renderer, locale):
        text = renderer.label(locale, f"placeholders.{key}", region=region, zone=ZONE)
        assert 1 <= utf16_len(text) <= PLACEHOLDER_LIMIT, (key, text)
        assert renderer.placeholder(locale, key, region=region, zone=ZONE) == text
        for example in _examples(text):
            assert ACCEPTS[key](example, typed), f"{key}: {example!r} is refused ({locale})"


@pytest.mark.parametrize("now", [datetime(2026, 11, 22, 23, 0, tzinfo=UTC),
                                 datetime(2027, 12, 30, 17, 0, tzinfo=UTC)])
def test_date_examples_move_with_the_agents_today(now):
    renderer = Renderer(clock=ManualClock(now))
    today = now.astimezone(ZoneInfo(ZONE)).date()
    due = renderer.placeholder("zh-Hans", "policy.next_due_date", region="CN", zone=ZONE)
    in_100_days = today + timedelta(days=100)
    assert due == f"例如 {in_100_days.isoformat()} 或 {in_100_days.month}月{in_100_days.day}日"
    booked = renderer.placeholder("en", "proposal.explain_on", region="SG", zone=ZONE)
    day = booked.split(" or ")[1]  # "e.g. next Wed or 25 Nov"
    assert proposals.parse_field("explain_on", day, today) == (today + timedelta(days=3), None)
    start = renderer.placeholder("zh-Hant", "policy.start_date", region="HK", zone=ZONE)
    assert start == f"例如 今天 或 {today.isoformat()}"


def test_a_region_has_its_own_phone_example(renderer):
    examples = {region: renderer.placeholder("zh-Hans", "fields.phone", region=region)
                for region in ("CN", "HK", "TW", "SG", "MY", "XX")}
    assert examples["CN"] == examples["XX"] == "例如 138 0013 8000"
    assert examples["HK"] == "例如 9123 4567" and examples["TW"] == "例如 0912 345 678"


def test_an_over_long_placeholder_is_cut_to_what_telegram_takes(tmp_path):
    (tmp_path / "en" / "labels").mkdir(parents=True)
    (tmp_path / "en" / "labels" / "placeholders.yaml").write_text(
        "placeholders:\n  tag: e.g. " + "😀" * 40 + "\n", encoding="utf-8")
    text = Renderer(tmp_path).placeholder("en", "tag")
    assert utf16_len(text) <= PLACEHOLDER_LIMIT and text.startswith("e.g. 😀")
