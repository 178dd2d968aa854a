"""A quick-add line read into a new client's fields."""

from datetime import date

import pytest

from coachbot.domain.calendar import YearlyDate
from coachbot.domain.quickadd import (
    BAD_DATE,
    BAD_PHONE,
    NO_NAME,
    UNSURE_NAME,
    UNSURE_PHONE,
    parse_quick_add,
)

TODAY = date(2026, 11, 23)

# line, agent's region -> name, phone (E.164), birthday (storage form), gender, note, problems
LINES = [
    # the examples of the brief
    ("张三 13800138000 1985-03-02", "CN",
     ("张三", "+8613800138000", "1985-03-02", None, None, [])),
    ("王芳 生日 农历八月十五", "CN", ("王芳", None, "L--08-15", None, None, [])),
    ("王芳 女 农历八月十五", "CN", ("王芳", None, "L--08-15", "f", None, [])),
    ("李先生 139-1234-5678", "CN", ("李先生", "+8613912345678", None, "m", None, [])),
    ("John Tan +65 9123 4567 born 2 March", "SG",
     ("John Tan", "+6591234567", "--03-02", None, None, [])),
    ("Mary Lee 91234567 1990/5/6 friend from church", "SG",
     ("Mary Lee", "+6591234567", "1990-05-06", None, "friend from church", [])),
    ("陈大文 (852) 6123 4567", "HK", ("陈大文", "+85261234567", None, None, None, [])),
    ("陈大文 (852) 6123 4567", "CN", ("陈大文", "+85261234567", None, None, None, [])),
    ("张三 1380013800", "CN", ("张三", None, None, None, None, [BAD_PHONE])),
    ("张三 1985-13-01", "CN", ("张三", None, None, None, None, [BAD_DATE])),
    ("13800138000 1985-03-02", "CN",
     (None, "+8613800138000", "1985-03-02", None, None, [NO_NAME])),
    # Chinese lines
    ("欧阳娜娜 13800138000 女", "CN", ("欧阳娜娜", "+8613800138000", None, "f", None, [])),
    ("司马光 男 1960年5月1日", "CN", ("司马光", None, "1960-05-01", "m", None, [])),
    ("王芳生日农历八月十五", "CN", ("王芳", None, "L--08-15", None, None, [])),
    ("张三13800138000", "CN", ("张三", "+8613800138000", None, None, None, [])),
    ("王总 男 13912345678 客户介绍 做外贸", "CN",
     ("王总", "+8613912345678", None, "m", "客户介绍 做外贸", [])),
    ("李四，13800138000，1990年5月6日，老同学", "CN",
     ("李四", "+8613800138000", "1990-05-06", None, "老同学", [])),
    ("林小姐 0912-345-678 1988/8/8", "TW",
     ("林小姐", "+886912345678", "1988-08-08", "f", None, [])),
    ("王芳 生日 下个月", "CN", ("王芳", None, None, None, "生日 下个月", [BAD_DATE])),
    ("张三 13800138000 2030-01-01", "CN",
     ("张三", "+8613800138000", None, None, None, [BAD_DATE])),  # born in the future
    ("阿依古丽·买买提 13800138000", "CN",
     ("阿依古丽·买买提", "+8613800138000", None, None, None, [])),
    ("黄太太 9876 5432 生日 3月8日 保单到期提醒", "HK",
     ("黄太太", "+85298765432", "--03-08", "f", "保单到期提醒", [])),
    ("陳大文 先生 6123 4567", "HK", ("陳大文", "+85261234567", None, "m", None, [])),
    ("李小龙 生日：1940年11月27日 +852 9123 4567", "HK",
     ("李小龙", "+85291234567", "1940-11-27", None, None, [])),
    ("周杰 19850302", "CN", ("周杰", None, "1985-03-02", None, None, [])),
    ("王芳 1380013800 1985-02-30", "CN", ("王芳", None, None, None, None, [BAD_PHONE, BAD_DATE])),
    ("吴医生 13600136000 农历腊月初八 太太也是客户", "CN",
     ("吴医生", "+8613600136000", "L--12-08", None, "太太也是客户", [])),
    ("张伟 男 1982.4.5 13700137000", "CN", ("张伟", "+8613700137000", "1982-04-05", "m", None, [])),
    ("赵敏 女士", "CN", ("赵敏", None, None, "f", None, [])),
    ("郑小姐 0922 123 456 生日 農曆正月初一", "TW",
     ("郑小姐", "+886922123456", "L--01-01", "f", None, [])),
    ("王五 生日 19850302", "CN", ("王五", None, "1985-03-02", None, None, [])),
    ("13800138000", "CN", (None, "+8613800138000", None, None, None, [NO_NAME])),
    ("刘德华 男 生日 9月27日 13800138000 喜欢打高尔夫", "CN",
     ("刘德华", "+8613800138000", "--09-27", "m", "喜欢打高尔夫", [])),
    ("孙丽 女 13512345678 lunar 8/15", "CN", ("孙丽", "+8613512345678", "L--08-15", "f", None, [])),
    ("马云 性别：男 闰六月初十", "CN", ("马云", None, "L--*06-10", "m", None, [])),
    ("钱多多 13800138000 13900139000", "CN",
     ("钱多多", "+8613800138000", None, None, "13900139000", [])),  # a second number: the note
    ("何太 13800138000", "HK", ("何太", "+8613800138000", None, None, None, [])),
    ("", "CN", (None, None, None, None, None, [NO_NAME])),
    ("高明 生日是1979年10月1日 出生地上海", "CN",
     ("高明", None, "1979-10-01", None, "出生地上海", [])),
    # English lines
    ("Mr Tan 91234567", "SG", ("Mr Tan", "+6591234567", None, "m", None, [])),
    ("mary lee 91234567", "SG", ("mary lee", "+6591234567", None, None, None, [])),
    ("Ms. Wong Mei Ling 6123 4567 b. 12/3/1980", "HK",
     ("Ms. Wong Mei Ling", "+85261234567", "1980-03-12", "f", None, [])),
    ("Ahmad bin Ali 012-345 6789 male", "MY",
     ("Ahmad bin Ali", "+60123456789", None, "m", None, [])),
    ("John", "SG", ("John", None, None, None, None, [])),
    ("Tan Ah Kow 98765432 dob 1975-07-01", "SG",
     ("Tan Ah Kow", "+6598765432", "1975-07-01", None, None, [])),
    ("Siti Nurhaliza binti Tarudin 019-234 5678 female birthday 11 Jan 1979", "MY",
     ("Siti Nurhaliza binti Tarudin", "+60192345678", "1979-01-11", "f", None, [])),
    ("Lim 0123456789", "MY", ("Lim", "+60123456789", None, None, None, [])),
    ("Kevin Ng +852 6123 4567 Mar 2", "HK",
     ("Kevin Ng", "+85261234567", "--03-02", None, None, [])),
    ("David Lee 9123-4567 born on 5th May 1988 referred by Peter", "HK",
     ("David Lee", "+85291234567", "1988-05-05", None, "referred by Peter", [])),
    ("Ravi a/l Kumar 012 345 6789 19800315", "MY",
     ("Ravi a/l Kumar", "+60123456789", "1980-03-15", None, None, [])),
    ("Mrs Chen 6123 4567", "HK", ("Mrs Chen", "+85261234567", None, "f", None, [])),
    ("Miss Ho 61234567 12/3", "HK", ("Miss Ho", "+85261234567", "--03-12", "f", None, [])),
    ("Peter Chan 1380013800", "HK", ("Peter Chan", None, None, None, None, [BAD_PHONE])),
    ("Alice Wong 9123 4567 Feb 30", "HK",
     ("Alice Wong", "+85291234567", None, None, None, [BAD_DATE])),
    ("+65 9123 4567 born 2 March", "SG", (None, "+6591234567", "--03-02", None, None, [NO_NAME])),
]


@pytest.mark.parametrize(("line", "region", "expected"), LINES, ids=[line for line, *_ in LINES])
def test_quick_add_lines(line, region, expected):
    found = parse_quick_add(line, region, TODAY)
    birthday = found.birthday.to_storage() if found.birthday else None
    assert (found.name, found.phone, birthday, found.gender, found.note,
            found.problems) == expected


# Never guessed: a name or date the reader is unsure of is refused (a problem, nothing saved),
# not saved as something else. The attack: "客户429" saved as 客户4 (29 in the note),
# "恢复后客户" as 恢复后, "农历十三月初五" as 三月初五 with "农历十" in the note.
UNSURE_LINES = [
    # names with digits keep them
    ("客户429 13800138000", "CN", ("客户429", "+8613800138000", None, None, None, [])),
    ("客户4 13800138000 1985-03-02", "CN",
     ("客户4", "+8613800138000", "1985-03-02", None, None, [])),
    ("客户2号 13800138000", "CN", ("客户2号", "+8613800138000", None, None, None, [])),
    ("客户4 1380013800", "CN", ("客户4", None, None, None, None, [BAD_PHONE])),
    # digits glued to the name that only make a valid number with the phone: which is it?
    ("客户1 3800138000", "CN", ("客户", None, None, None, None, [UNSURE_PHONE])),
    ("张三138 0013 8000", "CN", ("张三", None, None, None, None, [UNSURE_PHONE])),
    # names with words like 后/前/客户: whole, or refused when too long to be sure
    ("李四后 13800138000", "CN", ("李四后", "+8613800138000", None, None, None, [])),
    ("前台小李 13800138000", "CN", ("前台小李", "+8613800138000", None, None, None, [])),
    ("客户张三", "CN", ("客户张三", None, None, None, None, [])),
    ("恢复后客户 13800138000", "CN", (None, "+8613800138000", None, None, None, [UNSURE_NAME])),
    ("张三买了重疾险 13800138000", "CN",
     (None, "+8613800138000", None, None, None, [UNSURE_NAME])),
    ("客户张三丰 女", "CN", (None, None, None, "f", None, [UNSURE_NAME])),
    ("欧阳娜娜女士 13800138000", "CN", ("欧阳娜娜女士", "+8613800138000", None, "f", None, [])),
    # invalid lunar months and days: refused whole, nothing left in the note
    ("张三 农历十三月初五", "CN", ("张三", None, None, None, None, [BAD_DATE])),
    ("张三 生日 农历十三月初五 13800138000", "CN",
     ("张三", "+8613800138000", None, None, None, [BAD_DATE])),
    ("张三 13月5日", "CN", ("张三", None, None, None, None, [BAD_DATE])),
    ("王五 十月四十日", "CN", ("王五", None, None, None, None, [BAD_DATE])),
    ("王五 农历二月初十五", "CN", ("王五", None, None, None, None, [BAD_DATE])),
    ("王五 农历零月初五", "CN", ("王五", None, None, None, None, [BAD_DATE])),
    ("王五 农历三月三十一", "CN", ("王五", None, None, None, None, [BAD_DATE])),
    # leap months: one that never occurs, or not in the year given
    ("王五 闰正月初一", "CN", ("王五", None, None, None, None, [BAD_DATE])),
    ("王五 农历2025年闰二月初一", "CN", ("王五", None, None, None, None, [BAD_DATE])),
    ("王五 农历2023年闰二月初一", "CN", ("王五", None, "L2023-*02-01", None, None, [])),
    ("王五 闰十一月初一", "CN", ("王五", None, "L--*11-01", None, None, [])),
]


@pytest.mark.parametrize(("line", "region", "expected"), UNSURE_LINES,
                         ids=[line for line, *_ in UNSURE_LINES])
def test_what_the_reader_is_unsure_of_is_refused_not_guessed(line, region, expected):
    found = parse_quick_add(line, region, TODAY)
    birthday = found.birthday.to_storage() if found.birthday else None
    assert (found.name, found.phone, birthday, found.gender, found.note,
            found.problems) == expected


def test_an_unsure_name_is_offered_whole_for_the_agent_to_confirm():
    found = parse_quick_add("恢复后客户 13800138000 老客户介绍", "CN", TODAY)
    assert (found.name, found.candidate_name, found.problems) == (None, "恢复后客户",
                                                                  [UNSURE_NAME])
    assert parse_quick_add("客户429 13800138000", "CN", TODAY).candidate_name is None


def test_the_table_is_large_enough():
    assert len(LINES) >= 40


def test_day_first_follows_the_region():
    assert parse_quick_add("王芳 12/3", "CN", TODAY).birthday.to_storage() == "--12-03"  # type: ignore[union-attr]
    assert parse_quick_add("Amy 12/3", "SG", TODAY).birthday.to_storage() == "--03-12"  # type: ignore[union-attr]


def test_a_compact_date_is_a_date_and_a_long_number_a_phone():
    found = parse_quick_add("Amy 19850302 61234567", "HK", TODAY)
    assert (found.phone, found.birthday) == ("+85261234567", YearlyDate(3, 2, year=1985))
