"""Plain records of the client book, shared by the store and the domain logic."""

from __future__ import annotations

from collections.abc import Mapping
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
# Service that moves a client (服务三要素): client gatherings (客户联谊会, VIP events) and help
# with claims, policy servicing (保全) and renewals (续期). Each kind's statuses, first one first.
SERVICE_STATUSES: dict[str, tuple[str, ...]] = {
    "gathering": ("invited", "attended", "missed"),
    "claim": ("filed", "paid", "declined"),
    "servicing": ("open", "done"),
    "renewal": ("open", "done"),
}
ORIGINS = ("warm", "referral", "cold")  # where a prospect came from: 缘故 / 转介绍 / 陌生
DEFAULT_COMMISSION_RATE = 0.35  # the methodology's example rate (first-year commission)


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
    origin: str | None = None  # ORIGINS: 缘故 / 转介绍 / 陌生
    # field -> the value an import could not read, as typed in the file (until filled in)
    raw_values: Mapping[str, str] = field(default_factory=dict, hash=False)

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


# -- what the store keeps about agents, dialogs, coaching and the outbox --------------------
@dataclass(frozen=True)
class Agent:
    """An agent's profile and settings."""

    id: int
    first_name: str
    username: str | None
    locale: str
    region: str
    timezone: str
    digest_time: str
    monthly_target: int
    onboarded_at: datetime | None
    blocked_at: datetime | None
    created_at: datetime
    updated_at: datetime
    tone: str = "warm"
    signature: str | None = None
    eod_time: str = "20:30"
    quiet_start: str = "22:00"
    quiet_end: str = "07:30"
    last_digest_date: str | None = None
    last_eod_date: str | None = None
    commission_rate: float = DEFAULT_COMMISSION_RATE
    # monthly policy targets per business source (new / upsell / referral); None until set
    source_targets: Mapping[str, int] | None = None

    @property
    def onboarded(self) -> bool:
        return self.onboarded_at is not None


@dataclass(frozen=True)
class Dialog:
    """Which flow an agent is in, at which step, with what collected so far."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceEvent:
    """A gathering a client was invited to, or a claim / servicing request the agent helped with.

    `day` is the gathering's date or the day the request was filed; `resolved_on` the day it
    was attended, paid, declined or done (None while still open).
    """

    id: int
    client_id: int
    kind: str
    status: str
    title: str | None
    day: date
    resolved_on: date | None = None


@dataclass(frozen=True)
class CoachingRecord:
    """One stored coaching session (its state is the coaching module's dict)."""

    id: int
    agent_id: int
    client_id: int | None
    kind: str
    ref: str
    state: dict[str, Any]
    status: str


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    agent_id: int
    chat_id: int
    kind: str
    key: str
    payload: dict[str, Any]
    due_at: datetime
    late: bool
    attempts: int


@dataclass(frozen=True)
class NewClient:
    """A client an import adds."""

    values: Mapping[str, Any]  # CLIENT_FIELDS names
    search_key: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClientFill:
    """What an import adds to a client already in the book: empty fields and new tags."""

    client_id: int
    values: Mapping[str, Any]  # FILLABLE_FIELDS names
    tags: tuple[str, ...] = ()
    raw_values: Mapping[str, str] = field(default_factory=dict)  # unreadable, as typed


@dataclass(frozen=True)
class ImportCounts:
    """What an import did: clients added, clients filled in, and every client it touched."""

    added: int
    filled: int
    touched: tuple[int, ...] = ()
