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
    ("邊度", "哪里"), ("边度", "哪里"), ("邊間", "哪间"), ("边间", "哪间"), ("邊行", "哪行"),
    ("边行", "哪行"), ("邊位", "哪位"), ("边位", "哪位"), ("邊種", "哪种"), ("边种", "哪种"),
    ("邊啲", "哪些"), ("边啲", "哪些"), ("定係", "还是"), ("定系", "还是"), ("幾耐", "多久"),
    ("几耐", "多久"), ("點周轉", "怎么周转"), ("点周转", "怎么周转"), ("變成點", "变成怎样"),
    ("变成点", "变成怎样"), ("會點", "会怎样"), ("会点", "会怎样"), ("點解", "为什么"),
    ("点解", "为什么"), ("我哋", "我们"), ("你哋", "你们"), ("佢哋", "他们"), ("聽落", "听起来"),
    ("啱唔啱", "对不对"), ("抵唔抵", "抵不抵"), ("食一年", "吃一年"), ("老豆", "爸爸"),
    ("老竇", "爸爸"), ("阿爸", "爸爸"), ("阿媽", "妈妈"), ("入咗院", "住了院"), ("入院", "住院"),
    ("冇", "没"), ("唔", "不"), ("㗎", ""), ("呀", ""),
)

# Traditional -> Simplified for every character the classifier's Chinese rules use. Generated
# with OpenCC (t2s, hk2s, tw2s over U+4E00-U+9FFF, keeping results that are rule characters);
# tests/coaching/test_classifier.py regenerates it and fails with the new strings if it drifts.
TRADITIONAL = (
    "乾佈來係俬倆個們備傢傳債傷僱價億優儲兒內兩別剋剛創劃動務勞卽參員唸問喪喫單嗎噁噹"
    "國園團報場墊壓壽夠夥婦媽嬰孃孫學實寶專對層嵗嶽師帳帶幫幹幾廠廳張彆後從復惡愛慮慶"
    "慼應懷戰戶掙換損摺撐擊擔擱擾攤敎數斷旣時書會朮東枱業榦樑樓樣橋機檔檢檯歲決沒沖湊"
    "準滿漲濟無煩熱營牀牴牽獃現產産畢異當瘡療癡癥發盃睏碩確碼祕禍稅種穩筆箇築糧糰約紅"
    "級紡細紹終結給經綠維網緊緑縮總織繞繫繳繼續纍纔義習聯職聽脩脹腎腦腫臟臥臺與興舉舖"
    "舘萬著葯蓋蔘薦藥處號虧術衕衝衹裏補裝裡製複見規視親覺計訓託記設診註証試話認誤說説"
    "誰請講謝證護讀變負財貨貴買貸費貿資賠賣賤賬賺購贈贏趕車軟輕輸轉辦辭農迴這連週進運"
    "過遞適遶遺還邊鄉鄰醣醫釦銀銷鋪錢錯錶鍋鎖鑑鑒長門閉開間閤閨闆關陣隨險隻雙雜離難靈"
    "韆響頂項順預領頭額願顧風颱飯養館騰髒體髮鬆鬧麪麫麵麼麽點齊齣"
)
SIMPLIFIED = (
    "干布来系私俩个们备家传债伤雇价亿优储儿内两别克刚创划动务劳即参员念问丧吃单吗恶当"
    "国园团报场垫压寿够伙妇妈婴娘孙学实宝专对层岁岳师帐带帮干几厂厅张别后从复恶爱虑庆"
    "戚应怀战户挣换损折撑击担搁扰摊教数断既时书会术东台业干梁楼样桥机档检台岁决没冲凑"
    "准满涨济无烦热营床抵牵呆现产产毕异当疮疗痴症发杯困硕确码秘祸税种稳笔个筑粮团约红"
    "级纺细绍终结给经绿维网紧绿缩总织绕系缴继续累才义习联职听修胀肾脑肿脏卧台与兴举铺"
    "馆万着药盖参荐药处号亏术同冲只里补装里制复见规视亲觉计训托记设诊注证试话认误说说"
    "谁请讲谢证护读变负财货贵买贷费贸资赔卖贱账赚购赠赢赶车软轻输转办辞农回这连周进运"
    "过递适绕遗还边乡邻糖医扣银销铺钱错表锅锁鉴鉴长门闭开间合闺板关阵随险只双杂离难灵"
    "千响顶项顺预领头额愿顾风台饭养馆腾脏体发松闹面面面么么点齐出"
)
_TABLE = str.maketrans(TRADITIONAL, SIMPLIFIED)
_FINAL_WEI = re.compile(r"未\?*$")  # Cantonese "...未?" asks "...yet?", like 吗


_CANTONESE_MAP = dict(CANTONESE)
# one pass, longest phrase first (as replacing them one after another in table order would)
_CANTONESE_RE = re.compile("|".join(re.escape(k) for k in sorted(_CANTONESE_MAP, key=len,
                                                                    reverse=True)))


def fold_chinese(text: str) -> str:
    """Cantonese phrases to Mandarin, then Traditional characters to Simplified."""
    text = _CANTONESE_RE.sub(lambda m: _CANTONESE_MAP[m.group()], text)
    return _FINAL_WEI.sub("吗?", text.translate(_TABLE))
