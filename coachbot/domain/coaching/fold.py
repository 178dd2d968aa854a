"""Fold Traditional characters and common Cantonese forms into the Simplified the rules use."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3400-\u9fff]")

# Written Cantonese -> Mandarin, applied before the character table.
CANTONESE = (
    ("係咪", "是不是"), ("系咪", "是不是"), ("係唔係", "是不是"), ("有冇", "有没有"),
    ("咩", "什么"), ("邊個", "谁"), ("边个", "谁"), ("點樣", "怎么样"), ("点样", "怎么样"),
    ("點算", "怎么办"), ("点算", "怎么办"), ("幾多", "多少"), ("几多", "多少"), ("嘅", "的"),
    ("唔使", "不用"), ("咁樣", "这样"), ("咁样", "这样"), ("而家", "现在"), ("屋企", "家里"),
    ("冇", "没"), ("唔", "不"), ("㗎", ""), ("呀", ""),
)

# Traditional -> Simplified for every character the classifier's Chinese rules use. Generated
# with OpenCC (t2s, hk2s, tw2s over U+4E00-U+9FFF, keeping results that are rule characters);
# tests/coaching/test_classifier.py regenerates it and fails with the new strings if it drifts.
TRADITIONAL = (
    "來個們備價優內兩剛劃動卽員喫單嗎報壓壽夠實對帶幫幾張後慮慶戰損撐擔擱擾數斷時會業"
    "樣決沒湊準滿漲煩熱牽產産療發睏種筆箇終緊繳纍纔義脹舉萬著蓋薦處虧衹裏補裡見計設証"
    "試話誤說説誰謝證變貴費賠賣贈贏趕輕辦迴這連週過適還醫銷錢錯閉開間閤險隻離難靈韆響"
    "順預領頭額願顧髮鬆鬧麼麽齊齣"
)
SIMPLIFIED = (
    "来个们备价优内两刚划动即员吃单吗报压寿够实对带帮几张后虑庆战损撑担搁扰数断时会业"
    "样决没凑准满涨烦热牵产产疗发困种笔个终紧缴累才义胀举万着盖荐处亏只里补里见计设证"
    "试话误说说谁谢证变贵费赔卖赠赢赶轻办回这连周过适还医销钱错闭开间合险只离难灵千响"
    "顺预领头额愿顾发松闹么么齐出"
)
_TABLE = str.maketrans(TRADITIONAL, SIMPLIFIED)
_FINAL_WEI = re.compile(r"未\?*$")  # Cantonese "...未?" asks "...yet?", like 吗


def fold_chinese(text: str) -> str:
    """Cantonese phrases to Mandarin, then Traditional characters to Simplified."""
    for cantonese, mandarin in CANTONESE:
        text = text.replace(cantonese, mandarin)
    return _FINAL_WEI.sub("吗?", text.translate(_TABLE))
