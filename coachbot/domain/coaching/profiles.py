"""Which client profile (client type) a client's facts show, so SPIN questions and prep fit them.

decide_profile gives the profile and whether the facts are enough to be sure of it. Rules,
first match wins (each one names its evidence in `reason`):

1. the agent picked the type                          -> that profile            (agent)
2. is_group                                           -> group_corporate         (group)
3. channel == "car_dealer"                            -> car_dealer              (car_dealer)
4. tier "hnw" (tiers.tier_of; from the premium in yuan
   bands when no tier is given), income band "hnw"/
   "very_high", or notes show high net worth          -> high_net_worth          (wealth)
5. owns a business (notes, or an occupation naming an
   owner: 老板, 企业主, 个体, owner, founder...)        -> business_owner          (owner)
6. retired, retiring within 10 years, or age >= 55    -> pre_retiree             (retiring)
7. a child under 18 (records or notes)                -> young_family            (children)
8. age >= 50, or only grown-up children               -> pre_retiree             (late_career)
9. a spouse (no children yet) or a mortgage shared
   with a spouse                                      -> young_family            (spouse)
10. the notes say single (and no children)            -> young_single            (single)
11. otherwise                                         -> young_single, not sure  (thin)

Not sure also when sources disagree on a fact a rule used (two notes, one says married, one
single): the agent is then asked once, and the answer is kept as a fact that wins.
infer_profile is the best guess without the question (the rules above, the old behaviour).
"""

from __future__ import annotations

from dataclasses import dataclass

from coachbot.domain.coaching.facts import ClientFacts
from coachbot.domain.coaching.text import normalize
from coachbot.domain.tiers import DEFAULT_TIER_THRESHOLDS, FALLBACK_CURRENCY, tier_of

HNW_INCOME_BANDS = frozenset({"hnw", "very_high"})
RETIRING_AGE = 55
RETIRING_WITHIN_YEARS = 10
LATE_CAREER_AGE = 50
OWNER_WORDS = (
    "老板", "老闆", "企业主", "企業主", "创业", "創業", "个体", "個體", "自雇", "自僱", "做生意",
    "董事长", "董事長", "总经理", "總經理", "股东", "股東", "合伙人", "合夥人", "东主", "東主",
    "owner", "founder", "co-founder", "proprietor", "self-employed", "entrepreneur", "ceo",
    "business",
)
# The type question's choices, in the order the buttons show them.
PROFILE_CHOICES = ("young_family", "young_single", "business_owner", "pre_retiree",
                   "high_net_worth", "group_corporate", "car_dealer")
# Facts whose disagreement makes the type uncertain.
DECIDING_KEYS = ("spouse", "children", "business_owner", "retired", "high_net_worth",
                 "retire_in_years", "age")


@dataclass(frozen=True)
class ProfileDecision:
    """The client type, whether the facts make it sure, and the rule that decided."""

    profile: str
    sure: bool
    reason: str
    choices: tuple[str, ...] = PROFILE_CHOICES

    @property
    def ask(self) -> bool:
        """Ask the agent which type the client is (once) instead of guessing."""
        return not self.sure


def decide_profile(facts: ClientFacts) -> ProfileDecision:
    """The profile for a client (see the module docstring for the rules)."""
    if facts.profile_choice in PROFILE_CHOICES:
        return ProfileDecision(facts.profile_choice, True, "agent")
    profile, reason = _rules(facts)
    disputed = [key for key in facts.conflicts if key in DECIDING_KEYS]
    sure = reason != "thin" and not disputed
    return ProfileDecision(profile, sure, "conflict" if disputed and reason != "thin"
                           else reason)


def infer_profile(facts: ClientFacts) -> str:
    """The best guess of the profile id, never a question."""
    return decide_profile(facts).profile


def _rules(facts: ClientFacts) -> tuple[str, str]:
    if facts.is_group:
        return "group_corporate", "group"
    if facts.channel == "car_dealer":
        return "car_dealer", "car_dealer"
    if (
        _tier(facts) == "hnw"
        or (facts.income_band or "").lower() in HNW_INCOME_BANDS
        or facts.high_net_worth
    ):
        return "high_net_worth", "wealth"
    if facts.business_owner or (facts.business_owner is None and is_owner(facts.occupation)):
        return "business_owner", "owner"
    age = facts.age
    retiring = facts.retire_in_years is not None and \
        facts.retire_in_years <= RETIRING_WITHIN_YEARS
    if facts.retired or retiring or (age is not None and age >= RETIRING_AGE):
        return "pre_retiree", "retiring"
    if facts.has_minor_children:
        return "young_family", "children"
    if (age is not None and age >= LATE_CAREER_AGE) or facts.has_children:
        return "pre_retiree", "late_career"
    if facts.has_spouse:
        return "young_family", "spouse"
    if facts.spouse_known:
        return "young_single", "single"
    return "young_single", "thin"


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
