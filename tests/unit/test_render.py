"""The render layer: escaping for Telegram HTML, locale fallback, Babel formats, splitting."""

from datetime import date

import pytest

from coachbot.domain.plan import activity_plan
from coachbot.render.templates import Renderer, plain_text, split_message, utf16_len


def test_values_are_escaped_for_telegram_html(renderer):
    html = renderer.render("en", "preferences/bad_zone", typed="<b>Tom & Jerry</b>")
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in html
    assert plain_text(html).count("<b>Tom & Jerry</b>") == 1


def test_labels_are_plain_text(renderer):
    assert renderer.label("zh-Hans", "languages.en") == "English"
    assert renderer.label("zh-Hant", "settings.lang") == "🌐 語言"


def test_missing_variable_fails_loudly(renderer):
    with pytest.raises(Exception, match="typed"):
        renderer.render("en", "preferences/bad_zone")


def test_numbers_and_dates_follow_the_locale(renderer):
    html = renderer.render("zh-Hans", "common/plan", plan=activity_plan(2))
    assert "3.2" in html and "20" in html and "4 访" in html
    env = renderer.env
    template = env.from_string("{{ d|date }}")
    assert template.render(locale="en", region="SG", d=date(2026, 3, 2)) == "2 Mar 2026"
    assert template.render(locale="zh-Hans", region="CN", d=date(2026, 3, 2)) == "2026年3月2日"


def test_override_folder_wins(tmp_path):
    (tmp_path / "en" / "general").mkdir(parents=True)
    (tmp_path / "en" / "general" / "oops.j2").write_text("Custom oops", encoding="utf-8")
    (tmp_path / "en" / "labels").mkdir()
    (tmp_path / "en" / "labels" / "general.yaml").write_text("buttons:\n  back: Go back\n",
                                                             encoding="utf-8")
    renderer = Renderer(tmp_path)
    assert renderer.render("en", "general/oops") == "Custom oops"
    assert renderer.label("en", "buttons.back") == "Go back"
    assert renderer.label("en", "languages.en") == "English"  # the rest still bundled


def test_long_html_is_split_under_the_limit_with_tags_balanced():
    html = "<b>" + "\n".join(f"第{i}行 &amp; 内容" for i in range(900)) + "</b>"
    parts = split_message(html)
    assert len(parts) > 1
    assert all(utf16_len(part) <= 4096 for part in parts)
    assert all(part.count("<b>") == part.count("</b>") for part in parts)
    assert "".join(plain_text(p).replace("\n", "") for p in parts) == \
        plain_text(html).replace("\n", "")


def test_a_single_huge_line_is_cut_outside_entities():
    html = "&amp;" * 3000
    parts = split_message(html)
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert all(plain_text(p) == "&" * (len(p) // 5) for p in parts)


def test_emoji_count_as_two_utf16_units():
    assert utf16_len("😀") == 2
    parts = split_message("😀" * 3000)
    assert all(utf16_len(p) <= 4096 for p in parts) and len(parts) == 2
