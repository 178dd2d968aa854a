"""Client book files end to end: import a CSV/XLSX/vCard with a preview, and /export."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from coachbot.sandbox.control import BOT_ACTIVITY
from tests import spreadsheets as sheets

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VCF = "text/vcard"
GOOD_CSV = ("姓名,手机号,生日,性别,备注,标签\n"
            "张三,138 0013 8000,1985-03-02,男,老乡,\"VIP,同学\"\n"
            "李四,12345,,女,,\n"
            "王芳,13900139000,农历八月十五,女,<b>宝妈</b> & 朋友,\n"
            "华盛公司,13700137000,,,,\n").encode("utf-8-sig")


async def onboard(bot, *, language="简体中文", region="中国内地"):
    await bot.send("/start", expect=2)
    await bot.press(language)
    await bot.press(region)
    await bot.press("08:00")
    await bot.press("2")


async def send_file(bot, filename: str, content: bytes, mime: str = CSV, *, user=None,
                    expect: int = 1):
    user = user or bot.user
    update = bot.sandbox.send_document(user, filename, content, mime)
    return await bot.inject(update, user.id, expect=expect)


def book(bot, agent_id=None) -> dict[str, object]:
    return {c.name: c for c in bot.store.transfer.book_clients(agent_id or bot.user.id)}


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def test_csv_import_shows_a_preview_and_saves_only_after_confirm(bot):
    await onboard(bot)
    replies = await send_file(bot, "客户名单.csv", GOOD_CSV)
    preview = replies[-1]["text"]
    assert "导入预览" in preview
    assert "新增 4 位" in preview and "跳过" not in preview
    assert "会导入，但有资料要补" in preview and "第 3 行 李四：电话「12345」看不懂" in preview
    assert "认出的列：姓名、电话、生日、性别、备注、标签" in preview
    assert bot.buttons(replies[-1]) == ["✅ 确认导入（4 位）", "✖ 取消"]
    assert book(bot) == {}  # nothing saved before the agent confirms
    replies = await bot.press("确认导入")
    assert "导入完成" in replies[-1]["text"] and "新增 4 位" in replies[-1]["text"]
    assert "导入了，但有资料要补" in replies[-1]["text"] and "李四：电话「12345」" in \
        replies[-1]["text"]
    clients = book(bot)
    assert sorted(clients) == ["华盛公司", "张三", "李四", "王芳"]
    assert (clients["李四"].phone, clients["李四"].raw_values) == (None, {"phone": "12345"})
    zhang = clients["张三"]
    assert (zhang.phone, zhang.birthday, zhang.gender, zhang.notes, zhang.tags) == \
        ("+8613800138000", "1985-03-02", "m", "老乡", ("vip", "同学"))
    assert clients["王芳"].birthday == "L--08-15"
    assert clients["王芳"].notes == "<b>宝妈</b> & 朋友"  # stored as typed, shown escaped
    assert bot.store.dialogs.get_dialog(bot.user.id, bot.user.id) is None


async def test_xlsx_import_for_an_english_agent_in_hong_kong(bot):
    bot.user = bot.as_user(3003, "Mei", language_code="en")
    await onboard(bot, language="English", region="Hong Kong")
    content = xlsx([
        ["My clients"],
        ["Name", "Mobile", "Date of birth", "Gender", "Type", "WeChat"],
        ["David Tan", 91234567, datetime(1980, 7, 4), "M", None, "dt"],
        ["Chan Tai Man", "+852 6123 4567", date(1975, 1, 31), "male", None, None],
        ["Acme Ltd", None, None, None, "Group", None],
    ])
    replies = await send_file(bot, "clients.xlsx", content, XLSX)
    preview = replies[-1]["text"]
    assert "3 new" in preview and "Columns not used: WeChat" in preview
    replies = await bot.press("Import")
    assert "Import done" in replies[-1]["text"]
    clients = book(bot)
    assert clients["David Tan"].phone == "+85291234567"
    assert clients["David Tan"].birthday == "1980-07-04"
    assert clients["Chan Tai Man"].birthday == "1975-01-31"
    assert clients["Acme Ltd"].kind == "group"


async def test_vcard_import_for_a_taiwan_agent(bot):
    bot.user = bot.as_user(2002, "阿明", language_code="zh-hant")
    await onboard(bot, language="繁體中文", region="台灣")
    cards = ("BEGIN:VCARD\nVERSION:3.0\nFN:陳大文\nTEL;TYPE=CELL:0912-345-678\n"
             "BDAY:1985-03-02\nEND:VCARD\n"
             "BEGIN:VCARD\nVERSION:3.0\nN:林;美玲;;;\nTEL:0987654321\nBDAY:--08-15\n"
             "NOTE:家長會認識\nEND:VCARD\n"
             "BEGIN:VCARD\nVERSION:3.0\nFN:沒電話的人\nEND:VCARD\n")
    replies = await send_file(bot, "contacts.vcf", cards.encode(), VCF)
    assert "新增 3 位" in replies[-1]["text"]
    replies = await bot.press("確認匯入")
    assert "匯入完成" in replies[-1]["text"]
    clients = book(bot)
    assert clients["陳大文"].phone == "+886912345678"
    assert (clients["林美玲"].birthday, clients["林美玲"].notes) == ("--08-15", "家長會認識")
    assert clients["沒電話的人"].phone is None


async def test_a_client_already_in_the_book_is_completed_not_duplicated(bot):
    await onboard(bot)
    await bot.send("/add 张三 13800138000")
    replies = await send_file(bot, "list.csv", GOOD_CSV)
    assert "新增 3 位" in replies[-1]["text"] and "补充资料 1 位" in replies[-1]["text"]
    assert "张三：补生日、性别、备注、标签" in replies[-1]["text"]
    await bot.press("确认导入")
    clients = book(bot)
    assert len(clients) == 4
    assert (clients["张三"].birthday, clients["张三"].tags) == ("1985-03-02", ("vip", "同学"))


@pytest.mark.parametrize(("filename", "content", "expected"), [
    ("客户名单.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "不像客户名单"),
    ("客户名单.csv", b"", "是空的"),
    ("客户名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "打不开"),
    ("客户名单.csv", "手机,微信\n13800138000,zs\n".encode(), "你文件里的列是：手机、微信"),
    ("客户名单.csv", ("姓名\n" + "张三\n" * 5001).encode(), "最多导入 5,000 位"),
])
async def test_a_bad_file_changes_nothing_and_says_what_to_fix(bot, filename, content,
                                                               expected):
    await onboard(bot)
    await bot.send("/add 老客户 13600136000")
    replies = await send_file(bot, filename, content)
    text = replies[-1]["text"]
    assert expected in text and "名单没有任何改动" in text
    assert bot.buttons(replies[-1]) == []
    assert list(book(bot)) == ["老客户"]
    assert bot.store.dialogs.get_dialog(bot.user.id, bot.user.id) is None


async def test_cancel_changes_nothing_and_the_old_button_is_dead(bot):
    await onboard(bot)
    replies = await send_file(bot, "list.csv", GOOD_CSV)
    preview = replies[-1]
    confirm_data = preview["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert confirm_data.startswith("im:ok:") and len(confirm_data.encode()) <= 64
    replies = await bot.press("取消")
    assert "取消了" in replies[-1]["text"]
    replies = await bot.press_data(preview["message_id"], confirm_data)
    assert "过期" in replies[-1]["text"] or "expired" in replies[-1]["text"].lower()
    assert book(bot) == {}


async def test_only_the_newest_preview_can_be_confirmed(bot):
    await onboard(bot)
    first = (await send_file(bot, "a.csv", "姓名\n甲\n".encode()))[-1]
    await send_file(bot, "b.csv", "姓名\n乙\n".encode())
    old = first["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.press_data(first["message_id"], old)
    assert book(bot) == {}
    await bot.press("确认导入")
    assert list(book(bot)) == ["乙"]


async def test_export_sends_a_csv_and_a_workbook_that_read_back(bot):
    await onboard(bot)
    await send_file(bot, "list.csv", GOOD_CSV)
    await bot.press("确认导入")
    replies = await bot.send("/export", expect=2)
    documents = [m for m in replies if m.get("file_bytes")]
    assert [d["file_name"] for d in documents] == ["clients-20261123.csv",
                                                   "client-book-20261123.xlsx"]
    assert "4 位" in documents[0]["caption"]
    data = documents[0]["file_bytes"]
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row["姓名"] for row in rows} == {"张三", "李四", "王芳", "华盛公司"}
    zhang = next(row for row in rows if row["姓名"] == "张三")
    assert (zhang["电话"], zhang["生日"], zhang["标签"]) == ("138 0013 8000", "1985-03-02",
                                                       "vip, 同学")
    workbook = openpyxl.load_workbook(io.BytesIO(documents[1]["file_bytes"]))
    assert workbook.sheetnames == ["客户", "保单", "家人", "联系记录", "纪念日"]
    names = [row[0] for row in workbook["客户"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["华盛公司", "张三", "李四", "王芳"]
    # what we exported imports again as the same clients, into another agent's book
    other = bot.as_user(5005, "小李", language_code="zh-hans")
    bot.user = other
    await onboard(bot)
    replies = await send_file(bot, "client-book.xlsx", documents[1]["file_bytes"], XLSX)
    assert "新增 4 位" in replies[-1]["text"]
    await bot.press("确认导入")
    assert book(bot, 5005)["王芳"].birthday == "L--08-15"


async def test_export_never_shows_another_agents_book(bot):
    await onboard(bot)
    await send_file(bot, "list.csv", GOOD_CSV)
    await bot.press("确认导入")
    bot.user = bot.as_user(6006, "小赵", language_code="zh-hans")
    await onboard(bot)
    replies = await bot.send("/export")
    assert "还没有客户" in replies[-1]["text"]
    assert not any(m.get("file_bytes") for m in replies)
    await bot.send("/add 赵六 13600136000")
    replies = await bot.send("/export", expect=2)
    csv_text = replies[0]["file_bytes"].decode("utf-8-sig")
    assert "赵六" in csv_text and "张三" not in csv_text
    names = [row[0] for row in openpyxl.load_workbook(io.BytesIO(replies[1]["file_bytes"]))
             ["客户"].iter_rows(min_row=2, values_only=True)]
    assert names == ["赵六"]


async def test_import_help_explains_the_file(bot):
    await onboard(bot)
    replies = await bot.send("/import")
    assert "姓名" in replies[-1]["text"] and ".vcf" in replies[-1]["text"]


def first_answer_seq(bot, chat_id: int, after: int) -> int:
    """Where in the sandbox's activity log the bot first answered in a chat after `after`."""
    return next(e.seq for e in bot.sandbox.state.events_after(after, BOT_ACTIVITY)
                if e.chat_id == chat_id)


async def test_a_hostile_workbook_gets_a_kind_refusal_and_others_are_answered_meanwhile(bot):
    await onboard(bot)
    me = bot.user
    bot.user = other = bot.as_user(4004, "小陈", language_code="zh-hans")
    await onboard(bot)
    bot.user = me
    await bot.send("/add 老客户 13600136000")
    # a 10 KB workbook of a million empty rows: read in a child, stopped at the row limit
    replies = await send_file(bot, "客户名单.xlsx", sheets.empty_rows_xlsx(1_000_000,
                                                                      numbered=False), XLSX)
    assert "没法安全地读完" in replies[-1]["text"] and "名单没有任何改动" in replies[-1]["text"]
    assert list(book(bot)) == ["老客户"]
    # while a 5 MB list is being read for one agent, another agent is answered at once
    sent = bot.sandbox.send_document(me, "名单.csv", sheets.five_mb_file("csv"), CSV)
    asked = bot.sandbox.send_text(other, "/help")
    help_replies = await bot.inject(asked, other.id)
    assert help_replies and help_replies[-1]["text"]
    preview = await bot.sandbox.wait_for_bot(me.id, after=sent["_seq"], timeout=60)
    assert "导入预览" in preview[-1]["text"] and "新增 4900 位" in preview[-1]["text"]
    assert first_answer_seq(bot, other.id, asked["_seq"]) < \
        first_answer_seq(bot, me.id, sent["_seq"])


async def test_a_person_with_an_unreadable_birthday_is_imported_and_the_card_shows_it(bot):
    await onboard(bot)
    content = xlsx([["姓名", "手机", "生日"],
                    ["陈美玲", 13800138000, "1983-02-29"],      # no 29 Feb in 1983
                    ["王建国", "下班后才接电话", 31048],         # words; Excel's serial
                    ["林大伟", 13700137000, 31048]])
    replies = await send_file(bot, "客户.xlsx", content, XLSX)
    preview = replies[-1]["text"]
    assert "新增 3 位" in preview and "跳过" not in preview
    assert "第 2 行 陈美玲：生日「1983-02-29」看不懂" in preview
    assert "第 3 行 王建国：电话「下班后才接电话」看不懂" in preview
    replies = await bot.press("确认导入")
    assert "导入了，但有资料要补" in replies[-1]["text"]
    clients = book(bot)
    assert (clients["林大伟"].birthday, clients["王建国"].birthday) == ("1985-01-01",
                                                                       "1985-01-01")
    assert clients["陈美玲"].birthday is None
    replies = await bot.send("/clients 陈美玲")  # a single hit opens the card
    assert "原始资料：生日「1983-02-29」" in replies[-1]["text"]


async def test_same_phone_under_another_name_is_asked_with_buttons(bot):
    await onboard(bot)
    await bot.send("/add 王大明 13800138000")
    cards = ("BEGIN:VCARD\nVERSION:3.0\nFN:王美丽\nTEL;TYPE=CELL:138 0013 8000\n"
             "BDAY:1988-05-20\nEND:VCARD\n"
             "BEGIN:VCARD\nVERSION:3.0\nFN:张伟\nTEL;TYPE=CELL:139 0013 9000\nEND:VCARD\n")
    replies = await send_file(bot, "通讯录.vcf", cards.encode(), VCF)
    preview = replies[-1]
    assert "电话一样，名字不同，是同一个人吗？" in preview["text"]
    assert "① 第 1 张「王美丽」和名单里的「王大明」电话都是 138 0013 8000" in preview["text"]
    # nothing can be confirmed while a question is open: no confirm button, no silent merge
    assert bot.buttons(preview) == ["① 同一人，合并", "① 另建新客户", "① 跳过", "✖ 取消"]
    replies = await bot.press("① 另建新客户")
    assert replies[-1]["message_id"] == preview["message_id"]  # the preview, edited
    assert "新增 2 位" in replies[-1]["text"] and "是同一个人吗" not in replies[-1]["text"]
    assert bot.buttons(replies[-1]) == ["✅ 确认导入（2 位）", "✖ 取消"]
    await bot.press("确认导入")
    clients = book(bot)
    assert sorted(clients) == ["张伟", "王大明", "王美丽"]
    assert (clients["王美丽"].phone, clients["王美丽"].birthday) == ("+8613800138000",
                                                                   "1988-05-20")
    assert clients["王大明"].birthday is None  # nothing of hers went into his record


async def test_many_shared_phones_can_be_answered_all_at_once(bot):
    await onboard(bot)
    heads = ["赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七"]
    for i, name in enumerate(heads):
        await bot.send(f"/add {name} 1390000000{i}")
    text = "姓名,电话\n" + "".join(f"家人{i},1390000000{i}\n" for i in range(7))
    replies = await send_file(bot, "家人.csv", text.encode())
    preview = replies[-1]
    assert "待你确认 7 行" in preview["text"] and "还有 2 行也是这样" in preview["text"]
    buttons = bot.buttons(preview)
    assert buttons[:3] == ["① 同一人，合并", "① 另建新客户", "① 跳过"]
    assert buttons[-3:] == ["全部另建（7 行）", "全部跳过（7 行）", "✖ 取消"]
    assert all(len(row) == 3 for row in preview["reply_markup"]["inline_keyboard"][:5])
    token = preview["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[2]
    replies = await bot.press_data(preview["message_id"], f"im:qa:{token}:m")  # forged
    assert "过期" in replies[-1]["text"]  # "merge them all" is never offered nor taken
    replies = await bot.press("① 同一人，合并")
    assert "待你确认 6 行" in replies[-1]["text"]
    replies = await bot.press("全部跳过")
    assert replies[-1]["message_id"] == preview["message_id"]
    assert "没有可以导入的新内容" in replies[-1]["text"] and bot.buttons(replies[-1]) == []
    assert sorted(book(bot)) == sorted(heads)


async def test_a_file_and_an_export_show_the_agent_the_bot_is_working(bot):
    """Reading a list and building an export take a moment: "typing…" and "sending a file…"
    show instead of silence."""
    await onboard(bot)
    before = bot.sandbox.seq
    await send_file(bot, "list.csv", GOOD_CSV)
    await bot.press("确认导入")
    await bot.send("/export", expect=2)
    actions = [e["action"] for e in bot.sandbox.events(before)
               if e["kind"] == "chat_action" and e["chat_id"] == bot.user.id]
    assert actions == ["typing", "upload_document"]


NOTES_CSV = ("姓名,手机号,职业,家庭情况,备注\n"
             "张三,13800138000,,老婆全职带两个孩子,房贷每月1.5万\n"
             "李四,13900139000,护士,,公司给买了团险\n"
             "王五,13700137000,,,老乡\n").encode("utf-8-sig")


async def test_the_imported_notes_and_fields_become_facts_and_only_theirs(bot):
    await onboard(bot)
    await bot.send("/add 张三 13800138000")  # completed by the list: read again
    # a client kept before facts existed: not in the list, so not read by this import
    old = bot.store.clients.add_client(bot.user.id, {"name": "老周", "notes": "两个孩子"},
                                       search_key="laozhou")
    await send_file(bot, "list.csv", NOTES_CSV)
    replies = await bot.press("确认导入")
    done = replies[-1]["text"]
    assert "新增 2 位" in done and "补充资料 1 位" in done
    assert "🧠 已从导入的备注和资料里整理出 2 位客户的家庭、工作和保障情况" in done
    card = (await bot.send("/clients 张三"))[-1]["text"]
    assert "2 个孩子 · 来自" in card and "客户资料" in card
    assert "房贷每月 ¥15,000 · 来自" in card
    card = (await bot.send("/clients 李四"))[-1]["text"]
    assert "职业：护士" in card and "已有：单位团险" in card
    assert bot.store.facts.facts_of(bot.user.id, old.id) == []


async def test_an_english_import_is_read_too(bot):
    bot.user = bot.as_user(3004, "Mei", language_code="en")
    await onboard(bot, language="English", region="Singapore")
    content = xlsx([["Name", "Mobile", "Notes"],
                    ["David Tan", 91234567, "married, 2 kids, wife stays at home"]])
    await send_file(bot, "clients.xlsx", content, XLSX)
    replies = await bot.press("Import")
    assert "I read the notes and details of 1 of them" in replies[-1]["text"]
    card = (await bot.send("/clients David Tan"))[-1]["text"]
    assert "2 children · from" in card and "partner not working · from" in card
