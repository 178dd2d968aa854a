"""Hostile import files are read in bounded memory and time, and refused with a reason.

The memory bound is measured on real processes: the reader runs in a child Python process
and its peak RSS is read with getrusage(RUSAGE_CHILDREN) by a measuring process of its own
(the test process has other children, whose peaks would mix in). The child runs under a
2 GiB address-space ceiling so that a reader without bounds fails here instead of taking the
machine down (the issue's 270 KB workbook took 23 GB).

Bound chosen: 300 MB peak RSS and 20 s for any file the import accepts or refuses (a fresh
interpreter with the readers imported is ~110 MB of it).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from coachbot.services.clientio import ImportFileError, read_import, read_in_child
from tests import spreadsheets as sheets

TODAY = date(2026, 11, 23)
PEAK_RSS_MB = 300
SECONDS = 20.0
ROOT = Path(__file__).resolve().parents[2]

READER = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from datetime import date
from coachbot.services.clientio import read_import
content = open(sys.argv[1], "rb").read()
started = time.perf_counter()
try:
    result = read_import("f", content, region="CN", today=date(2026, 11, 23))
    outcome = f"rows:{len(result.rows)}"
except BaseException as exc:  # MemoryError included: that is the finding
    outcome = getattr(exc, "reason", type(exc).__name__)
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - started}))
"""
MEASURER = """
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]], capture_output=True,
                      text=True, timeout=600)
answer = json.loads(done.stdout or '{"outcome": "died", "seconds": 0}')
answer["peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps(answer))
"""


def measure(path: Path) -> dict[str, object]:
    """Read the file in a child process: its outcome, seconds and peak RSS in MB."""
    done = subprocess.run([sys.executable, "-c", MEASURER, READER, str(path)],
                          capture_output=True, text=True, cwd=ROOT, check=True, timeout=700)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def read(content: bytes):
    return read_import("list.xlsx", content, region="CN", today=TODAY)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Every hostile file, and a 5 MB list of every accepted kind, written once."""
    folder = tmp_path_factory.mktemp("hostile")
    contents = {
        # the file: 31 million bare <row/>, 270 KB that unzip to 190 MB
        "issue_empty_rows": sheets.empty_rows_xlsx(31_000_000, numbered=False),
        # under the unzipped-size limit: 2 million <row r="..."/>, 4.9 MB (unzips to 30 MB)
        "empty_rows": sheets.empty_rows_xlsx(2_000_000),
        "zip_bomb": sheets.zip_bomb_xlsx(1000),
        "wide_row": sheets.minimal_xlsx([
            (sheets.SHEET_START + sheets.HEADER_ROW + '<row r="2">').encode(),
            *([b"<c/>" * 100_000] * 90), ("</row>" + sheets.SHEET_END).encode()]),
        **{f"five_mb_{kind}": sheets.five_mb_file(kind) for kind in sheets.FORMATS},
    }
    paths = {}
    for name, content in contents.items():
        paths[name] = folder / name
        paths[name].write_bytes(content)
    return paths


def test_the_five_mb_files_are_as_big_as_the_import_takes(files):
    for kind in sheets.FORMATS:
        size = files[f"five_mb_{kind}"].stat().st_size
        assert 4.5 * 2**20 < size <= 5 * 2**20, (kind, size)


@pytest.mark.parametrize(("name", "outcome"), [
    ("issue_empty_rows", "too_complex"),
    ("empty_rows", "too_complex"),
    ("zip_bomb", "too_complex"),
    ("wide_row", "too_complex"),
    *((f"five_mb_{kind}", "rows:4900") for kind in sheets.FORMATS),
])
def test_reading_stays_within_memory_and_time(files, name, outcome):
    result = measure(files[name])
    assert result["outcome"] == outcome
    assert result["peak_mb"] < PEAK_RSS_MB, result
    assert result["seconds"] < SECONDS, result


# -- the limits, one by one (in process) ------------------------------------------------------
def test_empty_rows_count_against_the_limit_and_reading_stops_there():
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        read(sheets.empty_rows_xlsx(1_000_000))
    assert caught.value.reason == "too_complex"
    assert time.perf_counter() - started < 5


def test_a_workbook_that_unzips_to_too_much_is_refused_from_its_directory():
    content = sheets.empty_rows_xlsx(31_000_000, numbered=False)
    assert len(content) < 300_000
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        read(content)
    assert caught.value.reason == "too_complex"
    assert time.perf_counter() - started < 1


def test_a_zip_bomb_and_a_zip_that_lies_about_its_sizes_are_refused():
    for content in (sheets.zip_bomb_xlsx(100), sheets.lying_zip_xlsx()):
        with pytest.raises(ImportFileError) as caught:
            read(content)
        assert caught.value.reason in ("too_complex", "bad_xlsx")


def test_a_zip_of_thousands_of_members_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in sheets.XLSX_PARTS.items():
            archive.writestr(name, text)
        for i in range(2000):
            archive.writestr(f"xl/media/{i}.bin", b"")
    with pytest.raises(ImportFileError) as caught:
        read(out.getvalue())
    assert caught.value.reason == "too_complex"


def test_cells_past_the_column_limit_are_not_read_and_a_huge_row_is_refused():
    wide = [["姓名", *([None] * 150), "电话"], ["张三", *([None] * 150), "13800138000"]]
    result = read(sheets.xlsx(wide))
    assert [r.to_dict() for r in result.rows] == [{"line": 2, "name": "张三"}]
    with pytest.raises(ImportFileError) as caught:
        read(sheets.minimal_xlsx([(sheets.SHEET_START + sheets.HEADER_ROW +
                                   '<row r="2">' + "<c/>" * 5000 + "</row>" +
                                   sheets.SHEET_END).encode()]))
    assert caught.value.reason == "too_complex"


def test_one_stray_cell_far_below_the_list_does_not_cost_a_million_rows():
    result = read(sheets.stray_cell_xlsx("CV1000000"))
    assert [row.name for row in result.rows] == ["张三"]


def test_too_many_shared_strings_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sheets.XLSX_PARTS.items():
            if name == "[Content_Types].xml":
                text = text.replace("</Types>", (
                    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    "</Types>"))
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml",
                         sheets.SHEET_START + sheets.HEADER_ROW + sheets.SHEET_END)
        archive.writestr("xl/sharedStrings.xml", (
            f'<sst xmlns="{sheets.MAIN}">' + "<si><t/></si>" * 250_000 + "</sst>"))
    with pytest.raises(ImportFileError) as caught:
        read(out.getvalue())
    assert caught.value.reason == "too_complex"


@pytest.mark.parametrize("content", [
    b"\xef\xbb\xbf\xe5\xa7\x93\xe5\x90\x8d\n" + b"\n" * 4_000_000,  # 姓名, then empty lines
    b"\xe5\xa7\x93\xe5\x90\x8d\n" + b",\n" * 2_000_000,
])
def test_a_csv_of_empty_lines_is_read_no_further_than_the_limit(content):
    with pytest.raises(ImportFileError) as caught:
        read_import("list.csv", content, region="CN", today=TODAY)
    assert caught.value.reason == "too_complex"


def test_a_vcard_of_one_huge_card_is_refused_quickly():
    card = "BEGIN:VCARD\nVERSION:3.0\nFN:x\n" + "TEL:1\n" * 800_000 + "END:VCARD\n"
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        read_import("contacts.vcf", card.encode(), region="CN", today=TODAY)
    assert caught.value.reason == "too_complex"
    assert time.perf_counter() - started < 5


# -- the reader the bot uses: a child process with a time limit ---------------------------------
async def test_the_bot_reads_in_a_child_process_that_is_stopped_at_its_time_limit(files):
    content = files["five_mb_xlsx"].read_bytes()
    result = await read_in_child("list.xlsx", content, region="CN", today=TODAY)
    assert len(result.rows) == 4900 and result.kind == "xlsx"
    with pytest.raises(ImportFileError) as caught:
        await read_in_child("list.xlsx", content, region="CN", today=TODAY, timeout=0.05)
    assert caught.value.reason == "too_complex"
    with pytest.raises(ImportFileError) as caught:
        await read_in_child("x.xlsx", files["issue_empty_rows"].read_bytes(), region="CN",
                            today=TODAY)
    assert caught.value.reason == "too_complex"


async def test_a_child_that_runs_out_of_memory_is_a_kind_refusal():
    # calamine makes a 65,536 x 256 grid for one far cell: the child's ceiling stops it
    with pytest.raises(ImportFileError) as caught:
        await read_in_child("x.xls", sheets.stray_cell_xls(), region="CN", today=TODAY)
    assert caught.value.reason == "too_complex"
    result = await read_in_child("ok.xls", sheets.xls([["姓名"], ["张三"]]), region="CN",
                                 today=TODAY)
    assert [row.name for row in result.rows] == ["张三"]  # and the next file reads fine
