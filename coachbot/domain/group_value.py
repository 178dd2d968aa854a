"""What a group (corporate) client is worth, by the training material's classification.

Group clients are classified by premium scale (the top 30% of group premium), by source
(direct, agency/broker, tender) and by profitability (good, average, poor); a client is worth
the most effort for its economic value (a large premium that makes money) or its social value
(a name that builds our brand in its industry). The rules of thumb for a worthwhile account:
non-marine sum insured around 100-200 million yuan, loss ratio at most 40%, expense ratios
(销售二率) at most 23%; in motor, compulsory cover (交强险) under 20% of motor premium and
fleet (group motor) clients at least 30%.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coachbot.domain.classify import MAX_EXPENSE_RATIO, MAX_LOSS_RATIO

TOP_PREMIUM_SHARE = 0.30
# yuan; the service scales it to the agent's currency as the tier bands are scaled
SUM_INSURED_MARK = (100_000_000, 200_000_000)
MAX_COMPULSORY_SHARE = 0.20  # strictly under: "交强险 share under 20%"
MIN_GROUP_MOTOR_SHARE = 0.30
PROFIT_LEVELS = ("good", "average", "poor")


@dataclass(frozen=True)
class PremiumRank:
    """The client's live annual premium and its place among the agent's group clients."""

    premium: float
    rank: int | None  # 1 = the largest; None while the client has no premium
    of: int  # group clients with premium
    top: bool | None  # in the top 30% by premium; None while it has no premium


def premium_rank(client_id: int, premiums: Mapping[int, float]) -> PremiumRank:
    """Rank one group client by premium among all of the agent's group clients (ties share)."""
    own = premiums.get(client_id, 0.0)
    paying = [p for p in premiums.values() if p > 0]
    if own <= 0:
        return PremiumRank(own, None, len(paying), None)
    rank = 1 + sum(1 for p in paying if p > own)
    # the top 30% of the group book, at least one client: a single group client is its top
    cutoff = max(1, math.ceil(len(paying) * TOP_PREMIUM_SHARE))
    return PremiumRank(own, rank, len(paying), rank <= cutoff)


@dataclass(frozen=True)
class Check:
    """One rule of thumb: the client's figure, and whether it passes (None: not known yet)."""

    value: float | None
    ok: bool | None


@dataclass(frozen=True)
class GroupValue:
    """A group client's classification and rules-of-thumb checks, for the group panel."""

    premium: PremiumRank
    source: str | None
    profit: str | None
    social: bool
    sum_insured: Check
    sum_insured_mark: tuple[float, float]  # in the agent's currency
    loss_ratio: Check
    expense_ratio: Check
    compulsory_share: Check
    group_motor_share: Check

    @property
    def economic(self) -> bool | None:
        """A large premium that makes money: top 30% and not poorly profitable.

        None while either half is unknown (no premium yet, profitability not judged).
        """
        if self.premium.top is False or self.profit == "poor":
            return False
        if self.premium.top is None or self.profit is None:
            return None
        return True

    @property
    def key(self) -> bool:
        """Worth key-account effort: economic value, or social value."""
        return bool(self.economic) or self.social


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _at_most(value: float | None, limit: float) -> Check:
    return Check(value, None if value is None else value <= limit)


def group_value(profile: Mapping[str, Any] | None, rank: PremiumRank,
                scale: float = 1.0) -> GroupValue:
    """Classify a group client from its profile and premium rank (`scale`: yuan -> currency)."""
    profile = profile or {}
    sum_insured = _number(profile.get("sum_insured"))
    low, high = (mark * scale for mark in SUM_INSURED_MARK)
    compulsory = _number(profile.get("compulsory_share"))
    fleet = _number(profile.get("group_motor_share"))
    profit = profile.get("profit")
    return GroupValue(
        premium=rank,
        source=profile.get("source"),
        profit=profit if profit in PROFIT_LEVELS else None,
        social=bool(profile.get("social")),
        # "around 100-200 million": the lower mark is what makes an account worth the work
        sum_insured=Check(sum_insured, None if sum_insured is None else sum_insured >= low),
        sum_insured_mark=(low, high),
        loss_ratio=_at_most(_number(profile.get("loss_ratio")), MAX_LOSS_RATIO),
        expense_ratio=_at_most(_number(profile.get("expense_ratio")), MAX_EXPENSE_RATIO),
        compulsory_share=Check(compulsory,
                               None if compulsory is None else compulsory < MAX_COMPULSORY_SHARE),
        group_motor_share=Check(fleet, None if fleet is None else fleet >= MIN_GROUP_MOTOR_SHARE),
    )
