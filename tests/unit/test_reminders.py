"""Reminder rules: quiet hours, daily pushes, reviews, premiums, salutations."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from coachbot.domain import reminders
from coachbot.domain.models import Policy
from coachbot.services.greetings import Addressee, salutation

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("hour", "minute", "quiet"), [
    (21, 59, False), (22, 0, True), (23, 30, True), (3, 0, True), (7, 29, True), (7, 30, False)])
def test_quiet_hours_span_midnight(hour, minute, quiet):
    moment = datetime(2026, 11, 23, hour, minute, tzinfo=SH)
    assert reminders.is_quiet(moment, "22:00", "07:30") is quiet


def test_a_push_in_quiet_hours_waits_for_the_morning():
    night = datetime(2026, 11, 23, 23, 10, tzinfo=SH)
    assert reminders.after_quiet_hours(night, "22:00", "07:30") == \
        datetime(2026, 11, 24, 7, 30, tzinfo=SH)
    early = datetime(2026, 11, 24, 5, 0, tzinfo=SH)
    assert reminders.after_quiet_hours(early, "22:00", "07:30") == \
        datetime(2026, 11, 24, 7, 30, tzinfo=SH)
    day = datetime(2026, 11, 24, 12, 0, tzinfo=SH)
    assert reminders.after_quiet_hours(day, "22:00", "07:30") == day


def test_daily_push_is_due_once_a_day_after_its_time():
    at_7 = datetime(2026, 11, 23, 7, 59, tzinfo=SH)
    at_8 = datetime(2026, 11, 23, 8, 0, tzinfo=SH)
    assert reminders.daily_due(at_7, "08:00", None) is None
    assert reminders.daily_due(at_8, "08:00", None) == date(2026, 11, 23)
    assert reminders.daily_due(at_8, "08:00", "2026-11-23") is None
    assert reminders.daily_due(at_8, "08:00", "2026-11-22") == date(2026, 11, 23)


def test_review_every_12_6_3_months_by_tier():
    policies = [Policy(id=1, client_id=1, product="x", start_date=date(2025, 8, 31))]
    created = date(2025, 1, 1)
    assert reminders.review_due_date("regular", None, policies, created) == date(2026, 8, 31)
    assert reminders.review_due_date("vip", None, policies, created) == date(2026, 2, 28)
    assert reminders.review_due_date("hnw", date(2026, 1, 10), policies, created) == \
        date(2026, 4, 10)
    assert reminders.review_due_date(None, None, policies, created) is None


@pytest.mark.parametrize(("days", "expected"), [(30, 30), (7, 7), (1, 1), (2, None), (0, None)])
def test_premium_notices_30_7_1_days_ahead(days, expected):
    today = date(2026, 11, 23)
    due = date.fromordinal(today.toordinal() + days)
    assert reminders.premium_notice_days(due, today) == expected


@pytest.mark.parametrize(("name", "gender", "age", "locale", "tone", "expected"), [
    ("张三", "m", 35, "zh-Hans", "warm", "张哥"), ("张三", "m", 60, "zh-Hans", "warm", "张叔"),
    ("王芳", "f", 40, "zh-Hans", "warm", "王姐"), ("王芳", "f", 66, "zh-Hant", "warm", "王阿姨"),
    ("王芳", "f", 40, "zh-Hans", "formal", "王女士"),
    ("欧阳娜娜", "f", 30, "zh-Hans", "formal", "欧阳女士"),
    ("李四", None, 30, "zh-Hans", "formal", "李四"),
    ("Tan Ah Kow", "m", 50, "en", "formal", "Mr Tan"), ("Tan Ah Kow", "m", 50, "en", "warm",
                                                        "Ah Kow"),
    ("Mary Lee", "f", 30, "en", "warm", "Mary"), ("Mary Lee", "f", 30, "en", "formal", "Ms Lee"),
    ("张三", "m", 35, "en", "formal", "张三"),  # a Chinese name in an English greeting: as written
])
def test_salutations(name, gender, age, locale, tone, expected):
    assert salutation(Addressee(name, gender, age), locale, tone) == expected
