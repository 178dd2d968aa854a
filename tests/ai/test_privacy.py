"""What leaves the server: identifiers never, client names only as placeholders."""

from __future__ import annotations

import pytest

from coachbot.domain.privacy import Redactor, StreamRestorer, redact


@pytest.mark.parametrize(("text", "secret"), [
    ("客户手机13812345678明天回电", "13812345678"),
    ("手机 138-1234-5678", "138-1234-5678"),
    ("his number is +852 9123 4567", "9123 4567"),
    ("call 9123 4567 after 6", "9123 4567"),
    ("電話 0912-345-678", "0912-345-678"),
    ("hp 012-345 6789", "345 6789"),
    ("身份证110101199003074514", "110101199003074514"),
    ("身份证 11010119900307451X", "11010119900307451X"),
    ("HKID A123456(7)", "A123456"),
    ("香港身份證 AB987654(3)", "AB987654"),
    ("身分證字號 A123456789", "A123456789"),
    ("NRIC S1234567D", "S1234567D"),
    ("fin g7654321k", "g7654321k"),
    ("MyKad 850101-14-5678", "850101-14-5678"),
    ("IC 850101145678", "850101145678"),
    ("保单号 P2023000123", "P2023000123"),
    ("保單號碼：HK-2023-0099881", "HK-2023-0099881"),
    ("policy no. 88001234", "88001234"),
    ("email jt@example.com.sg", "jt@example.com.sg"),
    ("住在朝阳区建国路88号3栋2单元501室", "建国路88号"),
    ("地址：台北市信義區松仁路100號", "松仁路100號"),
    ("Blk 123 Tampines St 11 #05-123 Singapore 520123", "Tampines St 11"),
    ("lives at 12 Jalan Ampang, KL", "Jalan Ampang"),
])
def test_identifiers_are_removed(text, secret):
    result = redact(text)
    assert secret not in result.text
    assert result.removed_count >= 1


@pytest.mark.parametrize("text", [
    "老婆全职带两个孩子，房贷每月1.5万，月薪一万二左右",
    "HDB loan about $1,200 a month, car loan RM800/month, 2 kids aged 8 and 5",
    "开了两家湘菜馆，请了23个员工",
    "Meeting next Tues 3pm at Tampines Starbucks, 2026-03-01",
])
def test_ordinary_facts_pass_unchanged(text):
    result = redact(text)
    assert result.text == text and result.removed_count == 0


def test_names_become_placeholders_and_come_back():
    redactor = Redactor(["张三", "Jason Tan"])
    sent = redactor.redact("张三说张总的太太也认识 Jason Tan，Mr Tan 下周见")
    assert "张三" not in sent and "张总" not in sent and "Tan" not in sent
    assert "[C1]" in sent
    answer = sent.replace("说", "表示")
    assert redactor.restore(answer) == "张三表示张总的太太也认识 Jason Tan，Mr Tan 下周见"
    assert redactor.restore_json({"note": "[C1]", "list": ["[C2]"]}) == \
        {"note": redactor.names["[C1]"], "list": [redactor.names["[C2]"]]}


def test_a_placeholder_split_across_stream_chunks_is_restored_whole():
    restorer = StreamRestorer({"[C1]": "李女士", "[C12]": "陈总"})
    shown = [restorer.feed(piece) for piece in ("您好，[", "C1", "]，还有[C", "12]的事")]
    shown.append(restorer.flush())
    assert "".join(shown) == "您好，李女士，还有陈总的事"
    assert shown[0] == "您好，"
