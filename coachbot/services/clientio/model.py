"""What an import is made of: the limits, the file-level error, rows, problems and plans."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000  # clients in one file
# Every row read counts, empty or not: a sheet of millions of empty rows is read no further
# than this (a real list has a few blank rows between its clients, not thousands).
MAX_ROWS_READ = 2 * MAX_ROWS
MAX_COLUMNS = 100  # cells read per row; the rest of a row is never looked at
# An .xlsx or .ods is a zip. A real list of 5,000 clients unzips to well under 10 MB; a
# 270 KB zip of empty rows unzips to 190 MB. Checked from the zip directory before reading
# (Python's zipfile never inflates a member past the size the directory states).
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000
MAX_TAGS = 10
MAX_PROBLEMS_SHOWN = 10
HEADER_SEARCH_ROWS = 5  # a title line or two above the header row is common in Excel lists

Label = Callable[[str], str]

IMPORT_FIELDS = ("name", "phone", "birthday", "gender", "kind", "address", "occupation",
                 "income_band", "family_situation", "financial_situation", "notes", "tags",
                 "stage")
# fields whose unreadable values are kept as typed (the lunar one is a birthday too)
RAW_FIELDS = ("phone", "birthday", "lunar_birthday")
TEXT_FIELDS = ("address", "occupation", "income_band", "family_situation", "financial_situation",
               "notes")


class ImportFileError(ValueError):
    """The whole file cannot be imported; `reason` says why (templates explain each)."""

    # too_complex: what a normal list never is (a zip that unzips to far more than it holds,
    # thousands of empty rows, a sheet that takes too long or too much memory to read)
    REASONS = ("empty", "too_big", "too_many_rows", "too_complex", "not_table", "bad_xlsx",
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
    reason: str  # no_name duplicate_in_file ambiguous_name already_in_book unanswered
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
    # RAW_FIELDS the file held but we could not read, as typed: the client is imported with
    # the field empty and the raw value shown on their card
    raw: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.values["name"])

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"line": self.line, **self.values}
        if self.tags:
            data["tags"] = list(self.tags)
        if self.raw:
            data["raw"] = dict(self.raw)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImportRow:
        values = {k: v for k, v in data.items() if k in IMPORT_FIELDS and k != "tags"}
        raw = {str(k): str(v) for k, v in (data.get("raw") or {}).items() if k in RAW_FIELDS}
        return cls(int(data["line"]), values, tuple(data.get("tags") or ()), raw)

    def gaps(self) -> list[Gap]:
        return [Gap(self.line, self.name, name, value) for name, value in self.raw.items()]


@dataclass(frozen=True)
class Gap:
    """A field of an imported client left empty because the file's value was unreadable."""

    line: int
    name: str
    field: str  # one of RAW_FIELDS
    value: str  # as typed, shortened


@dataclass(frozen=True)
class ReadResult:
    """What a file holds: the usable rows, the rows it had to leave out, and its columns."""

    kind: str  # csv | xlsx | xls | ods | vcf
    rows: list[ImportRow]
    problems: list[Problem]
    columns: list[str]  # fields recognised, in IMPORT_FIELDS order
    ignored: list[str] = field(default_factory=list)  # headers we did not use

    @property
    def unit(self) -> str:
        """What a line number counts: spreadsheet rows, or cards of a vCard file."""
        return "card" if self.kind == "vcf" else "row"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: how a worker process hands its result back."""
        return {"kind": self.kind, "rows": [row.to_dict() for row in self.rows],
                "problems": [problem.to_dict() for problem in self.problems],
                "columns": list(self.columns), "ignored": list(self.ignored)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReadResult:
        return cls(str(data["kind"]), [ImportRow.from_dict(row) for row in data["rows"]],
                   [Problem(**problem) for problem in data["problems"]],
                   list(data["columns"]), list(data["ignored"]))


@dataclass(frozen=True)
class Merge:
    """Empty fields of a client already in the book that a row fills in."""

    line: int
    client_id: int
    name: str
    values: Mapping[str, Any]
    tags: tuple[str, ...] = ()
    raw: Mapping[str, str] = field(default_factory=dict)  # for fields the client lacks

    def gaps(self) -> list[Gap]:
        return [Gap(self.line, self.name, name, value) for name, value in self.raw.items()]


@dataclass(frozen=True)
class Question:
    """A row with the phone of a client in the book but another name: the same person (merge),
    someone else with that number, a spouse or its next owner (add separately), or skip? Only
    the agent knows: never merged without asking."""

    row: ImportRow
    client_id: int
    client_name: str

    @property
    def line(self) -> int:
        return self.row.line


ANSWERS = ("merge", "new", "skip")


@dataclass(frozen=True)
class ImportPlan:
    """What confirming would do, and what the agent must decide first."""

    new: list[ImportRow]
    merges: list[Merge]
    skipped: list[Problem]
    questions: list[Question] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.merges or self.questions)

    @property
    def gaps(self) -> list[Gap]:
        """Fields of clients to be added or filled in that stay empty (unreadable values)."""
        found = [gap for row in self.new for gap in row.gaps()]
        found += [gap for merge in self.merges for gap in merge.gaps()]
        return sorted(found, key=lambda gap: gap.line)

