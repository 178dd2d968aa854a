"""Sample contexts for the AI coach's templates."""

from __future__ import annotations

from typing import Any

SAMPLES: dict[str, dict[str, Any]] = {
    "ai/notice": {"feature": "practice", "reason": "failed"},
}
