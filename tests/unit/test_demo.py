"""The demo book: realistic, complete across the methodology's classes, and deterministic."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from coachbot.domain.calendar import YearlyDate
from coachbot.domain.clock import ManualClock
from coachbot.domain.phones import normalize_phone
from coachbot.services import records
from coachbot.services.demo import book_counts, install_demo, seed_demo_book
from coachbot.store import Store

TODAY = date(2026, 11, 23)
AGENT = 1001


def seeded(path: Path, clock: ManualClock, *, region: str = "CN", locale: str = "zh-Hans",
           seed: int = 7) -> Store:
    store = Store.open(path, clock)
    store.agents.ensure_agent(AGENT, first_name="Demo", username=None, locale=locale)
    store.agents.update_agent(AGENT, region=region, locale=locale)
    seed_demo_book(store, AGENT, today=TODAY, rng_seed=seed)
    return store


def snapshot(store: Store) -> list[tuple[object, ...]]:
    """Everything seeded, without ids and time stamps."""
    names = {c.id: c.name for c in store.transfer.book_clients(AGENT)}
    rows: list[tuple[object, ...]] = []
    for c in store.transfer.book_clients(AGENT):
        rows.append((c.name, c.kind, c.phone, c.birthday, c.gender, c.stage,
                     sorted(c.traits), c.tags, c.notes, names.get(c.referred_by or 0)))
    for p in store.transfer.book_policies(AGENT):
        rows.append((names[p.client_id], p.product, p.annual_premium, p.start_date, p.status))
    for k in store.transfer.book_contacts(AGENT):
        rows.append((names[k.client_id], k.at, k.channel, k.summary, k.next_step_date))
    for m in store.transfer.book_family(AGENT):
        rows.append((names[m.client_id], m.relation, m.name, m.birthday))
    return rows


@pytest.fixture
def demo_store(tmp_path, clock):
    store = seeded(tmp_path / "demo.db", clock)
    yield store
    store.close()


def test_every_grade_stage_and_tier_is_represented(demo_store):
    counts = book_counts(demo_store, AGENT)
    assert counts.total == 40
    assert counts.groups == 2
    assert all(counts.grades[g] > 0 for g in "ABCD"), counts.grades
    assert all(counts.stages[s] > 0 for s in "DCBA"), counts.stages
    assert all(counts.tiers[t] > 0 for t in ("regular", "vip", "hnw")), counts.tiers


def test_the_book_looks_like_a_real_one(demo_store):
    store = demo_store
    clients = store.transfer.book_clients(AGENT)
    people = [c for c in clients if not c.is_group]
    birthdays = [YearlyDate.from_storage(c.birthday) for c in people if c.birthday]
    assert any(b.lunar for b in birthdays) and any(not b.lunar for b in birthdays)
    assert any(b.year is None for b in birthdays) and any(b.year for b in birthdays)
    assert any(c.name.isascii() for c in people) and any(not c.name.isascii() for c in people)
    assert any(c.tags for c in clients) and any(c.referred_by for c in clients)
    soon = [c for c in people if not YearlyDate.from_storage(c.birthday).lunar
            and 0 < (date(TODAY.year, *map(int, c.birthday[-5:].split("-"))) - TODAY).days <= 7]
    assert len(soon) >= 2  # something to greet this week
    products = {p.product for p in store.transfer.book_policies(AGENT)}
    for product in ("守护终身重疾险", "百万医疗险", "员工团体意外险"):
        assert product in products
    types = {p.product_type for p in store.transfer.book_policies(AGENT)}
    assert {"critical_illness", "medical", "annuity", "education", "life", "accident",
            "group"} <= types
    family = store.transfer.book_family(AGENT)
    assert {"spouse", "child"} <= {m.relation for m in family}
    contacts = store.transfer.book_contacts(AGENT)
    assert contacts and all(
        TODAY - timedelta(days=60) <= k.at.date() < TODAY for k in contacts)
    steps = [k.next_step_date for k in contacts if k.next_step_date]
    assert any(d < TODAY for d in steps) and any(d >= TODAY for d in steps)
    groups = [c for c in clients if c.is_group]
    roles = [store.clients.roles_of(AGENT, g.id) for g in groups]
    assert sorted(len(r) for r in roles) == [2, 4]
    assert all(g.group_profile for g in groups)


@pytest.mark.parametrize(("region", "locale"), [
    ("CN", "zh-Hans"), ("HK", "zh-Hant"), ("TW", "zh-Hant"), ("SG", "en"), ("MY", "en"),
])
def test_phones_are_valid_and_tiers_hold_in_each_region(tmp_path, clock, region, locale):
    store = seeded(tmp_path / "r.db", clock, region=region, locale=locale)
    phones = [c.phone for c in store.transfer.book_clients(AGENT) if c.phone]
    assert len(phones) == len(set(phones)) >= 38
    assert all(normalize_phone(p, region) == p for p in phones)
    counts = book_counts(store, AGENT)
    assert all(counts.tiers[t] > 0 for t in ("regular", "vip", "hnw")), (region, counts.tiers)
    if locale == "zh-Hant":
        assert "百萬醫療險" in {p.product for p in store.transfer.book_policies(AGENT)}
    store.close()


def test_the_same_seed_gives_the_same_book(tmp_path, clock):
    first = seeded(tmp_path / "a.db", clock)
    second = seeded(tmp_path / "b.db", clock)
    other = seeded(tmp_path / "c.db", clock, seed=8)
    assert snapshot(first) == snapshot(second)
    assert snapshot(first) != snapshot(other)
    for store in (first, second, other):
        store.close()


def test_install_leaves_a_real_book_alone_unless_told_to_reset(store):
    store.agents.ensure_agent(AGENT, first_name="A", username=None, locale="zh-Hans")
    store.agents.ensure_agent(2002, first_name="B", username=None, locale="zh-Hans")
    records.add_client(store, AGENT, {"name": "真客户"}, search_key="zhen")
    records.add_client(store, 2002, {"name": "别人的客户"}, search_key="bie")
    with pytest.raises(LookupError):
        install_demo(store, AGENT, today=TODAY)
    assert store.transfer.count_book(AGENT) == 1
    result = install_demo(store, AGENT, today=TODAY, reset=True)
    assert (result.removed, result.clients) == (1, 40)
    assert store.transfer.count_book(AGENT) == 40
    assert [c.name for c in store.transfer.book_clients(2002)] == ["别人的客户"]


def test_install_creates_a_missing_agent(store):
    result = install_demo(store, 4242, today=TODAY)
    assert result.clients == 40 and store.agents.get_agent(4242) is not None
