"""search_key's pinyin initials are each syllable's first letter: the same as pypinyin's
FIRST_LETTER style (which would convert the name a second time), for every CJK character
pypinyin knows and for names whose characters read differently inside words."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

from coachbot.domain.clients import CJK, search_key


def _with_first_letter_style(name: str) -> str:
    """search_key as it was written before: the initials from a second conversion."""
    if not CJK.search(name):
        return search_key(name)
    syllables = lazy_pinyin(name, errors="ignore")
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))
    return f"{name.lower()} {''.join(syllables)} {initials}".lower()


def test_initials_match_pypinyins_first_letter_style_for_every_character():
    for code in [*range(0x3400, 0xA000), *range(0xF900, 0xFB00)]:
        char = chr(code)
        assert search_key(char) == _with_first_letter_style(char), hex(code)


def test_names_mixed_and_read_in_context():
    for name in ("张三", "欧阳娜娜", "单雄信", "曾国藩", "银行行长", "吕布", "张三abc",
                 "陈大文 David", "Ｌｉ明", "嗯", "〇", "张·三"):
        assert search_key(name) == _with_first_letter_style(name), name
    assert search_key("张三") == "张三 zhangsan zs"
