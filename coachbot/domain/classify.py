"""The methodology's classifications: name-list grade, prospect stage, client tier, groups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from coachbot.domain import service_events
from coachbot.domain.coaching.proposals import Proposal, stage_for
from coachbot.domain.models import (
    GRADES,
    ORIGINS,
    STAGES,
    Client,
    Contact,
    GroupRole,
    Policy,
    ServiceEvent,
)
from coachbot.domain.money import MoneyView
from coachbot.domain.plan import ActivityPlan
from coachbot.domain.tiers import limits_for, tier_of

# four traits ticked = A, three = B, two = C, one = D
GRADE_BY_TRAIT_COUNT = {4: "A", 3: "B", 2: "C", 1: "D"}
# how often to be in touch (days), by tier; the agent may set a client's own frequency
TIER_CONTACT_DAYS = {"regular": 90, "vip": 30, "hnw": 14}
STAGE_CONTACT_DAYS = {"D": 7, "C": 14, "B": 7, "A": 3}  # D: meet nurture prospects often
LIVE_POLICY_STATUSES = frozenset({"active", "pending"})
CREDIT_WEIGHTS = {"potential": 0.50, "negative": 0.25, "reputation": 0.15, "operations": 0.10}
MAX_LOSS_RATIO = 0.40
MAX_EXPENSE_RATIO = 0.23


@dataclass(frozen=True)
class Grade:
    """A name-list grade and why: the traits ticked, and whether the agent overrode it."""

    grade: str | None
    from_traits: str | None
    traits: frozenset[str]
    overridden: bool


def grade_of(client: Client) -> Grade:
    """A-D from the four traits, unless the agent set the grade by hand."""
    from_traits = GRADE_BY_TRAIT_COUNT.get(len(client.traits))
    if client.grade_override in GRADES:
        return Grade(client.grade_override, from_traits, client.traits,
                     client.grade_override != from_traits)
    return Grade(from_traits, from_traits, client.traits, False)


def total_premium(policies: Iterable[Policy]) -> float:
    """Annual premium over the client's live policies."""
    return sum(p.annual_premium for p in policies if p.status in LIVE_POLICY_STATUSES)


def client_tier(
    policies: Sequence[Policy], currency: str, thresholds: Mapping[str, tuple[int, int]]
) -> str | None:
    """The tier of a closed client, in the agent's currency (the rule: tiers.tier_of)."""
    live = [p for p in policies if p.status in LIVE_POLICY_STATUSES]
    return tier_of(total_premium(live), limits_for(currency, thresholds), bool(live))


def contact_every_days(client: Client, tier: str | None) -> int | None:
    """How often this client should hear from the agent."""
    if client.contact_every_days:
        return client.contact_every_days
    if tier is not None:
        return TIER_CONTACT_DAYS[tier]
    if client.stage in STAGE_CONTACT_DAYS:
        return STAGE_CONTACT_DAYS[client.stage]
    return None


def suggest_stage(client: Client, contacts: Sequence[Contact],
                  events: Sequence[ServiceEvent] = (),
                  proposal: Proposal | None = None) -> str | None:
    """A stage move what happened suggests, or None. Stages only move forward here.

    D -> C: met three times, or already invited to a gathering (inviting is what C is for);
    C -> B: came to a gathering, or a proposal is being prepared for them;
    B -> A: only the proposal decides: explained, and no objection left open (meetings and
    gatherings alone never make an A). A contact logged with the "event" channel counts as a
    gathering attended, as it always did.
    """
    if client.is_group or client.stage is None:
        return None
    from_proposal = stage_for(proposal, client.stage)
    if from_proposal is not None:
        return from_proposal
    meetings = [c for c in contacts if c.channel == "face"]
    came = service_events.attended(events) or any(c.channel == "event" for c in contacts)
    if client.stage == "D" and (len(meetings) >= 3 or service_events.invited(events)):
        return "C"
    if client.stage == "C" and came:
        return "B"  # came to an event: time to mine needs and prepare a proposal
    return None


def next_stage(stage: str | None) -> str | None:
    """The stage after this one (D -> C -> B -> A)."""
    if stage is None:
        return "D"
    index = STAGES.index(stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


@dataclass(frozen=True)
class GroupAssessment:
    """How a group client scores: credit, value checks and the 1+2+1 model."""

    credit_score: float | None
    loss_ratio_ok: bool | None
    expense_ratio_ok: bool | None
    roles_won: int
    roles_known: int
    has_guide: bool

    @property
    def one_two_one(self) -> bool:
        """One guide inside, two key roles won (the "+1" is the agent's own work)."""
        return self.has_guide and self.roles_won >= 2


def credit_score(scores: Mapping[str, float]) -> float | None:
    """Potential 50% + negative records 25% + reputation 15% + operations 10% (each 0-100)."""
    if not all(key in scores for key in CREDIT_WEIGHTS):
        return None
    return round(sum(float(scores[key]) * weight for key, weight in CREDIT_WEIGHTS.items()), 1)


def assess_group(
    profile: Mapping[str, object] | None, roles: Sequence[GroupRole]
) -> GroupAssessment:
    """The group client's scorecard from its profile and the four roles."""
    profile = profile or {}
    credit = profile.get("credit")
    scores: Mapping[str, float] = credit if isinstance(credit, Mapping) else {}
    loss = _ratio(profile.get("loss_ratio"))
    expense = _ratio(profile.get("expense_ratio"))
    return GroupAssessment(
        credit_score=credit_score(scores),
        loss_ratio_ok=None if loss is None else loss <= MAX_LOSS_RATIO,
        expense_ratio_ok=None if expense is None else expense <= MAX_EXPENSE_RATIO,
        roles_won=sum(1 for r in roles if r.won),
        roles_known=sum(1 for r in roles if r.person),
        has_guide=bool(profile.get("guide")),
    )


def _ratio(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class BookSummary:
    """Counts for /book: grades, stages, tiers, groups, the month's funnel and sources."""

    total: int
    grades: dict[str, int]
    stages: dict[str, int]
    tiers: dict[str, int]
    groups: int
    closes_this_month: int
    proposals: int
    prospects: int
    sources: dict[str, int]
    origins: dict[str, int] = field(default_factory=dict)  # clients by origin (缘故 ...)
    money: MoneyView | None = None  # the month in money (services.money.month_money)


def summarize_book(
    clients: Sequence[Client], tiers: Mapping[int, str | None], month_policies: Sequence[Policy],
) -> BookSummary:
    """Count a book; `tiers` maps client id to tier, `month_policies` are this month's sales."""
    grades = dict.fromkeys(GRADES, 0)
    stages = dict.fromkeys(STAGES, 0)
    tier_counts = {"regular": 0, "vip": 0, "hnw": 0}
    groups = 0
    for client in clients:
        if client.is_group:
            groups += 1
            continue
        grade = grade_of(client).grade
        if grade:
            grades[grade] += 1
        if client.stage in stages:
            stages[client.stage] += 1
        tier = tiers.get(client.id)
        if tier:
            tier_counts[tier] += 1
    sources = {"new": 0, "upsell": 0, "referral": 0}
    for policy in month_policies:
        sources[policy.source] = sources.get(policy.source, 0) + 1
    origins = dict.fromkeys(ORIGINS, 0)
    for client in clients:
        if client.origin in origins:
            origins[client.origin] += 1
    return BookSummary(
        total=len(clients), grades=grades, stages=stages, tiers=tier_counts, groups=groups,
        closes_this_month=len(month_policies), proposals=stages["B"] + stages["A"],
        prospects=sum(stages.values()), sources=sources, origins=origins,
    )


def month_bounds(today: date) -> tuple[date, date]:
    """First and last day of today's month."""
    first = today.replace(day=1)
    next_first = (first.replace(year=first.year + 1, month=1) if first.month == 12
                  else first.replace(month=first.month + 1))
    return first, date.fromordinal(next_first.toordinal() - 1)


@dataclass(frozen=True)
class FunnelGap:
    """How far this month's funnel is from what the target needs (never negative)."""

    prospects: int
    proposals: int
    closes: int


def activity_needed(summary: BookSummary, plan: ActivityPlan) -> FunnelGap:
    """What is still missing against the 1:3:10 plan."""
    return FunnelGap(
        prospects=max(0, plan.prospects - summary.prospects),
        proposals=max(0, plan.proposals - summary.proposals),
        closes=max(0, plan.target - summary.closes_this_month),
    )
