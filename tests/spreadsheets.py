"""Spreadsheet files for tests, written byte by byte where a library would not write them:
.ods and .xls client lists, hostile workbooks (millions of empty rows, a zip bomb, one stray
cell far away) and 5 MB files of every kind the import accepts."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

import openpyxl

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        '</Relationships>'),
}
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>电话</t></is></c></row>')
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
SHEET_END = "</sheetData></worksheet>"


def minimal_xlsx(sheet_chunks: Iterable[bytes]) -> bytes:
    """A valid workbook of one sheet whose XML is the chunks, streamed into the zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for chunk in sheet_chunks:
                sheet.write(chunk)
    return out.getvalue()


def empty_rows_xlsx(rows: int, *, numbered: bool = True) -> bytes:
    """A header row, then `rows` empty <row r="..."/> elements (or bare <row/>, as in the
    270 KB file of the issue that unzips to 190 MB)."""
    def chunks() -> Iterable[bytes]:
        yield (SHEET_START + HEADER_ROW).encode()
        step = 100_000
        for start in range(2, rows + 2, step):
            stop = min(start + step, rows + 2)
            if numbered:
                yield "".join(f'<row r="{i}"/>' for i in range(start, stop)).encode()
            else:
                yield b"<row/>" * (stop - start)
        yield SHEET_END.encode()
    return minimal_xlsx(chunks())


def stray_cell_xlsx(ref: str = "CV1000000") -> bytes:
    """A header and one client, then a single cell far away (a 1M x 100 grid if made dense)."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    sheet = (SHEET_START + HEADER_ROW +
             '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c></row>'
             f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>' + SHEET_END)
    return minimal_xlsx([sheet.encode()])


def stray_cell_xls() -> bytes:
    """An .xls list with one cell at the last row and column an .xls has (IV65536)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("客户")
    sheet.write(0, 0, "姓名")
    sheet.write(1, 0, "张三")
    sheet.write(65535, 255, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb_xlsx(megabytes: int = 1000) -> bytes:
    """A real workbook plus a member of `megabytes` of zeros (a classic zip bomb)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml",
                         SHEET_START + HEADER_ROW + SHEET_END)
        with archive.open("xl/media/image1.bin", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
    return out.getvalue()


def lying_zip_xlsx(rows: int = 3_000_000) -> bytes:
    """Empty rows whose zip directory states a tiny size: the reader must not believe the
    stream over the directory (nor be fooled into reading millions of rows)."""
    content = bytearray(empty_rows_xlsx(rows, numbered=False))
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # patch the uncompressed size in the central directory entry (offset 24 of the record)
    marker = b"PK\x01\x02"
    position = content.find(marker)
    while position != -1:
        name_length = int.from_bytes(content[position + 28:position + 30], "little")
        name = bytes(content[position + 46:position + 46 + name_length]).decode()
        if name == info.filename:
            content[position + 24:position + 28] = (1000).to_bytes(4, "little")
        position = content.find(marker, position + 4)
    return bytes(content)


# -- real-looking lists in every format ------------------------------------------------------------
def xlsx(rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xls(rows: Sequence[Sequence[Any]]) -> bytes:
    """A BIFF8 .xls (Excel 97-2003) written with xlwt; dates as date cells."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("客户")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date | datetime):
                sheet.write(r, c, value, dated)
            elif value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def ods(rows: Sequence[Sequence[Any]], *, trailing_empty: bool = True) -> bytes:
    """An OpenDocument spreadsheet as LibreOffice writes one, trailing repeated empty rows
    and columns included."""
    body = []
    for row in rows:
        cells = []
        for value in row:
            if value is None:
                cells.append("<table:table-cell/>")
            elif isinstance(value, date):
                cells.append(f'<table:table-cell office:value-type="date" '
                             f'office:date-value="{value.isoformat()}">'
                             f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
            elif isinstance(value, int | float):
                cells.append(f'<table:table-cell office:value-type="float" '
                             f'office:value="{value}"><text:p>{value}</text:p></table:table-cell>')
            else:
                cells.append(f'<table:table-cell office:value-type="string">'
                             f"<text:p>{escape(str(value))}</text:p></table:table-cell>")
        if trailing_empty:
            cells.append('<table:table-cell table:number-columns-repeated="1020"/>')
        body.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    if trailing_empty:
        body.append('<table:table-row table:number-rows-repeated="1048000">'
                    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} '
               'office:version="1.2"><office:body><office:spreadsheet>'
               '<table:table table:name="Sheet1">' + "".join(body) +
               "</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def vcf(rows: Sequence[Sequence[Any]]) -> bytes:
    """Cards of name, phone, birthday and note."""
    cards = []
    for name, phone, birthday, note in rows:
        lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{name}", f"TEL;TYPE=CELL:{phone}"]
        if birthday:
            lines.append(f"BDAY:{birthday}")
        if note:
            lines.append(f"NOTE:{note}")
        cards.append("\r\n".join([*lines, "END:VCARD"]))
    return ("\r\n".join(cards) + "\r\n").encode()


def csv_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


# -- 5 MB lists: as big as the import accepts ------------------------------------------------------
FIVE_MB = 5 * 1024 * 1024
FORMATS = ("csv", "xlsx", "xls", "ods", "vcf")


def client_rows(count: int, note_chars: int, seed: int = 7) -> list[list[Any]]:
    """Clients with phones, birthdays and long notes of random text (compresses poorly)."""
    rng = random.Random(seed)
    letters = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    table = {i: letters[i % len(letters)] for i in range(256)}
    pool = rng.randbytes(count * note_chars).decode("latin-1").translate(table)
    rows: list[list[Any]] = [["姓名", "手机", "生日", "备注"]]
    for i in range(count):
        note = pool[i * note_chars:(i + 1) * note_chars]
        rows.append([f"客户{i}", f"139{i:08d}", date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                     note])
    return rows


def write(kind: str, rows: list[list[Any]]) -> bytes:
    if kind == "vcf":
        return vcf([[r[0], r[1], r[2].isoformat(), r[3]] for r in rows[1:]])
    if kind == "csv":
        return csv_bytes([[c.isoformat() if isinstance(c, date) else c for c in r]
                          for r in rows])
    return {"xlsx": xlsx, "xls": xls, "ods": ods}[kind](rows)


def five_mb_file(kind: str, clients: int = 4900) -> bytes:
    """A list of `clients` whose notes are sized so that the file is just under 5 MB."""
    target = FIVE_MB * 0.96
    # the size grows about in proportion to the notes: measure on a tenth of the clients
    sample = len(write(kind, client_rows(clients // 10, 200))) * 10
    note = int(200 * target / sample)
    content = write(kind, client_rows(clients, note))
    for _ in range(3):
        if target * 0.97 <= len(content) <= FIVE_MB:
            break
        note = int(note * target / len(content))
        content = write(kind, client_rows(clients, note))
    return content
