"""A sample context for every template, so each can be rendered and checked in every locale."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from coachbot.domain.models import Agent
from coachbot.domain.plan import activity_plan
from coachbot.domain.tiers import DEFAULT_TIER_THRESHOLDS, design_for_premium

HOSTILE = "<b>Tom & Jerry</b> 😀 &amp; <script>"

SAMPLE_AGENT = Agent(
    id=1, first_name=HOSTILE, username="tom", locale="zh-Hans", region="HK",
    timezone="Asia/Hong_Kong", digest_time="08:00", monthly_target=2,
    onboarded_at=datetime(2026, 1, 1, tzinfo=UTC), blocked_at=None,
    created_at=datetime(2026, 1, 1, tzinfo=UTC), updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    commission_rate=0.275, source_targets={"new": 1, "upsell": 1, "referral": 0},
)

SAMPLES: dict[str, dict[str, Any]] = {
    "common/plan": {"plan": activity_plan(2)},
    # a proposal that moves a VIP client up: the longest form of the partial
    "common/tier_design_short": {"design": design_for_premium(150_000, 80_000, "HKD",
                                                              DEFAULT_TIER_THRESHOLDS)},
    "common/tier_design": {"design": design_for_premium(150_000, 80_000, "HKD",
                                                        DEFAULT_TIER_THRESHOLDS)},
    "common/visit_goal": {"plan": activity_plan(2), "month_visits": 8, "today_visits": 1},
    "onboarding/welcome": {"name": HOSTILE},
    "onboarding/welcome_back": {"agent": SAMPLE_AGENT},
    "onboarding/done": {"agent": SAMPLE_AGENT, "plan": activity_plan(3)},
    "preferences/ask_lang": {"agent": SAMPLE_AGENT, "onboarding": True},
    "preferences/ask_region": {"agent": SAMPLE_AGENT, "onboarding": True},
    "preferences/ask_time": {"agent": SAMPLE_AGENT, "onboarding": False},
    "preferences/ask_target": {"agent": SAMPLE_AGENT, "onboarding": True},
    "preferences/ask_zone": {},
    "preferences/ask_eod": {"agent": SAMPLE_AGENT, "onboarding": False},
    "preferences/ask_tone": {"agent": SAMPLE_AGENT, "onboarding": False},
    "preferences/ask_sign": {"agent": SAMPLE_AGENT, "onboarding": False},
    "preferences/bad_signature": {"typed": HOSTILE},
    "preferences/zone_set": {"agent": SAMPLE_AGENT},
    "preferences/bad_zone": {"typed": HOSTILE},
    "preferences/bad_time": {"typed": HOSTILE},
    "preferences/pick_one": {"typed": HOSTILE},
    "preferences/bad_target": {"typed": HOSTILE},
    "preferences/bad_location": {},
    "preferences/ask_commission": {"agent": SAMPLE_AGENT},
    "preferences/bad_commission": {"typed": HOSTILE},
    "preferences/ask_source_targets": {"agent": SAMPLE_AGENT},
    "preferences/bad_source_targets": {"typed": HOSTILE},
    "preferences/settings": {"agent": SAMPLE_AGENT, "plan": activity_plan(2), "changed": "lang"},
    "general/help": {"sections": [("day", [("help", "帮助"), ("settings", HOSTILE)]),
                                  ("team", [])]},
    "general/cancelled": {"had_dialog": True},
    "general/unknown_command": {"typed": "/" + HOSTILE},
    "general/free_text": {},
    "general/unsupported": {},
    "general/edited": {},
    "general/oops": {},
    "general/stale_button": {},
    "general/slow_down": {},
    "groups/private_only": {"link": "https://t.me/CoachBot?start=x&y=<1>"},
    "groups/hello": {"link": "https://t.me/CoachBot"},
}
