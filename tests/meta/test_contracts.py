"""The import contracts in pyproject.toml (import-linter): they hold, and they catch a breach."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def _lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_import_contracts_hold():
    result = _lint_imports(ROOT, ROOT)
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_domain_module_that_imports_telegram_breaks_the_contracts(tmp_path):
    """The same contracts, on a copy of the package whose date rules import Telegram."""
    shutil.copytree(ROOT / "coachbot", tmp_path / "coachbot",
                    ignore=shutil.ignore_patterns("__pycache__", "*.yaml", "*.json"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    dates = tmp_path / "coachbot" / "domain" / "dates.py"
    dates.write_text(dates.read_text(encoding="utf-8") + "\nimport telegram  # noqa\n",
                     encoding="utf-8")
    result = _lint_imports(tmp_path, tmp_path)
    assert result.returncode != 0
    assert "coachbot.domain is not allowed to import telegram" in result.stdout
    assert "coachbot.domain.dates -> telegram" in result.stdout
