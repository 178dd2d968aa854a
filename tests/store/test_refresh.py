"""Derived dates refreshed for many clients at once equal those refreshed one by one."""

from __future__ import annotations

from datetime import date
from typing import Any

from coachbot.services.demo import seed_demo_book
from coachbot.services.schedule import refresh_clients
from coachbot.store import Store

TODAY = date(2026, 11, 23)


def derived(store: Store, agent_id: int) -> tuple[list[Any], list[Any]]:
    occasions = store.db.execute(
        "SELECT client_id, kind, ref_id, yearly, next_date FROM occasions WHERE agent_id = ? "
        "ORDER BY client_id, kind, ref_id", [agent_id]).fetchall()
    columns = store.db.execute(
        "SELECT id, tier, contact_due_date, review_due_date FROM clients WHERE agent_id = ? "
        "ORDER BY id", [agent_id]).fetchall()
    return occasions, columns


def demo_agent(store: Store, agent_id: int) -> list[int]:
    store.agents.ensure_agent(agent_id, first_name="王", username=None, locale="zh-Hans")
    store.agents.update_agent(agent_id, region="CN", timezone="Asia/Shanghai")
    seed_demo_book(store, agent_id, today=TODAY)
    return [client.id for client in store.transfer.book_clients(agent_id)]


def forget_derived(store: Store) -> None:
    with store.atomic():
        store.db.execute("DELETE FROM occasions")
        store.db.execute("UPDATE clients SET tier = NULL, contact_due_date = NULL, "
                         "review_due_date = NULL")


def test_many_at_once_equals_one_by_one(store: Store) -> None:
    ids = demo_agent(store, 1)
    one_by_one = derived(store, 1)  # every write of the demo book refreshed its own client
    occasions, columns = one_by_one
    assert len(occasions) > len(ids) and any(row[1] for row in columns)  # a rich book
    forget_derived(store)
    refresh_clients(store, 1, ids)
    assert derived(store, 1) == one_by_one


def test_a_removed_date_goes_and_other_clients_stay(store: Store) -> None:
    ids = demo_agent(store, 1)
    member = next(m for c in ids for m in store.clients.family_of(1, c) if m.birthday)
    with_family = member.client_id
    before = derived(store, 1)
    store.db.execute("DELETE FROM family_members WHERE id = ?", [member.id])
    refresh_clients(store, 1, ids)
    occasions, columns = derived(store, 1)
    gone = {row for row in before[0] if row[0] == with_family} - set(occasions)
    assert {(row[1], row[2]) for row in gone} == {("family_birthday", member.id)}
    assert set(occasions) <= set(before[0]) and columns == before[1]


def test_another_agents_clients_are_not_touched(store: Store) -> None:
    mine = demo_agent(store, 1)
    store.agents.ensure_agent(2, first_name="李", username=None, locale="zh-Hans")
    store.agents.update_agent(2, region="HK", timezone="Asia/Hong_Kong")
    before = derived(store, 1)
    refresh_clients(store, 2, mine)
    assert derived(store, 1) == before
    assert derived(store, 2) == ([], [])


def test_a_new_client_derived_from_itself_alone_gets_what_a_full_refresh_gives(store: Store):
    from coachbot.services import records

    store.agents.ensure_agent(3, first_name="王", username=None, locale="zh-Hans")
    store.agents.update_agent(3, region="HK", timezone="Asia/Hong_Kong")
    added = [records.add_client(store, 3, values, search_key=str(values["name"]))
             for values in ({"name": "陈大文", "birthday": "1985-03-02"},
                            {"name": "李四", "birthday": "L--08-15", "contact_every_days": 30},
                            {"name": "王五"},
                            {"name": "某公司", "kind": "group", "birthday": "2000-01-01"})]
    as_added = derived(store, 3)
    assert as_added[0], "birthdays make occasions"
    refresh_clients(store, 3, [client.id for client in added])
    assert derived(store, 3) == as_added
