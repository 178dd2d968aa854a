"""Client-book services: add, edit, view, list and summarise clients (no Telegram here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain import classify, service_events, tiers
from coachbot.domain.calendar import YearlyDate, age_on, next_occurrence
from coachbot.domain.clients import clean_name, clean_tag, clean_text, search_key, search_words
from coachbot.domain.coaching.proposals import Proposal
from coachbot.domain.dates import parse_day, parse_yearly_date
from coachbot.domain.locales import LOCALES
from coachbot.domain.models import (
    GRADES,
    PAYMENT_FREQUENCIES,
    POLICY_SOURCES,
    POLICY_STATUSES,
    PRODUCT_TYPES,
    STAGES,
    Agent,
    Client,
    ClientCard,
    ClientFilter,
    Policy,
    ServiceEvent,
)
from coachbot.domain.phones import normalize_phone
from coachbot.domain.quickadd import parse_quick_add
from coachbot.domain.regions import currency_for
from coachbot.services import records
from coachbot.services.money import month_money
from coachbot.store import Store

PAGE_SIZE = 8
REFERRALS_SHOWN = 3  # names of the clients someone introduced shown on their card
CARD_CONTACTS = 3  # latest contacts shown on the card
SUGGEST_CONTACTS = 20  # latest contacts the stage suggestion weighs
TEXT_FIELDS = ("address", "occupation", "income_band", "family_situation",
               "financial_situation", "notes")
EDITABLE_FIELDS = ("name", "gender", "phone", "birthday", *TEXT_FIELDS, "locale",
                   "contact_every_days", "referred_by")


@dataclass(frozen=True)
class Draft:
    """A client about to be saved."""

    name: str
    phone: str | None = None
    birthday: str | None = None
    gender: str | None = None
    notes: str | None = None
    kind: str = "person"

    def to_values(self) -> dict[str, object]:
        values: dict[str, object] = {"name": self.name, "kind": self.kind}
        for key in ("phone", "birthday", "gender", "notes"):
            value = getattr(self, key)
            if value:
                values[key] = value
        return values

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "phone": self.phone, "birthday": self.birthday,
                "gender": self.gender, "notes": self.notes, "kind": self.kind}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Draft:
        def text(key: str) -> str | None:
            value = data.get(key)
            return str(value) if value else None

        return cls(name=str(data.get("name") or ""), phone=text("phone"),
                   birthday=text("birthday"), gender=text("gender"), notes=text("notes"),
                   kind=str(data.get("kind") or "person"))


@dataclass(frozen=True)
class SaveResult:
    client: Client | None
    duplicates: list[Client] = field(default_factory=list)


def save_client(store: Store, agent_id: int, draft: Draft, *, force: bool = False) -> SaveResult:
    """Save a new client unless it looks like one already in the book (then say which)."""
    if not force:
        duplicates = store.clients.find_duplicates(agent_id, phone=draft.phone, name=draft.name,
                                                   birthday=draft.birthday)
        if duplicates:
            return SaveResult(None, duplicates)
    client = records.add_client(store, agent_id, draft.to_values(),
                                search_key=search_key(draft.name))
    return SaveResult(client)


# -- typed values for a field ----------------------------------------------------------------
@dataclass(frozen=True)
class FieldValue:
    """A field's value parsed from what the agent typed, or the key of what was wrong."""

    value: object = None
    error: str | None = None


def parse_field(store: Store, agent: Agent, field_name: str, typed: str) -> FieldValue:
    """Check a typed value for one of the card's fields."""
    if field_name == "name":
        name = clean_name(typed)
        return FieldValue(name) if name else FieldValue(error="bad_name")
    if field_name == "phone":
        phone = normalize_phone(typed, agent.region if agent.region != "XX" else "CN")
        return FieldValue(phone) if phone else FieldValue(error="bad_phone")
    if field_name == "birthday":
        yearly = parse_yearly_date(typed)
        return FieldValue(yearly.to_storage()) if yearly else FieldValue(error="bad_date")
    if field_name == "contact_every_days":
        digits = typed.strip().rstrip("天日days ").strip()
        if digits.isdigit() and 1 <= int(digits) <= 365:
            return FieldValue(int(digits))
        return FieldValue(error="bad_days")
    if field_name == "referred_by":
        matches = store.clients.search_clients(agent.id, search_words(typed), limit=2)
        if len(matches) == 1:
            return FieldValue(matches[0].id)
        return FieldValue(error="referrer_ambiguous" if matches else "referrer_not_found")
    if field_name in TEXT_FIELDS:
        text = clean_text(typed)
        return FieldValue(text) if text else FieldValue(error="empty")
    return FieldValue(error="unknown_field")


def update_field(store: Store, agent: Agent, client_id: int, field_name: str,
                 value: object) -> Client | None:
    """Save one field of a client (already parsed)."""
    if field_name == "gender" and value not in ("m", "f", None):
        return None
    if field_name == "locale" and value not in (*LOCALES, None):
        return None
    if field_name == "referred_by" and value == client_id:
        return None
    key = search_key(str(value)) if field_name == "name" else None
    return records.update_client(store, agent.id, client_id, {field_name: value}, search_key=key)


def toggle_trait(store: Store, agent_id: int, client: Client, trait: str) -> Client | None:
    traits = set(client.traits) ^ {trait}
    return records.update_client(store, agent_id, client.id, {}, traits=traits)


def set_grade_override(store: Store, agent_id: int, client_id: int, grade: str | None) -> \
        Client | None:
    if grade is not None and grade not in GRADES:
        return None
    return records.update_client(store, agent_id, client_id, {"grade_override": grade})


def set_stage(store: Store, agent_id: int, client_id: int, stage: str | None) -> Client | None:
    if stage is not None and stage not in STAGES:
        return None
    return records.update_client(store, agent_id, client_id, {"stage": stage})


def add_tag(store: Store, agent_id: int, client_id: int, typed: str) -> str | None:
    tag = clean_tag(typed)
    if tag and store.clients.add_tag(agent_id, client_id, tag):
        return tag
    return None


# -- the card ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DateView:
    """A yearly date seen from today: next occurrence, days to go, age then."""

    yearly: YearlyDate
    next_date: date
    days_left: int
    age: int | None  # today, not at the next occurrence


@dataclass(frozen=True)
class CardView:
    """What the card shows about one client."""

    card: ClientCard
    grade: classify.Grade
    tier: str | None
    premium: float
    currency: str
    birthday: DateView | None
    suggested_stage: str | None
    contact_every: int | None
    days_since_contact: int | None
    group: classify.GroupAssessment | None
    design: tiers.TierDesign | None = None  # what a plan for this tier needs (common/tier_design)
    service: tuple[ServiceEvent, ...] = ()  # the latest gatherings and claims
    referral: ServiceEvent | None = None  # a claim paid / gathering attended: ask for a referral
    referred: list[Client] = field(default_factory=list)  # whom this client introduced
    referred_count: int = 0
    proposal: Proposal | None = None  # the latest, whatever its state

    @property
    def client(self) -> Client:
        return self.card.client

    @property
    def referrer(self) -> Client | None:
        """Who introduced this client (介绍人)."""
        return self.card.referrer


def date_view(stored: str | None, today: date) -> DateView | None:
    """A stored yearly date, seen from today."""
    if not stored:
        return None
    yearly = YearlyDate.from_storage(stored)
    upcoming = next_occurrence(yearly, today)
    return DateView(yearly, upcoming, (upcoming - today).days, age_on(yearly, today))


def agent_today(agent: Agent, now: datetime) -> date:
    """Today's date where the agent is."""
    return now.astimezone(ZoneInfo(agent.timezone)).date()


def card_view(store: Store, agent: Agent, client_id: int, now: datetime,
              thresholds: Mapping[str, tuple[int, int]], *,
              client: Client | None = None, just_added: bool = False) -> CardView | None:
    """Gather and compute everything for a client's card; None if not this agent's client
    (`client`: the client as just read in this update, not read again; `just_added`: it was
    inserted in this update, so no record refers to it yet and none is looked for)."""
    if just_added and client is not None and client.id == client_id:
        referrer = store.clients.get_client(agent.id, client.referred_by) \
            if client.referred_by else None
        return _view(ClientCard(client=client, referrer=referrer), agent, now, thresholds)
    # the 20 latest contacts read once: the stage rules weigh them, the card shows 3
    card = store.clients.client_card(agent.id, client_id, contacts=SUGGEST_CONTACTS,
                                     client=client)
    if card is None:
        return None
    referred = store.clients.referred_by(agent.id, client_id, limit=REFERRALS_SHOWN)
    return _view(card, agent, now, thresholds,
                 events=store.service.events_of(agent.id, client_id, limit=20),
                 referred=referred,
                 referred_count=(len(referred) if len(referred) < REFERRALS_SHOWN
                                 else store.clients.count_referred_by(agent.id, client_id)),
                 proposal=store.proposals.latest_by_client(agent.id, [client_id]).get(client_id))


def _view(card: ClientCard, agent: Agent, now: datetime,
          thresholds: Mapping[str, tuple[int, int]], *, events: Sequence[ServiceEvent] = (),
          referred: Sequence[Client] = (), referred_count: int = 0,
          proposal: Proposal | None = None) -> CardView:
    """The card's view computed from what was read (a client saved this moment: its card
    alone, nothing else refers to it yet)."""
    client, contacts = card.client, card.contacts
    today = agent_today(agent, now)
    currency = currency_for(agent.region)
    tier = classify.client_tier(card.policies, currency, thresholds)
    return CardView(
        card=replace(card, contacts=contacts[:CARD_CONTACTS]), grade=classify.grade_of(client),
        tier=tier, premium=classify.total_premium(card.policies), currency=currency,
        birthday=date_view(client.birthday, today),
        suggested_stage=classify.suggest_stage(client, contacts, events, proposal),
        contact_every=classify.contact_every_days(client, tier),
        days_since_contact=(now - client.last_contact_at).days if client.last_contact_at
        else None,
        group=classify.assess_group(client.group_profile, card.roles) if client.is_group
        else None,
        referred=list(referred),
        design=tiers.design_for(tier, tiers.band_of(tier, currency, thresholds)) if tier else None,
        service=tuple(events[:3]), referral=service_events.referral_due(events, today),
        referred_count=referred_count, proposal=proposal,
    )


# -- lists and summaries ----------------------------------------------------------------------
@dataclass(frozen=True)
class ListPage:
    clients: list[Client]
    page: int
    pages: int
    total: int


def list_page(store: Store, agent: Agent, flt: ClientFilter, page: int,
              thresholds: Mapping[str, tuple[int, int]]) -> ListPage:
    """One page of clients; grade and tier filters are computed, the others are SQL."""
    if flt.grade or flt.tier:
        everyone, _ = store.clients.list_clients(agent.id, flt, limit=100_000)
        tiers = tiers_by_client(store, agent, thresholds) if flt.tier else {}
        matching = [c for c in everyone
                    if (not flt.grade or classify.grade_of(c).grade == flt.grade)
                    and (not flt.tier or tiers.get(c.id) == flt.tier)]
        total = len(matching)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        return ListPage(matching[page * PAGE_SIZE:(page + 1) * PAGE_SIZE], page, pages, total)
    _, total = store.clients.list_clients(agent.id, flt, limit=0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    clients, _ = store.clients.list_clients(agent.id, flt, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    return ListPage(clients, page, pages, total)


def tiers_by_client(store: Store, agent: Agent,
                    thresholds: Mapping[str, tuple[int, int]]) -> dict[int, str | None]:
    limits = tiers.limits_for(currency_for(agent.region), thresholds)
    return {client_id: tiers.tier_of(premium, limits, count > 0)
            for client_id, (premium, count) in store.clients.premium_by_client(agent.id).items()}


def book_summary(store: Store, agent: Agent, now: datetime,
                 thresholds: Mapping[str, tuple[int, int]]) -> classify.BookSummary:
    """Counts for /book."""
    clients, _ = store.clients.list_clients(agent.id, limit=1_000_000)
    first, last = classify.month_bounds(agent_today(agent, now))
    zone = ZoneInfo(agent.timezone)
    month: list[Policy] = store.clients.policies_sold_between(
        agent.id, first, last, datetime.combine(first, time(0), zone),
        datetime.combine(last + timedelta(days=1), time(0), zone))
    summary = classify.summarize_book(clients, tiers_by_client(store, agent, thresholds), month)
    return replace(summary, money=month_money(store, agent, now))


# -- policies, family and dates ------------------------------------------------------------------
POLICY_TYPED_FIELDS = ("product", "annual_premium", "start_date", "policy_no", "insured",
                       "holder", "sum_insured", "payment_term_years", "next_due_date",
                       "delivered_date")
POLICY_CHOICE_FIELDS = {"payment_frequency": PAYMENT_FREQUENCIES, "status": POLICY_STATUSES,
                        "product_type": PRODUCT_TYPES, "source": POLICY_SOURCES}
NEW_POLICY_STEPS = ("product", "annual_premium", "start_date")
MAX_AMOUNT = 1_000_000_000_000


def parse_amount(typed: str) -> float | None:
    """An amount of money: "12000", "1.2万", "12,000", "50萬", "5千", "3k"; None if not one."""
    text = typed.strip().replace(",", "").replace("，", "").lower()
    for suffix in ("元", "块", "rmb", "hkd", "sgd", "myr", "twd", "$", "¥"):
        text = text.replace(suffix, "")
    factor = 1.0
    for suffix, multiple in (("万", 1e4), ("萬", 1e4), ("亿", 1e8), ("億", 1e8), ("千", 1e3),
                             ("k", 1e3), ("m", 1e6)):
        if text.endswith(suffix):
            text, factor = text[: -len(suffix)], multiple
            break
    try:
        value = float(text.strip()) * factor
    except ValueError:
        return None
    # + 0.0 turns "-0" into 0.0, which would otherwise be shown as "-¥0.00"
    return round(value, 2) + 0.0 if 0 <= value <= MAX_AMOUNT else None


def parse_policy_field(field_name: str, typed: str, today: date) -> FieldValue:
    """Check a typed value for a policy field."""
    if field_name in ("annual_premium", "sum_insured"):
        amount = parse_amount(typed)
        return FieldValue(amount) if amount is not None else FieldValue(error="bad_amount")
    if field_name in ("start_date", "next_due_date", "delivered_date"):
        day = parse_day(typed, today)
        return FieldValue(day) if day else FieldValue(error="bad_policy_date")
    if field_name == "payment_term_years":
        digits = typed.strip().rstrip("年years ").strip()
        ok = digits.isdigit() and 1 <= int(digits) <= 100
        return FieldValue(int(digits)) if ok else FieldValue(error="bad_years")
    if field_name in POLICY_TYPED_FIELDS:
        text = clean_text(typed, 120)
        return FieldValue(text) if text else FieldValue(error="empty")
    return FieldValue(error="unknown_field")


# -- a family member typed as one line --------------------------------------------------------
@dataclass(frozen=True)
class FamilyDraft:
    """A family member read from one line ("王丽 1987-05-20 女"), as quick add reads a client:
    the name alone, the birthday and gender words taken out; problems are template keys."""

    name: str | None
    birthday: str | None = None  # YearlyDate storage form
    gender: str | None = None
    note: str | None = None
    problems: tuple[str, ...] = ()


def parse_family_line(typed: str, region: str, today: date) -> FamilyDraft:
    """Read a family member's line: "王丽 1987-05-20" is a name and a birthday, not a name."""
    read = parse_quick_add(typed, region if region != "XX" else "CN", today)
    problems = tuple(p for p in read.problems if p != "bad_phone")
    name = clean_name(read.name) if read.name else None
    return FamilyDraft(name or None, read.birthday.to_storage() if read.birthday else None,
                       read.gender, read.note, problems)


def add_family_from_line(store: Store, agent: Agent, client_id: int, relation: str,
                         typed: str, today: date) -> FamilyDraft:
    """Parse the line and save the member when it has a name (check .problems first)."""
    draft = parse_family_line(typed, agent.region, today)
    if draft.name and not draft.problems:
        records.add_family_member(store, agent.id, client_id, relation=relation,
                                  name=draft.name, gender=draft.gender,
                                  birthday=draft.birthday)
    return draft
