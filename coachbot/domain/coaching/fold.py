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
    "乾佈來俬倆個們備傢債傷僱價億優儲兒內兩別剋剛創劃動務勞卽參員唸問喪喫單嗎噁噹國園"
    "團報場壓壽夠夥婦媽嬰孃孫學實寶專對層嵗嶽師帳帶幫幹幾廠廳張彆後從復惡愛慮慶慼懷戰"
    "戶掙損撐擔擱擾攤敎數斷時書會朮東枱業榦樑樓樣橋機檔檢檯歲決沒湊準滿漲濟無煩熱營牽"
    "獃產産畢異當瘡療癡癥發睏碩碼祕種穩筆箇築糧糰約紅級紡細終結給經網緊織繞繳纍纔義習"
    "聯職脩脹腎腦腫臟臺與興舉舖舘萬著葯蓋蔘薦藥處號虧術衕衹裏補裝裡製複見親計訓託記設"
    "診註証試話誤說説誰請謝證護讀變負財貨貴買貸費貿資賠賣賬賺贈贏趕車軟輕輸轉辦辭農迴"
    "這連週進運過遞適遶還鄉鄰醣醫銀銷鋪錢錯錶鍋長門閉開間閤閨闆關險隻雙雜離難靈韆響頂"
    "順預領頭額願顧風颱飯養館髒體髮鬆鬧麪麫麵麼麽齊齣"
)
SIMPLIFIED = (
    "干布来私俩个们备家债伤雇价亿优储儿内两别克刚创划动务劳即参员念问丧吃单吗恶当国园"
    "团报场压寿够伙妇妈婴娘孙学实宝专对层岁岳师帐带帮干几厂厅张别后从复恶爱虑庆戚怀战"
    "户挣损撑担搁扰摊教数断时书会术东台业干梁楼样桥机档检台岁决没凑准满涨济无烦热营牵"
    "呆产产毕异当疮疗痴症发困硕码秘种稳笔个筑粮团约红级纺细终结给经网紧织绕缴累才义习"
    "联职修胀肾脑肿脏台与兴举铺馆万着药盖参荐药处号亏术同只里补装里制复见亲计训托记设"
    "诊注证试话误说说谁请谢证护读变负财货贵买贷费贸资赔卖账赚赠赢赶车软轻输转办辞农回"
    "这连周进运过递适绕还乡邻糖医银销铺钱错表锅长门闭开间合闺板关险只双杂离难灵千响顶"
    "顺预领头额愿顾风台饭养馆脏体发松闹面面面么么齐出"
)
_TABLE = str.maketrans(TRADITIONAL, SIMPLIFIED)
_FINAL_WEI = re.compile(r"未\?*$")  # Cantonese "...未?" asks "...yet?", like 吗


def fold_chinese(text: str) -> str:
    """Cantonese phrases to Mandarin, then Traditional characters to Simplified."""
    for cantonese, mandarin in CANTONESE:
        text = text.replace(cantonese, mandarin)
    return _FINAL_WEI.sub("吗?", text.translate(_TABLE))
