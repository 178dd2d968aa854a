"""Plain records of the client book, shared by the store and the domain logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

TRAITS = ("financial", "health", "accepts", "decision")
GRADES = ("A", "B", "C", "D")
STAGES = ("D", "C", "B", "A")  # nurture -> invite -> proposal -> close
TIERS = ("regular", "vip", "hnw")
CHANNELS = ("face", "phone", "message", "event", "other")
RELATIONS = ("spouse", "child", "parent", "other")
DATE_KINDS = ("wedding", "custom")
PAYMENT_FREQUENCIES = ("annual", "semiannual", "quarterly", "monthly")
POLICY_STATUSES = ("active", "pending", "lapsed", "surrendered", "matured", "claimed")
POLICY_SOURCES = ("new", "upsell", "referral")
PRODUCT_TYPES = (
    "life", "critical_illness", "medical", "accident", "annuity", "education", "savings",
    "group", "motor", "property", "other",
)
GROUP_ROLES = ("user", "purchaser", "gatekeeper", "decider")
GROUP_SOURCES = ("direct", "agency", "tender")


@dataclass(frozen=True)
class Client:
    """One client (a person or a group/corporate client) of one agent."""

    id: int
    agent_id: int
    kind: str
    name: str
    gender: str | None = None
    phone: str | None = None
    birthday: str | None = None  # YearlyDate storage form
    address: str | None = None
    occupation: str | None = None
    income_band: str | None = None
    family_situation: str | None = None
    financial_situation: str | None = None
    notes: str | None = None
    locale: str | None = None
    traits: frozenset[str] = frozenset()
    grade_override: str | None = None
    stage: str | None = None
    referred_by: int | None = None
    contact_every_days: int | None = None
    consent_at: datetime | None = None
    consent_scope: str | None = None
    group_profile: dict[str, Any] | None = None
    needs_summary: dict[str, Any] | None = None
    last_contact_at: datetime | None = None
    archived_at: datetime | None = None
    deleted_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    tags: tuple[str, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.kind == "group"


@dataclass(frozen=True)
class FamilyMember:
    id: int
    client_id: int
    relation: str
    name: str
    gender: str | None = None
    birthday: str | None = None


@dataclass(frozen=True)
class ImportantDate:
    id: int
    client_id: int
    kind: str
    label: str | None
    date: str  # YearlyDate storage form


@dataclass(frozen=True)
class Policy:
    id: int
    client_id: int
    product: str
    annual_premium: float = 0.0
    policy_no: str | None = None
    product_type: str | None = None
    insured: str | None = None
    holder: str | None = None
    sum_insured: float | None = None
    currency: str | None = None
    start_date: date | None = None
    payment_term_years: int | None = None
    payment_frequency: str = "annual"
    status: str = "active"
    next_due_date: date | None = None
    delivered_date: date | None = None
    source: str = "new"


@dataclass(frozen=True)
class Contact:
    id: int
    client_id: int
    at: datetime
    channel: str
    summary: str | None = None
    next_step: str | None = None
    next_step_date: date | None = None


@dataclass(frozen=True)
class GroupRole:
    role: str
    person: str | None
    won: bool


@dataclass(frozen=True)
class ClientFilter:
    """What /clients narrows the list by; all optional."""

    grade: str | None = None
    stage: str | None = None
    tier: str | None = None
    tag: str | None = None
    kind: str | None = None  # "group" for group clients
    archived: bool = False


@dataclass
class ClientCard:
    """Everything shown on a client's card."""

    client: Client
    family: list[FamilyMember] = field(default_factory=list)
    dates: list[ImportantDate] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    roles: list[GroupRole] = field(default_factory=list)
    referrer: Client | None = None
