"""Spreadsheets: the first sheet of an .xlsx, .xls or .ods workbook as a stream of rows.

Rows are yielded one at a time and never kept here: the caller counts every row it reads and
stops at its limit, so a sheet of millions of empty rows costs no more than its first few
thousand. The zip directory of an .xlsx or .ods is checked before anything is unpacked.
.xlsx is streamed by xlsx.py; .xls and .ods are read by calamine (Rust), which holds the
sheet as a grid, so the grid's size is checked before a row becomes Python values.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from coachbot.services.clientio.model import (
    MAX_COLUMNS,
    MAX_ROWS_READ,
    MAX_UNZIPPED_BYTES,
    MAX_ZIP_MEMBERS,
    ImportFileError,
)
from coachbot.services.clientio.xlsx import xlsx_rows

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# calamine holds a sheet as a dense grid (rows x columns) before we see a row: one stray cell
# far out makes it huge, so refuse a grid bigger than a real list could be. The grid is made
# before this check can run (65,536 x 256 cells of an .xls: ~1 GB); in the bot the reading
# child's memory ceiling stops that first.
MAX_GRID_CELLS = MAX_ROWS_READ * MAX_COLUMNS


def sheet_rows(content: bytes, kind: str) -> tuple[Iterator[tuple[int, Sequence[Any]]], str]:
    """(row number, cells) of the first sheet, and the workbook's kind (xlsx, xls or ods).

    `kind` is what sniffing the bytes found: "zip" (an .xlsx or .ods) or "xls" (OLE2/BIFF).
    """
    if kind == "xls":
        return _calamine_rows(content), "xls"
    kind = zip_kind(content)
    if kind == "xlsx":
        return xlsx_rows(content), "xlsx"
    return _calamine_rows(content), "ods"


def zip_kind(content: bytes) -> str:
    """xlsx or ods, from the zip directory alone; refuses what unzips to far too much."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            mimetype = _small_member(archive, "mimetype")
    except ImportFileError:
        raise
    except Exception as exc:  # BadZipFile, and struct/OS errors on damaged directories
        raise ImportFileError("bad_xlsx") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportFileError("too_complex")
    if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES:
        raise ImportFileError("too_complex")
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and mimetype is not None and mimetype.strip() == ODS_MIMETYPE:
        return "ods"
    raise ImportFileError("not_table")  # a zip, a .docx, an .odt or a .numbers file


def _small_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    return archive.read(info) if info.file_size <= 200 else None


def _calamine_rows(content: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    """.xls and .ods through calamine (Rust): it reads the sheet whole, so its size is
    checked before any row becomes Python values."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:  # CalamineError, PasswordError, XmlError, ZipError...
        raise ImportFileError("bad_xlsx") from exc
    # iter_rows starts at the sheet's first row (empty rows above the grid included) and at
    # the grid's first column
    rows = sheet.end[0] + 1 if sheet.end else 0
    if rows > MAX_ROWS_READ or sheet.height * sheet.width > MAX_GRID_CELLS:
        raise ImportFileError("too_complex")
    for index, row in enumerate(sheet.iter_rows()):
        yield index + 1, row[:MAX_COLUMNS]
