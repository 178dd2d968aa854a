"""Sample contexts for the client book file templates (import previews, export notes)."""

from __future__ import annotations

from typing import Any

from coachbot.services.clientio import (
    Gap,
    ImportOutcome,
    ImportPlan,
    ImportRow,
    Merge,
    Problem,
    Question,
    ReadResult,
)
from tests.meta.samples.general import HOSTILE

_ROWS = [ImportRow(2 + i, {"name": f"{HOSTILE} {i}" if i == 0 else f"客户{i}"},
                   raw={"birthday": HOSTILE[:60], "phone": "9" * 60} if i < 6 else {})
         for i in range(8)]
_PROBLEMS = [
    Problem(3, "bad_phone", HOSTILE, "12345<>"),
    Problem(4, "no_name", "13800138000"),
    Problem(5, "bad_date", "李四", "1990/13/45"),
    Problem(6, "duplicate_in_file", "王五"),
    Problem(7, "ambiguous_name", "王芳"),
    Problem(8, "already_in_book", "赵六"),
] + [Problem(10 + i, "bad_phone", "x" * 60, "9" * 40) for i in range(4)]
_MERGES = [Merge(20 + i, 100 + i, HOSTILE if i == 0 else f"老客户{i}",
                 {"phone": "+8613800138000", "birthday": "1985-03-02"}, ("vip",),
                 {"lunar_birthday": HOSTILE[:60]})
           for i in range(7)]
_QUESTIONS = [Question(ImportRow(30 + i, {"name": HOSTILE, "phone": "+8613800138000"}),
                       200 + i, HOSTILE) for i in range(9)]
_GAPS = [Gap(2 + i, HOSTILE, "birthday", HOSTILE[:60]) for i in range(10)]
_READ = ReadResult("csv", _ROWS, _PROBLEMS, ["name", "phone", "birthday", "tags"],
                   [HOSTILE, "微信", "来源", "a", "b", "c", "d", "e", "f", "g"])
_PLAN = ImportPlan(_ROWS, _MERGES, [], _QUESTIONS)
_PREVIEW = {"plan": _PLAN, "read": _READ, "skipped": 24, "problems": _PROBLEMS,
            "more_problems": 14, "gaps": _GAPS, "questions": list(zip("①②③④⑤", _QUESTIONS,
                                                                     strict=False))}

SAMPLES: dict[str, dict[str, Any]] = {
    "files/import_help": {"max_rows": 5000, "max_mb": 5},
    "files/bad_file": {"reason": "no_name_column", "headers": [HOSTILE, "电话"],
                       "max_rows": 5000, "max_mb": 5},
    "files/preview": _PREVIEW,
    "files/nothing_to_import": {**_PREVIEW, "read": ReadResult("vcf", [], _PROBLEMS, [], [])},
    "files/imported": {"outcome": ImportOutcome(added=23, merged=2, skipped=3,
                                                gaps=tuple(_GAPS * 3)), "gaps": _GAPS,
                       "facts_read": 21},
    "files/import_cancelled": {},
    "files/export_empty": {},
}
