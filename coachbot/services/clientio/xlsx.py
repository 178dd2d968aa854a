"""The first sheet of an .xlsx workbook as a stream of (row number, values), in bounded memory.

openpyxl's read-only mode is close to this but not bounded: it parses a whole sheet that has
no <dimension> just to size it (13 s for 2 million empty rows, before the first row), keeps
every cell of a row until the row ends (a row of 9 million empty cells: 2.9 GB), and keeps a
node per shared string. Here the XML is parsed event by event and every element is dropped
as soon as it has been read, with a budget on elements, on cells per row and on shared
strings. openpyxl still does the parts it does well: the workbook's parts, the styles that
say which numbers are dates, and turning one cell into a value (WorkSheetParser.parse_cell).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

from coachbot.services.clientio.model import (
    MAX_COLUMNS,
    MAX_ROWS_READ,
    ImportFileError,
)

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW, CELL, SHEET_DATA = f"{MAIN_NS}row", f"{MAIN_NS}c", f"{MAIN_NS}sheetData"
STRING_ITEM, TEXT, RUN = f"{MAIN_NS}si", f"{MAIN_NS}t", f"{MAIN_NS}r"
# A list of 5,000 clients in 30 columns is ~300,000 XML elements and 150,000 shared strings at
# most; these budgets are several times that, and bound both the time and the memory.
MAX_ELEMENTS = 2_000_000
MAX_CELLS_IN_ROW = 20 * MAX_COLUMNS  # Excel writes empty formatted cells too, but not thousands
MAX_ELEMENTS_IN_CELL = 1000  # a rich-text cell is a few runs
MAX_SHARED_STRINGS = 20 * MAX_ROWS_READ


def xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    """(row number as Excel shows it, cell values up to MAX_COLUMNS) for each row element of
    the first worksheet. Raises ImportFileError("bad_xlsx") on a damaged workbook and
    "too_complex" past a budget."""
    try:
        reader = _workbook_reader(content)
        path = _first_sheet_path(reader)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl and the XML parser raise many kinds on damaged files
        if isinstance(exc.__cause__, ImportFileError):  # openpyxl wraps what read_strings raised
            raise exc.__cause__ from None
        raise ImportFileError("bad_xlsx") from exc
    try:
        with reader.archive.open(path) as source:
            yield from _sheet_rows(source, _cell_parser(reader))
    except (ImportFileError, MemoryError):
        raise
    except Exception as exc:  # damaged XML half way through the sheet
        raise ImportFileError("bad_xlsx") from exc
    finally:
        reader.archive.close()


def _workbook_reader(content: bytes) -> Any:
    """openpyxl's reader of the workbook's parts, with shared strings read within budget and
    no worksheet opened (we stream the first one ourselves)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS
    from openpyxl.xml.functions import iterparse

    class BoundedReader(ExcelReader):  # type: ignore[misc]
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as source:
                    self.shared_strings = _shared_strings(iterparse(source, ("start", "end")))

        def read_worksheets(self) -> None:
            """Opened by xlsx_rows, one row at a time."""

    reader = BoundedReader(io.BytesIO(content), read_only=True, data_only=True)
    reader.read()
    return reader


def _shared_strings(events: Iterator[tuple[str, Any]]) -> list[str]:
    strings: list[str] = []
    for event, element in _pruned(events, keep=STRING_ITEM):
        if event == "end" and element.tag == STRING_ITEM:
            strings.append(_string_item(element))
            if len(strings) > MAX_SHARED_STRINGS:
                raise ImportFileError("too_complex")
    return strings


def _string_item(item: Any) -> str:
    """The text of a shared string: its <t>, or its rich-text runs' (phonetic guides left
    out). openpyxl's Text.from_tree does the same, ten times slower."""
    text = item.find(TEXT)
    if text is not None:
        value = text.text or ""
    else:
        value = "".join(run.findtext(TEXT) or "" for run in item.iterfind(RUN))
    return value.replace("x005F_", "")  # as openpyxl does


def _first_sheet_path(reader: Any) -> str:
    for _sheet, rel in reader.parser.find_sheets():
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
            return str(rel.target)
    raise ImportFileError("no_name_column")  # a workbook of charts only


def _cell_parser(reader: Any) -> Any:
    """openpyxl's cell reader, set up with the workbook's shared strings and date styles."""
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = reader.wb
    return WorkSheetParser(None, reader.shared_strings, data_only=True, epoch=workbook.epoch,
                           date_formats=workbook._date_formats,
                           timedelta_formats=workbook._timedelta_formats)


def _sheet_rows(source: IO[bytes], cells: Any) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl.xml.functions import iterparse

    line, in_row = 0, 0
    values: list[Any] = []
    for event, element in _pruned(iterparse(source, ("start", "end")), keep=CELL):
        if event == "start":
            if element.tag == ROW:
                line = _row_number(element.get("r"), line)
                cells.row_counter, cells.col_counter = line, 0
                values, in_row = [], 0
            continue
        if element.tag == CELL:
            in_row += 1
            if in_row > MAX_CELLS_IN_ROW:
                raise ImportFileError("too_complex")
            cell = cells.parse_cell(element)
            if 1 <= cell["column"] <= MAX_COLUMNS:
                values.extend([None] * (cell["column"] - len(values)))
                values[cell["column"] - 1] = cell["value"]
        elif element.tag == ROW:
            yield line, values
        elif element.tag == SHEET_DATA:
            return  # what follows the rows (merged cells, formatting...) is of no use


def _row_number(text: str | None, previous: int) -> int:
    if text is None:
        return previous + 1
    try:
        number = int(float(text))
    except ValueError as exc:
        raise ImportFileError("bad_xlsx") from exc
    if not previous < number <= 1_048_576:  # rows come in order, within Excel's sheet
        raise ImportFileError("bad_xlsx")
    return number


def _pruned(events: Iterator[tuple[str, Any]],
            keep: str | None = None) -> Iterator[tuple[str, Any]]:
    """The parser's events, each element dropped from the tree once its end is seen (so the
    tree never grows), within MAX_ELEMENTS; the inside of a `keep` element (a cell's value)
    stays until that element ends, within MAX_ELEMENTS_IN_CELL."""
    path: list[Any] = []
    kept = -1  # depth of the open `keep` element
    inside = 0
    for count, (event, element) in enumerate(events):
        if count > 2 * MAX_ELEMENTS:
            raise ImportFileError("too_complex")
        if event == "start":
            path.append(element)
            if element.tag == keep and kept < 0:
                kept, inside = len(path), 0
            elif kept >= 0:
                inside += 1
                if inside > MAX_ELEMENTS_IN_CELL:
                    raise ImportFileError("too_complex")
            yield event, element
            continue
        yield event, element
        path.pop()
        if len(path) == kept - 1:
            kept = -1
        if kept < 0 and path:
            element.clear()
            path[-1].remove(element)
