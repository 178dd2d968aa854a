"""What the coach knows about a client: read the client's texts into facts, show and edit them.

Sources read (each with its kind and date, so the card can say "两个孩子 · 来自 12/3 拜访记录"):
the client's notes (quick-add leftovers), text fields (occupation, family and financial
situation), every contact's summary (visits, calls, messages, forwarded messages), and the
client's answers in SPIN talks. services.records re-reads the one source a write touches;
read_client re-reads them all (on opening SPIN or prep, and once for clients added before
facts existed: read_book).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from coachbot.domain.coaching import knowledge as kn
from coachbot.domain.coaching.extract import (
    CHILD_STAGES,
    COVER_KINDS,
    HEALTH_WHAT,
    HEALTH_WHO,
    SET_KEYS,
    extract,
)
from coachbot.domain.coaching.knowledge import Fact, Knowledge, know, value_from_json
from coachbot.domain.coaching.numbers import find_amounts, to_int
from coachbot.domain.coaching.profiles import PROFILE_CHOICES
from coachbot.domain.models import Client, Contact
from coachbot.store import Store

TEXT_FIELDS = ("occupation", "family_situation", "financial_situation")
NOTES_REF = "notes"
READ_FIELDS = ("notes", *TEXT_FIELDS)  # the card's fields read for facts
FORWARD_MARKS = ("转发", "轉發", "fwd", "forwarded", "fw:")
MAX_CONTACTS_READ = 200
READ_BATCH = 250  # clients per trip to the worker thread; their facts then take ~50 ms to write
# what kind of value each fact key holds, for the agent's corrections
BOOL_KEYS = ("spouse", "spouse_works", "mortgage", "loans", "business_owner", "retired",
             "sole_breadwinner", "high_net_worth")
INT_KEYS = ("children", "employees", "age", "retire_in_years", "mortgage_monthly",
            "income_monthly")
CHOICES: dict[str, tuple[str, ...]] = {
    "child_stage": CHILD_STAGES, "existing_cover": COVER_KINDS,
    "occupation": ("nurse", "engineer", "civil_servant", "driver", "teacher", "sales",
                   "cashier", "admin", "doctor", "accountant"),
    "industry": ("garment", "restaurant", "logistics", "trading", "construction", "beauty",
                 "retail", "manufacturing", "tech"),
    kn.PROFILE_KEY: PROFILE_CHOICES,
}
KEYS = kn.KEYS  # every key a fact may have (the client type included)
# how the agent gives a fact's value on the card (fact_input)
YES_NO, CHOICE, TOGGLE, PAIRS, TYPED = "yes_no", "choice", "toggle", "pairs", "typed"
NO_COVER = "none"  # the existing_cover choice "no insurance at all" (the empty set)


# -- reading ----------------------------------------------------------------------------------
Read = tuple[str, str, list[Fact]]  # (source kind, ref, what it says now)


def read_fields(store: Store, agent_id: int, client: Client,
                names: Collection[str] | None = None, *, zone: str | None = None) -> None:
    """Re-read the client's notes and text fields (only `names` when given: what a write
    changed). zone: the agent's time zone, if the caller has the agent."""
    zone = zone or _zone(store, agent_id)
    _save_reads(store, agent_id, client.id, _field_reads(client, names, zone))


def _field_reads(client: Client, names: Collection[str] | None, zone: str) -> list[Read]:
    on = _local_day(zone, client.updated_at or client.created_at)
    return [(kind, ref, _facts(text, kind, ref, on))
            for field, kind, ref, text in _field_texts(client)
            if names is None or field in names]


def _field_texts(client: Client) -> Iterator[tuple[str, str, str, str | None]]:
    """The client's own texts the coach reads: (field, source kind, ref, text)."""
    yield "notes", kn.NOTE, NOTES_REF, client.notes
    for name in TEXT_FIELDS:
        yield name, kn.FIELD, f"field:{name}", getattr(client, name)


async def read_clients(store: Store, agent_id: int, client_ids: Sequence[int]) -> int:
    """Read the notes and text fields of many clients into facts (those an import just added
    or filled in: their contacts and talks are not new, so read_fields' part is all there is
    to read). The rules take ~0.2 ms a text, seconds for a 5,000-row list, so they run in a
    worker thread READ_BATCH clients at a time, and each batch's facts are written in two
    statements back on the bot's thread (the only one using the connection): other chats are
    answered in between. The number of clients the coach now knows something about."""
    zone = _zone(store, agent_id)
    known = 0
    for start in range(0, len(client_ids), READ_BATCH):
        texts = [(client.id, kind, ref, text, _local_day(zone, client.updated_at or
                                                         client.created_at))
                 for client in store.clients.clients_by_ids(
                     agent_id, client_ids[start:start + READ_BATCH])
                 for _, kind, ref, text in _field_texts(client) if text]
        read = await asyncio.to_thread(_read_texts, texts)
        store.facts.replace_sources(agent_id, [
            (client_id, kind, ref, facts)
            for (client_id, kind, ref, _, _), facts in zip(texts, read, strict=True)])
        known += len({item[0] for item, facts in zip(texts, read, strict=True) if facts})
    return known


def _read_texts(texts: Sequence[tuple[int, str, str, str, date | None]]) -> list[list[Fact]]:
    """The facts of each text (pure: no database, safe in a worker thread)."""
    return [_facts(text, kind, ref, on) for _, kind, ref, text, on in texts]


def read_contact(store: Store, agent_id: int, client_id: int, contact: Contact, *,
                 zone: str | None = None) -> None:
    """Re-read one contact's summary (a visit log, a call, a forwarded message)."""
    _save_reads(store, agent_id, client_id,
                _contact_reads(contact, zone or _zone(store, agent_id)))


def _contact_reads(contact: Contact, zone: str) -> list[Read]:
    source = contact_source(contact)
    ref = f"contact:{contact.id}"
    facts = _facts(contact.summary, source, ref, _local_day(zone, contact.at))
    # the same contact read before under another kind (a summary edited into a forward)
    reads: list[Read] = [(kind, ref, []) for kind in
                         sorted({kn.VISIT, kn.CALL, kn.MESSAGE, kn.FORWARD} - {source})]
    reads.append((source, ref, facts))
    return reads


def read_spin_answer(store: Store, agent_id: int, client_id: int, record_id: int, index: int,
                     text: str, at: datetime, *, zone: str | None = None) -> None:
    """Read one SPIN answer (the client's own words: "我" is the client)."""
    source, ref, facts = _spin_read(record_id, index, text, at,
                                    zone or _zone(store, agent_id))
    store.facts.replace_source(agent_id, client_id, source, ref, facts)


def _spin_read(record_id: int, index: int, text: str, at: datetime, zone: str) -> Read:
    ref = f"spin:{record_id}:{index}"
    found = extract(text, first_person=True) if text else {}
    return kn.SPIN, ref, kn.from_findings(found, kn.SPIN, ref, _local_day(zone, at))


def read_client(store: Store, agent_id: int, client_id: int) -> Knowledge | None:
    """Re-read every source of one client; what the coach now knows (None: not theirs)."""
    client = store.clients.get_client(agent_id, client_id)
    if client is None:
        return None
    zone = _zone(store, agent_id)
    with store.atomic():
        reads = _field_reads(client, None, zone)
        contacts = store.clients.contacts_of(agent_id, client_id, limit=MAX_CONTACTS_READ)
        for contact in contacts:
            reads += _contact_reads(contact, zone)
        refs = [f"contact:{c.id}" for c in contacts]
        for record in store.coaching.sessions_of(agent_id, "spin", client_id=client_id,
                                                 limit=50):
            for index, answer in enumerate(record.state.get("answers", ())):
                at = datetime.fromisoformat(answer["at"])
                reads.append(_spin_read(record.id, index, answer.get("text", ""), at, zone))
                refs.append(f"spin:{record.id}:{index}")
        # every source in two statements (one by one: four per contact)
        _save_reads(store, agent_id, client_id, reads)
        store.facts.drop_sources(agent_id, client_id, (kn.VISIT, kn.CALL, kn.MESSAGE,
                                                       kn.FORWARD, kn.SPIN), refs)
    return knowledge_of(store, agent_id, client_id)


def read_book(store: Store, agent_id: int) -> int:
    """Read every client of an agent (once, for books kept before facts existed)."""
    clients, _ = store.clients.list_clients(agent_id, limit=1_000_000)
    for client in clients:
        read_client(store, agent_id, client.id)
    return len(clients)


def knowledge_of(store: Store, agent_id: int, client_id: int) -> Knowledge:
    """The stored facts of a client, merged (agent's word first, newest source next)."""
    return know(store.facts.facts_of(agent_id, client_id))


def contact_source(contact: Contact) -> str:
    """The source kind of a contact: a forwarded message, a visit, a call, a message."""
    summary = (contact.summary or "").strip().lower()
    if summary.startswith(FORWARD_MARKS):
        return kn.FORWARD
    return kn.CHANNEL_SOURCES.get(contact.channel, kn.MESSAGE)


def _facts(text: str | None, source: str, ref: str, on: date | None) -> list[Fact]:
    return kn.from_findings(extract(text), source, ref, on) if text else []


def _save_reads(store: Store, agent_id: int, client_id: int, reads: Sequence[Read]) -> None:
    """What each of one client's sources says now, in two statements."""
    store.facts.replace_sources(agent_id, [(client_id, source, ref, facts)
                                           for source, ref, facts in reads])


def _zone(store: Store, agent_id: int) -> str:
    """The agent's time zone (UTC for an agent the store doesn't know)."""
    agent = store.agents.get_agent(agent_id)
    return agent.timezone if agent else "UTC"


def _local_day(zone: str, moment: datetime | None) -> date | None:
    """The day a source was written, where the agent is."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone)).date()


# -- showing and editing ----------------------------------------------------------------------
@dataclass(frozen=True)
class FactLine:
    """One line of the card's facts block: what is known, where it came from, its state."""

    fact_id: int | None
    key: str
    value: Any
    source: str
    on: date | None
    evidence: str
    confirmed: bool
    disputed: bool  # sources disagree (the newest is shown)


def card_facts(store: Store, agent_id: int, client_id: int) -> list[FactLine]:
    """The card's facts block: one line per fact key, family first, then money, work, health,
    cover. Values are as the domain keeps them (sets as sorted lists, pairs as lists)."""
    known = knowledge_of(store, agent_id, client_id)
    lines = []
    for fact in kn.card_lines(known):
        lines.append(FactLine(fact.id, fact.key, fact.to_json(), fact.source, fact.on,
                              fact.evidence, fact.from_agent, fact.key in known.conflicts))
    return lines


def fact_line(store: Store, agent_id: int, client_id: int, fact_id: int) -> FactLine | None:
    """The card's line of one fact as it is shown now; None when the fact is not this client's
    (or the agent's), was removed, or no longer decides its key (a button on an old message)."""
    for line in card_facts(store, agent_id, client_id):
        if line.fact_id == fact_id:
            return line
    return None


def confirm_fact(store: Store, agent_id: int, fact_id: int, today: date | None = None) -> \
        int | None:
    """The agent says a fact is right: it now wins over what other sources say. For a set
    (child stages, cover, health events) what the card shows is every source's together:
    that whole set becomes the agent's word. The client's id, or None if not the agent's."""
    found = store.facts.get_fact(agent_id, fact_id)
    if found is None:
        return None
    client_id, fact = found
    shown = knowledge_of(store, agent_id, client_id).value(fact.key) \
        if fact.key in SET_KEYS else None
    if shown is not None and shown != fact.value:
        store.facts.set_agent_fact(agent_id, client_id, fact.key, shown, today or fact.on)
        return client_id
    return store.facts.set_status(agent_id, fact_id, kn.CONFIRMED)


def remove_fact(store: Store, agent_id: int, fact_id: int) -> int | None:
    """The agent says a fact is wrong: what every source says about its key is set aside
    (re-reading a source won't bring it back unless the source changes; the agent can still
    give the value). The client's id, or None if the fact isn't the agent's."""
    found = store.facts.get_fact(agent_id, fact_id)
    if found is None:
        return None
    client_id, fact = found
    store.facts.remove_key(agent_id, client_id, fact.key)
    return client_id


def fact_input(key: str) -> str:
    """How the agent gives a key's value: YES_NO, one CHOICE, a TOGGLE of several choices,
    PAIRS (health events: who, then what) or TYPED (numbers, children's ages)."""
    if key in BOOL_KEYS:
        return YES_NO
    if key == "health_event":
        return PAIRS
    if key in CHOICES:
        return TOGGLE if key in SET_KEYS else CHOICE
    return TYPED


def choose_fact(store: Store, agent_id: int, client_id: int, key: str, choice: str,
                today: date) -> bool:
    """A one-tap value: "y"/"n" for a yes/no key, one of CHOICES, or one choice toggled in a
    set ("father-stroke" for a health event; NO_COVER empties the cover). A set left empty
    (no stage, no health event) takes the key off the card. False for a choice that is none
    of the key's (forged data), or a client that isn't the agent's."""
    kind = fact_input(key)
    value: Any
    if kind == YES_NO and choice in ("y", "n"):
        value = choice == "y"
    elif kind == CHOICE and choice in CHOICES[key]:
        value = choice
    elif kind in (TOGGLE, PAIRS) and (choice in _set_choices(key) or (
            key == "existing_cover" and choice == NO_COVER)):
        value = _toggled(knowledge_of(store, agent_id, client_id).value(key, frozenset()),
                         key, choice)
        if not value and key != "existing_cover":
            if store.clients.get_client(agent_id, client_id) is None:
                return False
            store.facts.remove_key(agent_id, client_id, key)
            return True
    else:
        return False
    return correct_fact(store, agent_id, client_id, key, value, today)


def _set_choices(key: str) -> tuple[str, ...]:
    if key == "health_event":
        return tuple(f"{who}-{what}" for who in HEALTH_WHO for what in HEALTH_WHAT)
    return CHOICES[key]


def _toggled(current: frozenset[Any], key: str, choice: str) -> frozenset[Any]:
    if choice == NO_COVER:
        return frozenset()
    item: Any = tuple(choice.split("-", 1)) if key == "health_event" else choice
    return current - {item} if item in current else current | {item}


def correct_fact(store: Store, agent_id: int, client_id: int, key: str, value: Any,
                 today: date) -> bool:
    """The agent gives a fact's value; it wins over anything read from text. False if the
    key is unknown or the client isn't the agent's."""
    if key not in kn.KEYS or store.clients.get_client(agent_id, client_id) is None:
        return False
    if key in SET_KEYS and not isinstance(value, frozenset):
        value = frozenset(tuple(v) if isinstance(v, list) else v for v in value)
    store.facts.set_agent_fact(agent_id, client_id, key, value, today)
    return True


def parse_fact_value(key: str, typed: str) -> tuple[Any, str | None]:
    """A value the agent typed for a fact key: (value, None) or (None, error key)."""
    text = typed.strip().lower()
    if key in BOOL_KEYS:
        yes = text in {"1", "y", "yes", "true", "是", "有", "对", "對", "係", "有的"}
        no = text in {"0", "n", "no", "false", "否", "没有", "沒有", "无", "無", "不是", "冇"}
        return (yes, None) if yes or no else (None, "bad_yes_no")
    if key in INT_KEYS:
        amounts = find_amounts(text)
        value = amounts[0][0] if amounts else to_int(text)
        return (value, None) if value is not None and value >= 0 else (None, "bad_number")
    if key in CHOICES and key not in SET_KEYS:
        return (text, None) if text in CHOICES[key] else (None, "bad_choice")
    if key in ("child_stage", "existing_cover"):
        items = frozenset(t.strip() for t in text.replace("，", ",").split(",") if t.strip())
        ok = items <= set(CHOICES[key]) | {"none"}
        return (frozenset(items - {"none"}), None) if ok else (None, "bad_choice")
    if key == "health_event":
        pairs = [p.split(":") for p in text.replace("，", ",").split(",") if p.strip()]
        if all(len(p) == 2 and p[0] in HEALTH_WHO and p[1] in HEALTH_WHAT for p in pairs):
            return frozenset((p[0], p[1]) for p in pairs), None
        return None, "bad_choice"
    if key == "children_ages":
        ages = [to_int(t) for t in text.replace("，", ",").split(",") if t.strip()]
        if ages and all(a is not None and 0 <= a < 60 for a in ages):
            return tuple(a for a in ages if a is not None), None
        return None, "bad_number"
    return None, "unknown_key"


# -- facts the AI coach found, waiting for the agent's one tap ---------------------------------
FOUND = "found_facts"


def hold_found(store: Store, agent_id: int, client_id: int, facts: dict[str, Any]) -> int:
    """Keep facts a model read from a note until the agent confirms them; the record's id."""
    return store.coaching.create_session(agent_id, kind=FOUND, client_id=client_id,
                                         ref="model", state={"facts": facts}).id


def confirm_found(store: Store, agent_id: int, record_id: int, today: date) -> int | None:
    """The agent confirmed the held facts: each is saved as the agent's word. The client's id,
    or None when the record is gone, already used or not the agent's."""
    record = store.coaching.get_session(agent_id, record_id)
    if record is None or record.kind != FOUND or record.status == "done" or \
            record.client_id is None:
        return None
    for key, value in record.state.get("facts", {}).items():
        if key == "health_event":
            value = [[e["who"], e["what"]] for e in value]
        if key in kn.KEYS:
            correct_fact(store, agent_id, record.client_id, key,
                         value_from_json(key, value), today)
    store.coaching.save_session(agent_id, record_id, record.state, "done")
    return record.client_id
