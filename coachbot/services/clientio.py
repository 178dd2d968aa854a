"""Client book files: read CSV, XLSX and vCard imports, plan them against the book, build exports.

Reading is pure (bytes in, rows out, no database, no Telegram): it may run in a worker thread.
Planning compares the rows with a snapshot of the book; the store applies the plan in one
transaction. Exports are built from plain records with a `label` function for the headers, so
the agent gets them in their own language.
"""

from __future__ import annotations

import calendar
import contextlib
import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from coachbot.domain import classify
from coachbot.domain.calendar import YearlyDate
from coachbot.domain.clients import clean_name, clean_tag, clean_text, search_key
from coachbot.domain.dates import parse_yearly_date
from coachbot.domain.models import (
    STAGES,
    Client,
    ClientCard,
    ClientFill,
    Contact,
    FamilyMember,
    ImportantDate,
    ImportCounts,
    NewClient,
    Policy,
)
from coachbot.domain.phones import format_phone, normalize_phone
from coachbot.services.schedule import refresh_clients
from coachbot.store.transfer import FILLABLE_FIELDS

if TYPE_CHECKING:
    from coachbot.store import Store

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 100
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an .xlsx is a zip: refuse zip bombs before opening
MAX_TAGS = 10
MAX_PROBLEMS_SHOWN = 10
HEADER_SEARCH_ROWS = 5  # a title line or two above the header row is common in Excel lists

Label = Callable[[str], str]


# -- what a file's columns are called -----------------------------------------------------------
# Exact names, compared after _header_key (lower case, no spaces, no "(...)", no "*"). The
# export's own headers in every locale must be here too (a unit test checks the round trip).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "客户姓名", "客户名称", "客户名", "客户", "名称", "全名", "联系人",
             "客戶姓名", "客戶名稱", "客戶名", "客戶", "名稱", "聯絡人", "聯繫人", "name",
             "fullname", "client", "clientname", "customer", "customername", "contactname",
             "displayname"),
    "family_name": ("姓", "姓氏", "lastname", "surname", "familyname"),
    "given_name": ("名", "firstname", "givenname"),
    "phone": ("电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "联系方式", "移动电话",
              "電話", "手機", "手機號", "手機號碼", "聯絡電話", "聯繫電話", "電話號碼", "聯絡方式",
              "行動電話", "流動電話", "phone", "mobile", "mobilephone", "cell", "cellphone",
              "telephone", "tel", "phonenumber", "mobilenumber", "contactnumber", "whatsapp"),
    "birthday": ("生日", "出生日期", "出生年月日", "出生年月", "出生日", "公历生日", "阳历生日",
                 "國曆生日", "公曆生日", "陽曆生日", "新曆生日", "birthday", "dob", "dateofbirth",
                 "birthdate", "born"),
    "lunar_birthday": ("农历生日", "阴历生日", "農曆生日", "陰曆生日", "舊曆生日",
                       "lunarbirthday"),
    "gender": ("性别", "性別", "gender", "sex"),
    "address": ("地址", "住址", "家庭住址", "联系地址", "通讯地址", "家庭地址", "聯絡地址",
                "通訊地址", "address", "homeaddress"),
    "occupation": ("职业", "職業", "职务", "職務", "工作", "occupation", "job", "jobtitle",
                   "profession"),
    "income_band": ("收入", "年收入", "月收入", "income", "annualincome"),
    "family_situation": ("家庭情况", "家庭情況", "家庭状况", "家庭狀況", "familysituation",
                         "family"),
    "financial_situation": ("财务状况", "財務狀況", "财务情况", "財務情況",
                            "financialsituation", "finances"),
    "notes": ("备注", "備註", "备注信息", "說明", "说明", "notes", "note", "remark", "remarks",
              "comment", "comments", "memo"),
    "tags": ("标签", "標籤", "標簽", "tags", "tag", "labels"),
    "kind": ("客户类型", "客戶類型", "客户类别", "客戶類別", "类型", "類型", "type", "clienttype",
             "customertype", "kind"),
    "stage": ("准客户阶段", "準客戶階段", "阶段", "階段", "stage", "prospectstage"),
}
# Words that identify a column even inside a longer header ("客户手机号", "Mobile Phone 1").
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "phone": ("手机", "电话", "手機", "電話", "phone", "mobile"),
    "birthday": ("生日", "出生", "birth"),
    "address": ("地址", "address"),
    "notes": ("备注", "備註", "note", "remark"),
    "name": ("姓名",),
}
IMPORT_FIELDS = ("name", "phone", "birthday", "gender", "kind", "address", "occupation",
                 "income_band", "family_situation", "financial_situation", "notes", "tags",
                 "stage")
TEXT_FIELDS = ("address", "occupation", "income_band", "family_situation", "financial_situation",
               "notes")

GENDER_WORDS = {
    "m": ("男", "男性", "先生", "m", "male", "man", "mr", "boy"),
    "f": ("女", "女性", "女士", "小姐", "太太", "f", "female", "woman", "mrs", "ms", "miss",
          "girl"),
}
GROUP_WORDS = ("团体", "團體", "团单", "團單", "企业", "企業", "公司", "单位", "單位", "group",
               "company", "corporate", "business", "organisation", "organization")
LUNAR_PREFIXES = ("农历", "農曆", "阴历", "陰曆", "旧历", "舊曆", "lunar")
TAG_SEPARATORS = re.compile(r"[,，、;；#|\n]+")
PHONE_SEPARATORS = re.compile(r"[/,，;；、|\n]+")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Some of the commonest characters of Chinese names and headers, in both scripts: they tell a
# GBK file from a Big5 one when both decode without error (Big5 bytes are valid GB18030).
_COMMON_HAN = set(
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林罗羅高郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧"
    "曹彭曾萧蕭田董潘袁蔡蒋蔣余于杜叶葉程魏苏蘇吕呂丁任卢盧姚沈钟鍾姜崔谭譚陆陸范汪廖石金韦韋"
    "贾賈夏方邹鄒熊白孟秦邱侯江尹薛雷黎史龙龍陶贺賀顾顧毛郝龚龔邵万萬钱錢严嚴武戴莫孔汤湯"
    "伟偉芳娜敏静靜丽麗强強磊军軍洋勇艳豔杰傑娟涛濤明超秀霞平刚剛桂英华華玉兰蘭红紅文建国國"
    "志海东東小美玲婷雪梅家子晓曉宇欣怡佳思俊嘉诚誠慧淑珍凤鳳琴云雲春"
    "姓名电話电话手机手機生日出生性别別地址职業职业备注備註标签標籤客户戶类型類型男女先生太"
    "的是不了人我在有他这這个個们們中来來上大为為和国地到以说說时時要就出会會可也你对對生能"
)


# -- errors and results -----------------------------------------------------------------------
class ImportFileError(ValueError):
    """The whole file cannot be imported; `reason` says why (templates explain each)."""

    REASONS = ("empty", "too_big", "too_many_rows", "not_table", "old_excel", "bad_xlsx",
               "bad_vcard", "encoding", "no_name_column", "no_rows")

    def __init__(self, reason: str, *, headers: Sequence[str] = ()) -> None:
        assert reason in self.REASONS, reason
        super().__init__(reason)
        self.reason = reason
        self.headers = [h[:30] for h in headers if h][:12]


@dataclass(frozen=True)
class Problem:
    """A row that will not be imported, and why (a key templates explain)."""

    line: int
    reason: str  # no_name bad_phone bad_date duplicate_in_file ambiguous_name already_in_book
    name: str | None = None
    value: str | None = None  # what was wrong, shortened

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class ImportRow:
    """A client read from a file, cleaned and normalised, ready to add or merge."""

    line: int
    values: Mapping[str, Any]  # "name" and any of IMPORT_FIELDS but tags; storage forms
    tags: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(self.values["name"])

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"line": self.line, **self.values}
        if self.tags:
            data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImportRow:
        values = {k: v for k, v in data.items() if k in IMPORT_FIELDS and k != "tags"}
        return cls(int(data["line"]), values, tuple(data.get("tags") or ()))


@dataclass(frozen=True)
class ReadResult:
    """What a file holds: the usable rows, the rows it had to leave out, and its columns."""

    kind: str  # csv | xlsx | vcf
    rows: list[ImportRow]
    problems: list[Problem]
    columns: list[str]  # fields recognised, in IMPORT_FIELDS order
    ignored: list[str] = field(default_factory=list)  # headers we did not use

    @property
    def unit(self) -> str:
        """What a line number counts: spreadsheet rows, or cards of a vCard file."""
        return "card" if self.kind == "vcf" else "row"


@dataclass(frozen=True)
class Merge:
    """Empty fields of a client already in the book that a row fills in."""

    line: int
    client_id: int
    name: str
    values: Mapping[str, Any]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    """What confirming would do."""

    new: list[ImportRow]
    merges: list[Merge]
    skipped: list[Problem]

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.merges)


# -- reading files ----------------------------------------------------------------------------
def read_import(filename: str, content: bytes, *, region: str, today: date) -> ReadResult:
    """Read a client list; raises ImportFileError when the file as a whole is unusable."""
    if not content or not content.strip():
        raise ImportFileError("empty")
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError("too_big")
    kind = sniff_kind(content)
    if kind == "xlsx":
        table, unit_kind = _xlsx_table(content), "xlsx"
    else:
        text = decode_text(content)
        if _looks_binary(text):
            raise ImportFileError("not_table")
        if text.lstrip().upper().startswith("BEGIN:VCARD"):
            return _clean(_vcard_records(text), "vcf", [], [], region, today)
        table, unit_kind = _csv_table(text), "csv"
    columns, header_index = find_columns(table)
    headers = [_cell_text(cell) for cell in table[header_index]] if table else []
    if "name" not in columns and not ({"family_name", "given_name"} & set(columns)):
        raise ImportFileError("no_name_column", headers=[h for h in headers if h])
    records = []
    for index in range(header_index + 1, len(table)):
        row = table[index]
        record = _record(row, columns)
        if record:
            records.append((index + 1, record))
    if len(records) > MAX_ROWS:
        raise ImportFileError("too_many_rows")
    used = {i for indexes in columns.values() for i in indexes}
    ignored = [h[:30] for i, h in enumerate(headers) if h and i not in used]
    found = [f for f in IMPORT_FIELDS if f in columns
             or (f == "name" and {"family_name", "given_name"} & set(columns))
             or (f == "birthday" and "lunar_birthday" in columns)]
    return _clean(records, unit_kind, found, ignored, region, today)


def sniff_kind(content: bytes) -> str:
    """xlsx or text (CSV or vCard), judged by the bytes, never by the file name."""
    head = content[:8]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("old_excel")  # .xls (BIFF): ask for .xlsx or CSV
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"RIFF", b"\x1f\x8b",
                        b"Rar!", b"7z\xbc\xaf", b"\x00\x00\x00")):
        raise ImportFileError("not_table")
    return "text"


def decode_text(content: bytes) -> str:
    """Text from UTF-8 (BOM or not), UTF-16 with a BOM, GBK/GB18030 or Big5."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError("encoding") from exc
    if b"\x00" in content[:4096]:
        raise ImportFileError("not_table")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            candidates.append(content.decode(encoding))
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise ImportFileError("encoding")
    # Big5 bytes also decode as GB18030 (into nonsense): keep the reading that looks Chinese.
    return max(candidates, key=_chinese_score)  # max keeps the first (GB18030) on a tie


def _chinese_score(text: str) -> float:
    sample = text[:20_000]
    known = sum(1 for ch in sample if ch in _COMMON_HAN)
    header = sample.split("\n", 1)[0]
    words = sum(1 for cell in re.split(r"[,;\t|]", header) if _header_field(cell))
    return words * 1000 + known


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
    return controls > max(2, len(sample) // 100)


def _csv_table(text: str) -> list[list[Any]]:
    lines = text.splitlines()
    header = next((line for line in lines if line.strip()), "")
    sample = "\n".join(lines[:20])
    delimiter = ","
    with contextlib.suppress(csv.Error):
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    if delimiter not in header:  # the sniffer guessed from the data: trust the header row
        counts = {d: header.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        delimiter = best if counts[best] else ","
    rows: list[list[Any]] = []
    filled = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row[:MAX_COLUMNS])
            if any(_present(cell) for cell in row):
                filled += 1
                if filled > MAX_ROWS + HEADER_SEARCH_ROWS + 1:
                    raise ImportFileError("too_many_rows")
    except csv.Error as exc:
        raise ImportFileError("not_table") from exc
    return rows


def _xlsx_table(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ImportFileError("bad_xlsx") from exc
    if "xl/workbook.xml" not in names:
        raise ImportFileError("not_table")  # a zip, a .docx or a .numbers file
    if unzipped > MAX_UNZIPPED_BYTES:
        raise ImportFileError("too_big")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise ImportFileError("bad_xlsx") from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError("no_name_column")
        sheet = workbook.worksheets[0]
        rows: list[list[Any]] = []
        filled = 0
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            row = list(values)
            rows.append(row)
            if any(_present(cell) for cell in row):
                filled += 1
                if filled > MAX_ROWS + HEADER_SEARCH_ROWS + 1:
                    raise ImportFileError("too_many_rows")
        return rows
    finally:
        workbook.close()


def _header_key(text: object) -> str:
    value = unicodedata.normalize("NFKC", str(text or "")).lower()
    value = re.sub(r"[(\[（【].*?[)\]）】]", "", value)
    return re.sub(r"[\s*:：_\-/.#]+", "", value)


_EXACT = {_header_key(alias): name for name, aliases in HEADER_ALIASES.items()
          for alias in aliases}


def _header_field(cell: object) -> str | None:
    key = _header_key(cell)
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key]
    for name, words in HEADER_WORDS.items():
        if any(word in key for word in words):
            if name == "birthday" and any(p in key for p in LUNAR_PREFIXES):
                return "lunar_birthday"
            return name
    return None


def find_columns(table: Sequence[Sequence[Any]]) -> tuple[dict[str, list[int]], int]:
    """Field -> column indexes (best first) and the index of the header row."""
    best: tuple[dict[str, list[int]], int] = ({}, 0)
    seen = 0
    for index, row in enumerate(table):
        if not any(_present(cell) for cell in row):
            continue
        columns: dict[str, list[int]] = {}
        for position, cell in enumerate(row):
            name = _header_field(cell) if isinstance(cell, str) else None
            if name is not None:
                columns.setdefault(name, []).append(position)
        if _score(columns) > _score(best[0]):
            best = (columns, index)
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    return best


def _score(columns: Mapping[str, list[int]]) -> int:
    has_name = "name" in columns or {"family_name", "given_name"} <= set(columns)
    return (100 if has_name else 0) + len(columns)


def _present(cell: Any) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def _record(row: Sequence[Any], columns: Mapping[str, list[int]]) -> dict[str, Any]:
    """The row's first non-empty value for each field."""
    record: dict[str, Any] = {}
    for name, indexes in columns.items():
        for index in indexes:
            if index < len(row) and _present(row[index]):
                record[name] = row[index]
                break
    if "name" not in record and ("family_name" in record or "given_name" in record):
        family, given = _cell_text(record.get("family_name")), _cell_text(record.get("given_name"))
        record["name"] = _full_name(family, given)
    record.pop("family_name", None)
    record.pop("given_name", None)
    return record


def _full_name(family: str, given: str) -> str:
    """王 + 小明 -> 王小明; Tan + David -> David Tan."""
    if re.search(r"[\u3400-\u9fff]", family + given):
        return family + given
    return " ".join(part for part in (given, family) if part)


def _cell_text(value: Any) -> str:
    """A cell as text: whole floats without ".0", dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in FORMULA_START:
        text = text[1:]  # our own export's guard against spreadsheet formulas
    return text


# -- vCard ------------------------------------------------------------------------------------
def _vcard_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    import vobject

    records: list[tuple[int, dict[str, Any]]] = []
    try:
        for number, card in enumerate(vobject.readComponents(text), start=1):
            if number > MAX_ROWS:
                raise ImportFileError("too_many_rows")
            records.append((number, _vcard_record(card)))
    except ImportFileError:
        raise
    except Exception as exc:  # vobject's ParseError and friends on damaged files
        raise ImportFileError("bad_vcard") from exc
    if not records:
        raise ImportFileError("bad_vcard")
    return records


def _vcard_record(card: Any) -> dict[str, Any]:
    contents: dict[str, list[Any]] = card.contents
    record: dict[str, Any] = {}

    def first(key: str) -> Any:
        items = contents.get(key) or []
        return items[0] if items else None

    fn = first("fn")
    if fn is not None and str(fn.value).strip():
        record["name"] = str(fn.value)
    elif first("n") is not None:
        n = first("n").value
        record["name"] = _full_name(str(n.family or "").strip(), str(n.given or "").strip())
    phones = contents.get("tel") or []
    phones = sorted(phones, key=lambda t: 0 if "CELL" in _vcard_types(t) else 1)
    if phones:
        record["phone"] = str(phones[0].value)
    if first("bday") is not None:
        record["birthday"] = _vcard_date(str(first("bday").value))
    if first("note") is not None:
        record["notes"] = str(first("note").value)
    if first("adr") is not None:
        adr = first("adr").value
        parts = [getattr(adr, name, "") for name in ("country", "region", "city", "street")]
        record["address"] = " ".join(str(p).strip() for p in parts if str(p).strip())
    title, org = first("title"), first("org")
    job = [str(title.value).strip()] if title is not None else []
    if org is not None:
        job += [str(x).strip() for x in (org.value if isinstance(org.value, list) else [org.value])]
    if any(job):
        record["occupation"] = " · ".join(p for p in job if p)
    if first("categories") is not None:
        value = first("categories").value
        record["tags"] = ",".join(value) if isinstance(value, list) else str(value)
    for key in ("gender", "x-gender"):
        if first(key) is not None:
            record["gender"] = str(first(key).value).split(";")[0]
            break
    return {k: v for k, v in record.items() if _present(v)}


def _vcard_types(line: Any) -> set[str]:
    types = {str(t).upper() for t in line.params.get("TYPE", [])}
    return types | {str(k).upper() for k in line.params if k.upper() in {"CELL", "MOBILE"}}


def _vcard_date(value: str) -> Any:
    text = value.strip()
    match = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?", text)
    if match:
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            return text
    match = re.fullmatch(r"--(\d{2})-?(\d{2})", text)
    if match:
        return YearlyDate(int(match.group(1)), int(match.group(2)))
    return text


# -- cleaning rows ----------------------------------------------------------------------------
def _clean(records: Sequence[tuple[int, Mapping[str, Any]]], kind: str, columns: list[str],
           ignored: list[str], region: str, today: date) -> ReadResult:
    rows: list[ImportRow] = []
    problems: list[Problem] = []
    seen: set[tuple[str, ...]] = set()
    for line, record in records:
        result = clean_record(line, record, region=region, today=today)
        if isinstance(result, Problem):
            problems.append(result)
            continue
        key = _identity(result)
        if key in seen:
            problems.append(Problem(line, "duplicate_in_file", result.name))
            continue
        seen.add(key)
        rows.append(result)
    if kind == "vcf":
        columns = [f for f in IMPORT_FIELDS
                   if any(f in r.values or (f == "tags" and r.tags) for r in rows)]
    if not rows and not problems:
        raise ImportFileError("no_rows")
    return ReadResult(kind, rows, problems, columns, ignored)


def _identity(row: ImportRow) -> tuple[str, ...]:
    phone = row.values.get("phone")
    if phone:
        return ("phone", _digits(str(phone)))
    return ("name", row.name, str(row.values.get("birthday") or ""))


def clean_record(line: int, record: Mapping[str, Any], *, region: str,
                 today: date) -> ImportRow | Problem:
    """One row as typed in the file -> a clean ImportRow, or the Problem that stops it."""
    name = clean_name(_cell_text(record.get("name")))
    if name is None:
        # nothing to call the row by but its phone, if it has one
        return Problem(line, "no_name", _short(record.get("phone")))
    values: dict[str, Any] = {"name": name}
    if _present(record.get("phone")):
        phone = _phone(_cell_text(record["phone"]), region)
        if phone is None:
            return Problem(line, "bad_phone", name, _short(record["phone"]))
        values["phone"] = phone
    raw_birthday = record.get("birthday") if _present(record.get("birthday")) else None
    lunar = False
    if raw_birthday is None and _present(record.get("lunar_birthday")):
        raw_birthday, lunar = record["lunar_birthday"], True
    if raw_birthday is not None:
        yearly = _yearly(raw_birthday, lunar, today)
        if yearly is None:
            return Problem(line, "bad_date", name, _short(raw_birthday))
        values["birthday"] = yearly.to_storage()
    gender = _gender(_cell_text(record.get("gender")))
    if gender:
        values["gender"] = gender
    if _is_group(_cell_text(record.get("kind"))):
        values["kind"] = "group"
    stage = _stage(_cell_text(record.get("stage")))
    if stage:
        values["stage"] = stage
    for name_ in TEXT_FIELDS:
        text = clean_text(_cell_text(record.get(name_)))
        if text:
            values[name_] = text
    tags = _tags(_cell_text(record.get("tags")))
    return ImportRow(line, values, tags)


def _short(value: Any, limit: int = 30) -> str | None:
    text = _cell_text(value)
    return (text[:limit] + "…" if len(text) > limit else text) or None


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _phone(text: str, region: str) -> str | None:
    """The first number in the cell that is a valid phone for the agent's region (E.164)."""
    for part in PHONE_SEPARATORS.split(text):
        if part.strip():
            phone = normalize_phone(part.strip(), region)
            if phone:
                return phone
    return None


def _yearly(value: Any, lunar: bool, today: date) -> YearlyDate | None:
    if isinstance(value, YearlyDate):
        yearly: YearlyDate | None = value
    elif isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        try:
            yearly = YearlyDate(day.month, day.day, lunar=lunar, year=day.year)
        except ValueError:
            return None
    else:
        text = _cell_text(value)
        if lunar and not text.lower().startswith(LUNAR_PREFIXES):
            text = LUNAR_PREFIXES[0] + text
        yearly = parse_yearly_date(text)
    if yearly is None or (yearly.year is not None and not 1900 <= yearly.year <= today.year):
        return None
    if yearly.year is not None and not yearly.lunar:
        origin = yearly.origin()
        if origin is not None and origin > today:  # born in the future: a typo
            return None
    return yearly


def _gender(text: str) -> str | None:
    key = text.strip().lower().rstrip(".")
    for gender, words in GENDER_WORDS.items():
        if key in words:
            return gender
    return None


def _is_group(text: str) -> bool:
    key = text.strip().lower()
    return bool(key) and any(word in key for word in GROUP_WORDS)


def _stage(text: str) -> str | None:
    key = text.strip().upper()
    return key[0] if key and key[0] in STAGES and (len(key) == 1 or not key[1].isalpha()) \
        else None


def _tags(text: str) -> tuple[str, ...]:
    tags: list[str] = []
    for part in TAG_SEPARATORS.split(text):
        tag = clean_tag(part) if part.strip() else None
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags[:MAX_TAGS])


# -- planning against the book ------------------------------------------------------------------
def plan_import(rows: Sequence[ImportRow], book: Sequence[Client]) -> ImportPlan:
    """New clients, fills of clients already in the book (same phone, or same name with nothing
    that contradicts), and rows to skip. Pure: `book` is a snapshot of the agent's clients."""
    by_phone: dict[str, Client] = {}
    by_name: dict[str, list[Client]] = {}
    for client in book:
        if client.phone:
            by_phone.setdefault(_digits(client.phone), client)
        by_name.setdefault(client.name, []).append(client)
    new: list[ImportRow] = []
    merges: list[Merge] = []
    skipped: list[Problem] = []
    touched: set[int] = set()
    for row in rows:
        match, ambiguous = _match(row, by_phone, by_name)
        if ambiguous:
            skipped.append(Problem(row.line, "ambiguous_name", row.name))
            continue
        if match is None:
            new.append(row)
            continue
        if match.id in touched:
            skipped.append(Problem(row.line, "duplicate_in_file", row.name))
            continue
        touched.add(match.id)
        fills = {k: v for k, v in row.values.items()
                 if k in FILLABLE_FIELDS and not getattr(match, k)}
        tags = tuple(t for t in row.tags if t not in match.tags)
        if not fills and not tags:
            skipped.append(Problem(row.line, "already_in_book", row.name))
            continue
        merges.append(Merge(row.line, match.id, match.name, fills, tags))
    return ImportPlan(new, merges, skipped)


def _match(row: ImportRow, by_phone: Mapping[str, Client],
           by_name: Mapping[str, list[Client]]) -> tuple[Client | None, bool]:
    phone = row.values.get("phone")
    if phone and _digits(str(phone)) in by_phone:
        return by_phone[_digits(str(phone))], False
    birthday = row.values.get("birthday")
    candidates = [c for c in by_name.get(row.name, [])
                  if (not phone or not c.phone) and (not birthday or not c.birthday
                                                     or c.birthday == birthday)]
    if len(candidates) > 1:
        return None, True
    return (candidates[0] if candidates else None), False


# -- services: what the handlers call -----------------------------------------------------------
@dataclass(frozen=True)
class ImportPreview:
    """A read file planned against the book: what the agent confirms."""

    read: ReadResult
    plan: ImportPlan

    @property
    def problems(self) -> list[Problem]:
        return sorted([*self.read.problems, *self.plan.skipped], key=lambda p: p.line)

    def dialog_data(self, filename: str, token: str) -> dict[str, Any]:
        """Small enough for the dialog row: the cleaned rows, not the file."""
        return {"token": token, "file": filename[:80], "unit": self.read.unit,
                "rows": [row.to_dict() for row in self.read.rows],
                "file_skipped": len(self.read.problems)}


def preview_import(store: Store, agent_id: int, read: ReadResult) -> ImportPreview:
    return ImportPreview(read, plan_import(read.rows, store.transfer.book_clients(agent_id)))


@dataclass(frozen=True)
class ImportOutcome:
    added: int
    merged: int
    skipped: int


def apply_import(store: Store, agent_id: int, data: Mapping[str, Any]) -> ImportOutcome:
    """Confirm a previewed import: planned again against the book as it is now, then applied
    in one transaction."""
    rows = [ImportRow.from_dict(item) for item in data.get("rows", [])]
    plan = plan_import(rows, store.transfer.book_clients(agent_id))
    with store.atomic():  # all or nothing, the derived birthdays and due dates included
        counts: ImportCounts = store.transfer.apply_import(
            agent_id,
            [NewClient(dict(row.values), search_key(row.name), row.tags) for row in plan.new],
            [ClientFill(m.client_id, dict(m.values), m.tags) for m in plan.merges],
        )
        refresh_clients(store, agent_id, counts.touched)
    skipped = int(data.get("file_skipped", 0)) + len(plan.skipped) + \
        (len(plan.merges) - counts.filled)
    return ImportOutcome(counts.added, counts.filled, skipped)


# -- export -------------------------------------------------------------------------------------
CLIENT_COLUMNS = ("name", "phone", "birthday", "gender", "kind", "address", "occupation",
                  "income_band", "family_situation", "financial_situation", "notes", "tags",
                  "grade", "stage", "tier", "annual_premium", "policies", "last_contact",
                  "referred_by", "consent", "created")
POLICY_COLUMNS = ("client", "policy_no", "product", "product_type", "insured", "holder",
                  "sum_insured", "annual_premium", "currency", "start_date",
                  "payment_term_years", "payment_frequency", "status", "next_due_date",
                  "delivered_date", "source")
FAMILY_COLUMNS = ("client", "relation", "name", "gender", "birthday")
DATE_COLUMNS = ("client", "date_kind", "label", "date")
CONTACT_COLUMNS = ("client", "at", "channel", "summary", "next_step", "next_step_date")
SHEETS = ("clients", "policies", "family", "contacts", "dates")


@dataclass(frozen=True)
class Book:
    """Everything of one agent's book, as plain records, with what export computes."""

    clients: list[Client]
    policies: list[Policy]
    family: list[FamilyMember]
    dates: list[ImportantDate]
    contacts: list[Contact]
    tiers: Mapping[int, str | None]
    currency: str


def load_book(store: Store, agent_id: int, *, currency: str,
              thresholds: Mapping[str, tuple[int, int]]) -> Book:
    """The whole book of one agent (and nobody else's)."""
    clients = store.transfer.book_clients(agent_id)
    policies = store.transfer.book_policies(agent_id)
    by_client: dict[int, list[Policy]] = {}
    for policy in policies:
        by_client.setdefault(policy.client_id, []).append(policy)
    tiers = {c.id: classify.client_tier(by_client.get(c.id, []), currency, thresholds)
             for c in clients}
    return Book(clients, policies, store.transfer.book_family(agent_id),
                store.transfer.book_dates(agent_id),
                store.transfer.book_contacts(agent_id), tiers, currency)


@dataclass(frozen=True)
class ExportFiles:
    csv: bytes
    xlsx: bytes
    clients: int
    policies: int


def export_book(book: Book, label: Label, *, locale: str, region: str,
                timezone: str) -> ExportFiles:
    """The book as a CSV of clients and an XLSX workbook with one sheet per kind of record."""
    options = {"locale": locale, "region": region, "timezone": timezone}
    return ExportFiles(export_csv(book, label, **options), export_xlsx(book, label, **options),
                       len(book.clients), len(book.policies))


def _client_cells(book: Book, label: Label, locale: str, region: str, zone: ZoneInfo,
                  as_text: bool) -> Iterator[list[Any]]:
    names = {c.id: c.name for c in book.clients}
    premiums: dict[int, tuple[float, int]] = {}
    for p in book.policies:
        total, count = premiums.get(p.client_id, (0.0, 0))
        live = p.status in classify.LIVE_POLICY_STATUSES
        premiums[p.client_id] = (total + (p.annual_premium if live else 0), count + 1)
    for c in book.clients:
        premium, count = premiums.get(c.id, (0.0, 0))
        grade = classify.grade_of(c).grade
        tier = book.tiers.get(c.id)
        last = c.last_contact_at.astimezone(zone).date() if c.last_contact_at else None
        created = c.created_at.astimezone(zone).date() if c.created_at else None
        consent = (f"{label('files.consent.' + c.consent_scope)} "
                   f"{c.consent_at.astimezone(zone).date().isoformat()}"
                   if c.consent_at and c.consent_scope else "")
        yield [
            c.name, format_phone(c.phone, region) if c.phone else "",
            _birthday_cell(c.birthday, locale, as_text),
            label(f"files.gender.{c.gender}") if c.gender in ("m", "f") else "",
            label(f"files.kind.{c.kind}"), c.address or "", c.occupation or "",
            c.income_band or "", c.family_situation or "", c.financial_situation or "",
            c.notes or "", ", ".join(c.tags),
            grade or "", label(f"files.stage.{c.stage}") if c.stage else "",
            label(f"files.tier.{tier}") if tier else "", _number(premium) if count else "",
            count, _day(last, as_text), names.get(c.referred_by or 0, ""), consent,
            _day(created, as_text),
        ]


def export_csv(book: Book, label: Label, *, locale: str, region: str, timezone: str) -> bytes:
    """Clients as CSV, UTF-8 with a BOM so Excel shows Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label(f"files.columns.{c}") for c in CLIENT_COLUMNS])
    for cells in _client_cells(book, label, locale, region, ZoneInfo(timezone), as_text=True):
        writer.writerow([_csv_safe(cell) for cell in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_safe(value: Any) -> Any:
    """Spreadsheets run a cell that starts with = + - @ as a formula: quote such text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_xlsx(book: Book, label: Label, *, locale: str, region: str, timezone: str) -> bytes:
    """A workbook: clients first (importable again), then policies, family, contacts, dates."""
    from openpyxl import Workbook

    zone = ZoneInfo(timezone)
    names = {c.id: c.name for c in book.clients}
    workbook = Workbook(write_only=True)  # streams rows: thousands of clients stay fast
    _add_sheet(workbook, label, "clients", CLIENT_COLUMNS,
               _client_cells(book, label, locale, region, zone, as_text=False))
    _add_sheet(workbook, label, "policies", POLICY_COLUMNS, (
        [names.get(p.client_id, ""), p.policy_no, p.product,
         label(f"files.product_type.{p.product_type}") if p.product_type else None,
         p.insured, p.holder, p.sum_insured, p.annual_premium, p.currency or book.currency,
         p.start_date, p.payment_term_years,
         label(f"files.payment_frequency.{p.payment_frequency}"),
         label(f"files.status.{p.status}"), p.next_due_date, p.delivered_date,
         label(f"files.source.{p.source}")] for p in book.policies))
    _add_sheet(workbook, label, "family", FAMILY_COLUMNS, (
        [names.get(m.client_id, ""), label(f"files.relation.{m.relation}"), m.name,
         label(f"files.gender.{m.gender}") if m.gender in ("m", "f") else None,
         _birthday_cell(m.birthday, locale, as_text=False)] for m in book.family))
    _add_sheet(workbook, label, "contacts", CONTACT_COLUMNS, (
        [names.get(k.client_id, ""), k.at.astimezone(zone).replace(tzinfo=None),
         label(f"files.channel.{k.channel}"), k.summary, k.next_step, k.next_step_date]
        for k in book.contacts))
    _add_sheet(workbook, label, "dates", DATE_COLUMNS, (
        [names.get(d.client_id, ""), label(f"files.date_kind.{d.kind}"), d.label,
         _birthday_cell(d.date, locale, as_text=False)] for d in book.dates))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _add_sheet(workbook: Any, label: Label, key: str, columns: Sequence[str],
               rows: Iterable[Sequence[Any]]) -> None:
    """One sheet: a bold header of column labels, then the rows (dates formatted as such)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(label(f"files.sheets.{key}")[:31])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(columns, start=1):
        wide = name in ("address", "notes", "summary", "next_step")
        sheet.column_dimensions[get_column_letter(index)].width = 28 if wide else 14
    bold = Font(bold=True)
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=label(f"files.columns.{name}"))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if cell.data_type == "f":  # text that merely starts with "=" stays text
                cell.data_type = "s"
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def _day(value: date | None, as_text: bool) -> Any:
    if value is None:
        return ""
    return value.isoformat() if as_text else value


def _birthday_cell(stored: str | None, locale: str, as_text: bool) -> Any:
    """A yearly date as a cell people read and the import reads back."""
    if not stored:
        return ""
    yearly = YearlyDate.from_storage(stored)
    if not yearly.lunar and yearly.year is not None:
        day = date(yearly.year, yearly.month, yearly.day)
        return day.isoformat() if as_text else day
    return yearly_cell_text(yearly, locale)


def yearly_cell_text(yearly: YearlyDate, locale: str) -> str:
    """"农历1985年闰6月15日", "3月2日", "lunar 1985-08-15", "March 2": forms people read and
    parse_yearly_date reads back."""
    if locale == "en" and not yearly.leap:
        if yearly.lunar:
            year = f"{yearly.year:04d}-" if yearly.year else ""
            return f"lunar {year}{yearly.month:02d}-{yearly.day:02d}"
        if yearly.year is None:
            return f"{calendar.month_name[yearly.month]} {yearly.day}"
    if yearly.lunar:
        word = "農曆" if locale == "zh-Hant" else "农历"
        leap = ("閏" if locale == "zh-Hant" else "闰") if yearly.leap else ""
        year = f"{yearly.year}年" if yearly.year else ""
        return f"{word}{year}{leap}{yearly.month}月{yearly.day}日"
    if yearly.year is not None:
        return f"{yearly.year:04d}-{yearly.month:02d}-{yearly.day:02d}"
    return f"{yearly.month}月{yearly.day}日"


# -- one client's data, for a data-access request --------------------------------------------
def client_export_json(card: ClientCard) -> str:
    """Everything the book holds about one client, as readable JSON (keys in English)."""
    client = {f.name: _plain(getattr(card.client, f.name)) for f in fields(card.client)}
    data = {
        "client": client,
        "referred_by": ({"id": card.referrer.id, "name": card.referrer.name}
                        if card.referrer else None),
        "family": [_plain(asdict(m)) for m in card.family],
        "important_dates": [_plain(asdict(d)) for d in card.dates],
        "policies": [_plain(asdict(p)) for p in card.policies],
        "contacts": [_plain(asdict(k)) for k in card.contacts],
        "group_roles": [_plain(asdict(r)) for r in card.roles],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
