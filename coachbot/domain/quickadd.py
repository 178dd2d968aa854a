"""One line typed by an agent ("张三 13800138000 1985-03-02") read into a new client's fields.

Order of reading: the birthday (a date, preferably right after 生日/birthday/born/b.), then
phone numbers (phonenumbers' matcher), then gender words, then the name from what is left at
the front; everything else is the note. Problems are keys: bad_phone, bad_date, no_name,
unsure_name, unsure_phone. Nothing is guessed: a line the reader is unsure of is refused with
a problem (nothing is saved), never saved as something else.

Names are kept as typed ("李先生", "Mr Tan", "客户429"): a title only hints the gender. A
Chinese name is one whole token, digits included. One of more than four Chinese characters
("恢复后客户", "张三买了重疾险") may be a long name or a name run on into a note: that is
unsure_name (the agent puts a space after the name, or adds the name alone). Digits glued to
a word stay with it ("客户4 13800138000" is 客户4 with a phone); when only with them is there
a valid number ("客户1 3800138000", "张三138 0013 8000") that is unsure_phone. A Latin name is
the leading run of capitalised words (at most four), or the first words of an all-lowercase
line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from coachbot.domain.calendar import YearlyDate
from coachbot.domain.dates import DateMatch, find_yearly_dates, normalize
from coachbot.domain.phones import find_phones

BAD_PHONE = "bad_phone"
BAD_DATE = "bad_date"
NO_NAME = "no_name"
UNSURE_NAME = "unsure_name"
UNSURE_PHONE = "unsure_phone"
MAX_NAME_CHARS = 4  # Chinese characters of a name one can be sure of (张三, 欧阳娜娜)

Gender = Literal["m", "f"]
_Take = Callable[[int, int], None]  # marks a span of the line as read


@dataclass(frozen=True)
class QuickAdd:
    """What one quick-add line says about a client; problems lists keys for the templates."""

    name: str | None
    phone: str | None
    birthday: YearlyDate | None
    gender: Gender | None
    note: str | None
    problems: list[str] = field(default_factory=list)
    # with unsure_name: the whole token, for a reply that asks "is this the name?"
    candidate_name: str | None = None


_DAY_FIRST_REGIONS = frozenset({"HK", "SG", "MY"})
_SEPARATORS = str.maketrans({c: " " for c in ",;|，；、\t\n\r"})
_BIRTHDAY_WORD = re.compile(
    r"(?:出生日期|出生(?!地)|生日|生於|生于|(?<![a-z])(?:birthday|bday|born(?:\s+on)?|dob"
    r"|d\.o\.b\.?|b\.(?=\s*\d)))\s*(?:[:：是为為]\s*)?", re.IGNORECASE)
_GENDER_WORDS: dict[str, Gender] = {
    "男": "m", "男士": "m", "男性": "m", "先生": "m", "male": "m", "女": "f", "女士": "f",
    "女性": "f", "小姐": "f", "太太": "f", "夫人": "f", "female": "f",
}
# a word on its own ("王芳 女", "陳大文 先生", "性别：女"); attached to a name it stays there
_GENDER_TOKEN = re.compile(
    r"(?<!\S)(?:性[别別]\s*[:：]?\s*)?(?P<word>男士|女士|男性|女性|先生|小姐|太太|夫人|男|女"
    r"|male|female)(?!\S)", re.IGNORECASE)
_TITLE_SUFFIXES: dict[str, Gender] = {"先生": "m", "女士": "f", "小姐": "f", "太太": "f",
                                      "夫人": "f"}
_TITLES: dict[str, Gender] = {"mr": "m", "mister": "m", "mrs": "f", "ms": "f", "miss": "f",
                              "mdm": "f", "madam": "f"}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’.\-]*")
_NAME_PARTICLES = frozenset({"bin", "binti", "bte", "bt", "a/l", "a/p", "s/o", "d/o", "van",
                             "von", "de", "da", "di", "del", "le", "la"})


def parse_quick_add(text: str, region: str, today: date) -> QuickAdd:
    """Read a quick-add line; what cannot be placed goes to the note."""
    line = normalize(text).translate(_SEPARATORS)
    taken = [False] * len(line)
    problems: list[str] = []

    def take(start: int, end: int) -> None:
        taken[start:end] = [True] * (end - start)

    birthday, bad_date = _birthday(line, region, today, take)
    phone, phone_problem = _phone(line, region, taken, take)
    gender = _gender_words(line, taken, take)

    chunks = _chunks(line, taken)
    name, name_gender, leftover = _name(chunks)
    gender = gender or name_gender
    note = _join(leftover) or None

    if phone_problem:
        problems.append(phone_problem)
    if bad_date:
        problems.append(BAD_DATE)
    candidate = None
    if name is not None and _unsure_cjk_name(name):
        problems.append(UNSURE_NAME)
        name, candidate = None, name
    elif name is None:
        problems.append(NO_NAME)
    return QuickAdd(name, phone, birthday, gender, note, problems, candidate)


def _birthday(line: str, region: str, today: date, take: _Take
              ) -> tuple[YearlyDate | None, bool]:
    """The birthday and whether a date-like span for it was not a real (past) date."""
    day_first = True if region in _DAY_FIRST_REGIONS else None
    spans = find_yearly_dates(line, day_first=day_first)
    keyword = _BIRTHDAY_WORD.search(line)
    chosen: DateMatch | None = None
    if keyword is not None:
        chosen = next((s for s in spans if s.start == keyword.end()), None)
        if chosen is None:
            return None, True  # "生日" followed by something that is no date
    else:
        chosen = spans[0] if spans else None
    if chosen is None:
        return None, False
    take(keyword.start() if keyword is not None else chosen.start, chosen.end)
    value = chosen.value
    origin = value.origin() if value is not None else None
    if value is None or (origin is not None and origin > today):
        return None, True
    return value, False


# digits glued to the end of a word, before a space ("客户4 138..."): the word's, not the phone's
_GLUED_DIGITS = re.compile(r"(?<=[^\W\d_])\d{1,4}(?=\s)")


def _phone(line: str, region: str, taken: list[bool], take: _Take
           ) -> tuple[str | None, str | None]:
    """The first valid phone number, or the problem: bad_phone when phone-like text was found
    but no valid number, unsure_phone when only digits glued to a word make one valid."""
    visible = "".join(" " if t else c for c, t in zip(line, taken, strict=True))
    shielded = _GLUED_DIGITS.sub(lambda m: " " * len(m.group()), visible)
    own = find_phones(shielded, region)
    glued = find_phones(visible, region) if shielded != visible else own
    valid_own = next((m for m in own if m.e164 is not None), None)
    valid_glued = next((m for m in glued if m.e164 is not None), None)
    if valid_own is not None and (valid_glued is None or valid_glued.e164 == valid_own.e164):
        take(valid_own.start, valid_own.end)
        return valid_own.e164, None
    if valid_glued is not None:  # "客户1 3800138000": 客户1 and a bad number, or 客户 and a mobile?
        take(valid_glued.start, valid_glued.end)
        return None, UNSURE_PHONE
    for match in own or glued:
        take(match.start, match.end)
    return None, BAD_PHONE if own or glued else None


def _gender_words(line: str, taken: list[bool], take: _Take) -> Gender | None:
    for match in _GENDER_TOKEN.finditer(line):
        if any(taken[match.start():match.end()]):
            continue
        take(match.start(), match.end())
        return _GENDER_WORDS[match["word"].lower()]
    return None


def _chunks(line: str, taken: list[bool]) -> list[str]:
    """The untaken stretches of the line, in order."""
    chunks: list[str] = []
    current: list[str] = []
    for char, used in zip(line, taken, strict=True):
        if used:
            if current:
                chunks.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        chunks.append("".join(current))
    return [c.strip() for c in chunks if c.strip()]


def _name(chunks: list[str]) -> tuple[str | None, Gender | None, list[str]]:
    """The name from the first chunk, its gender hint, and every other word left."""
    if not chunks:
        return None, None, []
    tokens = chunks[0].split()
    rest_chunks = chunks[1:]
    first = tokens[0]
    if _CJK.search(first):  # the whole token: where a long one ends is not guessed
        return first, _suffix_gender(first), [" ".join(tokens[1:]), *rest_chunks]
    words = _latin_name(tokens)
    if not words:
        return None, None, [" ".join(tokens), *rest_chunks]
    gender = _TITLES.get(words[0].lower().rstrip("."))
    return " ".join(words), gender, [" ".join(tokens[len(words):]), *rest_chunks]


def _unsure_cjk_name(name: str) -> bool:
    """More Chinese characters than a name has, with nothing saying it is one: a title
    ("欧阳娜娜女士") or the middle dot of a transcribed name ("阿依古丽·买买提")."""
    if not _CJK.search(name) or "·" in name or _suffix_gender(name) is not None:
        return False
    return len(_CJK.findall(name)) > MAX_NAME_CHARS


def _suffix_gender(name: str) -> Gender | None:
    return next((g for s, g in _TITLE_SUFFIXES.items() if name.endswith(s)), None)


def _latin_name(tokens: list[str]) -> list[str]:
    """The leading name words of a Latin-script line."""
    words: list[str] = []
    for index, token in enumerate(tokens[:6]):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if words and token.lower() in _NAME_PARTICLES and following[:1].isupper():
            words.append(token)  # Ahmad bin Ali, Muthu a/l Raju
            continue
        if not _LATIN_WORD.fullmatch(token) or len(words) >= 4 + _particles(words):
            break
        if words and not token[0].isupper() and tokens[0][0].isupper():
            break
        words.append(token)
    if words and not tokens[0][0].isupper() and len(words) > 3:
        words = words[:2]
    return words


def _particles(words: list[str]) -> int:
    return sum(1 for w in words if w.lower() in _NAME_PARTICLES)


def _join(pieces: list[str]) -> str:
    """Words back into one note, without spaces between Chinese pieces."""
    out = ""
    for piece in (p.strip() for p in pieces if p and p.strip()):
        glue = "" if out and _CJK.match(out[-1]) and _CJK.match(piece[0]) else " "
        out = f"{out}{glue}{piece}" if out else piece
    return re.sub(r"\s+", " ", out).strip(" :：-")
