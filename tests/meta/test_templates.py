"""Every template exists, renders and is valid Telegram HTML in every locale."""

from __future__ import annotations

from pathlib import Path

import pytest

from coachbot.domain.locales import LOCALES
from coachbot.render.templates import bundled_templates_dir, utf16_len
from coachbot.sandbox.html import parse_html
from tests.meta.samples import HOSTILE, SAMPLES

ROOT = bundled_templates_dir()


def _names(locale: str) -> set[str]:
    base = ROOT / locale
    return {str(p.relative_to(base).with_suffix("")) for p in base.rglob("*.j2")}


def test_every_locale_has_the_same_templates():
    names = {locale: _names(locale) for locale in LOCALES}
    for locale in LOCALES:
        assert names[locale] == names["zh-Hans"], f"{locale} differs from zh-Hans"


def test_every_template_has_a_sample_context():
    assert _names("zh-Hans") == set(SAMPLES), "add a sample context to tests/meta/samples.py"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_template_renders_as_valid_telegram_html(renderer, locale, name):
    html = renderer.render(locale, name, region="HK", **SAMPLES[name])
    text = parse_html(html).text
    assert text.strip(), "renders to nothing"
    assert utf16_len(text) <= 4096
    assert "{{" not in text and "{%" not in text
    if HOSTILE in str(SAMPLES[name].values()) and "first_name" not in name:
        assert "<script>" not in html


@pytest.mark.parametrize("locale", LOCALES)
def test_every_label_exists_in_every_locale(renderer, locale):
    assert renderer.label_keys(locale) == renderer.label_keys("zh-Hans")


def test_chinese_locales_do_not_mix_scripts():
    """zh-Hant files must not keep simplified-only characters (a sign of a missed conversion)."""
    simplified_only = set("们这说时间么为过发关经门还现开问员应长书让认车务")
    for path in (ROOT / "zh-Hant").rglob("*"):
        if path.is_file() and path.suffix in {".j2", ".yaml"}:
            text = path.read_text(encoding="utf-8").replace("简体中文", "")
            found = simplified_only & set(text)
            assert not found, f"{path.relative_to(ROOT)} has simplified characters {found}"


def test_wheel_ships_the_templates():
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"coachbot_templates" = "templates"' in pyproject
    assert 'coachbot_templates = ["**/*.j2", "**/*.yaml"]' in pyproject


def test_every_package_ships_in_the_wheel():
    """pyproject lists packages by hand (templates/ is mapped in): none may be forgotten."""
    root = Path(__file__).parents[2]
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    for init in (root / "coachbot").rglob("__init__.py"):
        name = ".".join(init.parent.relative_to(root).parts)
        assert f'"{name}"' in pyproject, f"add {name} to [tool.setuptools] packages"
