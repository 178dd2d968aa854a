"""Which client profile a client's facts suggest, so SPIN questions and prep fit them.

Rules, first match wins:
1. is_group                                   -> group_corporate
2. channel == "car_dealer"                    -> car_dealer
3. tier "hnw" (tiers.tier_of; from the premium in yuan bands when no tier is given),
   or income_band "hnw"/"very_high"           -> high_net_worth
4. occupation names an owner (老板, 企业主, 创业, 个体, owner, founder, self-employed...)
                                              -> business_owner
5. age >= 55                                  -> pre_retiree
6. any child under 18                         -> young_family
7. age >= 50, or only grown-up children       -> pre_retiree
8. has a spouse (no children yet)             -> young_family
9. otherwise                                  -> young_single
"""

from __future__ import annotations

from coachbot.domain.coaching.facts import ClientFacts
from coachbot.domain.coaching.text import normalize
from coachbot.domain.tiers import DEFAULT_TIER_THRESHOLDS, FALLBACK_CURRENCY, tier_of

HNW_INCOME_BANDS = frozenset({"hnw", "very_high"})
RETIRING_AGE = 55
LATE_CAREER_AGE = 50
OWNER_WORDS = (
    "老板", "老闆", "企业主", "企業主", "创业", "創業", "个体", "個體", "自雇", "自僱", "做生意",
    "董事长", "董事長", "总经理", "總經理", "股东", "股東", "合伙人", "合夥人", "东主", "東主",
    "owner", "founder", "co-founder", "proprietor", "self-employed", "entrepreneur", "ceo",
    "business",
)


def infer_profile(facts: ClientFacts) -> str:
    """The profile id for a client (see the module docstring for the rules)."""
    if facts.is_group:
        return "group_corporate"
    if facts.channel == "car_dealer":
        return "car_dealer"
    if _tier(facts) == "hnw" or (facts.income_band or "").lower() in HNW_INCOME_BANDS:
        return "high_net_worth"
    if is_owner(facts.occupation):
        return "business_owner"
    age = facts.age
    if age is not None and age >= RETIRING_AGE:
        return "pre_retiree"
    if facts.has_minor_children:
        return "young_family"
    if (age is not None and age >= LATE_CAREER_AGE) or facts.has_children:
        return "pre_retiree"
    return "young_family" if facts.has_spouse else "young_single"


def _tier(facts: ClientFacts) -> str | None:
    """The client's tier; facts built without one (practice, tests) get it from the same rule."""
    if facts.tier is not None:
        return facts.tier
    premium = facts.annual_premium_total
    return tier_of(premium, DEFAULT_TIER_THRESHOLDS[FALLBACK_CURRENCY], premium > 0)


def is_owner(occupation: str | None) -> bool:
    """Whether an occupation, as typed by the agent, names a business owner."""
    text = normalize(occupation or "")
    return any(word in text for word in OWNER_WORDS)
