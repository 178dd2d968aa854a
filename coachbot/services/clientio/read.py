"""Reading a client list: sniff the kind of file, decode text, find the header row, keep rows.

Pure (bytes in, rows out, no database, no Telegram): it runs in a worker process.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from coachbot.services.clientio.clean import clean_rows
from coachbot.services.clientio.columns import (
    cell_text,
    find_columns,
    header_field,
    present,
    table_record,
)
from coachbot.services.clientio.model import (
    HEADER_SEARCH_ROWS,
    IMPORT_FIELDS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_ROWS_READ,
    ImportFileError,
    ReadResult,
)
from coachbot.services.clientio.sheets import sheet_rows
from coachbot.services.clientio.vcard import vcard_records

# Some of the commonest characters of Chinese names and headers, in both scripts: they tell a
# GBK file from a Big5 one when both decode without error (Big5 bytes are valid GB18030).
CSV_SAMPLE_CHARS = 64 * 1024  # enough to tell the delimiter; the sniffer's regexes are slow

_COMMON_HAN = set(
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林罗羅高郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧"
    "曹彭曾萧蕭田董潘袁蔡蒋蔣余于杜叶葉程魏苏蘇吕呂丁任卢盧姚沈钟鍾姜崔谭譚陆陸范汪廖石金韦韋"
    "贾賈夏方邹鄒熊白孟秦邱侯江尹薛雷黎史龙龍陶贺賀顾顧毛郝龚龔邵万萬钱錢严嚴武戴莫孔汤湯"
    "伟偉芳娜敏静靜丽麗强強磊军軍洋勇艳豔杰傑娟涛濤明超秀霞平刚剛桂英华華玉兰蘭红紅文建国國"
    "志海东東小美玲婷雪梅家子晓曉宇欣怡佳思俊嘉诚誠慧淑珍凤鳳琴云雲春"
    "姓名电話电话手机手機生日出生性别別地址职業职业备注備註标签標籤客户戶类型類型男女先生太"
    "的是不了人我在有他这這个個们們中来來上大为為和国地到以说說时時要就出会會可也你对對生能"
)


def read_import(filename: str, content: bytes, *, region: str, today: date) -> ReadResult:
    """Read a client list; raises ImportFileError when the file as a whole is unusable.

    The file name is never trusted: the bytes say what the file is.
    """
    if not content or not content.strip():
        raise ImportFileError("empty")
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError("too_big")
    kind = sniff_kind(content)
    if kind != "text":
        rows, kind = sheet_rows(content, kind)
        return _read_table(rows, kind, region, today)
    text = decode_text(content)
    if _looks_binary(text):
        raise ImportFileError("not_table")
    if text.lstrip().upper().startswith("BEGIN:VCARD"):
        return clean_rows(vcard_records(text), "vcf", [], [], region, today)
    return _read_table(_csv_rows(text), "csv", region, today)


def _read_table(rows: Iterable[tuple[int, Sequence[Any]]], kind: str, region: str,
                today: date) -> ReadResult:
    """Find the header row among the first rows, then keep each row that holds something.

    `rows` are (line number as the spreadsheet shows it, cells).
    """
    stream = _bounded(rows)
    head = _head_rows(stream)
    columns, header_index = find_columns([cells for _, cells in head])
    headers = [cell_text(cell) for cell in head[header_index][1]] if head else []
    if "name" not in columns and not ({"family_name", "given_name"} & set(columns)):
        raise ImportFileError("no_name_column", headers=[h for h in headers if h])
    records: list[tuple[int, dict[str, Any]]] = []
    for line, cells in itertools.chain(head[header_index + 1:], stream):
        record = table_record(cells, columns)
        if record:
            records.append((line, record))
            if len(records) > MAX_ROWS:
                raise ImportFileError("too_many_rows")
    used = {i for indexes in columns.values() for i in indexes}
    ignored = [h[:30] for i, h in enumerate(headers) if h and i not in used]
    found = [f for f in IMPORT_FIELDS if f in columns
             or (f == "name" and {"family_name", "given_name"} & set(columns))
             or (f == "birthday" and "lunar_birthday" in columns)]
    return clean_rows(records, kind, found, ignored, region, today)


def _bounded(rows: Iterable[tuple[int, Sequence[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """Every row read counts, empty or not, and reading stops at the limit; cells past
    MAX_COLUMNS are dropped."""
    for count, (line, cells) in enumerate(rows, start=1):
        if count > MAX_ROWS_READ:
            raise ImportFileError("too_complex")
        yield line, list(cells[:MAX_COLUMNS])


def _head_rows(rows: Iterator[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    """The rows up to the last one where the header may be (HEADER_SEARCH_ROWS with content)."""
    head: list[tuple[int, list[Any]]] = []
    filled = 0
    for line, cells in rows:
        head.append((line, cells))
        if any(present(cell) for cell in cells):
            filled += 1
            if filled >= HEADER_SEARCH_ROWS:
                break
    return head


def sniff_kind(content: bytes) -> str:
    """zip (.xlsx or .ods), xls (OLE2) or text (CSV or vCard), judged by the bytes."""
    head = content[:8]
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"RIFF", b"\x1f\x8b",
                        b"Rar!", b"7z\xbc\xaf", b"\x00\x00\x00")):
        raise ImportFileError("not_table")
    return "text"


def decode_text(content: bytes) -> str:
    """Text from UTF-8 (BOM or not), UTF-16 with a BOM, GBK/GB18030 or Big5."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError("encoding") from exc
    if b"\x00" in content[:4096]:
        raise ImportFileError("not_table")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            candidates.append(content.decode(encoding))
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise ImportFileError("encoding")
    # Big5 bytes also decode as GB18030 (into nonsense): keep the reading that looks Chinese.
    return max(candidates, key=_chinese_score)  # max keeps the first (GB18030) on a tie


def _chinese_score(text: str) -> float:
    sample = text[:20_000]
    known = sum(1 for ch in sample if ch in _COMMON_HAN)
    header = sample.split("\n", 1)[0]
    words = sum(1 for cell in re.split(r"[,;\t|]", header) if header_field(cell))
    return words * 1000 + known


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
    return controls > max(2, len(sample) // 100)


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Rows of a CSV (or tab/semicolon/pipe separated) text, as the csv module reads them."""
    sample_lines = list(itertools.islice(io.StringIO(text[:CSV_SAMPLE_CHARS]), 20))
    header = next((line for line in sample_lines if line.strip()), "").rstrip("\r\n")
    delimiter = ","
    with contextlib.suppress(csv.Error):
        delimiter = csv.Sniffer().sniff("".join(sample_lines), delimiters=",;\t|").delimiter
    if delimiter not in header:  # the sniffer guessed from the data: trust the header row
        counts = {d: header.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        delimiter = best if counts[best] else ","
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter),
                             start=1)
    except csv.Error as exc:
        raise ImportFileError("not_table") from exc
