"""Which field each column of a file holds: header names in three languages, cells as text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from coachbot.services.clientio.model import HEADER_SEARCH_ROWS

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
LUNAR_PREFIXES = ("农历", "農曆", "阴历", "陰曆", "旧历", "舊曆", "lunar")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

def _header_key(text: object) -> str:
    value = unicodedata.normalize("NFKC", str(text or "")).lower()
    value = re.sub(r"[(\[（【].*?[)\]）】]", "", value)
    return re.sub(r"[\s*:：_\-/.#]+", "", value)


_EXACT = {_header_key(alias): name for name, aliases in HEADER_ALIASES.items()
          for alias in aliases}


def header_field(cell: object) -> str | None:
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
        if not any(present(cell) for cell in row):
            continue
        columns: dict[str, list[int]] = {}
        for position, cell in enumerate(row):
            name = header_field(cell) if isinstance(cell, str) else None
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


def present(cell: Any) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def table_record(row: Sequence[Any], columns: Mapping[str, list[int]]) -> dict[str, Any]:
    """The row's first non-empty value for each field."""
    record: dict[str, Any] = {}
    for name, indexes in columns.items():
        for index in indexes:
            if index < len(row) and present(row[index]):
                record[name] = row[index]
                break
    if "name" not in record and ("family_name" in record or "given_name" in record):
        family, given = cell_text(record.get("family_name")), cell_text(record.get("given_name"))
        record["name"] = full_name(family, given)
    record.pop("family_name", None)
    record.pop("given_name", None)
    return record


def full_name(family: str, given: str) -> str:
    """王 + 小明 -> 王小明; Tan + David -> David Tan."""
    if re.search(r"[\u3400-\u9fff]", family + given):
        return family + given
    return " ".join(part for part in (given, family) if part)


def cell_text(value: Any) -> str:
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

