"""Client book files, step by step.

- read.py: what a file is (by its bytes), its header row, its rows, counted and bounded;
  sheets.py and xlsx.py (.xlsx streamed; .xls and .ods through calamine), vcard.py,
  columns.py (which column is which field);
- clean.py: values as typed -> storage forms (unreadable ones kept as typed);
- plan.py: the rows against the book: new, merge, skip, or ask the agent;
- apply.py: the confirmed plan in one transaction;
- isolate.py: reading in a child process with memory and time limits (what the bot uses);
- export.py: the book as CSV and XLSX; privacy.py: one client's data on request.

Reading and cleaning are pure (bytes in, rows out, no database, no Telegram). Planning compares
the rows with a snapshot of the book; the store applies the plan in one transaction.
"""

from coachbot.services.clientio.apply import ImportOutcome, apply_import
from coachbot.services.clientio.clean import clean_record
from coachbot.services.clientio.columns import find_columns
from coachbot.services.clientio.export import (
    Book,
    ExportFiles,
    export_book,
    export_csv,
    export_xlsx,
    load_book,
    yearly_cell_text,
)
from coachbot.services.clientio.isolate import read_in_child
from coachbot.services.clientio.model import (
    MAX_FILE_BYTES,
    MAX_PROBLEMS_SHOWN,
    MAX_ROWS,
    Gap,
    ImportFileError,
    ImportPlan,
    ImportRow,
    Merge,
    Problem,
    Question,
    ReadResult,
)
from coachbot.services.clientio.plan import (
    ImportPreview,
    answer_questions,
    plan_import,
    preview_from_dialog,
    preview_import,
)
from coachbot.services.clientio.privacy import client_export_json
from coachbot.services.clientio.read import decode_text, read_import, sniff_kind

__all__ = [
    "MAX_FILE_BYTES", "MAX_PROBLEMS_SHOWN", "MAX_ROWS", "Book", "ExportFiles", "Gap",
    "ImportFileError", "ImportOutcome", "ImportPlan", "ImportPreview", "ImportRow", "Merge",
    "Problem", "Question", "ReadResult", "answer_questions", "apply_import", "clean_record",
    "client_export_json", "decode_text", "export_book", "export_csv", "export_xlsx",
    "find_columns", "load_book", "plan_import", "preview_from_dialog", "preview_import",
    "read_import", "read_in_child", "sniff_kind", "yearly_cell_text",
]
