"""Build the small CJK font the charts ship with (coachbot/render/fonts/).

Charts are drawn in the agent's language on any machine, also one without a Chinese font:
the package carries a subset of Noto Sans CJK SC (SIL Open Font License 1.1) with just the
glyphs the charts need: every word of the chart labels in zh-Hans and zh-Hant, digits and
punctuation, and the characters most common in Chinese names (so "3 小王" can stay a name).

Run it when a chart label changes (a test checks every label is covered):

    apt-get install fonts-noto-cjk      # the source font, Debian's package
    .venv/bin/python tools/build_chart_font.py

It writes coachbot/render/fonts/ChartSansCJK.otf (renamed, as the OFL asks of a modified
font) next to OFL.txt. Only the subset is committed, never the source font.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_INDEX = 2  # Noto Sans CJK SC in Debian's collection
OUT = ROOT / "coachbot" / "render" / "fonts" / "ChartSansCJK.otf"
FAMILY = "CoachBot Chart Sans CJK"

# the most common Chinese surnames and characters of given names and nicknames, simplified
# and traditional (member labels on team charts are names)
NAME_CHARS = (
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮"
    "邓鄧曹彭曾肖萧蕭田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金"
    "石廖贾賈夏韦韋付方白邹鄒孟熊秦邱江尹薛闫閻段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴"
    "覃武戴莫孔向汤湯欧歐阳陽司诸諸葛上官东東皇甫慕容令狐"
    "小阿老大伟偉芳娜敏静靜丽麗强強磊军軍洋勇艳豔杰傑娟涛濤明超秀霞平刚剛桂英华華玉兰蘭红紅"
    "文斌辉輝建国國志峰宇婷雪琳晶燕玲萍欣怡子佳俊浩然思雨梦夢晨凯凱鹏鵬飞飛宏海波云雲春梅"
    "德成安家新民永全东達达美慧君青清松山天月心一二三四五六七八九十"
)
EXTRA = "0123456789 ./-–—:：·…%（）()[]【】、，。！？月日周週年"


def chart_words() -> str:
    """Every character of the chart labels in the Chinese locales."""
    text = []
    for locale in ("zh-Hans", "zh-Hant"):
        labels = yaml.safe_load((ROOT / "templates" / locale / "labels" / "teams.yaml")
                                .read_text(encoding="utf-8"))
        text += [re.sub(r"\{\{.*?\}\}", "", str(v)) for v in labels["charts"].values()]
    return "".join(text)


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 1
    wanted = sorted(set(chart_words() + NAME_CHARS + EXTRA
                        + "".join(chr(c) for c in range(0x20, 0x7F))))
    font = TTCollection(str(SOURCE)).fonts[SOURCE_INDEX]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(wanted))
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
            names.removeNames(nameID=record.nameID)
    names.setName(FAMILY, 1, 3, 1, 0x409)
    names.setName("Regular", 2, 3, 1, 0x409)
    names.setName(f"{FAMILY}: subset of Noto Sans CJK SC for CoachBot charts", 3, 3, 1, 0x409)
    names.setName(FAMILY, 4, 3, 1, 0x409)
    names.setName(FAMILY.replace(" ", "") + "-Regular", 6, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [FAMILY.replace(" ", "") + "-Regular"]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    print(f"{OUT.relative_to(ROOT)}: {len(wanted)} characters, {OUT.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
