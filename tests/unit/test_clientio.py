"""Client book files: reading CSV/XLSX/vCard imports, planning them, applying them, exporting."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from coachbot.domain.calendar import YearlyDate
from coachbot.domain.clients import search_key
from coachbot.domain.dates import parse_yearly_date
from coachbot.domain.locales import LOCALES
from coachbot.domain.models import NewClient
from coachbot.services import clientio, records
from coachbot.services.clientio import ImportFileError, ImportRow, clean, read_import
from tests import spreadsheets as sheets

TODAY = date(2026, 11, 23)
A, B = 1001, 2002
PERSON_FIELDS = ("name", "phone", "birthday", "gender", "kind", "address", "occupation",
                 "income_band", "family_situation", "financial_situation", "notes", "stage")


def read(content: bytes | str, filename: str = "list.csv", region: str = "CN"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return read_import(filename, data, region=region, today=TODAY)


def names(result) -> list[str]:
    return [row.name for row in result.rows]


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def agents(store):
    store.agents.ensure_agent(A, first_name="A", username=None, locale="zh-Hans")
    store.agents.ensure_agent(B, first_name="B", username=None, locale="zh-Hans")
    return store


def import_into(store, agent_id: int, content: bytes, filename: str = "list.csv",
                region: str = "CN") -> clientio.ImportOutcome:
    """Read, preview and confirm, with the dialog data going through JSON as it does live."""
    result = read_import(filename, content, region=region, today=TODAY)
    preview = clientio.preview_import(store, agent_id, result)
    data = json.loads(json.dumps(preview.dialog_data(filename, "t0"), ensure_ascii=False))
    return clientio.apply_import(store, agent_id, data)


# -- headers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("header", "expected"), [
    (["姓名", "手机号", "出生日期", "性别", "地址", "职业", "备注", "标签", "客户类型"],
     ["name", "phone", "birthday", "gender", "address", "occupation", "notes", "tags", "kind"]),
    (["客戶姓名", "聯絡電話", "生日", "性別", "住址", "職業", "備註", "標籤", "客戶類型"],
     ["name", "phone", "birthday", "gender", "address", "occupation", "notes", "tags", "kind"]),
    (["Name", "Mobile", "DOB", "Gender", "Address", "Occupation", "Notes", "Tags", "Type"],
     ["name", "phone", "birthday", "gender", "address", "occupation", "notes", "tags", "kind"]),
    (["名字", "电话(手机)", "农历生日", " * 姓名 ", "Mobile Phone 1", "联系电话1"],
     ["name", "phone", "lunar_birthday", "name", "phone", "phone"]),
])
def test_headers_are_matched_in_three_languages(header, expected):
    columns, index = clientio.find_columns([header])
    found = {position: name for name, positions in columns.items() for position in positions}
    assert [found.get(i) for i in range(len(header))] == expected
    assert index == 0


def test_the_header_row_may_sit_under_a_title_row():
    result = read("2026年客户名单\n\n姓名,电话\n张三,13800138000\n")
    assert names(result) == ["张三"]
    assert result.rows[0].line == 4  # the row number Excel shows


def test_first_and_last_name_columns_make_a_name():
    result = read("First Name,Last Name,Mobile\nDavid,Tan,91234567\n", region="SG")
    assert names(result) == ["David Tan"]
    result = read("姓,名,手机\n王,小明,13800138000\n")
    assert names(result) == ["王小明"]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_export_header_is_understood_by_the_import(renderer, locale):
    for field in ("name", "phone", "birthday", "gender", "kind", "address", "occupation",
                  "income_band", "family_situation", "financial_situation", "notes", "tags",
                  "stage"):
        header = renderer.label(locale, f"files.columns.{field}")
        columns, _ = clientio.find_columns([[header]])
        assert columns == {field: [0]}, header
    for field in ("grade", "tier", "annual_premium", "policies", "last_contact",
                  "referred_by", "consent", "created"):
        header = renderer.label(locale, f"files.columns.{field}")
        assert clientio.find_columns([[header]])[0] == {}, header


# -- encodings and delimiters ------------------------------------------------------------------
SIMPLIFIED = ("姓名,电话,生日,备注\n"
              "张伟,13800138000,1985-03-02,老乡\n"
              "李静,13900139000,农历八月十五,宝妈\n")
TRADITIONAL = ("姓名,電話,生日,備註\n"
               "陳大文,91234567,1985-03-02,舊同事\n"
               "黃美玲,61234567,農曆八月十五,家長會\n")


@pytest.mark.parametrize(("encoding", "text", "region", "expected"), [
    ("utf-8", SIMPLIFIED, "CN", ["张伟", "李静"]),
    ("utf-8-sig", SIMPLIFIED, "CN", ["张伟", "李静"]),
    ("gb18030", SIMPLIFIED, "CN", ["张伟", "李静"]),
    ("gbk", SIMPLIFIED, "CN", ["张伟", "李静"]),
    ("big5", TRADITIONAL, "HK", ["陳大文", "黃美玲"]),
    ("utf-8-sig", TRADITIONAL, "HK", ["陳大文", "黃美玲"]),
    ("utf-16", TRADITIONAL, "HK", ["陳大文", "黃美玲"]),
])
def test_encodings_are_detected(encoding, text, region, expected):
    result = read(text.encode(encoding), region=region)
    assert names(result) == expected
    assert result.rows[1].values["birthday"] == "L--08-15"
    assert result.rows[0].values["notes"] in ("老乡", "舊同事")


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_any_usual_delimiter(delimiter):
    tags = '"VIP,老乡"' if delimiter == "," else "VIP,老乡"
    text = delimiter.join(["姓名", "电话", "标签"]) + "\n" + \
        delimiter.join(["张三", "138 0013 8000", tags]) + "\n"
    result = read(text)
    assert names(result) == ["张三"]
    assert result.rows[0].values["phone"] == "+8613800138000"
    assert result.rows[0].tags == ("vip", "老乡")


def test_semicolon_file_with_commas_inside_notes():
    result = read("Name;Phone;Notes\nDavid Tan;91234567;likes golf, tennis, and tea\n",
                  region="SG")
    assert result.rows[0].values == {"name": "David Tan", "phone": "+6591234567",
                                     "notes": "likes golf, tennis, and tea"}


# -- XLSX and vCard ------------------------------------------------------------------------------
def test_xlsx_with_date_cells_numbers_and_a_title_row():
    content = xlsx([
        ["客户名单（2026）"],
        ["姓名", "手机", "生日", "性别", "客户类型", "微信"],
        ["张三", 13800138000, datetime(1985, 3, 2), "男", None, "zs"],
        ["李四", "8613900139000", date(1990, 12, 31), "F", "个人", None],
        ["华盛公司", 13700137000.0, None, None, "团体", None],
        [None, None, None, None, None, None],
    ])
    result = read(content, filename="客户.xlsx")
    assert result.kind == "xlsx"
    assert [r.to_dict() for r in result.rows] == [
        {"line": 3, "name": "张三", "phone": "+8613800138000", "birthday": "1985-03-02",
         "gender": "m"},
        {"line": 4, "name": "李四", "phone": "+8613900139000", "birthday": "1990-12-31",
         "gender": "f"},
        {"line": 5, "name": "华盛公司", "phone": "+8613700137000", "kind": "group"},
    ]
    assert result.ignored == ["微信"]
    assert result.columns == ["name", "phone", "birthday", "gender", "kind"]


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_every_kind_of_workbook_reads_the_same(kind):
    rows = [
        ["客户名单（2026）"],
        ["姓名", "手机", "生日", "性别", "微信"],
        ["张三", 13800138000, date(1985, 3, 2), "男", "zs"],
        ["李四", "8613900139000", date(1990, 12, 31), "F", None],
        [None, None, None, None, None],
        ["王五", 13700137000, "农历八月十五", None, None],
    ]
    writer = {"xlsx": sheets.xlsx, "xls": sheets.xls, "ods": sheets.ods}[kind]
    result = read(writer(rows), filename="客户")  # the name says nothing: the bytes do
    assert result.kind == kind
    assert [r.to_dict() for r in result.rows] == [
        {"line": 3, "name": "张三", "phone": "+8613800138000", "birthday": "1985-03-02",
         "gender": "m"},
        {"line": 4, "name": "李四", "phone": "+8613900139000", "birthday": "1990-12-31",
         "gender": "f"},
        {"line": 6, "name": "王五", "phone": "+8613700137000", "birthday": "L--08-15"},
    ]
    assert result.ignored == ["微信"]


def test_rich_text_cells_read_as_their_text():
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    book = openpyxl.Workbook()
    book.active.append(["姓名", "备注"])
    book.active.append([CellRichText("张", TextBlock(InlineFont(b=True), "三")),
                        CellRichText(TextBlock(InlineFont(i=True), "老乡"), "，爱喝茶")])
    out = io.BytesIO()
    book.save(out)
    assert [r.to_dict() for r in read(out.getvalue()).rows] == [
        {"line": 2, "name": "张三", "notes": "老乡，爱喝茶"}]


VCARDS = """BEGIN:VCARD
VERSION:3.0
FN:张三
N:张;三;;;
TEL;TYPE=WORK:010-62345678
TEL;TYPE=CELL:138 0013 8000
BDAY:1985-03-02
NOTE:老乡，周末爬山
CATEGORIES:VIP,同学
ORG:某科技公司
TITLE:财务经理
END:VCARD
BEGIN:VCARD
VERSION:2.1
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E6=9D=8E;=E5=9B=9B;;;
TEL;CELL:13900139000
BDAY:--0815
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:Emily Chen
TEL;TYPE=cell:+852 9123 4567
BDAY:19900704
GENDER:F
END:VCARD
"""


def test_vcard_file_with_three_cards():
    result = read(VCARDS, filename="contacts.vcf")
    assert result.kind == "vcf" and result.unit == "card"
    assert [r.to_dict() for r in result.rows] == [
        {"line": 1, "name": "张三", "phone": "+8613800138000", "birthday": "1985-03-02",
         "occupation": "财务经理 · 某科技公司", "notes": "老乡，周末爬山", "tags": ["vip", "同学"]},
        {"line": 2, "name": "李四", "phone": "+8613900139000", "birthday": "--08-15"},
        {"line": 3, "name": "Emily Chen", "phone": "+85291234567", "birthday": "1990-07-04",
         "gender": "f"},
    ]


def test_vcard_without_a_bom_or_with_windows_line_ends():
    result = read(("\ufeff" + VCARDS.replace("\n", "\r\n")).encode("utf-8"), filename="x.vcf")
    assert names(result) == ["张三", "李四", "Emily Chen"]


# -- rows that cannot be imported ------------------------------------------------------------
def test_only_rows_without_a_name_or_written_twice_are_skipped():
    text = ("姓名,电话,生日\n"
            "张三,13800138000,1985-03-02\n"
            ",13700137000,\n"
            "李四,12345,\n"
            "王五,13900139000,1990-13-45\n"
            "赵六,13600136000,2031-01-01\n"
            "张三,+86 138-0013-8000,\n"
            ",,\n"
            "孙七,,\n"
            "孙七,,\n")
    result = read(text)
    assert names(result) == ["张三", "李四", "王五", "赵六", "孙七"]
    assert [(p.line, p.reason, p.name, p.value) for p in result.problems] == [
        (3, "no_name", "13700137000", None),
        (7, "duplicate_in_file", "张三", None),
        (10, "duplicate_in_file", "孙七", None),
    ]


# -- one bad field never drops the person ------------------------------------------------------
def test_a_birthday_that_is_no_real_date_leaves_the_field_empty_and_keeps_the_value():
    result = read("姓名,电话,生日\n陈美玲,13800138000,1983-02-29\n林大伟,13900139000,2031-01-01\n")
    assert [r.to_dict() for r in result.rows] == [
        {"line": 2, "name": "陈美玲", "phone": "+8613800138000",
         "raw": {"birthday": "1983-02-29"}},
        {"line": 3, "name": "林大伟", "phone": "+8613900139000",
         "raw": {"birthday": "2031-01-01"}},
    ]
    assert result.problems == []


def test_a_phone_cell_of_words_leaves_the_phone_empty_and_keeps_the_words():
    result = read("姓名,手机,生日,农历生日\n王建国,打电话前先微信联系,1975-06-01,\n"
                  "李秀英,,,八月三十二\n")
    assert [r.to_dict() for r in result.rows] == [
        {"line": 2, "name": "王建国", "birthday": "1975-06-01",
         "raw": {"phone": "打电话前先微信联系"}},
        {"line": 3, "name": "李秀英", "raw": {"lunar_birthday": "八月三十二"}},
    ]


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_excel_serial_numbers_in_a_birthday_column_are_dates(kind):
    rows = [["姓名", "手机", "生日", "备注"],
            ["张三", 13800138000, 31048, 31048],     # 1985-01-01; the note stays a number
            ["李四", 13900139000, 45000.0, None],    # 2023-03-15
            ["王五", 13700137000, 1985, None],       # a year, not a serial: kept as typed
            ["赵六", 13600136000, 60, None]]         # 1900-02-29, Lotus's day that never was
    writer = {"xlsx": sheets.xlsx, "xls": sheets.xls, "ods": sheets.ods}[kind]
    result = read(writer(rows))
    assert [(r.name, r.values.get("birthday"), r.raw.get("birthday"), r.values.get("notes"))
            for r in result.rows] == [
        ("张三", "1985-01-01", None, "31048"),
        ("李四", "2023-03-15", None, None),
        ("王五", None, "1985", None),
        ("赵六", None, "60", None),
    ]


def test_serial_numbers_saved_to_csv_are_dates_in_date_columns_only():
    result = read("姓名,电话,生日\n张三,31048,31048\n")
    assert result.rows[0].values.get("birthday") == "1985-01-01"
    assert result.rows[0].raw == {"phone": "31048"}  # a phone column is never a date


@pytest.mark.parametrize(("serial", "day"), [
    (3654, date(1910, 1, 1)), (31048, date(1985, 1, 1)), (36526, date(2000, 1, 1)),
    (45000, date(2023, 3, 15)), (31048.99, date(1985, 1, 1)), ("31048", date(1985, 1, 1)),
    (59, None), (60, None), (3653, None), ("abc", None), (10**12, None),
])
def test_excel_serial_dates_count_the_1900_leap_year_bug(serial, day):
    assert clean.excel_serial_date(serial) == day


def test_clients_with_unreadable_fields_are_imported_and_listed(agents):
    store = agents
    text = "姓名,电话,生日\n陈美玲,13800138000,1983-02-29\n王建国,打电话前先微信联系,\n"
    result = read(text)
    preview = clientio.preview_import(store, A, result)
    assert [(g.line, g.name, g.field, g.value) for g in preview.plan.gaps] == [
        (2, "陈美玲", "birthday", "1983-02-29"), (3, "王建国", "phone", "打电话前先微信联系")]
    outcome = import_into(store, A, text.encode())
    assert (outcome.added, outcome.skipped) == (2, 0)
    assert [(g.name, g.field) for g in outcome.gaps] == [("陈美玲", "birthday"),
                                                          ("王建国", "phone")]
    clients = {c.name: c for c in store.transfer.book_clients(A)}
    chen = clients["陈美玲"]
    assert (chen.phone, chen.birthday, chen.raw_values) == \
        ("+8613800138000", None, {"birthday": "1983-02-29"})
    assert clients["王建国"].raw_values == {"phone": "打电话前先微信联系"}
    # exported as typed, so a round trip through a file keeps them
    book = clientio.load_book(store, A, currency="CNY", thresholds=store.tier_thresholds)
    exported = clientio.export_csv(book, lambda key: key.rsplit(".", 1)[-1], locale="en",
                                   region="CN", timezone="Asia/Shanghai")
    import_into(store, B, exported)
    assert {c.name: c.raw_values for c in store.transfer.book_clients(B)} == \
        {"陈美玲": {"birthday": "1983-02-29"}, "王建国": {"phone": "打电话前先微信联系"}}
    # filling the field in by hand retires the raw value, and only that one
    store.clients.update_client(A, chen.id, {"birthday": "1983-02-28"})
    assert store.clients.get_client(A, chen.id).raw_values == {}
    wang = clients["王建国"]
    store.clients.update_client(A, wang.id, {"birthday": "1970-01-01"})
    assert store.clients.get_client(A, wang.id).raw_values == {"phone": "打电话前先微信联系"}


def test_a_merge_keeps_raw_values_only_for_fields_the_client_lacks(agents):
    store = agents
    known = add(store, A, "张三", phone="+8613800138000", birthday="1985-03-02")
    other = add(store, A, "李四", phone="+8613900139000")
    text = "姓名,电话,生日\n张三,13800138000,1985-02-30\n李四,13900139000,1990-02-30\n"
    outcome = import_into(store, A, text.encode())
    assert (outcome.added, outcome.merged, outcome.skipped) == (0, 1, 1)
    assert store.clients.get_client(A, known.id).raw_values == {}
    assert store.clients.get_client(A, other.id).raw_values == {"birthday": "1990-02-30"}


def test_lunar_birthdays_in_a_lunar_column_or_written_out():
    result = read("姓名,农历生日,生日\n甲,八月十五,\n乙,,农历1987年闰6月15日\n丙,1985-08-15,\n")
    assert [r.values["birthday"] for r in result.rows] == ["L--08-15", "L1987-*06-15",
                                                           "L1985-08-15"]


# -- whole files that are refused ---------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.mark.parametrize(("content", "filename", "reason"), [
    (b"", "list.csv", "empty"),
    (b"  \r\n \n", "list.csv", "empty"),
    (PNG, "list.csv", "not_table"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "list.xlsx", "not_table"),
    (b"%PDF-1.4 ...", "list.csv", "not_table"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "list.xls", "bad_xlsx"),
    (b"PK\x03\x04 this is not really a zip", "list.xlsx", "bad_xlsx"),
    (b"BEGIN:VCARD\nVERSION:3.0\nFN:x\nBROKEN", "contacts.vcf", "bad_vcard"),
    ("电话,生日\n13800138000,1985-03-02\n".encode(), "list.csv", "no_name_column"),
    ("姓名,电话\n".encode(), "list.csv", "no_rows"),
    (b"hello\x01\x02\x03\x04\x05\x06\x07\x08 binary\x0e\x0f", "list.csv", "not_table"),
])
def test_unusable_files_are_refused_with_a_reason(content, filename, reason):
    with pytest.raises(ImportFileError) as caught:
        read(content, filename=filename)
    assert caught.value.reason == reason


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ImportFileError) as caught:
        read(out.getvalue(), filename="list.xlsx")
    assert caught.value.reason == "not_table"


def test_no_name_column_reports_the_headers_found():
    with pytest.raises(ImportFileError) as caught:
        read("Mobile,Remark\n13800138000,x\n")
    assert caught.value.headers == ["Mobile", "Remark"]


def test_too_many_rows_and_too_big():
    rows = "".join(f"客户{i},\n" for i in range(clientio.MAX_ROWS + 1))
    with pytest.raises(ImportFileError) as caught:
        read("姓名,电话\n" + rows)
    assert caught.value.reason == "too_many_rows"
    assert len(read("姓名,电话\n" + rows.split("\n", 1)[1]).rows) == clientio.MAX_ROWS
    with pytest.raises(ImportFileError) as caught:
        read(b"name\n" + b"x" * clientio.MAX_FILE_BYTES)
    assert caught.value.reason == "too_big"
    sheet = [["姓名"], *([f"客户{i}"] for i in range(clientio.MAX_ROWS + 1))]
    with pytest.raises(ImportFileError) as caught:
        read(xlsx(sheet), filename="big.xlsx")
    assert caught.value.reason == "too_many_rows"


# -- planning against the book and applying ---------------------------------------------------
def add(store, agent_id: int, name: str, *, tags=(), **values):
    return records.add_client(store, agent_id, {"name": name, **values},
                              search_key=search_key(name),
                              tags=tags)


def test_same_phone_fills_only_the_empty_fields(agents):
    store = agents
    existing = records.add_client(store, A, {"name": "张三", "phone": "+8613800138000",
                                             "notes": "原来的备注"},
                                  search_key=search_key("张三"), tags=["老乡"])
    text = ("姓名,电话,生日,备注,职业,标签\n"
            "张 三,138 0013 8000,1985-03-02,新备注,教师,\"老乡,VIP\"\n")
    result = read(text)
    plan = clientio.preview_import(store, A, result).plan
    assert plan.new == []
    assert [(m.client_id, dict(m.values), m.tags) for m in plan.merges] == [
        (existing.id, {"birthday": "1985-03-02", "occupation": "教师"}, ("vip",))]
    outcome = import_into(store, A, text.encode())
    assert (outcome.added, outcome.merged, outcome.skipped) == (0, 1, 0)
    client = store.clients.get_client(A, existing.id)
    assert (client.name, client.notes, client.birthday, client.occupation, client.tags) == \
        ("张三", "原来的备注", "1985-03-02", "教师", ("vip", "老乡"))
    # the same file again brings nothing new
    outcome = import_into(store, A, text.encode())
    assert (outcome.added, outcome.merged, outcome.skipped) == (0, 0, 1)


# -- a different person is never merged silently -------------------------------------------
SPOUSE_CARDS = ("BEGIN:VCARD\nVERSION:3.0\nFN:王美丽\nTEL;TYPE=CELL:138 0013 8000\n"
                "BDAY:1988-05-20\nEND:VCARD\n")


def test_same_phone_under_another_name_is_a_question_not_a_merge(agents):
    store = agents
    husband = add(store, A, "王大明", phone="+8613800138000")
    result = read(SPOUSE_CARDS, filename="contacts.vcf")
    preview = clientio.preview_import(store, A, result)
    assert (preview.plan.new, preview.plan.merges, preview.plan.skipped) == ([], [], [])
    [question] = preview.plan.questions
    assert (question.line, question.row.name, question.client_id, question.client_name) == \
        (1, "王美丽", husband.id, "王大明")
    assert preview.plan.has_changes  # there is something to decide


@pytest.mark.parametrize(("answer", "expected"), [
    ("new", {"王大明": (None, "+8613800138000"), "王美丽": ("1988-05-20", "+8613800138000")}),
    ("merge", {"王大明": ("1988-05-20", "+8613800138000")}),
    ("skip", {"王大明": (None, "+8613800138000")}),
])
def test_the_agents_answer_decides(agents, answer, expected):
    store = agents
    add(store, A, "王大明", phone="+8613800138000")
    preview = clientio.preview_import(store, A, read(SPOUSE_CARDS, filename="contacts.vcf"))
    answered = clientio.answer_questions(store, A, preview, [1], answer)
    data = json.loads(json.dumps(answered.dialog_data("contacts.vcf", "t")))
    again = clientio.preview_from_dialog(store, A, data)
    assert again.plan.questions == [] and again.answers == {1: answer}
    clientio.apply_import(store, A, data)
    assert {c.name: (c.birthday, c.phone) for c in store.transfer.book_clients(A)} == expected


def test_without_an_answer_confirming_merges_nothing(agents):
    store = agents
    husband = add(store, A, "王大明", phone="+8613800138000")
    preview = clientio.preview_import(store, A, read(SPOUSE_CARDS, filename="contacts.vcf"))
    outcome = clientio.apply_import(store, A, preview.dialog_data("contacts.vcf", "t"))
    assert (outcome.added, outcome.merged, outcome.skipped) == (0, 0, 1)
    assert store.clients.get_client(A, husband.id).birthday is None


def test_answer_all_answers_only_the_open_questions(agents):
    store = agents
    for i in range(7):
        add(store, A, f"户主{i}", phone=f"+86139000000{i:02d}")
    text = "姓名,电话\n" + "".join(f"家人{i},139000000{i:02d}\n" for i in range(7)) + \
        "户主0,13900000000\n新朋友,13700137000\n"
    preview = clientio.preview_import(store, A, read(text))
    assert [q.line for q in preview.plan.questions] == list(range(2, 9))
    assert [m.name for m in preview.plan.merges] == [] and \
        [p.reason for p in preview.plan.skipped] == ["already_in_book"]
    one = clientio.answer_questions(store, A, preview, [2], "merge")
    assert len(one.plan.questions) == 6  # merged into 户主0, who has nothing new to take:
    assert (2, "already_in_book") in [(p.line, p.reason) for p in one.plan.skipped]
    everyone = clientio.answer_questions(store, A, one, None, "new")
    assert everyone.answers == {2: "merge", **{line: "new" for line in range(3, 9)}}
    assert everyone.plan.questions == [] and len(everyone.plan.new) == 7
    assert clientio.answer_questions(store, A, preview, [99], "skip").answers == {}


@pytest.mark.parametrize(("in_book", "in_file"), [
    ("陳大文", "陈大文"), ("David Tan", "TAN  David"), ("Ｍａｙ Ｌｉ", "may li"),
])
def test_the_same_name_written_another_way_is_the_same_person(agents, in_book, in_file):
    store = agents
    known = add(store, A, in_book, phone="+85291234567")
    preview = clientio.preview_import(store, A, read(f"Name,Phone,Notes\n{in_file},91234567,x\n",
                                                     region="HK"))
    assert preview.plan.questions == []
    assert [m.client_id for m in preview.plan.merges] == [known.id]


def test_two_people_sharing_a_phone_in_one_file_are_both_kept():
    result = read("姓名,电话\n王大明,13800138000\n王美丽,13800138000\n王大明,13800138000\n")
    assert names(result) == ["王大明", "王美丽"]
    assert [(p.line, p.reason) for p in result.problems] == [(4, "duplicate_in_file")]


def test_name_matches_merge_only_when_nothing_contradicts(agents):
    store = agents
    lone = add(store, A, "王芳")
    add(store, A, "李静", birthday="1980-01-01")
    add(store, A, "李静", birthday="1981-02-02")
    add(store, A, "赵六", phone="+8613600136000")
    result = read("姓名,电话,生日\n王芳,13900139000,\n李静,,\n李静,,1980-01-01\n"
                  "赵六,13700137000,\n")
    plan = clientio.preview_import(store, A, result).plan
    assert [(m.client_id, dict(m.values)) for m in plan.merges] == \
        [(lone.id, {"phone": "+8613900139000"})]
    assert [(p.line, p.reason) for p in plan.skipped] == [(3, "ambiguous_name"),
                                                          (4, "already_in_book")]
    assert [r.name for r in plan.new] == ["赵六"]  # a different phone: another person


def test_confirm_plans_again_against_the_book_as_it_is_now(agents):
    store = agents
    result = read("姓名,电话\n张三,13800138000\n")
    data = clientio.preview_import(store, A, result).dialog_data("x.csv", "t")
    add(store, A, "张三", phone="+8613800138000")  # typed in by hand meanwhile
    outcome = clientio.apply_import(store, A, data)
    assert (outcome.added, outcome.merged, outcome.skipped) == (0, 0, 1)
    assert store.transfer.count_book(A) == 1


def test_an_import_is_one_transaction(agents):
    store = agents
    good = NewClient({"name": "甲"}, "jia")
    broken = NewClient({"name": None}, "")  # NOT NULL fails half way through
    with pytest.raises(Exception, match="NOT NULL"):
        store.transfer.apply_import(A, [good, good, broken], [])
    assert store.transfer.count_book(A) == 0


def test_imported_clients_belong_to_the_importing_agent_only(agents):
    store = agents
    import_into(store, A, SIMPLIFIED.encode())
    assert store.transfer.count_book(A) == 2
    assert store.transfer.count_book(B) == 0
    assert store.clients.search_clients(B, ["张伟"]) == []


def test_dialog_rows_survive_json():
    row = ImportRow(7, {"name": "张三", "phone": "+8613800138000", "kind": "group"}, ("vip",))
    assert ImportRow.from_dict(json.loads(json.dumps(row.to_dict()))) == row


# -- export and the round trip -------------------------------------------------------------------
def label_for(renderer, locale):
    return lambda key: renderer.label(locale, key)


def tricky_book(store):
    """Clients with every kind of value that could go wrong in a spreadsheet."""
    add(store, A, "张三", phone="+8613800138000", birthday="1985-03-02", gender="m",
        address="上海市浦东新区张杨路 1号", occupation="教师",
        notes="老乡, 爱喝茶\n第二行 \"引号\"",
        tags=["vip", "老乡"], stage="B", income_band="20-50万/年")
    add(store, A, "李四", phone="+85291234567", birthday="L1987-*06-15", gender="f",
        notes="=SUM(A1:A9)", family_situation="两个孩子", financial_situation="有房贷")
    add(store, A, "王五", birthday="--02-29", kind="group", notes="-5% 折扣")
    add(store, A, "David Tan", phone="+6591234567", birthday="L--12-30", stage="D")
    add(store, A, "@赵六", birthday="--03-02")


def comparable(client) -> dict[str, object]:
    values = {name: getattr(client, name) for name in PERSON_FIELDS}
    values["tags"] = client.tags
    return values


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_clients(agents, renderer, locale, kind):
    store = agents
    tricky_book(store)
    book = clientio.load_book(store, A, currency="CNY", thresholds=store.tier_thresholds)
    files = clientio.export_book(book, label_for(renderer, locale), locale=locale, region="CN",
                                 timezone="Asia/Shanghai")
    content = files.csv if kind == "csv" else files.xlsx
    outcome = import_into(store, B, content, filename=f"export.{kind}")
    assert (outcome.added, outcome.merged, outcome.skipped) == (5, 0, 0)
    mine = sorted((comparable(c) for c in store.transfer.book_clients(A)),
                  key=lambda v: str(v["name"]))
    theirs = sorted((comparable(c) for c in store.transfer.book_clients(B)),
                    key=lambda v: str(v["name"]))
    assert theirs == mine


def test_csv_export_opens_in_excel_and_guards_formulas(agents, renderer):
    store = agents
    tricky_book(store)
    book = clientio.load_book(store, A, currency="CNY", thresholds=store.tier_thresholds)
    data = clientio.export_csv(book, label_for(renderer, "zh-Hans"), locale="zh-Hans",
                               region="CN", timezone="Asia/Shanghai")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["姓名", "电话", "生日", "性别", "客户类型"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["张三"][1] == "138 0013 8000"  # national form: Excel keeps it as text
    assert by_name["李四"][1] == "'+852 9123 4567"
    assert by_name["'@赵六"][2] == "3月2日"
    assert by_name["李四"][10] == "'=SUM(A1:A9)"


def test_xlsx_export_has_a_sheet_per_record_kind(agents, renderer):
    store = agents
    tricky_book(store)
    client = store.transfer.book_clients(A)[0]
    records.add_policy(store, A, client.id, {"product": "重疾险", "annual_premium": 25000.0,
                                             "start_date": date(2024, 5, 1),
                                             "product_type": "critical_illness"})
    records.add_family_member(store, A, client.id, relation="child", name="小宝",
                              birthday="2018-06-01")
    records.log_contact(store, A, client.id, at=datetime.fromisoformat("2026-11-20T10:00:00+08:00"),
                        channel="face", summary="=1+1", next_step="送计划书",
                        next_step_date=date(2026, 11, 30))
    records.add_date(store, A, client.id, kind="wedding", label=None, yearly="2010-10-01")
    book = clientio.load_book(store, A, currency="CNY", thresholds=store.tier_thresholds)
    data = clientio.export_xlsx(book, label_for(renderer, "en"), locale="en", region="CN",
                                timezone="Asia/Shanghai")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Clients", "Policies", "Family", "Contact log", "Dates"]
    policies = list(workbook["Policies"].iter_rows(values_only=True))
    assert policies[0][:3] == ("Client", "Policy no.", "Product")
    assert policies[1][0] == client.name and policies[1][7] == 25000
    assert policies[1][9] == datetime(2024, 5, 1)
    contacts = list(workbook["Contact log"].iter_rows(values_only=True))
    assert contacts[1][1] == datetime(2026, 11, 20, 10, 0)
    assert contacts[1][3] == "=1+1" and workbook["Contact log"]["D2"].data_type == "s"
    clients_sheet = list(workbook["Clients"].iter_rows(values_only=True))
    tiers = {row[0]: row[14] for row in clients_sheet[1:]}
    assert tiers[client.name] == "VIP"


def test_export_holds_only_the_agents_own_book(agents, renderer):
    store = agents
    tricky_book(store)
    add(store, B, "别人的客户", phone="+8613300133000")
    book = clientio.load_book(store, B, currency="CNY", thresholds=store.tier_thresholds)
    assert [c.name for c in book.clients] == ["别人的客户"]
    data = clientio.export_csv(book, label_for(renderer, "zh-Hans"), locale="zh-Hans",
                               region="CN", timezone="Asia/Shanghai")
    assert "张三" not in data.decode("utf-8-sig")


def test_one_clients_data_as_json(agents):
    store = agents
    tricky_book(store)
    client = store.transfer.book_clients(A)[0]
    records.add_policy(store, A, client.id, {"product": "医疗险", "annual_premium": 800.0,
                                             "start_date": date(2025, 1, 1)})
    records.add_family_member(store, A, client.id, relation="spouse", name="林美玲", gender="f")
    store.clients.set_consent(A, client.id, "service")
    card = store.clients.client_card(A, client.id, contacts=1000)
    text = clientio.client_export_json(card)
    data = json.loads(text)
    assert client.name in text  # ensure_ascii=False: readable Chinese
    assert data["client"]["name"] == client.name
    assert data["client"]["tags"] == list(client.tags)
    assert data["client"]["consent_scope"] == "service" and data["client"]["consent_at"]
    assert data["policies"][0]["start_date"] == "2025-01-01"
    assert data["family"][0]["name"] == "林美玲"
    assert set(data) == {"client", "referred_by", "family", "important_dates", "policies",
                         "contacts", "group_roles"}


@pytest.mark.parametrize(("stored", "locale"), [
    ("--03-02", "zh-Hans"), ("--03-02", "en"), ("L1985-08-15", "en"), ("L--08-15", "zh-Hant"),
    ("L1987-*06-15", "en"), ("L--*06-30", "zh-Hans"), ("1985-03-02", "zh-Hant"),
])
def test_exported_dates_read_back(stored, locale):
    yearly = YearlyDate.from_storage(stored)
    text = clientio.yearly_cell_text(yearly, locale)
    assert parse_yearly_date(text) == yearly, text
