"""Cleaning rows: values as typed in a file -> the storage forms of a client's fields."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from coachbot.domain.calendar import YearlyDate
from coachbot.domain.clients import clean_name, clean_tag, clean_text
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
    phone = row.values.get("phone")
    if phone:
        return ("phone", digits(str(phone)))
    return ("name", row.name, str(row.values.get("birthday") or ""))


def clean_record(line: int, record: Mapping[str, Any], *, region: str,
                 today: date) -> ImportRow | Problem:
    """One row as typed in the file -> a clean ImportRow, or the Problem that stops it."""
    name = clean_name(cell_text(record.get("name")))
    if name is None:
        # nothing to call the row by but its phone, if it has one
        return Problem(line, "no_name", short(record.get("phone")))
    values: dict[str, Any] = {"name": name}
    if present(record.get("phone")):
        phone = _phone(cell_text(record["phone"]), region)
        if phone is None:
            return Problem(line, "bad_phone", name, short(record["phone"]))
        values["phone"] = phone
    raw_birthday = record.get("birthday") if present(record.get("birthday")) else None
    lunar = False
    if raw_birthday is None and present(record.get("lunar_birthday")):
        raw_birthday, lunar = record["lunar_birthday"], True
    if raw_birthday is not None:
        yearly = read_yearly(raw_birthday, lunar, today)
        if yearly is None:
            return Problem(line, "bad_date", name, short(raw_birthday))
        values["birthday"] = yearly.to_storage()
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
    return ImportRow(line, values, tags)


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

