"""A realistic book to attack: clients with every kind of record, and a dump to compare."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coachbot.domain.reminders import pushes_already_past
from coachbot.services import proposals, records
from coachbot.services.book import Draft, save_client
from coachbot.store import Store


@dataclass
class BookIds:
    """The ids of everything one agent owns: forged buttons aim at these."""

    agent_id: int
    clients: list[int] = field(default_factory=list)
    policies: list[int] = field(default_factory=list)
    family: list[int] = field(default_factory=list)
    dates: list[int] = field(default_factory=list)
    contacts: list[int] = field(default_factory=list)
    items: list[int] = field(default_factory=list)
    one_offs: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)

    def all_ids(self) -> list[int]:
        return sorted({*self.clients, *self.policies, *self.family, *self.dates,
                       *self.contacts, *self.items, *self.one_offs})


def onboard(store: Store, agent_id: int, now: Any, *, first_name: str = "小王",
            locale: str = "zh-Hans", region: str = "CN", timezone: str = "Asia/Shanghai",
            digest_time: str = "08:00") -> None:
    """An onboarded agent whose pushes already past today are marked done (as onboarding
    does), so no digest interrupts a test unless it moves the clock."""
    store.agents.ensure_agent(agent_id, first_name=first_name, username=None, locale=locale)
    store.agents.update_agent(agent_id, region=region, timezone=timezone, digest_time=digest_time,
                              locale=locale)
    store.agents.mark_onboarded(agent_id)
    agent = store.agents.get_agent(agent_id)
    assert agent is not None
    local = now.astimezone(ZoneInfo(timezone))
    for kind in pushes_already_past(local, agent.digest_time, agent.eod_time):
        store.agents.mark_daily_done(agent_id, kind, local.date())


# Names and phones unique enough that finding one in another agent's chat is a leak.
SECRET_CLIENTS = (
    ("机密客户甲", "+8613811112222", "1980-01-15"),
    ("Secretta Quill", "+8613933334444", "--02-29"),
    ("秘密乙", "+85261234567", "L--08-15"),
    ("<b>Hostile & Co</b>", "+6583579246", None),
)


def seed_book(store: Store, agent_id: int, today: date) -> BookIds:
    """Clients with policies, family, dates, contacts, tags, to-do items and one-offs."""
    ids = BookIds(agent_id)
    now = store.clock.now()
    for index, (name, phone, birthday) in enumerate(SECRET_CLIENTS):
        client = save_client(store, agent_id, Draft(name=name, phone=phone, birthday=birthday,
                                                    notes=f"秘密备注ZQ{index}"), force=True).client
        assert client is not None
        ids.clients.append(client.id)
        ids.names.append(name)
        ids.phones.append(phone)
        store.clients.add_tag(agent_id, client.id, f"tag{index}")
        policy = records.add_policy(store, agent_id, client.id, {
            "product": f"机密保单ZQ{index}", "annual_premium": 12_000.0 * (index + 1),
            "currency": "CNY", "start_date": today - timedelta(days=400 + index),
            "status": "active", "delivered_date": today - timedelta(days=2)})
        assert policy is not None
        ids.policies.append(policy.id)
        member = records.add_family_member(store, agent_id, client.id, relation="child",
                                           name=f"孩子ZQ{index}", birthday="2015-06-01")
        assert member is not None
        ids.family.append(member)
        date_id = records.add_date(store, agent_id, client.id, kind="wedding", label=None,
                                   yearly="--11-23")
        assert date_id is not None
        ids.dates.append(date_id)
        contact = records.log_contact(store, agent_id, client.id, at=now - timedelta(days=3),
                                      channel="face", summary=f"谈了ZQ{index}",
                                      next_step_date=today)
        assert contact is not None
        ids.contacts.append(contact.id)
        item = store.schedule.ensure_item(agent_id, kind="birthday", client_id=client.id, ref="",
                                          occasion_date=today)
        ids.items.append(item.id)
        reminder = store.schedule.add_one_off(agent_id, client_id=client.id, text=f"提醒ZQ{index}",
                                              due_at=now + timedelta(days=2 + index))
        ids.one_offs.append(reminder.id)
        # a proposal, so the crawl reaches every proposal button (pp:...) with A's ids
        made = proposals.create_proposal(store, agent_id, client.id, {
            "products": ("critical_illness",), "title": f"机密保单ZQ{index}计划",
            "premium": 8000.0}, today)
        assert made is not None
    festival = store.schedule.ensure_item(agent_id, kind="festival", client_id=None,
                                          ref="midautumn",
                                          occasion_date=today)
    ids.items.append(festival.id)
    return ids


# Columns that change on their own (the sweep, time stamps of reads) are not the agent's data.
VOLATILE = {"agents": {"last_digest_date", "last_eod_date"}}


def dump_rows(store: Store, agent_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that belongs to the agent (by agent_id, or the agent row)."""
    tables = [row[0] for row in store.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name")]
    dump: dict[str, list[tuple[Any, ...]]] = {}
    for table in tables:
        columns = [row[1] for row in store.db.execute(f"PRAGMA table_info([{table}])")]
        if table == "agents":
            where, params = "id = ?", [agent_id]
        elif "agent_id" in columns:
            where, params = "agent_id = ?", [agent_id]
        else:
            continue  # not an agent's rows (teams are shared by design)
        keep = [c for c in columns if c not in VOLATILE.get(table, set())]
        rows = store.db.execute(
            f"SELECT {', '.join(f'[{c}]' for c in keep)} FROM [{table}] WHERE {where}",
            params).fetchall()
        dump[table] = sorted(rows, key=repr)
    return dump
