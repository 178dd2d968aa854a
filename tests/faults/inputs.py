"""Hypothesis strategies for hostile input: texts, commands, callback data, files, updates."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from coachbot.handlers.registry import COMMANDS
from coachbot.handlers.registry import PREFIXES as FEATURE_PREFIXES
from coachbot.render import buttons
from coachbot.sandbox.objects import TINY_PNG

# -- text --------------------------------------------------------------------------------------
# every plane except surrogates (Telegram's JSON cannot carry lone surrogates)
ANY_CHAR = st.characters(exclude_categories=("Cs",))
SPECIAL = [
    "<", ">", "&", "&amp;", "&lt;", "&#x1F600;", "&bogus;", "<b>", "</b>", "<i>", "</a>",
    "<a href='tg://user?id=1'>", "<script>", "<pre><code class=\"language-x\">", "<tg-spoiler>",
    "*", "**", "_", "__", "`", "```", "[", "](http://x)", "~", "||", "\\", "{{", "}}", "{%", "%}",
    "${x}", "%s", "%(name)s", "'", '"', ";", "--", "/*", "NULL", "\x00",
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",
    "\ufeff", "\u0301" * 30, "\u0e49" * 20, "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇭🇰", "𠀀", "𝕏", "﷽", "\U000e0001",
    "\U0010fffd", "\U0001f600", "ﾟ", "Ａ１２", "１３８００１３８０００", "\n", "\r\n", "\t", " ",
]
DATEISH = [
    "农历", "閏", "闰", "月", "日", "号", "年", "点", "半", "下午", "晚上", "上午", "明天", "后天",
    "下周", "下下周", "周五", "星期日", "十五", "廿", "卅", "初一", "腊月", "正月", "生日",
    "男", "女", "先生", "lunar", "next", "friday", "in", "3 days", "2 hours", "tomorrow",
    "noon", "am", "pm",
    "Feb 30", "2/29", "29.2", "1985-13-45", "0000-00-00", "9999-12-31", "1899-01-01",
    "19850302", "13/13/2026", "25:99", "24:00", "-1", "0", "1e308", "nan", "inf", "1.2万",
    "3k", "−5", "١٢", "²", "Ⅻ", "13800138000", "+852 6123 4567", "(86) 138", "00852",
    "+0000000", "9" * 30, "1" * 17, "12,000", "¥", "$", "元", "萬", "億",
]
WORDS = st.sampled_from(SPECIAL + DATEISH)


@st.composite
def huge_text(draw: st.DrawFn) -> str:
    """10k to 40k characters: a random chunk repeated (Telegram clients cannot send this, a
    modified client or a bug elsewhere might)."""
    chunk = draw(st.text(ANY_CHAR, min_size=1, max_size=12) | WORDS)
    size = draw(st.integers(10_000, 40_000))
    return (chunk * (size // len(chunk) + 1))[:size]


TEXT = st.one_of(
    st.text(ANY_CHAR, min_size=1, max_size=60),
    st.lists(WORDS | st.text(ANY_CHAR, max_size=4), min_size=1, max_size=10).map("".join),
    st.lists(WORDS, min_size=1, max_size=8).map(" ".join),
    st.text(st.characters(codec="ascii"), min_size=1, max_size=40),
)


def sendable(text: str) -> str:
    """Telegram clients never send a blank message."""
    return text if text.strip() else text + "x"


# -- commands ----------------------------------------------------------------------------------
COMMAND_NAMES = [c.name for c in COMMANDS]


@st.composite
def command_line(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(COMMAND_NAMES) | st.sampled_from(["frobnicate", "START",
                                                                  "help_me", "a" * 40]))
    suffix = draw(st.sampled_from(["", "", "", "@CoachSandboxBot", "@OtherBot", "@"]))
    args = draw(st.none() | TEXT | huge_text())
    return f"/{name}{suffix}" + (f" {args}" if args else "")


# -- callback data -----------------------------------------------------------------------------
PREFIXES = sorted(FEATURE_PREFIXES)
ACTIONS = [
    # every action word the handlers know (see the modules' on_callback docstrings)
    "ask", "menu", "lang", "region", "time", "target", "eod", "tone", "sign",
    "skip", "force", "stop",
    "o", "e", "f", "set", "g", "s", "ss", "m", "tag", "ut", "kind", "cs", "ar", "del", "undo",
    "er", "x", "v", "fam", "pol", "dat",
    "c", "n", "d",
    "fam+", "rel", "fx", "dat+", "dk", "dx", "pol+", "po", "pf", "pc", "px", "dskip",
    "all", "grp", "arc", "gA", "sB", "tvip", "T0", "T99",
    "alt", "sent", "done", "snz", "find", "end", "ok", "no",
]
def _handler_actions() -> list[str]:
    """Action codes of every button set (coachbot.render.buttons), whatever exists by now:
    new features are fuzzed without editing this file."""
    return sorted({code for button_set in buttons.ALL for code in button_set.codes.values()})


ACTIONS = sorted(set(ACTIONS) | set(_handler_actions()))
ARGS = [
    "o", "s", "h", "d", "w", "new", "ok", "-", "=", "=A", "=Z", "gender=m", "locale=en",
    "locale=xx", "phone", "name", "notes", "birthday", "status", "active", "lapsed",
    "payment_frequency", "annual_premium", "product_type", "spouse", "child", "wedding",
    "custom", "face", "phone", "financial", "health", "A", "D", "en", "zh-Hans", "HK", "XX",
    "0800", "2359", "9999", "warm", "formal", "service", "marketing", "1", "3", "7", "14", "99",
]


@st.composite
def callback_data(draw: st.DrawFn, ids: list[int]) -> str:
    """prefix:action:id:arg... with real ids (someone's), forged ids and junk, 1-64 bytes."""
    odd_number = st.sampled_from([
        "0", str(2**31), str(2**63 - 1), str(2**63), str(10**30), "9" * 60, "²", "٣", "１２",
        "1_000", "0x10", " 1", "1.0", "+1", "-1", ""])
    number = st.one_of(
        (st.sampled_from(ids) if ids else st.integers(1, 50)).map(str),
        st.integers(-5, 10**6).map(str),
        odd_number,
    )
    field = st.one_of(number, number, st.sampled_from(ACTIONS), st.sampled_from(ARGS),
                      odd_number, st.text(ANY_CHAR, max_size=6))
    prefix = draw(st.sampled_from(PREFIXES) | st.sampled_from(["zz", "", "CL", "cl ", "ls"]))
    if draw(st.integers(0, 3)):  # mostly the shape our buttons have: action, id, arguments
        fields = [draw(st.sampled_from(ACTIONS)), draw(number),
                  *draw(st.lists(st.sampled_from(ARGS) | number, max_size=3))]
    else:
        fields = draw(st.lists(field, max_size=5))
    data = ":".join([prefix, *fields])
    raw = data.encode("utf-8")[:64]
    data = raw.decode("utf-8", "ignore")
    return data or "x"


# -- files -------------------------------------------------------------------------------------
def _xlsx(rows: list[list[Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip_bomb_like() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * 3_000_000)
        archive.writestr("[Content_Types].xml", b"<Types/>")
    return out.getvalue()


HOSTILE_CSV = ("姓名,手机号,生日,备注\n"
               "<b>x</b> & y,13800138000,2月30日,=cmd|' /C calc'!A0\n"
               "\u202e反转,abc,1985-13-45,\"多\n行\"\n"
               ",,,\n"
               "张三,13800138000,1985-03-02,重复\n"
               "张三,13800138000,1985-03-02,重复\n").encode("utf-8")
FILE_CONTENTS = [
    ("png", TINY_PNG),
    ("empty", b""),
    ("bom", b"\xef\xbb\xbf"),
    ("utf16", "姓名,电话\n李四,13900139000\n".encode("utf-16")),
    ("gbk", "姓名,电话\n李四,13900139000\n".encode("gbk")),
    ("hostile_csv", HOSTILE_CSV),
    ("json", json.dumps({"name": "x"}).encode()),
    ("pk", b"PK\x03\x04" + bytes(200)),
    ("base64", base64.b64encode(bytes(range(256)) * 4)),
    ("nul", b"\x00" * 5000),
    ("vcard_broken", b"BEGIN:VCARD\nVERSION:3.0\nFN:\nTEL:++++\nBDAY:9999-99-99\n"),
    ("many_columns", (",".join(f"c{i}" for i in range(500)) + "\n").encode() * 3),
    ("only_header", "姓名,手机号,生日\n".encode()),
]
FILE_NAMES = ["clients.csv", "book.xlsx", "contacts.vcf", "x.png", "名单.CSV", "noext",
              "../../etc/passwd", "a" * 200 + ".csv", ".csv", "list.xls", "x.csv.exe",
              "\u202ecsv.exe", "data.json"]
MIME_TYPES = ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "text/vcard", "image/png", "application/octet-stream", "text/plain"]


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime_type: str

    def __repr__(self) -> str:  # keep failure reports readable
        return f"Document({self.filename!r}, {len(self.content)} bytes, {self.mime_type!r})"


@st.composite
def documents(draw: st.DrawFn) -> Document:
    name = draw(st.sampled_from(FILE_NAMES))
    mime = draw(st.sampled_from(MIME_TYPES))
    kind = draw(st.sampled_from(["fixed", "fixed", "random", "xlsx_junk"]))
    if kind == "fixed":
        content = draw(st.sampled_from(FILE_CONTENTS))[1]
    elif kind == "random":
        content = draw(st.binary(min_size=1, max_size=4000))
    else:
        cells = st.one_of(TEXT, st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                          st.none(), st.booleans())
        rows = draw(st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=6))
        rows.insert(0, ["姓名", "手机", "生日", "Name", "Phone", "DOB"])
        content = _xlsx([[_xlsx_safe(c) for c in row] for row in rows])
    return Document(name, content, mime)


def _xlsx_safe(value: Any) -> Any:
    """openpyxl refuses control characters in cells: a real spreadsheet cannot hold them."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


BIG_DOCUMENTS = [
    Document("big.csv", b"x" * (5 * 1024 * 1024 + 1), "text/csv"),  # over the import limit
    Document("bomb.xlsx", _zip_bomb_like(), MIME_TYPES[1]),
    Document("rows.csv", ("姓名,电话\n" + "张三,13800138000\n" * 6000).encode(), "text/csv"),
]


# -- whole actions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    kind: str
    args: tuple[Any, ...] = ()


def actions(ids: list[int]) -> st.SearchStrategy[Action]:
    """One thing a user does in the private chat."""
    return st.one_of(
        st.builds(lambda t: Action("text", (sendable(t),)), TEXT),
        st.builds(lambda t: Action("text", (sendable(t),)), huge_text()),
        st.builds(lambda t: Action("text", (t,)), command_line()),
        st.builds(lambda t: Action("text", (t,)), command_line()),
        st.builds(lambda d: Action("press", (d,)), callback_data(ids)),
        st.builds(lambda d: Action("press", (d,)), callback_data(ids)),
        st.builds(lambda d: Action("press", (d,)), callback_data(ids)),
        st.builds(lambda d: Action("press", (d,)), callback_data(ids)),
        st.builds(lambda d: Action("document", (d,)), documents()),
        st.just(Action("sticker")),
        st.just(Action("photo")),
        st.builds(lambda b: Action("voice", (b,)), st.binary(max_size=64)),
        st.builds(lambda lat, lon: Action("location", (lat, lon)),
                  st.floats(-90, 90), st.floats(-180, 180)),
        st.builds(lambda p, n, own: Action("contact", (p, sendable(n), own)),
                  TEXT, TEXT, st.booleans()),
        st.builds(lambda t: Action("edit", (sendable(t),)), TEXT | command_line()),
        st.builds(lambda t, n: Action("forward", (sendable(t), n)), TEXT, TEXT),
        st.builds(lambda t: Action("reply", (sendable(t),)), TEXT | command_line()),
    )
