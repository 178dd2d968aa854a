"""Numbers as agents type them in notes: "1.5万", "1w2", "萬二", "八千五", "3.5k", "S$4,200".

Approximate amounts ("1.2万左右", "about 6k", "~30") are read as the number; ranges and vague
amounts ("四五十", "十几", "两百多万", "几十万", "40-50k") are not read at all (None): a
guess would be worse than no fact.
"""

from __future__ import annotations

import re

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "俩": 2, "倆": 2, "三": 3,
          "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "萬": 10_000, "亿": 100_000_000,
         "億": 100_000_000}
_SHORT_UNIT = {"w": 10_000, "k": 1000, "m": 1_000_000, "千": 1000, "万": 10_000, "萬": 10_000}
CN_NUMERAL = "零〇一二两兩俩倆三四五六七八九十百千万萬亿億廿卅"
EN_WORDS = {
    "zero": 0, "no": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "twin": 2, "twins": 2,
    "both": 2, "couple": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

# One amount: digits or Chinese numerals, an optional unit, an optional trailing digit that
# counts in the next unit down ("1w2" = 12,000, "万二" = 12,000, "八千五" = 8,500).
AMOUNT = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*|[" + CN_NUMERAL + r"]+)?"
    r"\s*(?P<unit>[wk万萬千m](?![a-z]))?(?P<tail>[0-9一二两兩三四五六七八九](?![0-9万萬千百十]))?",
    re.IGNORECASE)
_VAGUE_AFTER = re.compile(r"^\s*(?:多|几|幾|来|來|余|餘|\+|-\s*\d|to\s+\d|or\s+\d|plus)")
_VAGUE_BEFORE = re.compile(r"(?:几|幾|\d\s*[-~至到]\s*)$")
_VAGUE_REST = re.compile(r"[多几幾来來余餘+]*[万萬千百十亿億kw]?(?:\s*(?:-|to|or|至|"
                         r"到)\s*\d+[.\d]*[万萬千kw]?)?",
                         re.IGNORECASE)


def cn_int(text: str) -> int | None:
    """A whole number in Chinese numerals ("三十五", "廿", "一万二千", "萬二" is not one)."""
    if not text:
        return None
    text = text.replace("廿", "二十").replace("卅", "三十")
    if any(ch not in _DIGIT and ch not in _UNIT for ch in text):
        return None
    if all(ch in _DIGIT for ch in text):  # "二〇二六"-style digit strings
        if len(text) > 1 and any(ch in "两兩俩倆" for ch in text):
            return None  # "两三" is a range, not 23
        return int("".join(str(_DIGIT[ch]) for ch in text)) if len(text) <= 4 else None
    if text[0] in _UNIT and _UNIT[text[0]] >= 100:
        text = "一" + text  # "万二" = 一万二
    total, section, digit, last_unit, zero = 0, 0, None, 1, False
    for ch in text:
        if ch in "零〇":
            zero = True
            continue
        if ch in _DIGIT:
            if digit is not None:
                return None  # two digits in a row: "四五十" is a range
            digit = _DIGIT[ch]
            continue
        unit = _UNIT[ch]
        if unit >= 10_000:
            section = (section + (digit or 0)) * unit
            total, section, digit = total + section, 0, None
        else:
            section += (1 if digit is None else digit) * unit
            digit = None
        last_unit = unit
    if digit is not None and last_unit >= 100 and not zero:
        return total + section + digit * last_unit // 10  # "八千五" = 8,500, "一万五" = 15,000
    return total + section + (digit or 0)


def to_int(text: str) -> int | None:
    """A count in digits, Chinese numerals or English words ("3", "三", "three")."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    return EN_WORDS.get(text) if text.isascii() else cn_int(text)


def amount_at(text: str, start: int) -> tuple[int | None, int]:
    """The amount that begins at `start` (after optional currency marks) and where it ends."""
    currency = re.compile(r"\s*(?:(?:rm|s\$|hk\$|nt\$|us\$|\$|¥|￥|rmb|hkd|sgd|myr|twd)\s*)?",
                          re.IGNORECASE)
    pos = currency.match(text, start)
    begin = pos.end() if pos else start
    match = AMOUNT.match(text, begin)
    if not match or not (match["num"] or match["unit"]) or match.end() == begin:
        return None, start
    if _VAGUE_AFTER.match(text[match.end():]) or _VAGUE_BEFORE.search(text[:begin]):
        rest = _VAGUE_REST.match(text, match.end())
        return None, rest.end() if rest else match.end()
    return _value(match["num"], match["unit"], match["tail"]), match.end()


def find_amounts(text: str) -> list[tuple[int, int, int]]:
    """Every definite amount in the text: (value, start, end)."""
    found: list[tuple[int, int, int]] = []
    pos = 0
    pattern = re.compile(r"(?:rm|s\$|hk\$|nt\$|us\$|\$|¥|￥)?\s*(?:\d|[" + CN_NUMERAL +
                         r"])|(?<![a-z])[万萬]", re.IGNORECASE)
    while True:
        hit = pattern.search(text, pos)
        if hit is None:
            return found
        value, end = amount_at(text, hit.start())
        if end <= hit.start():
            pos = hit.end()
            continue
        if value is not None:
            found.append((value, hit.start(), end))
        pos = end


def _value(num: str | None, unit: str | None, tail: str | None) -> int | None:
    number: float | None
    if num is None:
        number = 1.0  # "万二": one ten-thousand and two thousand
    elif num[0].isdigit():
        digits = num.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", num) else num
        try:
            number = float(digits.replace(",", "."))
        except ValueError:
            return None
    else:
        whole = cn_int(num)
        if whole is None:
            return None
        number = float(whole)
    factor = _SHORT_UNIT.get((unit or "").lower(), 1)
    value = number * factor
    if tail:
        if factor == 1:
            return None
        tail_digit = int(tail) if tail.isdigit() else _DIGIT[tail]
        value += tail_digit * factor / 10
    return round(value)
