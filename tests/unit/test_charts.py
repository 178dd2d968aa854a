"""Charts are PNG images, drawn without missing glyphs whatever fonts the machine has."""

from __future__ import annotations

import io
import warnings
from datetime import date, timedelta

import pytest
from PIL import Image

from coachbot.render import charts

ZH = charts.ChartTexts("团队周报 11/16–11/22", "拜访", "成交", "漏斗",
                       ("新名单", "新准客户", "计划书", "成交"), "计划", "日目标")
EN = charts.ChartTexts("Team week 11/16–11/22", "Visits", "Policies", "Funnel",
                       ("New names", "New prospects", "Proposals", "Closed"), "Plan",
                       "Daily target")
MEMBERS = [charts.MemberBar("小王", 18, 2), charts.MemberBar("Lily", 12, 1),
           charts.MemberBar("阿明😀", 0, 0)]
DAYS = [date(2026, 10, 29) + timedelta(days=i) for i in range(28)]


def _png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_team_chart_is_a_png_without_a_cjk_font():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns: there must be none
        data = charts.team_chart(MEMBERS, (30, 12, 5, 3), ZH, EN, font=None)
    image = _png(data)
    assert image.format == "PNG" and image.size == (960, 540)


def test_personal_chart_is_a_png_without_a_cjk_font():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = charts.personal_chart(DAYS, [i % 5 for i in range(28)], 3, (12, 6, 3, 1),
                                     (0, 20, 6, 2), ZH, EN, font=None)
    assert _png(data).size == (800, 640)


def test_without_a_cjk_font_labels_fall_back_to_english_and_numbers():
    assert not charts.can_draw("拜访", font=None)
    assert charts.can_draw("Visits 11/16–11/22", font=None)
    draws = charts._charmaps(tuple(charts._font_files(None)))
    assert charts._member_label(1, "小王", draws) == "1"
    assert charts._member_label(2, "Lily", draws) == "2 Lily"
    assert charts._picker(draws, ZH, EN)("stages") == EN.stages


def test_many_members_and_an_empty_team_still_draw():
    crowd = [charts.MemberBar(f"Agent {n}", n, n % 3) for n in range(40)]
    _png(charts.team_chart(crowd, (0, 0, 0, 0), EN, EN, font=None))
    _png(charts.team_chart([], (0, 0, 0, 0), EN, EN, font=None))


def test_with_a_cjk_font_the_agents_language_is_drawn():
    font = charts.find_cjk_font()
    assert font is not None  # the package ships one
    assert charts.can_draw("拜访 小王", font=font)
    _png(charts.team_chart(MEMBERS, (30, 12, 5, 3), ZH, EN, font=font))


def test_on_a_machine_without_a_cjk_font_the_bundled_one_draws_chinese(monkeypatch):
    monkeypatch.setattr(charts, "_find_system_cjk_font", lambda: None)
    assert charts.find_cjk_font() == str(charts.BUNDLED_FONT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns: there must be none
        data = charts.personal_chart(DAYS, [i % 5 for i in range(28)], 4, (12, 6, 3, 1),
                                     (0, 20, 6, 2), ZH, EN)
    assert _png(data).size == (800, 640)
    draws = charts._charmaps(tuple(charts._font_files("auto")))
    assert charts._picker(draws, ZH, EN)("stages") == ZH.stages  # not the English fallback
    assert charts._member_label(1, "小王", draws) == "1 小王"
    assert charts._member_label(2, "龘龘", draws) == "2"  # a rare name: its number


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant"])
def test_the_bundled_font_covers_every_chart_word(renderer, locale):
    words = [renderer.label(locale, key, span="11/16–11/22")
             for key in renderer.label_keys(locale) if key.startswith("charts.")]
    assert words and all(charts.can_draw(word, font=charts.BUNDLED_FONT) for word in words), \
        "a chart label changed: run tools/build_chart_font.py"


def test_the_bundled_font_is_small_and_licensed():
    assert charts.BUNDLED_FONT.stat().st_size < 1_000_000
    licence = (charts.BUNDLED_FONT.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Noto Sans CJK" in licence
