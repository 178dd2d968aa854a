"""What the coach knows about a client, flat, and whether a script's `when` conditions fit it.

ClientFacts joins the client's records (age, family members, policies, stage) with the facts
read from what the agent typed (coaching.knowledge): a spouse mentioned in a visit note counts
like one entered as a family member, a policy with another company like one in the book.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from coachbot.domain.coaching.knowledge import PROFILE_KEY, Knowledge
from coachbot.scripts.model import Conditions

ADULT_AGE = 18
# a child's age when only their stage is known (baby, preschool, primary...)
STAGE_AGES = {"baby": 0, "preschool": 4, "primary": 9, "secondary": 15, "university": 20,
              "adult": 25}
MINOR_STAGES = frozenset({"baby", "preschool", "primary", "secondary"})
UNKNOWN_CHILD_AGE, UNKNOWN_GROWN_CHILD_AGE, OLDER_PARENT_AGE = 10, 25, 50
# existing cover from anywhere -> the script library's product ids
COVER_PRODUCTS = {
    "group": ("group_medical", "group_life"), "medical": ("medical",),
    "accident": ("accident",), "critical_illness": ("critical_illness",),
    "life": ("term_life",), "savings": ("endowment",), "education": ("education",),
    "annuity": ("annuity",),
}
SERIOUS = frozenset({"cancer", "stroke", "heart", "chronic", "illness"})


@dataclass
class ClientFacts:
    """Facts about a client, as the client book holds them plus what the agent told the bot.

    stage is a prospect stage letter "A".."D"; tier is "regular", "vip" or "hnw"; channel is
    "car_dealer" for a dealership; policy_products are product ids from spin.yaml. Facts the
    notes leave open are None (spouse_works, business_owner...), or False for plain flags.
    `known` lists the fact keys known from anywhere; `conflicts` those whose sources disagree.
    """

    age: int | None = None
    gender: str | None = None
    occupation: str | None = None
    has_spouse: bool = False
    children_ages: list[int] = field(default_factory=list)
    is_group: bool = False
    channel: str | None = None
    annual_premium_total: float = 0.0
    tier: str | None = None
    stage: str | None = None
    policy_products: list[str] = field(default_factory=list)
    income_band: str | None = None
    spouse_known: bool = False  # whether has_spouse is known (False may mean "not told")
    spouse_works: bool | None = None
    mortgage: bool = False
    loans: bool = False
    sole_breadwinner: bool = False
    business_owner: bool | None = None
    employees: int | None = None
    retired: bool = False
    retire_in_years: int | None = None
    high_net_worth: bool = False
    income_monthly: int | None = None
    health_events: list[tuple[str, str]] = field(default_factory=list)
    existing_cover: list[str] = field(default_factory=list)
    profile_choice: str | None = None  # the client type the agent picked
    known: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    @property
    def has_children(self) -> bool:
        """Whether any child is recorded."""
        return bool(self.children_ages)

    @property
    def has_minor_children(self) -> bool:
        """Whether any child is under 18."""
        return any(age < ADULT_AGE for age in self.children_ages)

    @property
    def has_policies(self) -> bool:
        """Whether the client holds any policy we know of (with us or elsewhere)."""
        return bool(self.policy_products)

    @property
    def earns_alone(self) -> bool:
        """The household lives on the client's income alone."""
        return self.sole_breadwinner or (self.has_spouse and self.spouse_works is False)

    @property
    def family_illness(self) -> bool:
        """A serious illness in the client's own family (or the client's own)."""
        return any(what in SERIOUS for _, what in self.health_events)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClientFacts:
        """Back from to_dict (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        known = {k: v for k, v in data.items() if k in names}
        if "health_events" in known:
            known["health_events"] = [tuple(pair) for pair in known["health_events"]]
        return cls(**known)


def with_knowledge(facts: ClientFacts, knowledge: Knowledge) -> ClientFacts:
    """The client's facts with what the agent's notes, talks and answers add to the records.

    The records win where they say something (a birthday gives the age, family members give
    the spouse and children's ages); the notes fill in what the records leave open.
    """
    value = knowledge.value
    spouse = value("spouse")
    children_ages = list(facts.children_ages)
    if not children_ages:
        children_ages = _children_ages(knowledge, facts.age)
    products = list(facts.policy_products)
    for kind in value("existing_cover", frozenset()):
        products += [p for p in COVER_PRODUCTS.get(kind, ()) if p not in products]
    return replace(
        facts,
        age=facts.age if facts.age is not None else value("age"),
        has_spouse=facts.has_spouse or bool(spouse),
        spouse_known=facts.has_spouse or spouse is not None,
        children_ages=children_ages,
        policy_products=sorted(products),
        spouse_works=value("spouse_works"),
        mortgage=bool(value("mortgage")),
        loans=bool(value("loans")),
        sole_breadwinner=bool(value("sole_breadwinner")),
        business_owner=value("business_owner"),
        employees=value("employees"),
        retired=bool(value("retired")),
        retire_in_years=value("retire_in_years"),
        high_net_worth=bool(value("high_net_worth")),
        income_monthly=value("income_monthly"),
        health_events=sorted(value("health_event", frozenset())),
        existing_cover=sorted(value("existing_cover", frozenset())),
        profile_choice=value(PROFILE_KEY),
        known=sorted(knowledge.facts),
        conflicts=sorted(knowledge.conflicts),
    )


def _children_ages(knowledge: Knowledge, client_age: int | None) -> list[int]:
    given = list(knowledge.value("children_ages", ()))
    count = knowledge.value("children")
    stages = sorted(knowledge.value("child_stage", frozenset()), key=list(STAGE_AGES).index)
    if count == 0:
        return []
    ages = given or [STAGE_AGES[stage] for stage in stages]
    wanted = count if count is not None else len(ages)
    older = client_age is not None and client_age >= OLDER_PARENT_AGE
    filler = UNKNOWN_GROWN_CHILD_AGE if older else UNKNOWN_CHILD_AGE
    ages += [ages[-1] if ages else filler] * max(0, wanted - len(ages))
    return ages[:wanted] if wanted else ages


def fits(when: Conditions, facts: ClientFacts) -> bool:
    """Whether every condition holds; an unknown age passes, an unknown stage or tier does not.

    `unknown` lists fact keys the question asks about: once a fact is known, don't ask it.
    """
    flags = (
        (when.has_children, facts.has_children),
        (when.has_spouse, facts.has_spouse),
        (when.has_policies, facts.has_policies),
        (when.has_mortgage, facts.mortgage),
        (when.sole_earner, facts.earns_alone),
    )
    if any(wanted is not None and wanted != actual for wanted, actual in flags):
        return False
    if when.unknown and set(when.unknown) & set(facts.known):
        return False
    if when.stage and facts.stage not in when.stage:
        return False
    if when.tier and facts.tier not in when.tier:
        return False
    if facts.age is not None:
        if when.age_min is not None and facts.age < when.age_min:
            return False
        if when.age_max is not None and facts.age > when.age_max:
            return False
    owned = set(facts.policy_products)
    if when.has_product and not owned.intersection(when.has_product):
        return False
    return not (when.lacks_product and owned.intersection(when.lacks_product))
