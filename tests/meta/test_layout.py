"""Architecture rules: handlers are glue, SQL stays in the store, texts stay in templates."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from coachbot.domain.locales import LOCALES
from coachbot.handlers import COMMANDS

PACKAGE = Path(__file__).parents[2] / "coachbot"
DOMAIN_MODULES = sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "domain").rglob("*.py"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "handlers").glob("*.py")), ids=str)
def test_handlers_never_touch_the_database_library(path):
    assert not any(name.startswith(("sqlite3", "sqlite_utils")) for name in _imports(path))
    assert "SELECT " not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", sorted((PACKAGE / "handlers").glob("*.py")), ids=str)
def test_handlers_hold_no_chinese_text(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef
                                | ast.ClassDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                and isinstance(n.value, str) and CJK.search(n.value) and id(n) not in docstrings]
    assert literals == []


@pytest.mark.parametrize("name", DOMAIN_MODULES)
def test_domain_modules_do_not_import_telegram(name):
    assert not any(imp.startswith("telegram") for imp in _imports(PACKAGE / name))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_command_has_a_description_in_every_locale(renderer, locale):
    for command in COMMANDS:
        description = renderer.label(locale, f"commands.{command.name}")
        assert 3 <= len(description) <= 256


def test_command_names_are_valid_for_telegram():
    for command in COMMANDS:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command.name)


def test_contact_frequencies_match_the_trainers_scripts():
    """classify's defaults must say what stages.yaml tells agents (one truth for both)."""
    from coachbot.domain.classify import STAGE_CONTACT_DAYS, TIER_CONTACT_DAYS
    from coachbot.scripts.loader import load_library

    stages = load_library().get("zh-Hans").stages
    assert {t: p.service.every_days for t, p in stages.closed_tiers.items()} == \
        TIER_CONTACT_DAYS
    assert {s: p.meet_every_days for s, p in stages.prospect_stages.items()} == \
        STAGE_CONTACT_DAYS


def test_the_scripts_are_written_in_the_bots_languages():
    from coachbot.domain import locales
    from coachbot.scripts import schema

    assert (schema.LOCALES, schema.DEFAULT_LOCALE) == (locales.LOCALES, locales.DEFAULT_LOCALE)


def test_the_scripts_know_the_facts_the_coach_reads():
    from coachbot.domain.coaching import extract
    from coachbot.scripts import schema

    assert schema.FACT_KEYS == extract.FACT_KEYS
