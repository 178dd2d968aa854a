"""Birthdays, reminder times and follow-up days as agents type them."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from coachbot.domain.calendar import YearlyDate
from coachbot.domain.dates import (
    WhenParse,
    find_yearly_dates,
    parse_day,
    parse_when,
    parse_yearly_date,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)  # a Monday morning
TODAY = NOW.date()


def _solar(month, day, year=None):
    return YearlyDate(month, day, year=year)


def _lunar(month, day, year=None, leap=False):
    return YearlyDate(month, day, lunar=True, leap=leap, year=year)


# --- yearly dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1985-03-02", _solar(3, 2, 1985)),
        ("1985/3/2", _solar(3, 2, 1985)),
        ("1985.3.2", _solar(3, 2, 1985)),
        ("19850302", _solar(3, 2, 1985)),
        ("1985年3月2日", _solar(3, 2, 1985)),
        ("一九八五年三月二日", _solar(3, 2, 1985)),
        ("3月2日", _solar(3, 2)),
        ("3月2号", _solar(3, 2)),
        ("3月2號", _solar(3, 2)),
        ("03-02", _solar(3, 2)),
        ("１９８５－０３－０２", _solar(3, 2, 1985)),  # full-width
        ("农历八月十五", _lunar(8, 15)),
        ("農曆八月十五", _lunar(8, 15)),
        ("阴历1985年八月十五", _lunar(8, 15, 1985)),
        ("农历腊月初八", _lunar(12, 8)),
        ("农历正月初一", _lunar(1, 1)),
        ("农历闰六月初十", _lunar(6, 10, leap=True)),
        ("闰六月初十", _lunar(6, 10, leap=True)),
        ("冬月廿三", _lunar(11, 23)),
        ("农历十二月三十", _lunar(12, 30)),
        ("农历8月15", _lunar(8, 15)),
        ("lunar 8/15", _lunar(8, 15)),
        ("Lunar 8-15", _lunar(8, 15)),
        ("2 March 1985", _solar(3, 2, 1985)),
        ("2nd of March", _solar(3, 2)),
        ("March 2", _solar(3, 2)),
        ("March 2, 1985", _solar(3, 2, 1985)),
        ("Mar 2 1985", _solar(3, 2, 1985)),
        ("mar. 2nd", _solar(3, 2)),
        ("2/3/1985", _solar(3, 2, 1985)),  # year last: day first
        ("5/13/1985", _solar(5, 13, 1985)),  # ...unless only month-first is a date
        ("3/2", _solar(3, 2)),  # no year: month first
        ("3.2", _solar(3, 2)),
        ("13/5", _solar(5, 13)),
        ("Feb 29", _solar(2, 29)),
        (" 1985-03-02。", _solar(3, 2, 1985)),
    ],
)
def test_yearly_dates_as_typed(typed, expected):
    assert parse_yearly_date(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["Feb 30", "2月30日", "1985-13-01", "1985-02-29", "农历十三月初一", "农历二十九", "13/13",
     "0/5", "1885-03-02", "hello", "", "3月", "1985", "12345678", "农历1985年闰六月初十",
     "2025-02-30", "March 32"],
)
def test_invalid_or_partial_dates_are_none(typed):
    assert parse_yearly_date(typed) is None


@pytest.mark.parametrize(
    "typed",
    [
        "农历十三月初五",  # the attack: read as 三月初五 with "农历十" left over
        "农历十三月五日", "十三月初五", "13月5日", "2025年13月5日", "农历1985年闰十三月初一",
        "三十二月一日", "十月四十日", "5月32日", "二月初十五", "初十五",
        "一二月三日", "两月三日", "农历零月初五", "农历三月三十一", "农历三月零日",
        "闰正月初一", "闰腊月初一", "闰十二月初一",  # leap months that never occur
        "农历2025年闰二月初一", "农历2024年闰二月初一",  # not leap months in those years
    ],
)
def test_a_date_not_quite_right_is_refused_not_read_as_a_neighbour(typed):
    assert parse_yearly_date(typed) is None
    assert all(m.value is None for m in find_yearly_dates(f"张三 {typed} 13800138000"))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("闰二月初一", _lunar(2, 1, leap=True)),
        ("闰十一月初一", _lunar(11, 1, leap=True)),
        ("农历2023年闰二月初一", _lunar(2, 1, 2023, leap=True)),
        ("十二月卅日", _lunar(12, 30)),
        ("十一月廿", _lunar(11, 20)),
        ("农历十月初十", _lunar(10, 10)),
        ("农历二十九", None),
        ("3月05日", _solar(3, 5)),
        ("2025年三月五日", _solar(3, 5, 2025)),
        ("二〇二五年三月五日", _solar(3, 5, 2025)),
    ],
)
def test_neighbours_of_refused_dates_still_read(typed, expected):
    assert parse_yearly_date(typed) == expected


def test_an_invalid_month_is_one_span_leaving_nothing_behind():
    text = "张三 农历十三月初五 老客户"
    [found] = find_yearly_dates(text)
    assert found.value is None
    assert text[found.start:found.end].strip() == "农历十三月初五"


@pytest.mark.parametrize("typed", ["农历十三月初五 下午3点 见客户", "13月5日 开会",
                                   "十月四十日 10点 开会", "2025-02-30 续保", "闰正月初一 拜年"])
def test_a_reminder_with_an_invalid_date_is_not_understood(typed):
    """Not set for another day ("今天15:00" from "下午3点") while its date is wrong."""
    assert parse_when(typed, NOW, "zh-Hans") is None
    assert parse_day(typed, TODAY) is None


def test_a_number_that_is_no_sure_date_stays_in_the_reminder_text():
    assert parse_when("明天 目标 3/40", NOW, "zh-Hans") == WhenParse(_at(11, 24, 9),
                                                                    "目标 3/40", False)


def test_day_first_can_be_chosen():
    assert parse_yearly_date("2/3/1985", day_first=False) == _solar(2, 3, 1985)
    assert parse_yearly_date("3/2", day_first=True) == _solar(2, 3)
    assert parse_yearly_date("03-02", day_first=True) == _solar(3, 2)  # ISO --MM-DD stays
    assert parse_yearly_date("lunar 8/15", day_first=True) == _lunar(8, 15)


def test_find_yearly_dates_reports_spans_and_invalid_ones():
    found = find_yearly_dates("张三 13800138000 1985-13-01 生日3月2日")
    assert [(m.value, m.start, m.end) for m in found] == [
        (None, 15, 25), (_solar(3, 2), 28, 32)]
    assert find_yearly_dates("call 139-1234-5678 or (852) 6123 4567") == []


# --- one-off reminder times ------------------------------------------------------------------


def _at(month, day, hour, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("typed", "at", "rest", "has_time"),
    [
        ("明天 15:00 送计划书", _at(11, 24, 15), "送计划书", True),
        ("后天上午10点", _at(11, 25, 10), "", True),
        ("下午3点半", _at(11, 23, 15, 30), "", True),
        ("今晚8点", _at(11, 23, 20), "", True),
        ("下周五 10:00", _at(12, 4, 10), "", True),
        ("周三", _at(11, 25, 9), "", False),
        ("星期五下午", _at(11, 27, 14), "", True),
        ("12月1日 10:00", _at(12, 1, 10), "", True),
        ("3天后", _at(11, 26, 9), "", False),
        ("2小时后", _at(11, 23, 11, 30), "", True),
        ("半小时后", _at(11, 23, 10), "", True),
        ("一个半小时后 回电话", _at(11, 23, 11), "回电话", True),
        ("20分钟后提醒我", _at(11, 23, 9, 50), "提醒我", True),
        ("月底", _at(11, 30, 9), "", False),
        ("下个月底交材料", _at(12, 31, 9), "交材料", False),
        ("提醒我明天下午三点半去见王总", _at(11, 24, 15, 30), "提醒我去见王总", True),
        ("给张三打电话下周二", _at(12, 1, 9), "给张三打电话", False),
        ("8点开早会", _at(11, 24, 8), "开早会", True),  # already past today: tomorrow
        ("10点开会", _at(11, 23, 10), "开会", True),
        ("周一 8点 例会", _at(11, 30, 8), "例会", True),  # Monday 8:00 has passed: next week
        ("周一 10点 例会", _at(11, 23, 10), "例会", True),
        ("十点一刻 开会", _at(11, 23, 10, 15), "开会", True),
        ("3点 见客户", _at(11, 23, 15), "见客户", True),  # bare 1-6 o'clock: afternoon
        ("凌晨3点 赶飞机", _at(11, 24, 3), "赶飞机", True),
        ("中午12点", _at(11, 23, 12), "", True),
        ("中午1点 午餐", _at(11, 23, 13), "午餐", True),
        ("周五晚8点 饭局", _at(11, 27, 20), "饭局", True),
        ("明早9点半 早会", _at(11, 24, 9, 30), "早会", True),
        ("周末约王总", _at(11, 28, 9), "约王总", False),
        ("下周 回访李总", _at(11, 30, 9), "回访李总", False),
        ("下下周三 续保", _at(12, 9, 9), "续保", False),
        ("2026年12月1日 9:30", _at(12, 1, 9, 30), "", True),
        ("农历八月十五送月饼", _at(9, 15, 9, 0, 2027), "送月饼", False),
        ("後天下午兩點 見客", _at(11, 25, 14), "見客", True),
        ("星期天 教会", _at(11, 29, 9), "教会", False),
        ("礼拜六上午十点", _at(11, 28, 10), "", True),
        ("下个星期三", _at(12, 2, 9), "", False),
        ("提醒我8号交保费", _at(12, 8, 9), "提醒我交保费", False),  # the 8th has passed
        ("25号 续期", _at(11, 25, 9), "续期", False),
        ("3号楼开会 明天", _at(11, 24, 9), "3号楼开会", False),  # building 3, not the 3rd
        ("明天 10:00-11:00 会议", _at(11, 24, 10), "会议", True),
        ("11月30日前交材料", _at(11, 30, 9), "前交材料", False),
        ("明天 打给13800138000", _at(11, 24, 9), "打给13800138000", False),
    ],
)
def test_chinese_reminder_times(typed, at, rest, has_time):
    assert parse_when(typed, NOW, "zh-Hans") == WhenParse(at, rest, has_time)


@pytest.mark.parametrize(
    ("typed", "at", "rest", "has_time"),
    [
        ("tomorrow 3pm", _at(11, 24, 15), "", True),
        ("next Friday call about renewal", _at(12, 4, 9), "call about renewal", False),
        ("this Friday call about renewal", _at(11, 27, 9), "call about renewal", False),
        ("on Friday at 10", _at(11, 27, 10), "", True),
        ("in 2 hours", _at(11, 23, 11, 30), "", True),
        ("Dec 1 10:00", _at(12, 1, 10), "", True),
        ("2026-12-01 09:30", _at(12, 1, 9, 30), "", True),
        ("call Mary at 3", _at(11, 23, 15), "call Mary", True),
        ("meet Sun Li tomorrow", _at(11, 24, 9), "meet Sun Li", False),
        ("call back in 30 minutes", _at(11, 23, 10), "call back", True),
        ("in half an hour", _at(11, 23, 10), "", True),
        ("in an hour ping Ken", _at(11, 23, 10, 30), "ping Ken", True),
        ("tonight 8pm", _at(11, 23, 20), "", True),
        ("tomorrow morning", _at(11, 24, 9), "", True),
        ("wed 2pm", _at(11, 25, 14), "", True),
        ("3pm meet the client", _at(11, 23, 15), "meet the client", True),
        ("visit Mr Wang 2 days later", _at(11, 25, 9), "visit Mr Wang", False),
        ("1 December 2026 10:00", _at(12, 1, 10), "", True),
        ("3rd of December at 2pm send quote", _at(12, 3, 14), "send quote", True),
        ("this afternoon", _at(11, 23, 14), "", True),
        ("at noon lunch with Ken", _at(11, 23, 12), "lunch with Ken", True),
        ("end of month review", _at(11, 30, 9), "review", False),
        ("the day after tomorrow at 9:15am", _at(11, 25, 9, 15), "", True),
        ("Thursday 10.30am policy review", _at(11, 26, 10, 30), "policy review", True),
        ("a fortnight from now", _at(12, 7, 9), "", False),  # dateparser's fallback
        ("next week tuesday call Ben", _at(12, 1, 9), "call Ben", False),
        ("call Ben tuesday next week", _at(12, 1, 9), "call Ben", False),
        ("on the 5th renew", _at(12, 5, 9), "renew", False),
        ("2026-12-01T09:30", _at(12, 1, 9, 30), "", True),
        ("in 2 weeks check policy", _at(12, 7, 9), "check policy", False),
    ],
)
def test_english_reminder_times(typed, at, rest, has_time):
    assert parse_when(typed, NOW, "en") == WhenParse(at, rest, has_time)


@pytest.mark.parametrize(
    "typed", ["remind me to call Ann", "call April about plan", "send plan to May",
              "讲三点注意事项", "有一点事", "", "hello"])
def test_text_without_a_time_is_none(typed):
    assert parse_when(typed, NOW, "en") is None
    assert parse_when(typed, NOW, "zh-Hans") is None


def test_numeric_day_month_order_follows_the_locale():
    assert parse_when("12/1 10am", NOW, "zh-Hans").at == _at(12, 1, 10)  # type: ignore[union-attr]
    assert parse_when("12/1 10am", NOW, "en").at == _at(1, 12, 10, 0, 2027)  # type: ignore[union-attr]
    assert parse_when("12/1 10am", NOW, "en", day_first=False).at == _at(12, 1, 10)  # type: ignore[union-attr]


def test_times_are_in_nows_zone_and_durations_count_real_hours():
    new_york = ZoneInfo("America/New_York")
    before_dst_ends = datetime(2026, 11, 1, 0, 30, tzinfo=new_york)  # clocks go back at 2:00
    found = parse_when("in 2 hours", before_dst_ends, "en")
    assert found is not None
    assert found.at.tzinfo is new_york
    elapsed = found.at.astimezone(UTC) - before_dst_ends.astimezone(UTC)
    assert elapsed.total_seconds() == 2 * 3600  # wall clock shows 01:30 (the second one)
    assert (found.at.hour, found.at.minute) == (1, 30)
    singapore = datetime(2026, 11, 23, 22, 0, tzinfo=ZoneInfo("Asia/Singapore"))
    assert parse_when("8点", singapore, "zh-Hans").at == datetime(  # type: ignore[union-attr]
        2026, 11, 24, 8, 0, tzinfo=ZoneInfo("Asia/Singapore"))


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        parse_when("明天", datetime(2026, 11, 23, 9, 30), "zh-Hans")


# --- follow-up days --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("明天", date(2026, 11, 24)),
        ("今天", date(2026, 11, 23)),
        ("後天", date(2026, 11, 25)),
        ("下周一", date(2026, 11, 30)),
        ("周五", date(2026, 11, 27)),
        ("12/3", date(2026, 12, 3)),
        ("3/2", date(2027, 3, 2)),  # no year: the next one
        ("2026-12-03", date(2026, 12, 3)),
        ("12月3日", date(2026, 12, 3)),
        ("next monday", date(2026, 11, 30)),
        ("in 3 days", date(2026, 11, 26)),
        ("3天后", date(2026, 11, 26)),
        ("两周后", date(2026, 12, 7)),
        ("in 2 months", date(2027, 1, 23)),
        ("月底", date(2026, 11, 30)),
        ("下月初", date(2026, 12, 1)),
        ("Dec 3", date(2026, 12, 3)),
        ("3rd of December", date(2026, 12, 3)),
        ("a fortnight from now", date(2026, 12, 7)),
    ],
)
def test_follow_up_days(typed, expected):
    assert parse_day(typed, TODAY) == expected


@pytest.mark.parametrize("typed", ["", "blah", "3pm", "2小时后", "whenever"])
def test_answers_that_are_no_day(typed):
    assert parse_day(typed, TODAY) is None


def test_parse_day_day_first():
    assert parse_day("12/3", TODAY, day_first=True) == date(2027, 3, 12)
