"""Name-list grades, prospect stages and closed-client service plans, by the methodology's rules.

Which tier a premium falls in is decided once, in domain.tiers.
"""

from __future__ import annotations

from coachbot.scripts.model import ClientTier, Stages
from coachbot.scripts.schema import GRADES, STAGES


def grade_name(financial: bool, healthy: bool, accepts: bool, decides: bool) -> str | None:
    """A-D by how many of the four buyer traits a name shows (None when it shows none)."""
    count = sum((financial, healthy, accepts, decides))
    return GRADES[4 - count] if count else None


def next_stage(stage: str) -> str | None:
    """The prospect stage after this one (D -> C -> B -> A), None after A."""
    index = STAGES.index(stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def service_plan(tier: str, stages: Stages) -> ClientTier:
    """The tier's service plan (how, how often in days, what)."""
    return stages.closed_tiers[tier]
