"""Spreadsheets: the first sheet of an .xlsx workbook as rows of cells."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from coachbot.services.clientio.columns import present
from coachbot.services.clientio.model import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    ImportFileError,
)


def xlsx_table(content: bytes) -> list[list[Any]]:
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
            if any(present(cell) for cell in row):
                filled += 1
                if filled > MAX_ROWS + HEADER_SEARCH_ROWS + 1:
                    raise ImportFileError("too_many_rows")
        return rows
    finally:
        workbook.close()

