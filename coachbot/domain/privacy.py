"""What may leave the server: identifiers removed, client names swapped for placeholders.

Text sent to a language model goes through redact() first. Phone numbers, identity numbers
(mainland, Hong Kong, Taiwan, Singapore, Malaysia), policy and other long reference numbers,
e-mail and street addresses are replaced by a bracketed tag and never come back; the names the
caller lists (a client, their family) become [C1], [C2]... and restore() puts them back into
the model's answer. Pure rules, no I/O: the same text always redacts the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from coachbot.domain.phones import find_phones

PHONE, ID, POLICY, NUMBER, EMAIL, ADDRESS = (
    "[PHONE]", "[ID]", "[POLICY]", "[NUMBER]", "[EMAIL]", "[ADDRESS]")
_EDGE_L = r"(?<![A-Za-z0-9])"
_EDGE_R = r"(?![A-Za-z0-9])"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Identity numbers, the most specific shapes first.
_IDS = [
    # mainland resident ID: 17 digits and a check digit or X (and the old 15-digit form)
    re.compile(_EDGE_L + r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
               r"\d{3}[\dXx]" + _EDGE_R),
    # Malaysia MyKad: YYMMDD-PB-###G
    re.compile(r"(?<!\d)\d{6}\s?-\s?\d{2}\s?-\s?\d{4}(?!\d)"),
    # Hong Kong ID: one or two letters, six digits, a check digit often in brackets
    re.compile(_EDGE_L + r"[A-Z]{1,2}\d{6}\s?[(（]\s?[0-9A]\s?[)）]", re.IGNORECASE),
    re.compile(_EDGE_L + r"[A-Z]{1,2}\d{6}[0-9A]" + _EDGE_R, re.IGNORECASE),
    # Singapore NRIC/FIN
    re.compile(_EDGE_L + r"[STFGM]\d{7}[A-Z]" + _EDGE_R, re.IGNORECASE),
    # Taiwan national ID / resident certificate
    re.compile(_EDGE_L + r"[A-Z][12489]\d{8}" + _EDGE_R, re.IGNORECASE),
]
# A number named as a policy, contract or account number, whatever its shape.
_POLICY = re.compile(
    r"((?:保单|保單|合同|合約)(?:号码|號碼|号|號|編號|编号)?"
    r"|(?:账户|賬戶|帐户|帳戶|卡|账|帳)(?:号码|號碼|号|號)"
    r"|policy\s*(?:no\.?|number|num|#)|pol\.?\s*no\.?|contract\s*(?:no\.?|number)"
    r"|account\s*(?:no\.?|number)|a/c)\s*(?:是|为|為|:|：|#|is)?\s*"
    r"([A-Za-z0-9][A-Za-z0-9\-/]{4,})", re.IGNORECASE)
# A code mixing letters and at least five digits (policy, claim and case references).
_CODE = re.compile(_EDGE_L + r"(?=[A-Za-z0-9\-]*\d{5})(?=[A-Za-z0-9\-]*[A-Za-z])"
                   r"[A-Za-z0-9]{1,6}-?[A-Za-z0-9\-]{4,}" + _EDGE_R)
_DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$")
_DIGIT = re.compile(r"\d")

_CN_NUM = r"[0-9一二三四五六七八九十百零〇两兩]"
_ADDRESSES = [
    # led by a word that says an address follows: redact what follows up to the clause's end
    re.compile(r"(?:地址|住址|住在|家住|住喺|address(?:\s+is)?|lives?\s+at|staying\s+at)"
               r"\s*(?:是|为|為|:|：)?\s*([^，,。；;\n!?！？]{3,60})", re.IGNORECASE),
    # Chinese street addresses: [province/city/district] road + number [+ building, unit]
    re.compile(r"(?:[\u4e00-\u9fff]{1,8}(?:省|市|区|區|县|縣|镇|鎮))*[\u4e00-\u9fff0-9]{1,12}"
               r"(?:路|街|道|巷|弄|大道|里)" + _CN_NUM + r"+(?:号|號|弄)"
               r"(?:[0-9A-Za-z一二三四五六七八九十\-]+(?:栋|棟|座|幢|期|单元|單元|楼|樓|层|層|室|号|號|F))*"),
    # an estate or building with a block/unit number
    re.compile(r"[\u4e00-\u9fff]{2,8}(?:小区|小區|花园|花園|大厦|大廈|公寓|邨|苑|中心|广场|廣場)"
               r"[0-9A-Za-z一二三四五六七八九十\-]*"
               r"(?:\s*[0-9A-Za-z一二三四五六七八九十\-]+(?:栋|棟|座|幢|期|单元|單元|楼|樓|层|層|室|号|號|F))+"),
    re.compile(r"\d+\s*(?:楼|樓|/F)\s*[A-Z0-9]{1,4}\s*(?:室|座)?", re.IGNORECASE),
    # Singapore/Malaysia/Hong Kong English addresses
    re.compile(r"\b(?:Blk|Block)\.?\s*\d+[A-Z]?\b(?:[^,;\n]{0,40}?(?=,|;|\n|$))?",
               re.IGNORECASE),
    re.compile(r"#\d{1,3}-\d{1,5}[A-Z]?"),
    re.compile(r"\b\d{1,5}[A-Z]?,?\s+(?:[A-Z][A-Za-z']+\s+){1,4}(?:Road|Rd|Street|St|Avenue|Ave"
               r"|Drive|Dr|Lane|Ln|Crescent|Cres|Close|Way|Boulevard|Blvd|Terrace|Walk)\b\.?"
               r"(?:\s+\d{1,3})?"),
    re.compile(r"\b(?:Jalan|Jln|Lorong|Lrg|Persiaran|Taman)\s+[A-Z0-9][\w/]*"
               r"(?:\s+[A-Z0-9][\w/]*){0,4}"),
    re.compile(r"\b(?:Flat|Rm|Room|Unit)\s+[A-Z0-9]{1,4},?\s*\d{1,3}/F\b[^,;\n]{0,40}",
               re.IGNORECASE),
    re.compile(r"\bSingapore\s*\(?\d{6}\)?|\bS\(\d{6}\)"),
]
_PLACEHOLDER = re.compile(r"\[C(\d{1,3})\]")
_HONORIFICS_ZH = ("先生", "女士", "小姐", "太太", "太", "总", "總", "姐", "哥", "老师", "老師",
                  "生", "sir", "阿姨", "叔")
_HONORIFICS_EN = ("Mr", "Mrs", "Ms", "Miss", "Mdm", "Madam", "Dr")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_COMPOUND_SURNAMES = ("欧阳", "歐陽", "司马", "司馬", "上官", "诸葛", "諸葛", "东方", "東方",
                      "皇甫", "令狐", "公孙", "公孫", "慕容", "尉迟", "尉遲", "长孙", "長孫")


@dataclass
class Redaction:
    """What redact() did: the text to send, the placeholders to restore, what was removed."""

    text: str
    names: dict[str, str] = field(default_factory=dict)  # placeholder -> original words
    removed: dict[str, int] = field(default_factory=dict)  # tag -> how many

    @property
    def removed_count(self) -> int:
        """How many identifiers were taken out (names not counted)."""
        return sum(self.removed.values())


class Redactor:
    """Redacts several texts of one request with one shared set of name placeholders."""

    def __init__(self, names: Iterable[str] = (), region: str = "CN") -> None:
        self.region = region
        self.names: dict[str, str] = {}  # placeholder -> original
        self.removed: dict[str, int] = {}
        self._variants = _name_variants(names)

    def redact(self, text: str) -> str:
        """One text, identifiers removed and known names replaced."""
        text = unicodedata.normalize("NFC", text)
        text = self._sub(_EMAIL, text, EMAIL)
        for pattern in _IDS:
            text = self._sub(pattern, text, ID)
        text = _POLICY.sub(lambda m: self._count(POLICY, m.group(0).replace(m.group(2),
                                                                             POLICY)), text)
        text = self._sub(_CODE, text, NUMBER)
        text = self._phones(text)
        for index, pattern in enumerate(_ADDRESSES):
            if index == 0:
                text = pattern.sub(lambda m: self._count(
                    ADDRESS, m.group(0).replace(m.group(1), ADDRESS)), text)
            else:
                text = self._sub(pattern, text, ADDRESS)
        return self._replace_names(text)

    def restore(self, text: str) -> str:
        """The model's answer with the names put back."""
        return _PLACEHOLDER.sub(lambda m: self.names.get(m.group(0), m.group(0)), text)

    def restore_json(self, value: object) -> object:
        """restore() on every string inside a parsed JSON value."""
        if isinstance(value, str):
            return self.restore(value)
        if isinstance(value, list):
            return [self.restore_json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.restore_json(item) for key, item in value.items()}
        return value

    def stream(self) -> StreamRestorer:
        """A restorer for an answer that arrives in pieces."""
        return StreamRestorer(self.names)

    def _count(self, tag: str, replacement: str) -> str:
        self.removed[tag] = self.removed.get(tag, 0) + 1
        return replacement

    def _sub(self, pattern: re.Pattern[str], text: str, tag: str) -> str:
        return pattern.sub(lambda m: self._count(tag, tag), text)

    def _phones(self, text: str) -> str:
        spans = []
        for match in find_phones(text, self.region):
            raw = text[match.start:match.end]
            digits = len(_DIGIT.findall(raw))
            if _DATE.match(raw.strip()):
                continue
            if match.e164 is not None or digits >= 7:
                spans.append((match.start, match.end, PHONE if match.e164 else NUMBER))
        for start, end, tag in reversed(spans):
            text = text[:start] + self._count(tag, tag) + text[end:]
        return text

    def _replace_names(self, text: str) -> str:
        for variant, pattern in self._variants:
            if not pattern.search(text):
                continue
            placeholder = next((p for p, v in self.names.items() if v == variant), None)
            if placeholder is None:
                placeholder = f"[C{len(self.names) + 1}]"
                self.names[placeholder] = variant
            text = pattern.sub(placeholder, text)
        return text


def redact(text: str, names: Iterable[str] = (), region: str = "CN") -> Redaction:
    """One text made safe to send (see Redactor for several texts of one request)."""
    redactor = Redactor(names, region)
    safe = redactor.redact(text)
    return Redaction(safe, dict(redactor.names), dict(redactor.removed))


def restore(text: str, names: Mapping[str, str]) -> str:
    """Put the names back into a model's answer."""
    return _PLACEHOLDER.sub(lambda m: names.get(m.group(0), m.group(0)), text)


class StreamRestorer:
    """Restores names in an answer that arrives in chunks: a placeholder split across two
    chunks is held back until it is complete."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names
        self._held = ""

    def feed(self, chunk: str) -> str:
        """The restored text that is safe to show now."""
        text = self._held + chunk
        cut = text.rfind("[")
        if cut != -1 and "]" not in text[cut:] and len(text) - cut <= 6:
            self._held, text = text[cut:], text[:cut]
        else:
            self._held = ""
        return restore(text, self.names)

    def flush(self) -> str:
        """Whatever was held back at the end."""
        text, self._held = self._held, ""
        return restore(text, self.names)


def _name_variants(names: Iterable[str]) -> list[tuple[str, re.Pattern[str]]]:
    """Each name and the short forms an agent writes: 张总, 陈太, Mr Tan, Jason."""
    variants: set[str] = set()
    for raw in names:
        name = unicodedata.normalize("NFC", raw or "").strip()
        if len(name) < 2:
            continue
        variants.add(name)
        if _CJK.search(name) and 2 <= len(name) <= 4:
            surname = next((s for s in _COMPOUND_SURNAMES if name.startswith(s)), name[0])
            variants.update(surname + title for title in _HONORIFICS_ZH)
            variants.update(("老" + surname, "小" + surname, "阿" + surname))
        elif not _CJK.search(name):
            words = [w for w in re.split(r"\s+", name) if len(w) >= 3]
            variants.update(words)
            if len(words) >= 2:
                variants.update(f"{title} {words[-1]}" for title in _HONORIFICS_EN)
                variants.update(f"{title}. {words[-1]}" for title in _HONORIFICS_EN)
    ordered = sorted(variants, key=lambda v: (-len(v), v))
    result = []
    for variant in ordered:
        if _CJK.search(variant):
            result.append((variant, re.compile(re.escape(variant))))
        else:
            result.append((variant, re.compile(r"(?<![A-Za-z])" + re.escape(variant)
                                               + r"(?![A-Za-z])", re.IGNORECASE)))
    return result
