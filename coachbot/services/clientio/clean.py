"""Cleaning rows: values as typed in a file -> the storage forms of a client's fields."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from coachbot.domain.calendar import YearlyDate
from coachbot.domain.clients import clean_name, clean_tag, clean_text, name_key
from coachbot.domain.dates import parse_yearly_date
from coachbot.domain.models import STAGES
from coachbot.domain.phones import normalize_phone
from coachbot.services.clientio.columns import LUNAR_PREFIXES, cell_text, present
from coachbot.services.clientio.model import (
    IMPORT_FIELDS,
    MAX_TAGS,
    TEXT_FIELDS,
    ImportFileError,
    ImportRow,
    Problem,
    ReadResult,
)

GENDER_WORDS = {
    "m": ("男", "男性", "先生", "m", "male", "man", "mr", "boy"),
    "f": ("女", "女性", "女士", "小姐", "太太", "f", "female", "woman", "mrs", "ms", "miss",
          "girl"),
}
GROUP_WORDS = ("团体", "團體", "团单", "團單", "企业", "企業", "公司", "单位", "單位", "group",
               "company", "corporate", "business", "organisation", "organization")
TAG_SEPARATORS = re.compile(r"[,，、;；#|\n]+")
PHONE_SEPARATORS = re.compile(r"[/,，;；、|\n]+")
RAW_LIMIT = 60  # characters of an unreadable value kept on the card
EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_1910 = (date(1910, 1, 1) - EXCEL_EPOCH).days
SERIAL_MAX = (date(9999, 12, 31) - EXCEL_EPOCH).days
SERIAL_TEXT = re.compile(r"\d{5}(\.\d+)?")  # a CSV saved from a sheet whose dates lost their format

def clean_rows(records: Sequence[tuple[int, Mapping[str, Any]]], kind: str, columns: list[str],
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
    """Rows with the same identity are the same client written twice. A shared phone with
    another name is not enough: spouses share a number."""
    phone = row.values.get("phone")
    if phone:
        return ("phone", digits(str(phone)), name_key(row.name))
    return ("name", row.name, str(row.values.get("birthday") or ""))


def clean_record(line: int, record: Mapping[str, Any], *, region: str,
                 today: date) -> ImportRow | Problem:
    """One row as typed in the file -> a clean ImportRow, or the Problem that stops it.

    Only a row without a name is left out: a phone or a birthday that cannot be read stays
    empty, and its value as typed goes along in `raw` (shown on the client's card).
    """
    name = clean_name(cell_text(record.get("name")))
    if name is None:
        # nothing to call the row by but its phone, if it has one
        return Problem(line, "no_name", short(record.get("phone")))
    values: dict[str, Any] = {"name": name}
    raw: dict[str, str] = {}
    if present(record.get("phone")):
        phone = _phone(cell_text(record["phone"]), region)
        if phone is None:
            raw["phone"] = _as_typed(record["phone"])
        else:
            values["phone"] = phone
    birthday = _birthday(record, today)
    if isinstance(birthday, YearlyDate):
        values["birthday"] = birthday.to_storage()
    elif birthday is not None:
        raw.update(birthday)
    gender = _gender(cell_text(record.get("gender")))
    if gender:
        values["gender"] = gender
    if _is_group(cell_text(record.get("kind"))):
        values["kind"] = "group"
    stage = _stage(cell_text(record.get("stage")))
    if stage:
        values["stage"] = stage
    for name_ in TEXT_FIELDS:
        text = clean_text(cell_text(record.get(name_)))
        if text:
            values[name_] = text
    tags = _tags(cell_text(record.get("tags")))
    return ImportRow(line, values, tags, raw)


def _birthday(record: Mapping[str, Any], today: date) -> YearlyDate | dict[str, str] | None:
    """The birthday (or the lunar one), or {column: value as typed} when it is unreadable."""
    for column, lunar in (("birthday", False), ("lunar_birthday", True)):
        value = record.get(column)
        if present(value):
            yearly = read_yearly(value, lunar, today)
            return yearly if yearly is not None else {column: _as_typed(value)}
    return None


def _as_typed(value: Any) -> str:
    return short(value, RAW_LIMIT) or ""


def excel_serial_date(value: float | int | str) -> date | None:
    """A date cell exported as its number (31048 -> 1985-01-01), for date columns only.

    Excel counts days from 1900-01-00 and, like Lotus 1-2-3, takes 1900 for a leap year:
    from serial 61 (1900-03-01) on, the count is one day ahead, and serial 60 is a 29 Feb
    that never was. Serials before 1910 are no client's birthday: most likely a year or an
    age typed as a number, so not taken for a date.
    """
    try:
        serial = int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    if not SERIAL_1910 <= serial <= SERIAL_MAX:
        return None
    return EXCEL_EPOCH + timedelta(days=serial)  # past serial 60: the epoch is 1899-12-30


def short(value: Any, limit: int = 30) -> str | None:
    text = cell_text(value)
    return (text[:limit] + "…" if len(text) > limit else text) or None


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _phone(text: str, region: str) -> str | None:
    """The first number in the cell that is a valid phone for the agent's region (E.164)."""
    for part in PHONE_SEPARATORS.split(text):
        if part.strip():
            phone = normalize_phone(part.strip(), region)
            if phone:
                return phone
    return None


def read_yearly(value: Any, lunar: bool, today: date) -> YearlyDate | None:
    """A birthday cell as a YearlyDate, or None when it is no real, past date."""
    if (isinstance(value, int | float) and not isinstance(value, bool)) \
            or (isinstance(value, str) and SERIAL_TEXT.fullmatch(value.strip())):
        value = excel_serial_date(value)  # a number in a date column: Excel's serial
        if value is None:
            return None
    if isinstance(value, YearlyDate):
        yearly: YearlyDate | None = value
    elif isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        try:
            yearly = YearlyDate(day.month, day.day, lunar=lunar, year=day.year)
        except ValueError:
            return None
    else:
        text = cell_text(value)
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

