"""Shared fixtures: the real script library, a fixed clock value, editable copies of the files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from coachbot.scripts import SCRIPTS_ROOT, ScriptLibrary, load_library

Mutate = Callable[[str, str, str, str], tuple[Path, int]]


@pytest.fixture(scope="session")
def library() -> ScriptLibrary:
    """The library as shipped, loaded once."""
    return load_library()


@pytest.fixture
def now() -> datetime:
    """A fixed, aware moment."""
    return datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def scripts_copy(tmp_path: Path) -> Path:
    """A writable copy of every locale's script files."""
    root = tmp_path / "scripts"
    for locale_dir in SCRIPTS_ROOT.iterdir():
        if locale_dir.is_dir() and any(locale_dir.glob("*.yaml")):
            shutil.copytree(locale_dir, root / locale_dir.name)
    return root


@pytest.fixture
def mutate(scripts_copy: Path) -> Mutate:
    """Replace text in one copied file; returns the file and the 1-based line of the new text."""

    def apply(locale: str, name: str, old: str, new: str) -> tuple[Path, int]:
        path = scripts_copy / locale / f"{name}.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= 1, f"{old!r} not in {path}"
        start = text.index(old)
        path.write_text(text[:start] + new + text[start + len(old):], encoding="utf-8")
        return path, text[:start].count("\n") + 1

    return apply
