"""Closed-client tiers (普客 / 贵宾 / 高客): the premium bands, and what a plan needs at each.

The one place the tier rule lives: the card, the book, the reviews, the coaching and the
derived schedule all reach it through `tier_of` (classify.client_tier wraps it for policies).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coachbot.domain.models import TIERS

# The methodology's bands, per currency (annual premium). Its figures are in yuan: 普客 under
# 2万, 贵宾 2万-20万, 高客 20万-200万. Other currencies get roughly equivalent round numbers.
# A deployment may override them (config.Settings.tier_thresholds); this is the default.
DEFAULT_TIER_THRESHOLDS: dict[str, tuple[int, int]] = {
    "CNY": (20_000, 200_000),
    "HKD": (20_000, 200_000),
    "TWD": (90_000, 900_000),
    "SGD": (4_000, 40_000),
    "MYR": (12_000, 120_000),
}
FALLBACK_CURRENCY = "CNY"

# What a plan needs at each tier, in the order to build it. 普客: first "have" (有), then
# "complete" (全), with an eye on value for money. 贵宾 adds "enough" (足), personal add-ons and a
# better service experience. 高客 plans around legal, inheritance and return questions with the
# company's high-end services - and the basic service a 普客 gets is never skipped.
TIER_DESIGN: dict[str, tuple[str, ...]] = {
    "regular": ("have", "complete", "value"),
    "vip": ("have", "complete", "enough", "personal", "experience"),
    "hnw": ("legal", "inheritance", "returns", "high_end", "basics"),
}


def limits_for(currency: str, thresholds: Mapping[str, tuple[int, int]]) -> tuple[int, int]:
    """(vip_from, hnw_from) for a currency; the yuan bands when the currency has none."""
    return thresholds.get(currency) or thresholds.get(FALLBACK_CURRENCY) \
        or DEFAULT_TIER_THRESHOLDS[FALLBACK_CURRENCY]


def tier_of(premium: float, limits: tuple[int, int], has_policies: bool) -> str | None:
    """普客 / 贵宾 / 高客 by total annual premium; None while the client has no live policy.

    Each boundary belongs to the band it opens: 20,000 is already 贵宾 and 200,000 is already
    高客, as "2万-20万" and "20万-200万" read. The material names no tier above 200万, so a
    client paying more stays 高客 (their plan and service are the 高客 ones, only larger).
    """
    if not has_policies:
        return None
    vip_from, hnw_from = limits
    if premium >= hnw_from:
        return "hnw"
    if premium >= vip_from:
        return "vip"
    return "regular"


@dataclass(frozen=True)
class TierBand:
    """A tier's premium band in one currency (high None: no upper end)."""

    low: int
    high: int | None
    currency: str


def band_of(tier: str, currency: str, thresholds: Mapping[str, tuple[int, int]]) -> TierBand:
    """Where a tier starts and ends in the agent's currency."""
    vip_from, hnw_from = limits_for(currency, thresholds)
    low, high = {"regular": (0, vip_from), "vip": (vip_from, hnw_from),
                 "hnw": (hnw_from, None)}[tier]
    return TierBand(low, high, currency)


@dataclass(frozen=True)
class TierDesign:
    """What a plan for a client of this tier has to cover (keys of TIER_DESIGN's values).

    `band` is given when the currency is known; `current` is the tier the client is in today
    when a planned premium (a proposal) would move them to another one.
    """

    tier: str
    needs: tuple[str, ...]
    band: TierBand | None = None
    current: str | None = None

    @property
    def moves_up(self) -> bool:
        """The planned premium takes the client into a higher tier."""
        return self.current is not None and TIERS.index(self.tier) > TIERS.index(self.current)


def design_for(tier: str | None, band: TierBand | None = None,
               current: str | None = None) -> TierDesign | None:
    """The design focus of a tier, or None for a client who has not bought yet."""
    if tier not in TIER_DESIGN:
        return None
    return TierDesign(tier, TIER_DESIGN[tier], band, current if current != tier else None)


def design_for_premium(premium: float, planned: float, currency: str,
                       thresholds: Mapping[str, tuple[int, int]]) -> TierDesign | None:
    """The design focus for a client paying `premium` a year who would add `planned` a year."""
    limits = limits_for(currency, thresholds)
    current = tier_of(premium, limits, premium > 0)
    tier = tier_of(premium + planned, limits, premium + planned > 0)
    if tier is None:
        return None
    return design_for(tier, band_of(tier, currency, thresholds), current)
