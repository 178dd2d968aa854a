"""What the agent knows about a client, and whether a script's `when` conditions fit it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from coachbot.scripts.model import Conditions

ADULT_AGE = 18


@dataclass
class ClientFacts:
    """Plain facts about a client, as the client book holds them.

    stage is a prospect stage letter "A".."D"; tier is "regular", "vip" or "hnw";
    channel is "car_dealer" for a dealership; policy_products are product ids from spin.yaml.
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
        """Whether the client holds any policy we know of."""
        return bool(self.policy_products)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClientFacts:
        """Back from to_dict (unknown keys are ignored)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def fits(when: Conditions, facts: ClientFacts) -> bool:
    """Whether every condition holds; an unknown age passes, an unknown stage or tier does not."""
    flags = (
        (when.has_children, facts.has_children),
        (when.has_spouse, facts.has_spouse),
        (when.has_policies, facts.has_policies),
    )
    if any(wanted is not None and wanted != actual for wanted, actual in flags):
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
