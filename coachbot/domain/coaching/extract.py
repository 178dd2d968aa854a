"""Facts about a client read from what the agent typed: notes, visit logs, SPIN answers, forwards.

Rules, not a model: each note is cut into clauses; each clause gets a subject (the client, the
spouse, a child, a parent, a sibling, someone else, or the agent writing the note); each fact
key has its own patterns and takes only clauses whose subject it may describe. A spouse's job
is never the client's occupation, a friend's illness is never a family health event.

Chinese is read in Simplified: common Cantonese written forms and Taiwan words are mapped to
Mandarin first (供樓 -> 房贷, 老豆 -> 爸爸, 國小 -> 小学), then Traditional characters are folded
(coaching.fold). English is read word by word, case-insensitively.

Keys and values (FACT_KEYS): spouse, spouse_works, sole_breadwinner, mortgage, loans,
business_owner, retired, high_net_worth (bool); children, employees, age, retire_in_years,
mortgage_monthly, income_monthly (int); occupation, industry (str id); child_stage (frozenset
of baby/preschool/primary/secondary/university/adult); children_ages (tuple, as given);
existing_cover (frozenset of cover kinds; empty = the client holds no insurance at all);
health_event (frozenset of (who, what) pairs).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from coachbot.domain.coaching.fold import CJK, fold_chinese
from coachbot.domain.coaching.numbers import cn_int, find_amounts, to_int

FACT_KEYS = (
    "spouse", "spouse_works", "children", "children_ages", "child_stage", "mortgage",
    "mortgage_monthly", "loans", "business_owner", "industry", "employees", "occupation",
    "income_monthly", "age", "retire_in_years", "retired", "health_event", "existing_cover",
    "sole_breadwinner", "high_net_worth",
)
SET_KEYS = frozenset({"child_stage", "existing_cover", "health_event"})
CHILD_STAGES = ("baby", "preschool", "primary", "secondary", "university", "adult")
COVER_KINDS = ("social_only", "group", "medical", "accident", "critical_illness", "life",
               "savings", "education", "annuity")
HEALTH_WHO = ("self", "spouse", "father", "mother", "sibling", "child")
HEALTH_WHAT = ("cancer", "stroke", "heart", "chronic", "surgery", "hospitalised", "illness")
# A named condition says more than a procedure, a procedure more than a stay in hospital.
_WHAT_RANK = {"cancer": 0, "stroke": 0, "heart": 0, "chronic": 1, "surgery": 2,
              "hospitalised": 3, "illness": 4}

SELF, SPOUSE, BOTH, CHILD, FATHER, MOTHER, PARENTS, SIBLING, OTHER, AGENT = (
    "self", "spouse", "both", "child", "father", "mother", "parents", "sibling", "other",
    "agent")
FAMILY = (SPOUSE, CHILD, FATHER, MOTHER, PARENTS, SIBLING)
MIN_MONTHLY, MAX_MONTHLY = 300, 10_000_000


@dataclass(frozen=True)
class Finding:
    """One fact read from a text, and the clause that says it (as the agent typed it)."""

    key: str
    value: Any
    evidence: str


# -- reading a note into clauses ------------------------------------------------------------
# Cantonese written forms, Taiwan usage and common typing slips, mapped before folding.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("離昏", "離婚"), ("离昏", "离婚"), ("房代", "房贷"),
    ("老豆", "爸爸"), ("老竇", "爸爸"), ("阿爸", "爸爸"), ("阿媽", "妈妈"), ("阿妈", "妈妈"),
    ("老母", "妈妈"), ("細佬", "弟弟"), ("细佬", "弟弟"), ("家姐", "姐姐"),
    ("兩公婆", "夫妻"), ("两公婆", "夫妻"), ("老細", "老板"), ("老细", "老板"),
    ("伙記", "员工"), ("伙记", "员工"), ("判頭", "包工头"), ("判头", "包工头"),
    ("湊仔", "带孩子"), ("凑仔", "带孩子"), ("湊", "带"), ("凑", "带"), ("揸", "开"),
    ("的士", "出租车"), ("返工", "上班"), ("供樓", "房贷"), ("供楼", "房贷"),
    ("層樓", "套房"), ("层楼", "套房"), ("啱啱", "刚刚"), ("出世", "出生"), ("上年", "去年"),
    ("早兩年", "前两年"), ("早两年", "前两年"), ("得佢", "只有他"), ("佢哋", "他们"),
    ("佢", "他"), ("喺", "在"), ("咗", "了"), ("仲", "还"), ("糧", "工资"), ("粮", "工资"),
    ("住埋一齊", "住在一起"), ("生果金", "养老金"), ("危疾", "重疾"), ("重大傷病", "重疾"),
    ("重大伤病", "重疾"), ("儲蓄保", "储蓄险"), ("储蓄保", "储蓄险"),
    ("自願醫保", "医疗险"), ("自愿医保", "医疗险"), ("實支實付", "医疗险"),
    ("实支实付", "医疗险"), ("勞保", "社保"), ("劳保", "社保"), ("健保", "社保"),
    ("團保", "团险"), ("团保", "团险"), ("國小", "小学"), ("国小", "小学"),
    ("國中", "初中"), ("国中", "初中"), ("頂客", "丁克"), ("顶客", "丁克"),
    ("護理師", "护士"), ("护理师", "护士"), ("繳", "还"), ("缴", "还"), ("建議書", "计划书"),
    ("索償", "理赔"), ("仔女", "子女"), ("大仔", "大儿子"), ("細仔", "小儿子"), ("细仔", "小儿子"),
    ("細女", "小女儿"), ("细女", "小女儿"), ("大女", "大女儿"), ("做嘢", "做事"), ("冇", "没"),
    ("做廠", "开厂"), ("做厂", "开厂"), ("生意佬", "老板"),
)
_PHRASE_MAP = dict(_PHRASES)
_PHRASE_RE = re.compile("|".join(re.escape(k) for k in sorted(_PHRASE_MAP, key=len, reverse=True)))
_CANTONESE_IS = re.compile(r"(?<![關关聯联幹干體体])係")
_CANTONESE_ONGOING = re.compile(r"(?<=[供讀读食放做住上带帶睇搵开開])[緊紧]")
_CANTONESE_SON = re.compile(r"([個个])仔")
_CANTONESE_DAUGHTER = re.compile(r"([個个])女(?![儿兒人孩生士])")
_ADMITTED = re.compile(r"入了?院")
_ZH_CUT = re.compile(r"[，,。；;！!？?\n、：:()（）【】「」“”\"'…~～]+|\.{2,}|\s+")
_EN_CUT = re.compile(r"[;!?\n:()\"“”]+|(?<!\d),|,(?!\d{3})|\.(?=\s|$)|\s[-–—]\s|\s/\s")
_FIRST_PERSON_ZH = re.compile(r"原话|转发|回复|他说:|她说:|留言|^我|[：:]\s*我|「|“")
_FIRST_PERSON_EN = re.compile(r"^(?:fwd|forwarded)|msg from|\bquote|^\"|\bmy (?:wife|husband|"
                              r"son|daughter|kids|dad|mum|mom|company)\b")


@dataclass
class Clause:
    """A piece of a note: the text as typed, the text as read, and whose it is."""

    raw: str
    text: str
    subject: str
    explicit: bool  # the subject is named in this clause (not carried over)


@dataclass
class Note:
    """A text cut into clauses, in Chinese or English."""

    raw: str
    chinese: bool
    first_person: bool
    clauses: list[Clause] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole note as read."""
        return " | ".join(c.text for c in self.clauses)


def read_zh(text: str) -> str:
    """Chinese as the rules read it: Mandarin words, Simplified characters, lower case."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _CANTONESE_ONGOING.sub("", text)
    text = _PHRASE_RE.sub(lambda m: _PHRASE_MAP[m.group()], text)
    text = _CANTONESE_IS.sub("是", text)
    text = _CANTONESE_SON.sub(r"\1儿子", text)
    text = _CANTONESE_DAUGHTER.sub(r"\1女儿", text)
    text = _ADMITTED.sub("住院", text)
    return fold_chinese(text)


def read_en(text: str) -> str:
    """English as the rules read it: lower case, one kind of apostrophe, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip()


def parse_note(text: str, first_person: bool | None = None) -> Note:
    """Cut a text into clauses and give each its subject. first_person: the text is the
    client's own words ("我" is the client), as in a SPIN answer; None: guess from the text."""
    chinese = bool(CJK.search(text))
    cut = _ZH_CUT if chinese else _EN_CUT
    first = first_person if first_person is not None else bool(
        (_FIRST_PERSON_ZH if chinese else _FIRST_PERSON_EN).search(
            read_zh(text) if chinese else read_en(text)))
    note = Note(text, chinese, first)
    previous = SELF
    for piece in _pieces(text, cut):
        read = read_zh(piece) if chinese else read_en(piece)
        if not read.strip():
            continue
        subject = (_zh_subject if chinese else _en_subject)(read, first)
        explicit = subject is not None
        if subject is None:
            subject = previous if _carries(read, chinese, previous) else SELF
        note.clauses.append(Clause(piece.strip(), read, subject, explicit))
        previous = subject
    return note


def _pieces(text: str, cut: re.Pattern[str]) -> Iterator[str]:
    """The text cut at punctuation, keeping "(8, 5 and 1)" and "S$4,200" whole."""
    text = unicodedata.normalize("NFKC", text)
    # English parentheses after a count hold ages: keep them with the count
    text = re.sub(r"\(([\d,\s]+(?:and|&)\s*\d+)\)", lambda m: " [" + m[1].replace(",", " ") + "]",
                  text)
    start = 0
    for match in cut.finditer(text):
        yield text[start:match.start()]
        start = match.end()
    yield text[start:]


def _carries(read: str, chinese: bool, previous: str) -> bool:
    """Whether a clause that names nobody goes on about the previous clause's person."""
    if previous in (SELF, AGENT):
        return previous == SELF
    if chinese:
        return True
    # English notes list facts about the client; only short add-ons ("teacher at MOE school",
    # "on insulin") go on about the person just named.
    return len(read.split()) <= 4 and not re.search(r"\d", read)


# Who a clause is about: the earliest person word. "他老婆" is the spouse, "他自己" the client.
_ZH_PEOPLE: tuple[tuple[str, str], ...] = (
    (OTHER, r"朋友|同事|表[弟哥姐妹]|堂[弟哥姐妹]|亲戚|邻居|同学|老乡|舅舅|叔叔|阿姨|姑姑|伯伯"
            r"|孙子|孙女|外孙|侄子|侄女|前妻|前夫|师傅们"),
    (BOTH, r"两口子|夫妻|两夫妻|夫妇|两个人都|俩人都|两人都|[他她]?[跟和与](?:老婆|老公|太太|先生|"
           r"妻子|丈夫|爱人)"
           r"(?:都|一起|两个)"),
    (SPOUSE, r"老婆|老公|太太|妻子|丈夫|爱人|媳妇|老伴|孩子[他她]妈|孩子[他她]爸|男朋友|女朋友"
             r"|男友|女友|未婚[妻夫]|配偶|另一半|(?:(?<=[他她我你的])|(?<![\u4e00-\u9fff]))先生"),
    (CHILD, r"儿子|女儿|孩子|小孩|子女|[两俩三四五一二]个?娃|(?<![\u4e00-\u9fff])娃|宝宝|老大|老二"
            r"|老三|大的|小的|双胞胎|小朋友|千金"),
    (PARENTS, r"爸妈|父母|两老|老人家"),
    (FATHER, r"爸爸|父亲|老爸|岳父|公公|家父|爸(?!妈)"),
    (MOTHER, r"妈妈|母亲|老妈|岳母|婆婆|家母|妈(?!妈)"),
    (SIBLING, r"哥哥|弟弟|姐姐|妹妹|兄弟|姐妹|大哥|二哥|大姐|二姐"),
)
_ZH_PEOPLE_RE = [(who, re.compile(pattern)) for who, pattern in _ZH_PEOPLE]
_ZH_SELF = re.compile(r"[他她]自己|本人|客户|(?<![\u4e00-\u9fff])自己|"
                      r"[他她](?![们的爸妈哥姐弟妹老太先儿女])")
_ZH_ME = re.compile(r"我(?![们的老太先儿女爸妈哥姐弟妹])")
_EN_PEOPLE: tuple[tuple[str, str], ...] = (
    (OTHER, r"\b(?:friend|colleague|cousin|uncle|aunt|auntie|neighbou?r|boss|ex-wife"
            r"|ex-husband|ex|nephew|niece|grandson|granddaughter)s?\b|'s (?:uncle|aunt)"),
    (BOTH, r"\bboth (?:working|work|are|in)\b|\bcouple\b"),
    (SPOUSE, r"\b(?:wife|husband|spouse|hubby|missus|girlfriend|boyfriend|fianc[eé]e?"
             r"|partner(?! in| at))\b"),
    (CHILD, r"\b(?:sons?|daughters?|kids?|child|children|boys|girls|eldest|youngest|2nd|twins?"
            r"|baby|one in|other in)\b"),
    (PARENTS, r"\b(?:parents|in-laws)\b"),
    (FATHER, r"\b(?:dad|father|papa|daddy|father-in-law)\b"),
    (MOTHER, r"\b(?:mum|mom|mother|mama|mummy|mother-in-law)\b"),
    (SIBLING, r"\b(?:brother|sister|sibling)s?\b"),
)
_EN_PEOPLE_RE = [(who, re.compile(pattern)) for who, pattern in _EN_PEOPLE]
_EN_SELF = re.compile(r"\b(?:he|she|client|himself|herself)\b|^(?:still|single|married"
                      r"|divorced|widow|owns?|runs?|works?|retired|earns?|earning|has|had"
                      r"|sole|civil|employee)\b")
_EN_ME = re.compile(r"\b(?:i|i'm|me|my)\b")


def _earliest(found: list[tuple[int, str]]) -> str | None:
    return min(found)[1] if found else None


def _zh_subject(text: str, first_person: bool) -> str | None:
    found = [(m.start(), who) for who, pattern in _ZH_PEOPLE_RE for m in [pattern.search(text)]
             if m]
    me = _ZH_ME.search(text)
    if me:
        found.append((me.start(), SELF if first_person else AGENT))
    for own in _ZH_SELF.finditer(text):
        bare_self = own.group() == "自己"
        owner = any(start in (own.end(), own.end() + 1) for start, _ in found)  # 他表弟, 他的爸爸
        if not (bare_self and first_person) and not owner:
            found.append((own.start(), SELF))
            break
    return _earliest(found)


def _en_subject(text: str, first_person: bool) -> str | None:
    found = [(m.start(), who) for who, pattern in _EN_PEOPLE_RE for m in [pattern.search(text)]
             if m]
    me = _EN_ME.search(text)
    if me:
        after = text[me.end():me.end() + 12]
        if not re.match(r"\s+(?:wife|husband|son|daughter|kids?|dad|mum|mom|parents)", after):
            found.append((me.start(), SELF if first_person else AGENT))
    own = _EN_SELF.search(text)
    if own:
        found.append((own.start(), SELF))
    return _earliest(found)


# -- the rules, one function per group of keys ---------------------------------------------
def extract(text: str, *, first_person: bool | None = None) -> dict[str, Finding]:
    """Every fact the text states, by key (see the module docstring for the values).
    first_person=True reads the text as the client's own words (a SPIN answer)."""
    if not text or not text.strip():
        return {}
    note = parse_note(text, first_person)
    found: dict[str, Finding] = {}
    for rule in (_spouse, _children, _money, _work, _retirement, _health, _cover, _wealth):
        for finding in rule(note):
            if finding.key in SET_KEYS and finding.key in found:
                merged = found[finding.key].value | finding.value
                found[finding.key] = Finding(finding.key, merged, found[finding.key].evidence)
            else:
                found[finding.key] = finding
    return found


def _search(note: Note, zh: str, en: str, *, subjects: tuple[str, ...] | None = None) -> \
        Iterator[tuple[Clause, re.Match[str]]]:
    pattern = re.compile(zh if note.chinese else en)
    for clause in note.clauses:
        if subjects is not None and clause.subject not in subjects:
            continue
        for match in pattern.finditer(clause.text):
            yield clause, match


# spouse, spouse_works ------------------------------------------------------------------------
_ZH_NO_SPOUSE = (r"单身|未婚|未结婚|没结婚|没有结婚|不结婚|还没结婚|没对象|没有对象|单着|离婚|"
                 r"离了婚|离过婚|离异|丧偶"
                 r"|(?:老伴|老婆|老公|太太|先生|妻子|丈夫|爱人)[^，,]{0,4}(?:过世|去世|走了|不在了"
                 r"|病逝|离世)|单亲|单身妈妈|单身爸爸|一个人带(?:孩子|女儿|儿子)")
_EN_NO_SPOUSE = (r"\b(?:single|unmarried|not married|never married|divorced|divorcee|widow"
                 r"|widower|widowed|separated)\b|\b(?:wife|husband) (?:passed|died)")
_ZH_SPOUSE = (r"老婆|老公|太太|妻子|丈夫|爱人|媳妇|老伴|孩子[他她]妈|孩子[他她]爸|男朋友|女朋友"
              r"|男友|女友|未婚[妻夫]|已婚|再婚|结婚了|两口子|夫妻|夫妇|丁克|全职太太|家庭主妇"
              r"|(?:(?<=[他她我你的])|(?<![\u4e00-\u9fff]))先生")
_EN_SPOUSE = (r"\b(?:wife|husband|spouse|hubby|missus|girlfriend|boyfriend|fianc[eé]e?"
              r"|married|remarried|housewife|sahm)\b")
_ZH_SPOUSE_HOME = (r"全职(?:带|在家|太太|妈妈|主妇|爸爸)|家庭主[妇夫]|在家(?:带|照顾|休养|养病)?"
                   r"|(?:不|没|没有|没在)(?:再|在|去)?(?:上班|工作|做事|赚钱)|辞职|辞了工|待业|失业"
                   r"|在家里?带")
_EN_SPOUSE_HOME = (r"\b(?:housewife|homemaker|sahm|sahd|stay[- ]at[- ]home|at home|not working"
                   r"|stopped working"
                   r"|quit (?:her|his) job|quit work|resigned"
                   r"|doesn't work|does not work|unemployed|full[- ]time mum|full[- ]time mom)\b")
_ZH_WORKS = (r"上班|工作|打工|兼职|开(?!刀)|做(?!过|了手术|手术)|是(?:护士|老师|教师|医生|会计|"
             r"公务员"
             r"|销售|工程师)|当|管账|管帐|看店|帮忙|帮手|打理|一起做|产假|收入不稳|做生意|跑|上夜班"
             r"|教书|在(?:银行|医院|学校|国企|外企|工厂|公司|超市|店里)|公务员|护士|老师|教师")
_EN_WORKS = (r"\b(?:works?|working|job|employed|teacher|nurse|engineer|runs|helps|part[- ]time"
             r"|is an? \w+|driver|clerk|cashier|admin"
             r"|full[- ]time|offshore|accountant|clerk|manager|doctor|officer|banker)\b")


def _spouse(note: Note) -> Iterator[Finding]:
    signals: list[tuple[int, bool, str]] = []
    works: list[tuple[int, bool, str]] = []
    for index, clause in enumerate(note.clauses):
        text = clause.text
        negative = re.search(_ZH_NO_SPOUSE if note.chinese else _EN_NO_SPOUSE, text)
        positive = re.search(_ZH_SPOUSE if note.chinese else _EN_SPOUSE, text)
        partner = re.search(r"男朋友|女朋友|男友|女友|再婚" if note.chinese
                            else r"\b(?:girlfriend|boyfriend|fianc[eé]e?|remarried)\b", text)
        if negative and not partner:
            signals.append((index, False, clause.raw))
        elif positive and not re.search(r"\bex-", text):
            signals.append((index, True, clause.raw))
        if clause.subject in (SPOUSE, BOTH) or (positive and not negative):
            works_signal = _spouse_works(clause, note.chinese)
            if works_signal is not None:
                works.append((index, works_signal, clause.raw))
    if signals:
        _, value, evidence = max(signals, key=lambda s: s[0])
        yield Finding("spouse", value, evidence)
        if value and works:
            _, working, evidence = max(works, key=lambda s: s[0])
            yield Finding("spouse_works", working, evidence)
        elif value:
            sole = next(_search(note, _ZH_SOLE, _EN_SOLE), None)
            if sole is not None:  # "全家靠他一个人": the spouse earns nothing
                yield Finding("spouse_works", False, sole[0].raw)


def _spouse_works(clause: Clause, chinese: bool) -> bool | None:
    text = clause.text
    if clause.subject == BOTH:
        if re.search(r"都|一起|都在|各自" if chinese else r"\bboth\b", text) and re.search(
                _ZH_WORKS if chinese else _EN_WORKS, text):
            return True
        if re.search(r"夫妻店", text):
            return True
        return None
    if clause.subject not in (SPOUSE, BOTH) and not re.search(
            r"全职太太|家庭主妇|"
            r"全职妈妈" if chinese else r"\b(?:housewife|sahm|homemaker)\b", text):
        return None
    if re.search(_ZH_SPOUSE_HOME if chinese else _EN_SPOUSE_HOME, text):
        return False
    working = re.search(_ZH_WORKS if chinese else _EN_WORKS, text)
    if working and not re.search(r"(?:不|没|没有)" + re.escape(working.group()), text):
        return True
    return None


# children, children_ages, child_stage --------------------------------------------------------
_ZH_CHILD_WORD = r"孩子|小孩|娃|儿子|女儿|子女|宝宝|小朋友|千金|男孩|女孩|闺女"
_EN_CHILD_WORD = r"\b(?:sons?|daughters?|kids?|child|children|boys|girls|eldest|youngest|twins?)\b"
_ZH_BIRTH = r"刚生|刚刚生|刚出生|刚满月|坐月子|生了(?:个|一个)?(?:儿子|女儿|宝宝|孩子)"
_EN_BIRTH = (r"\b(?:just delivered|just had (?:a|our|her|his) (?:\w+ )?baby|gave birth|new ?born"
             r"|the baby came|new baby|confinement)\b")
_ZH_COUNT = re.compile(r"([一二两俩三四五六\d])\s*个?(?:" + _ZH_CHILD_WORD + r")")
_ZH_COUNT_AFTER = re.compile(r"(?:孩子|小孩|子女)\s*([一二两俩三四五六\d])\s*个")
_ZH_ORDINAL = re.compile(r"(?:第([一二三四五\d])(?:胎|个)|([二三四])胎|老([二三四])|([二三])宝)")
_ZH_PREGNANT = re.compile(r"怀孕|怀着|预产期|下个月生|快生了?|快要生|要生|生完|待产|怀上")
_ZH_NO_KIDS = re.compile(r"丁克|没(?:有)?(?:孩子|小孩|要孩子)|还没(?:有|要)?(?:孩子|小孩)|不要孩子")
_EN_COUNT = re.compile(r"\b(\d|one|two|three|four|five|six|twin|twins)\s+(?:\w+\s+)?"
                       r"(?:kids?|children|child|sons?|daughters?|boys|girls)\b")
_EN_NO_KIDS = re.compile(r"\bno (?:kids|children|child)\b|\bchildless\b|\bdink\b")
_EN_ORDINAL = re.compile(r"\b(2nd|3rd|4th|second|third|fourth|first)\s+(?:baby|child|kid|son"
                         r"|daughter|one)\b")
_ORDINALS = {"first": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_STAGES_ZH: tuple[tuple[str, str], ...] = (
    ("baby", r"满月|出生|刚生|婴儿|坐月子|月子|刚出生|百天|[二两三四五六七八九十\d]+个月大"),
    ("preschool", r"幼儿园|幼稚园|托儿所|早教|学前班|上托|k[123]"),
    ("primary", r"小学|小[一二三四五六](?![岁个])|[一二三四五六]年级"),
    ("secondary", r"初中|初[一二三]|高中|高[一二三](?!岁)|中学|中[一二三四五六](?![年文])|高考|中考"
                  r"|会考|dse"),
    ("university", r"大学|读研|研究生|大专|本科|硕士|博士|留学|念大学"),
    ("adult", r"工作了|已经工作|上班了|出嫁|嫁人|结婚了|成家|毕业了|出来做事|出来工作|做事"),
)
_STAGES_EN: tuple[tuple[str, str], ...] = (
    ("baby", r"\b(?:newborn|baby|infant|just delivered|just born|confinement)\b"),
    ("preschool", r"\b(?:kindergarten|preschool|pre-school|nursery|childcare|playgroup|k[12])\b"),
    ("primary", r"\b(?:primary|standard \d|std \d|p[1-6]|grade school|elementary|psle)\b"),
    ("secondary", r"\b(?:secondary|sec \d|form \d|high school|jc|junior college|o level"
                  r"|a level|middle school|spm)\b"),
    ("university", r"\b(?:university|uni|college|poly|polytechnic|undergrad|degree|ite)\b"),
    ("adult", r"\b(?:working|ns|national service|married|graduated|grown up|adult)\b"),
)


@dataclass
class _ChildClues:
    """What a note's clauses say about children, with the clause that said it first."""

    count: tuple[int, str] | None = None
    ordinal: tuple[int, str] | None = None
    zero: str | None = None
    pregnant: bool = False
    singles: dict[str, str] = field(default_factory=dict)
    ages: list[int] = field(default_factory=list)
    age_evidence: str = ""
    stages: set[str] = field(default_factory=set)
    stage_evidence: str = ""


def _children(note: Note) -> Iterator[Finding]:
    """How many children, their ages and their stages, from the clues in the note."""
    clues = _child_clues(note)
    number, evidence = _child_number(clues)
    if number is not None:
        yield Finding("children", number, evidence)
    if clues.ages and (number is None or len(clues.ages) <= max(number, 1)):
        yield Finding("children_ages", tuple(clues.ages), clues.age_evidence)
    if clues.stages:
        yield Finding("child_stage", frozenset(clues.stages), clues.stage_evidence)


def _child_clues(note: Note) -> _ChildClues:
    """Read every clause (but other people's and grandchildren's) for clues about children."""
    clues = _ChildClues()
    about_child = False
    for clause in note.clauses:
        text = clause.text
        about_child = clause.subject == CHILD or (not clause.explicit and about_child) or bool(
            re.search(_ZH_CHILD_WORD if note.chinese else _EN_CHILD_WORD, text))
        if clause.subject == OTHER or (note.chinese and re.search(r"孙[子女]", text)):
            continue
        _read_child_counts(clues, clause, note.chinese)
        if about_child and clause.subject not in (SELF, AGENT, OTHER):
            _read_child_ages_and_stages(clues, clause, note.chinese)
    for n in _enumerated(note):
        if clues.count is None or n > clues.count[0]:
            clues.count = (n, note.clauses[0].raw)
    return clues


def _read_child_counts(clues: _ChildClues, clause: Clause, chinese: bool) -> None:
    """Counts, ordinals, pregnancy, 'no kids', single sons or daughters and births."""
    text = clause.text
    clues.pregnant = clues.pregnant or bool(
        (_ZH_PREGNANT if chinese else re.compile(r"\b(?:pregnant|expecting|due in)\b"))
        .search(text))
    for n in _counts(text, chinese):
        if clues.count is None or n > clues.count[0]:
            clues.count = (n, clause.raw)
    for n in _ordinals(text, chinese):
        if clues.ordinal is None or n > clues.ordinal[0]:
            clues.ordinal = (n, clause.raw)
    if (_ZH_NO_KIDS if chinese else _EN_NO_KIDS).search(text):
        clues.zero = clause.raw
    for kind in _single_children(text, chinese):
        clues.singles.setdefault(kind, clause.raw)
    if re.search(_ZH_BIRTH if chinese else _EN_BIRTH, text):
        clues.stages.add("baby")
        clues.stage_evidence = clues.stage_evidence or clause.raw


def _read_child_ages_and_stages(clues: _ChildClues, clause: Clause, chinese: bool) -> None:
    """Ages and school stages from a clause about a child."""
    text = clause.text
    found = _child_ages(text, chinese)
    if found:
        clues.ages += found
        clues.age_evidence = clues.age_evidence or clause.raw
    for stage, pattern in (_STAGES_ZH if chinese else _STAGES_EN):
        if re.search(pattern, text) and not _is_spouse_clause(text, chinese):
            clues.stages.add(stage)
            clues.stage_evidence = clues.stage_evidence or clause.raw


def _child_number(clues: _ChildClues) -> tuple[int | None, str]:
    """How many children, and the evidence: a count, else an ordinal (less one if pregnant),
    else the single children named, else 'no kids'."""
    number: int | None = None
    evidence = ""
    if clues.count is not None:
        number, evidence = clues.count
    if clues.ordinal is not None:
        born = clues.ordinal[0] - 1 if clues.pregnant else clues.ordinal[0]
        if number is None or born > number:
            number, evidence = born, clues.ordinal[1]
    if number is None and clues.singles:
        number, evidence = len(clues.singles), next(iter(clues.singles.values()))
    if number is None and clues.zero is not None:
        number, evidence = 0, clues.zero
    return number, evidence


def _is_spouse_clause(text: str, chinese: bool) -> bool:
    return bool(re.search(r"老婆|太太|老公|先生" if chinese else r"\b(?:wife|husband)\b", text))


def _counts(text: str, chinese: bool) -> Iterator[int]:
    if chinese:
        for match in (*_ZH_COUNT.finditer(text), *_ZH_COUNT_AFTER.finditer(text)):
            value = to_int(match[1])
            if value is not None and match.start() >= 0 and not re.search(
                    r"[第]$", text[:match.start()]):
                yield value
        if "双胞胎" in text:
            yield 2
        return
    for match in _EN_COUNT.finditer(text):
        word = match[1]
        value = 2 if word.startswith("twin") else to_int(word)
        if value is not None:
            yield value
    if re.search(r"\bboth (?:kids|children|sons|daughters|boys|girls)\b", text):
        yield 2


def _enumerated(note: Note) -> Iterator[int]:
    """Children counted one by one over the whole note: "一个初二一个小学", "老大…老二",
    "eldest…2nd…youngest", "one in Form 4, one in Standard 3"."""
    text = note.text
    if note.chinese:
        enumerated = re.findall(r"一个(?:\d+岁|[初高小中大幼国]|读|在|上|已)", text)
        if len(enumerated) >= 2:
            yield len(enumerated)
        ranks = [w for w in ("老大", "老二", "老三", "老四") if w in text]
        if len(ranks) >= 2:
            yield len(ranks)
        if re.search(r"大的.*小的", text):
            yield 2
        return
    if len(re.findall(r"\b(?:one|other) in\b", text)) >= 2:
        yield len(re.findall(r"\b(?:one|other) in\b", text))
    positions = [word for word in ("eldest", "2nd", "second", "youngest")
                 if re.search(rf"\b{word}\b", text)]
    if "eldest" in positions and "youngest" in positions:
        yield 3 if len(positions) > 2 else 2


def _ordinals(text: str, chinese: bool) -> Iterator[int]:
    if chinese:
        for match in _ZH_ORDINAL.finditer(text):
            digit = next(g for g in match.groups() if g)
            value = to_int(digit)
            if value:
                yield value
        return
    for match in _EN_ORDINAL.finditer(text):
        yield _ORDINALS[match[1]]


def _single_children(text: str, chinese: bool) -> Iterator[str]:
    """Singular child words ("女儿上初中" -> one daughter): girl, boy or child."""
    pattern = (r"(?<![两俩三四\d几])(?:一个)?(儿子|女儿|闺女|千金)" if chinese
               else r"\b(?:(?:a|one|his|her|the|only)\s+)?(son|daughter|baby girl|baby boy"
                    r"|first child|only child)\b(?!s)")
    for match in re.finditer(pattern, text):
        word = match[1]
        kind = "girl" if re.search(r"女|daughter|girl", word) else "boy" if re.search(
            r"儿子|son|boy", word) else "child"
        yield kind


def _child_ages(text: str, chinese: bool) -> list[int]:
    if chinese:
        read = [cn_int(m[1]) if not m[1].isdigit() else int(m[1])
                for m in re.finditer(r"(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:岁|周岁)", text)
                if not re.match(r"多", text[m.end():])]
        ages = [a for a in read if a is not None and a < 40]
        return ages * 2 if len(ages) == 1 and "双胞胎" in text else ages
    listed = re.search(r"\[([\d\s]+(?:and|&)\s*\d+)\]", text)
    if listed:
        return [int(n) for n in re.findall(r"\d+", listed[1])]
    ages = [int(m[1]) for m in re.finditer(r"\b(?:age[ds]?|aged)\s*(\d{1,2})\b|\b(\d{1,2})\s*(?:yo|"
                                           r"y/o"
                                           r"|years? old)\b", text) if m[1]]
    ages += [int(m[2]) for m in re.finditer(r"\b(?:age[ds]?|aged)\s*(\d{1,2})\b|\b(\d{1,2})\s*(?:yo"
                                            r"|y/o|years? old)\b", text) if m[2]]
    if ages and re.search(r"\btwins?\b", text) and len(ages) == 1:
        ages = ages * 2
    return [a for a in ages if a < 40]


# mortgage, loans, income, sole breadwinner -----------------------------------------------------
_ZH_MORTGAGE = r"房贷|按揭|月供|房屋贷款"
_EN_MORTGAGE = r"\b(?:mortgage|home loan|housing loan|hdb loan|property loan|house loan)\b"
_ZH_NO_MORTGAGE = (r"(?:没有|没|无|不用|免)(?:任何)?(?:房贷|贷款|按揭)|(?:房贷|按揭|房|房子|"
                   r"楼)[^，,]{0,8}"
                   r"(?:还完|还清|供完|结清|付清|供满)|(?:还完|还清|供完|供满|付清)了?(?:房贷|按揭)"
                   r"|^去年供完|^供完")
_EN_NO_MORTGAGE = (r"\bno (?:more )?(?:mortgage|home loan|housing loan|loans?)\b|\bpaid off\b"
                   r"|\bmortgage[- ]free\b|\bfully paid\b|\bdebt[- ]free\b")
_ZH_LOAN = r"车贷|经营贷|信用贷|消费贷|网贷|(?<!房屋)贷款|借款|欠债|负债|助学贷|外债|借了"
_EN_LOAN = (r"\b(?:car loan|business loan|personal loan|ptptn|study loan|student loan|renovation"
            r" loan|credit card debt|debts?|loan with|bank loan|hire purchase)\b")
_ZH_NO_LOAN = r"(?:没有|没|无)(?:任何|其他|别的)?(?:贷款|负债|欠债|外债)"
_EN_NO_LOAN = r"\bno (?:other |more )?(?:loans?|debts?)\b|\bdebt[- ]free\b"
_MONTHLY = r"每月|每个月|一个月|月供|/月|月"
_EN_MONTHLY = r"\b(?:a month|monthly|per month|/month|/mth|pm|p\.m\.|each month|every month)\b"
_ZH_INCOME = r"月薪|月入|月收入|月工资|工资|薪水|薪资|收入|退休金|养老金|底薪|赚|挣"
_EN_INCOME = (r"\b(?:earns?|earning|salary|income|take[- ]home|pay|pension|makes|making|drawing)"
              r"\b")
_ZH_ANNUAL = r"年薪|年收入|年入|一年|每年|年流水|流水|营业额|年赚"
_EN_ANNUAL = r"\b(?:a year|annual|annually|per annum|p\.a\.|yearly|per year)\b"
_ZH_SOLE = (r"(?:全家|家里|一家|一家人|全家人)?(?:就|全|都|只)?靠(?:他|她|我)?一个人"
            r"|靠(?:他|她|我)?一份(?:工资|薪水|收入)|只有(?:他|她)一份(?:工资|收入)"
            r"|(?:他|她)?一个人(?:挣钱|赚钱|养家|养活)|顶梁柱|唯一(?:的)?(?:经济)?(?:来源|收入)"
            r"|就(?:他|她)一个人(?:上班|挣钱|工作|赚钱)")
_EN_SOLE = (r"\b(?:only (?:income|earner|breadwinner|one working|one earning|provider)|sole "
            r"(?:breadwinner|earner|provider|income)|single[- ]income|breadwinner"
            r"|supports? the (?:whole )?family (?:alone|by (?:him|her)self|single-handedly))\b")


def _money(note: Note) -> Iterator[Finding]:
    yield from _mortgage(note)
    loans: tuple[int, bool, str] | None = None
    for index, clause in enumerate(note.clauses):
        text = clause.text
        if re.search(_ZH_NO_LOAN if note.chinese else _EN_NO_LOAN, text):
            loans = (index, False, clause.raw)
        elif re.search(_ZH_LOAN if note.chinese else _EN_LOAN, text) and clause.subject != OTHER:
            loans = (index, True, clause.raw)
    if loans is not None:
        yield Finding("loans", loans[1], loans[2])
    for clause in note.clauses:
        if clause.subject not in (SELF, BOTH):
            continue
        income = _income(clause.text, note.chinese)
        if income is not None:
            yield Finding("income_monthly", income, clause.raw)
            break
    sole = next(_search(note, _ZH_SOLE, _EN_SOLE), None)
    if sole is not None and sole[0].subject not in (OTHER, AGENT):
        yield Finding("sole_breadwinner", True, sole[0].raw)


def _mortgage(note: Note) -> Iterator[Finding]:
    state: tuple[int, bool, str] | None = None
    monthly: tuple[int, str] | None = None
    for index, clause in enumerate(note.clauses):
        text = clause.text
        if re.search(_ZH_NO_MORTGAGE if note.chinese else _EN_NO_MORTGAGE, text):
            loan_only = not note.chinese and re.search(r"\bno (?:more )?loans?\b", text)
            if not loan_only or not re.search(_EN_LOAN, text):
                state = (index, False, clause.raw)
            continue
        found = re.search(_ZH_MORTGAGE if note.chinese else _EN_MORTGAGE, text)
        if found is None or clause.subject == OTHER:
            continue
        state = (index, True, clause.raw)
        amount = _monthly_amount(text, note.chinese)
        if amount is None and index + 1 < len(note.clauses):
            following = note.clauses[index + 1].text
            if re.search(_MONTHLY if note.chinese else _EN_MONTHLY, following) and not re.search(
                    _ZH_LOAN if note.chinese else _EN_LOAN, following):
                amount = _monthly_amount(following, note.chinese, require_month=False)
        if amount is not None and monthly is None:
            monthly = (amount, clause.raw)
    if state is not None:
        yield Finding("mortgage", state[1], state[2])
        if state[1] and monthly is not None:
            yield Finding("mortgage_monthly", monthly[0], monthly[1])


def _monthly_amount(text: str, chinese: bool, *, require_month: bool = False) -> int | None:
    for value, _, end in find_amounts(text):
        after = text[end:end + 4]
        if re.match(r"\s*(?:年|岁|个月|套|%|years?\b|yrs?\b|months?\b)", after):
            continue
        if re.search(_ZH_ANNUAL if chinese else _EN_ANNUAL, text) and not re.search(
                _MONTHLY if chinese else _EN_MONTHLY, text):
            return None
        if MIN_MONTHLY <= value <= MAX_MONTHLY:
            return value
    return None


def _income(text: str, chinese: bool) -> int | None:
    word = re.search(_ZH_INCOME if chinese else _EN_INCOME, text)
    if word is None:
        return None
    if re.search(_ZH_ANNUAL if chinese else _EN_ANNUAL, text):
        return None
    if chinese and not re.search(r"月|" + _MONTHLY, text):
        return None  # "收入不稳定", "年收入": no monthly figure
    if chinese and re.search(r"寄|给|交|还|花|开销|开支|存", text[:word.start()] + text[word.end():]
                             ) and not re.search(r"月薪|月入|月收入", text):
        return None
    for value, start, end in find_amounts(text):
        if start < word.start() and not chinese:
            continue
        if re.match(r"\s*(?:年|岁|个月|years?\b|yrs?\b|months?\b|weeks?\b)", text[end:end + 8]):
            continue
        if MIN_MONTHLY <= value <= MAX_MONTHLY:
            return value
    return None


# work: occupation, business_owner, industry, employees, age -----------------------------------
_OCCUPATIONS_ZH: tuple[tuple[str, str], ...] = (
    ("nurse", r"护士"),
    ("engineer", r"工程师|程序员|码农"),
    ("civil_servant", r"公务员|公务人员|公职|政府部门上班|机关单位"),
    ("driver", r"司机|滴滴|网约车|开出租车|开出租|出租车司机|跑长途|开货车|跑运输|开车的"),
    ("teacher", r"老师|教师|教书"),
    ("sales", r"销售|业务员|做业务|跑业务|推销"),
    ("cashier", r"收银"),
    ("admin", r"行政|文员|前台|秘书"),
    ("doctor", r"医生|大夫"),
    ("accountant", r"会计(?!师事务所)"),
)
_OCCUPATIONS_EN: tuple[tuple[str, str], ...] = (
    ("nurse", r"\bnurse\b"),
    ("engineer", r"\bengineer\b|\bprogrammer\b|\bdeveloper\b"),
    ("civil_servant", r"\b(?:civil|public|government) servant\b|\bgovernment officer\b"),
    ("driver", r"\b(?:driver|grab|taxi|uber|lorry|trucker)\b"),
    ("teacher", r"\b(?:teacher|lecturer|tutor)\b"),
    ("sales", r"\b(?:sales(?:man|woman|person)?|salesperson)\b"),
    ("cashier", r"\bcashier\b"),
    ("admin", r"\b(?:admin|administrator|clerk|secretary|receptionist)\b"),
    ("doctor", r"\b(?:doctor|gp|physician)\b"),
    ("accountant", r"\baccountant\b"),
)
_ZH_OWNER = (r"老板|老板娘|东主|企业主|个体户|自雇|创业|做生意|[\u4e00-\u9fff]{1,4}生意(?!人)|"
             r"包工程|包工头"
             r"|加盟|夫妻店|股东|合伙人|自己的公司|自己公司|估值|融完|融资|"
             r"开(?:了|过)?(?:一|两|三|几|\d)?(?:个|家|间|所)?(?:小)?[\u4e00-\u9fff]{0,5}"
             r"(?:公司|店|厂|馆|铺|超市|餐厅|美容院|诊所|工作室|饭店|酒楼|工厂|档|摊|网店|车房|车行"
             r"|作坊|药房|农场|养殖场|学校|培训班|补习班)")
_EN_OWNER = (r"\b(?:runs? (?:a|an|his|her|the|own|\d)|owns? (?:a|an|\d) (?:\w+ )?(?:company|"
             r"business"
             r"|shop|store|restaurant|stall|firm|factory|cafe|salon|outlets?|bakery|clinic"
             r"|workshop|garage|agency|studio|boutique|kiosk|minimart|gym|spa|centre|center"
             r"|farm|hotel|bar|pub|bistro|kitchen|school|franchise)|own business|director"
             r"|business owner|sole proprietor|proprietor|founder|co-founder|hawker|self-employed"
             r"|entrepreneur|contractor business|towkay|boss of)\b")
_ZH_EMPLOYEE = r"打工(?!的老板)|上班族|打工仔|打工人|给人打工|替人打工"
_EN_EMPLOYEE = r"\bemployee\b|\bnot (?:his |her |their )?own business\b|\bsalaried\b"
_INDUSTRIES_ZH: tuple[tuple[str, str], ...] = (
    ("garment", r"服装|制衣|纺织|布料|衣服"),
    ("restaurant", r"餐馆|饭店|菜馆|餐厅|茶餐厅|早餐店|小吃|火锅|奶茶|咖啡店|酒楼|食肆|大排档|"
                   r"面馆"),
    ("logistics", r"物流|快递|货运|运输|搬家"),
    ("trading", r"外贸|贸易|进出口"),
    ("construction", r"装修|包工程|包工头|工地|建筑|工程"),
    ("beauty", r"美容|美发|美甲|发廊"),
    ("retail", r"超市|便利店|小卖部|商店|网店|淘宝|士多|杂货|五金店"),
    ("manufacturing", r"工厂|厂|五金(?!店)|加工|制造"),
    ("tech", r"科技|软件|互联网"),
)
_INDUSTRIES_EN: tuple[tuple[str, str], ...] = (
    ("garment", r"\b(?:garment|textile|clothing|apparel|fashion)\b"),
    ("restaurant", r"\b(?:f&b|restaurant|hawker|stall|cafe|food|char kway teow|eatery|kopitiam)\b"),
    ("logistics", r"\b(?:logistics|courier|freight|trucking|transport)\b"),
    ("trading", r"\b(?:trading|import|export)\b"),
    ("construction", r"\b(?:renovation|contractor|construction|building)\b"),
    ("beauty", r"\b(?:beauty|salon|spa|hair)\b"),
    ("retail", r"\b(?:retail|shop|store|shopee|lazada|minimart|grocery)\b"),
    ("manufacturing", r"\b(?:factory|manufactur\w*)\b"),
    ("tech", r"\b(?:tech|software|it)\b"),
)
_ZH_STAFF = r"员工|工人|技师|师傅|伙计|店员|手下|雇员|人手"
_EN_STAFF = r"\b(?:staff|employees|workers|people|headcount)\b"


def _work(note: Note) -> Iterator[Finding]:
    owner: tuple[bool, Clause] | None = None
    for clause in note.clauses:
        if clause.subject not in (SELF, BOTH):
            continue
        text = clause.text
        if re.search(_ZH_EMPLOYEE if note.chinese else _EN_EMPLOYEE, text):
            owner = (False, clause)
            break
        if re.search(_ZH_OWNER if note.chinese else _EN_OWNER, text) and not re.search(
                r"想|打算|准备" if note.chinese else r"\b(?:wants? to|plans? to)\b", text):
            owner = owner or (True, clause)
    if owner is not None:
        yield Finding("business_owner", owner[0], owner[1].raw)
        if owner[0]:
            yield from _business(note, owner[1])
    for clause in note.clauses:
        if clause.subject not in (SELF, BOTH) or (owner and owner[0] and owner[1] is clause):
            continue
        for kind, pattern in (_OCCUPATIONS_ZH if note.chinese else _OCCUPATIONS_EN):
            match = re.search(pattern, clause.text)
            if match and not re.search(
                    r"想当|想做|退休|以前|之前|手下|"
                    r"[\d一二两三四五六七八九十]来?个\S{0,3}$" if note.chinese
                    else r"\bwants? to be\b|\bretired\b|\bformer\b|\bex-|\d\s*$",
                    clause.text[:match.start()]):
                yield Finding("occupation", kind, clause.raw)
                break
        else:
            continue
        break
    age = _age(note)
    if age is not None:
        yield age


def _business(note: Note, owner: Clause) -> Iterator[Finding]:
    start = note.clauses.index(owner)
    scope = []
    for clause in note.clauses[start:]:
        if clause.subject not in (SELF, BOTH):
            break
        scope.append(clause)
    for clause in [owner, *scope]:
        industry = next((kind for kind, pattern in (_INDUSTRIES_ZH if note.chinese
                                                    else _INDUSTRIES_EN)
                         if re.search(pattern, clause.text)), None)
        if industry is not None:
            yield Finding("industry", industry, clause.raw)
            break
    for clause in scope or [owner]:
        staff = _staff(clause.text, note.chinese)
        if staff is not None:
            yield Finding("employees", staff, clause.raw)
            break


def _staff(text: str, chinese: bool) -> int | None:
    if chinese:
        if re.search(r"(?:没|没有|不)(?:请|雇)人|没有员工|没员工", text):
            return 0
        match = re.search(r"(?:请了|雇了|有|手下有?|店里|厂里|公司)?\s*(\d+|"
                          r"[一二两三四五六七八九十百]+)"
                          r"\s*(?:个|名|号|位)?\s*(?:" + _ZH_STAFF + r"|人)", text)
        if match and re.search(_ZH_STAFF + r"|请|雇|手下", text):
            return to_int(match[1]) if match[1].isdigit() else cn_int(match[1])
        after = re.search(r"(?:" + _ZH_STAFF + r")(?:大概|大约|约|有|共)?\s*"
                          r"(\d+|[一二两三四五六七八九十百]+)\s*(?:个|名|位|人)(?![多几来])", text)
        if after:
            return to_int(after[1]) if after[1].isdigit() else cn_int(after[1])
        return None
    if re.search(r"\bno (?:staff|employees|workers)\b|\bwithout staff\b", text):
        return 0
    match = re.search(r"(?:~|about |around )?(\d+)\s+(?:\w+\s+)?(?:staff|employees|workers|"
                      r"people)\b",
                      text)
    return int(match[1]) if match else None


def _age(note: Note) -> Finding | None:
    for clause in note.clauses:
        if clause.subject != SELF:
            continue
        text = clause.text
        if note.chinese:
            match = re.search(r"(\d{2}|[二三四五六七八九]十[一二三四五六七八九]?)\s*(?:岁|"
                              r"周岁)(?!多)"
                              r"|今年\s*(\d{2}|[二三四五六七八九]十[一二三四五六七八九]?)(?![\d多])"
                              r"|^(\d{2})$", text)
        else:
            match = re.search(r"\b(?:aged?|turning|turns)\s*(\d{2})\b|\b(\d{2})\s*(?:yo|y/o|years? "
                              r"old|this year)\b|^(\d{2})$", text)
        if match:
            raw = next(g for g in match.groups() if g)
            value = int(raw) if raw.isdigit() else cn_int(raw)
            if value is not None and 16 <= value <= 100:
                return Finding("age", value, clause.raw)
    return None


# retirement ----------------------------------------------------------------------------------
_ZH_RETIRED = (r"(?<![就快要再还没])(?:已经|已)退休|退了休|退休(?:了)?(?:好)?(?:几|多|\d+|"
               r"[一二三四五六七八九十]+)?"
               r"年了|领退休金|退休金每月|退休金每个月|拿退休金|靠退休金|靠养老金|养老金每月|"
               r"退休在家"
               r"|退休后在家|退休多年|^已经退休")
_EN_RETIRED = r"\b(?:retired|pensioner|since retirement|in retirement)\b"


def _retirement(note: Note) -> Iterator[Finding]:
    for clause in note.clauses:
        if clause.subject != SELF:
            continue
        text = clause.text
        if re.search(_ZH_RETIRED if note.chinese else _EN_RETIRED, text) and not re.search(
                r"(?:就|快|要|准备|打算|再|明年|还有|还没|可以)退休" if note.chinese
                else r"\b(?:retiring|retire in|to retire|will retire|plans to)\b", text):
            yield Finding("retired", True, clause.raw)
            return
        years = _retire_in(text, note)
        if years is not None:
            yield Finding("retire_in_years", years, clause.raw)
            return


def _retire_in(text: str, note: Note) -> int | None:
    if note.chinese:
        if re.search(r"明年(?:就|要|便)?(?:可以)?退休", text):
            return 1
        if re.search(r"后年(?:就|要)?(?:可以)?退休", text):
            return 2
        match = re.search(r"(?:再过|还有|再|还剩|还要|再做|再干)?\s*(\d+|"
                          r"[一二两三四五六七八九十]+)\s*年"
                          r"(?:后|以后|之后|左右)?(?:就|才|便)?(?:可以|能|要)?退休", text)
        if match:
            return to_int(match[1]) if match[1].isdigit() else cn_int(match[1])
        return None
    match = re.search(r"\bretir(?:e|ing|ement)\s+in\s+(\d+|\w+)\s+(?:years?|yrs?)\b"
                      r"|\b(\d+|\w+)\s+(?:years?|yrs?)\s+(?:to|before|from|till|until|left to)\s+"
                      r"retire", text)
    if match:
        return to_int(match[1] or match[2])
    if re.search(r"\bretir(?:e|ing) next year\b", text):
        return 1
    target = re.search(r"\bretire at (\d{2})\b", text)
    age = _age(note)
    if target and age is not None and int(target[1]) > age.value:
        return int(target[1]) - int(age.value)
    return None


# health events -------------------------------------------------------------------------------
_ILLNESS_ZH: tuple[tuple[str, str], ...] = (
    ("cancer", r"癌|肿瘤|白血病|淋巴瘤|恶性"),
    ("stroke", r"中风|脑梗|脑出血|脑溢血"),
    ("heart", r"心脏|心梗|心肌梗|支架|搭桥|绕道|冠心病|心衰"),
    ("chronic", r"糖尿病|高血压|三高|血压高|血糖高|洗肾|透析|肾衰|尿毒症|慢性|常年吃药|长期吃药"
                r"|吃药|食药|老人痴呆|失智|痴呆|帕金森|身体不好|哮喘|乙肝|红斑狼疮"),
    ("surgery", r"手术|开刀|动刀|开完刀"),
    ("hospitalised", r"住院|icu|重症|急诊"),
    ("illness", r"大病|重病|病倒|生了一场病"),
)
_ILLNESS_EN: tuple[tuple[str, str], ...] = (
    ("cancer", r"\b(?:cancer|tumou?r|leuka?emia|lymphoma|carcinoma)\b"),
    ("stroke", r"\bstroke\b"),
    ("heart", r"\b(?:heart|cardiac|bypass|stent|angioplasty)\b"),
    ("chronic", r"\b(?:diabetes|diabetic|hypertension|high blood pressure|dementia|alzheimer'?s"
                r"|kidney|dialysis|chronic|parkinson'?s|asthma|insulin)\b"),
    ("surgery", r"\b(?:surgery|operation|operated)\b"),
    ("hospitalised", r"\b(?:hospitali[sz]ed|in hospital|warded|icu|admitted)\b"),
    ("illness", r"\b(?:serious illness|fell (?:ill|sick)|falls? (?:seriously )?(?:ill|sick)"
                r"|very sick)\b"),
)
_WHO_ZH: tuple[tuple[str, str], ...] = (
    (OTHER, r"朋友|同事|表[弟哥姐妹]|堂[弟哥姐妹]|亲戚|邻居|同学|舅舅|叔叔|阿姨|姑姑|伯伯|孙子|"
            r"孙女"),
    ("spouse", r"老婆|老公|太太|妻子|丈夫|爱人|老伴|先生"),
    ("father", r"爸爸|父亲|老爸|岳父|公公|爸(?!妈)"),
    ("mother", r"妈妈|母亲|老妈|岳母|婆婆|妈(?!妈)"),
    ("sibling", r"哥哥|弟弟|姐姐|妹妹|兄弟|姐妹|大哥|大姐"),
    ("child", r"儿子|女儿|孩子|小孩|宝宝"),
    ("self", r"[他她]自己|本人|自己"),
)
_WHO_EN: tuple[tuple[str, str], ...] = (
    (OTHER, r"\b(?:friend|colleague|cousin|uncle|aunt|neighbou?r|boss)'?s?\b"),
    ("spouse", r"\b(?:wife|husband|spouse|hubby)\b"),
    ("father", r"\b(?:dad|father|papa|father-in-law)\b"),
    ("mother", r"\b(?:mum|mom|mother|mama|mother-in-law)\b"),
    ("sibling", r"\b(?:brother|sister|sibling)\b"),
    ("child", r"\b(?:son|daughter|kid|child)\b"),
    ("self", r"\b(?:himself|herself|he|she)\b"),
)
_NOT_ILLNESS_ZH = r"重疾|病史|体检|保险|险"
# "万一我病倒了" / "if I fall sick" supposes an illness (the fear the cover is for): it is no
# event. "要不是他爸中风" / "if it weren't for his stroke" is one (a counterfactual).
_IF_ZH = re.compile(r"(?:万一|要是|如果|假如|假设|假使|倘若|若是|一旦|哪天|就算)(?!不是)")
_IF_EN = re.compile(r"\b(?:if(?! (?:it )?(?:weren't|wasn't|hadn't been|not) for)|in case"
                    r"|suppose|supposing|should (?:i|he|she|anything)|god forbid)\b")
# ...unless the clause also dates it ("如果不算前年那次中风")
_PAST_ZH = re.compile(r"前年|去年|上个?月|上周|年前|个月前|以前|之前|曾经|当年|那年|那次|刚刚"
                      r"|小时候|(?:19|20)\d\d年")
_PAST_EN = re.compile(r"\b(?:last (?:year|month|week)|ago|in (?:19|20)\d\d|previously"
                      r"|back in)\b")


def _health(note: Note) -> Iterator[Finding]:
    events: dict[str, tuple[str, str]] = {}
    illness = _ILLNESS_ZH if note.chinese else _ILLNESS_EN
    supposing = ""  # a clause that only opens a supposition ("If, God forbid, I ...")
    for clause in note.clauses:
        text = clause.text
        opened, supposing = supposing, _opens_supposition(text, note.chinese)
        if re.search(r"\bhealthy\b|身体(?:都)?(?:很)?(?:好|健康)(?!不)", text) and not re.search(
                r"不好", text):
            continue
        for what, pattern in illness:
            match = re.search(pattern, text)
            if match is None:
                continue
            if note.chinese and re.search(r"(?:重疾|险|保险)$", text[:match.end() + 1][-3:]):
                continue
            if _hypothetical(f"{opened} {text[:match.start()]}", text, note.chinese):
                break
            who = _who(text[:match.start()], note.chinese) or _who_subject(clause.subject)
            if who in (None, OTHER):
                break
            if who in events and _WHAT_RANK[events[who][0]] <= _WHAT_RANK[what]:
                break
            events[who] = (what, events.get(who, ("", clause.raw))[1] or clause.raw)
            break
    if events:
        first = next(iter(events.values()))[1]
        yield Finding("health_event",
                      frozenset((who, what) for who, (what, _) in events.items()), first)


def _hypothetical(before: str, clause: str, chinese: bool) -> bool:
    """The condition is feared or supposed ("万一我病倒了", "萬一我病咗", "if I fall sick"),
    not reported: nobody in the family has had it."""
    if not (_IF_ZH if chinese else _IF_EN).search(before):
        return False
    return not (_PAST_ZH if chinese else _PAST_EN).search(clause)


def _opens_supposition(clause: str, chinese: bool) -> str:
    """The clause when it is no more than "万一" / "要是哪天" / "if" / "God forbid" (it goes on
    in the next clause), else ""."""
    short = len(clause) <= 4 if chinese else len(clause.split()) <= 3
    return clause if short and (_IF_ZH if chinese else _IF_EN).search(clause) else ""


def _who(before: str, chinese: bool) -> str | None:
    """The person named last before an illness word."""
    best: tuple[int, str] | None = None
    for who, pattern in (_WHO_ZH if chinese else _WHO_EN):
        for match in re.finditer(pattern, before):
            if best is None or match.start() > best[0]:
                best = (match.start(), who)
    if best is None:
        return None
    owner = _WHO_ZH[0][1] if chinese else _WHO_EN[0][1]
    if re.search(rf"(?:{owner})(?:的|'s)?\s*$", before[:best[0]]):
        return OTHER  # 朋友的爸爸, a friend's father
    if chinese and best[1] == "self" and re.search(r"(?:朋友|同事|亲戚)", before):
        return OTHER
    return best[1]


def _who_subject(subject: str) -> str | None:
    return {SELF: "self", SPOUSE: "spouse", FATHER: "father", MOTHER: "mother",
            SIBLING: "sibling", CHILD: "child"}.get(subject)


# existing cover ------------------------------------------------------------------------------
_COVER_ZH: tuple[tuple[str, str], ...] = (
    ("group", r"团险|团体(?:医疗|保险|意外|寿险)?|公司(?:给|帮)?(?:买|上)了?(?:的)?(?:保险|医疗|"
              r"医保|团险)"
              r"|单位(?:有|给买了?|买了?)(?:补充医疗|医疗|保险)|补充医疗"),
    ("medical", r"百万医疗|医疗险|医疗保险|住院险|高端医疗|少儿医疗|惠民保"),
    ("accident", r"意外险|意外保险|意外伤害"),
    ("critical_illness", r"重疾|重大疾病"),
    ("life", r"寿险|人寿|终身寿|定期寿|定寿"),
    ("education", r"教育金|教育险|少儿教育"),
    ("savings", r"储蓄险|储蓄型|分红险|理财险|增额终身|储蓄"),
    ("annuity", r"年金"),
    ("social", r"社保|医保|城乡居民|新农合|职工医保|五险一金|五险"),
)
_COVER_EN: tuple[tuple[str, str], ...] = (
    ("group", r"\b(?:company (?:group )?(?:insurance|cover|medical|policy|plan)|group (?:insurance"
              r"|medical|term|hospitali[sz]ation|policy|cover|plan)|employer'?s? (?:insurance"
              r"|medical|cover|plan)|company (?:got |gives? |provides? )?covers? (?:me|him|her)"
              r"|corporate (?:insurance|plan))\b"),
    ("medical", r"\b(?:integrated shield|shield plan|hospital(?:isation)? plan|medical (?:card|plan"
                r"|insurance|policy)|hospital cover|h&s plan)\b"),
    ("accident", r"\b(?:personal accident|pa plan|accident (?:plan|policy|insurance|cover))\b"),
    ("critical_illness", r"\b(?:critical illness|ci (?:plan|policy|cover)|early ci)\b"),
    ("life", r"\b(?:whole life|term life|life (?:policy|plan|insurance|cover)|term plan)\b"),
    ("education", r"\b(?:education (?:plan|fund|policy|savings)|endowment (?:plan )?for "
                  r"(?:his |her |the )?(?:son|daughter|kids?|child)\w*'?s? (?:uni|education"
                  r"|school|studies))\b"),
    ("savings", r"\b(?:endowment|savings plan|savings policy)\b"),
    ("annuity", r"\bannuity\b"),
    ("social", r"\b(?:medishield(?: life)?|medisave|socso|perkeso|mysalam)\b"),
)
_ZH_HOLD = (r"有|买了|买过|买|参保|参加了|投保了?|配了|上了|给买了|帮买了|持有|只有|交着|交了|缴了"
            r"|另外买了")
_ZH_NONE = (r"(?:没|没有|从没|未|不曾)(?:买过|买|有)(?:任何)?(?:商业)?(?:保险|保单)|啥都没买|"
            r"什么都没买"
            r"|(?:没|没有)(?:任何)?保险|没买过保险")
_EN_NONE = (r"\bno (?:insurance|coverage|policies|cover)\b|\bnot insured\b|\buninsured\b"
            r"|\bnothing at all\b|\bnever bought (?:any )?insurance\b")


def _cover(note: Note) -> Iterator[Finding]:
    kinds: set[str] = set()
    evidence = ""
    none_said: str | None = None
    for clause in note.clauses:
        if clause.subject == OTHER:
            continue
        text = clause.text
        if re.search(_ZH_NONE if note.chinese else _EN_NONE, text):
            none_said = none_said or clause.raw
        for kind in _held(text, note.chinese):
            kinds.add(kind)
            evidence = evidence or clause.raw
    if kinds - {"social"}:
        yield Finding("existing_cover", frozenset(kinds - {"social"}), evidence)
    elif "social" in kinds:
        yield Finding("existing_cover", frozenset({"social_only"}), evidence)
    elif none_said is not None:
        yield Finding("existing_cover", frozenset(), none_said)


def _held(text: str, chinese: bool) -> Iterator[str]:
    """Kinds of cover the clause says somebody in the family holds."""
    table = _COVER_ZH if chinese else _COVER_EN
    taken: list[tuple[int, int]] = []
    for kind, pattern in table:
        for match in re.finditer(pattern, text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue  # "endowment plan for his son's uni" is education, not savings too
            before = text[max(0, match.start() - 14):match.start()] if chinese \
                else text[:match.start()]
            if chinese:
                if not (re.search(_ZH_HOLD, before) or re.search(r"(?:一|两|几)?(?:份|张)$", before)
                        or (kind == "group" and "公司" in match.group())
                        or (kind == "group" and match.start() == 0)):
                    continue
                if re.search(r"(?:没|没有|未|不|冇)(?:买过?|有)[^，,]{0,6}$", before) or re.search(
                        r"(?:没|没有|不)(?:" + _ZH_HOLD + r")", before[-4:]):
                    continue
                if re.search(r"想|打算|考虑|关注|感兴趣|问了", before):
                    continue
            else:
                if re.search(r"\b(?:no|not|never|can't|cannot|without|wants? to|interested"
                             r"|asked about|keen|looking for|considering|thinking of)\b[^,]{0,25}$",
                             before) and not re.search(r"\b(?:his|her|their) own $", before):
                    continue
                after = text[match.end():]
                if not re.search(r"\b(?:has|have|had|holds?|got|bought|owns?|with|on|his|her"
                                 r"|existing|current|already|only)\b", before) \
                        and not re.match(r"\s*(?:\w+\s+){0,2}(?:he|she|they) (?:bought|has|had|"
                                         r"got)\b",
                                         after) \
                        and not (kind == "group" and "company" in match.group()):
                    continue
            taken.append(match.span())
            yield kind
            break


# wealth --------------------------------------------------------------------------------------
_ZH_WEALTH = (r"(?:[三四五六七八九十几多]|\d{1,2})套(?:房|楼|物业|公寓)|私人银行|家族办公室|"
              r"家族信托"
              r"|(?:身家|资产|估值)[^，,]{0,6}(?:亿|千万)|(?:几|好几|\d+)个?亿|收租|铺位|商铺")
_EN_WEALTH = (r"\b(?:private bank(?:ing)?|family office|(?:[3-9]|\d{2}|three|four|five|several"
              r"|multiple) (?:condos|properties|houses|flats|units|landed)|net worth|high net worth"
              r"|hnw|uhnw|millionaire)\b")


def _wealth(note: Note) -> Iterator[Finding]:
    hit = next(_search(note, _ZH_WEALTH, _EN_WEALTH), None)
    if hit is not None and hit[0].subject not in (OTHER, AGENT):
        yield Finding("high_net_worth", True, hit[0].raw)


def as_values(findings: dict[str, Finding]) -> dict[str, Any]:
    """Just the values, by key."""
    return {key: finding.value for key, finding in findings.items()}
