"""Architecture rules: handlers are glue, SQL stays in the store, texts stay in templates."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from coachbot.domain.locales import LOCALES
from coachbot.handlers import registry
from coachbot.handlers.registry import COMMANDS
from coachbot.render import buttons

PACKAGE = Path(__file__).parents[2] / "coachbot"
DOMAIN_MODULES = sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "domain").rglob("*.py"))
HANDLER_MODULES = sorted((PACKAGE / "handlers").glob("*.py"))
CJK = re.compile(r"[\u4e00-\u9fff]")
# layers below the handlers (and the benchmark beside them) never reach up into them
BELOW_HANDLERS = ("push", "bench", "services", "domain", "store", "render", "runtime")
MAX_FUNCTION_LINES = 60
LONG_FUNCTIONS_ALLOWED = {"store/migrations.py", "bench/dataset.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", HANDLER_MODULES, ids=str)
def test_handlers_never_touch_the_database_library(path):
    assert not any(name.startswith(("sqlite3", "sqlite_utils")) for name in _imports(path))
    assert "SELECT " not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", HANDLER_MODULES, ids=str)
def test_handlers_hold_no_chinese_text(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef
                                | ast.ClassDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                and isinstance(n.value, str) and CJK.search(n.value) and id(n) not in docstrings]
    assert literals == []


def _store_calls(path: Path) -> list[str]:
    """Attribute accesses on the store: `x.store.y` (a repository or a store method), or
    `store.y` on a local alias of it. Passing `x.store` to a function is not one."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Attribute):
            continue
        inner = node.value
        if (isinstance(inner, ast.Attribute) and inner.attr == "store") or \
                (isinstance(inner, ast.Name) and inner.id == "store"):
            found.append(f"{path.name}:{node.lineno}: .store.{node.attr}")
    return found


@pytest.mark.parametrize("path", HANDLER_MODULES, ids=str)
def test_handlers_call_services_never_the_store(path):
    assert _store_calls(path) == []


def test_the_store_check_sees_a_repository_call(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(context, store):\n"
                      "    book.get(context.services.store, 1)\n"  # passing it: fine
                      "    context.services.store.clients.get_client(1, 2)\n"
                      "    store.dialogs.clear_dialog(1, 2)\n")
    assert _store_calls(sample) == ["sample.py:3: .store.clients", "sample.py:4: .store.dialogs"]


@pytest.mark.parametrize("layer", BELOW_HANDLERS)
def test_lower_layers_never_import_the_handlers(layer):
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        assert not any(name.startswith("coachbot.handlers") for name in _imports(path)), path


def test_every_button_set_has_a_feature_and_every_action_a_handler():
    """The dispatcher refuses a set with an action nobody handles; every set is registered."""
    dispatcher = registry.dispatcher()
    assert sorted(dispatcher.prefixes) == sorted(s.prefix for s in buttons.ALL)
    assert sorted(dispatcher.group_safe_prefixes) == ["tb", "tm"]


@pytest.mark.parametrize("path", [*HANDLER_MODULES, *sorted((PACKAGE / "bench").glob("*.py"))],
                         ids=str)
def test_callback_data_is_spelled_only_by_the_button_sets(path):
    """No hand-made "cl:o:..." strings: buttons come from coachbot.render.buttons."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef
                                | ast.ClassDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    wire = tuple(f"{s.prefix}:" for s in buttons.ALL)
    spelled = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
               and isinstance(n.value, str) and id(n) not in docstrings
               and n.value.startswith(wire)]
    assert spelled == []


@pytest.mark.parametrize("layer", ["handlers", "push", "services"])
def test_functions_stay_small(layer):
    long = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        if str(path.relative_to(PACKAGE)) in LONG_FUNCTIONS_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                    (node.end_lineno or 0) - node.lineno + 1 > MAX_FUNCTION_LINES:
                long.append(f"{path.name}:{node.lineno} {node.name}")
    assert long == []


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
