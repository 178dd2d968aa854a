"""What an import is made of: the limits, the file-level error, rows, problems and plans."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 100
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an .xlsx is a zip: refuse zip bombs before opening
MAX_TAGS = 10
MAX_PROBLEMS_SHOWN = 10
HEADER_SEARCH_ROWS = 5  # a title line or two above the header row is common in Excel lists

Label = Callable[[str], str]

IMPORT_FIELDS = ("name", "phone", "birthday", "gender", "kind", "address", "occupation",
                 "income_band", "family_situation", "financial_situation", "notes", "tags",
                 "stage")
TEXT_FIELDS = ("address", "occupation", "income_band", "family_situation", "financial_situation",
               "notes")


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

