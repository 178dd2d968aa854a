"""Sample contexts for the AI coach's templates."""

from __future__ import annotations

from typing import Any

from coachbot.scripts import load_library

SCENARIO = load_library().get("zh-Hans").scenarios["young_parents"]

SAMPLES: dict[str, dict[str, Any]] = {
    "ai/notice": {"feature": "practice", "reason": "failed"},
    "ai/facts_found": {"client": {"name": "李娜 <b>"},
                       "facts": {"spouse": True, "children": 2, "child_stage": ["primary"],
                                 "health_event": [{"who": "father", "what": "stroke"}]}},
    "ai/facts_saved": {},
    "voice/heard": {"heard": "客户说太太刚生了二胎 <b>"},
    "voice/kept": {"reason": "not_configured"},
    "coaching/practice_typing": {"scenario": SCENARIO, "answer": "我们家三口人"},
}
