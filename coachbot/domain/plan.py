"""The activity plan a monthly target implies, by the methodology's arithmetic."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

PROSPECTS_PER_CLOSE = 10  # 1:3:10 funnel: ten prospects worked for one close
PROPOSALS_PER_CLOSE = 3  # ... three of them reach a proposal
VISITS_PER_PROSPECT = 4  # a prospect closes after about four visits
WORKING_DAYS = 25
HOURS_PER_VISIT = 1.0
MAX_TARGET = 100


@dataclass(frozen=True)
class ActivityPlan:
    """Monthly and daily activity needed for a target of closed policies.

    The daily target is one figure everywhere (/today, /log, /stats, the team's reports):
    whole visits, rounded up, since nobody makes 3.2 visits. The methodology's 4 is visits
    per prospect (20 prospects x 4 = 80 visits for 2 policies), not visits per close.
    """

    target: int
    proposals: int
    prospects: int
    visits_per_month: int
    visits_per_day: int  # whole visits a working day, rounded up: 80 / 25 = 3.2 -> 4
    exact_visits_per_day: float  # the arithmetic before rounding (3.2)
    hours_per_day: float
    visits_per_prospect: int = VISITS_PER_PROSPECT
    working_days: int = WORKING_DAYS


@lru_cache(maxsize=MAX_TARGET)  # every digest asks; there are only MAX_TARGET answers
def activity_plan(target: int) -> ActivityPlan:
    """2 policies -> 6 proposals -> 20 prospects -> 80 visits -> 3.2, i.e. 4 visits a day."""
    if not 1 <= target <= MAX_TARGET:
        raise ValueError(f"target must be 1..{MAX_TARGET}")
    prospects = target * PROSPECTS_PER_CLOSE
    visits = prospects * VISITS_PER_PROSPECT
    exact = round(visits / WORKING_DAYS, 1)
    per_day = math.ceil(visits / WORKING_DAYS)
    return ActivityPlan(
        target=target,
        proposals=target * PROPOSALS_PER_CLOSE,
        prospects=prospects,
        visits_per_month=visits,
        visits_per_day=per_day,
        exact_visits_per_day=exact,
        hours_per_day=round(per_day * HOURS_PER_VISIT, 1),
    )


def parse_target(text: str) -> int | None:
    """A monthly target typed by the agent ("3", "３", "3件"), or None if it isn't one."""
    match = _TARGET.match(text.translate(_FULLWIDTH))
    if match is None:
        return None
    value = int(match.group(1))
    return value if 1 <= value <= MAX_TARGET else None


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_TARGET = re.compile(r"^\s*(\d{1,3})\s*(件|单|單|张|張|份|policies|policy)?\s*$", re.IGNORECASE)
