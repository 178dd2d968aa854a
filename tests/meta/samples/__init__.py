"""Sample contexts for every template, one module per feature, merged here."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from tests.meta.samples.general import HOSTILE, SAMPLE_AGENT

SAMPLES: dict[str, dict[str, Any]] = {}
for _module in pkgutil.iter_modules(__path__):
    SAMPLES.update(importlib.import_module(f"{__name__}.{_module.name}").SAMPLES)

__all__ = ["HOSTILE", "SAMPLES", "SAMPLE_AGENT"]
