"""Every write is committed at once: another process sees it, and a crash cannot lose it."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from coachbot.services import records
from coachbot.services.book import Draft, save_client
from coachbot.store import Store


def other_connection_can_write(path) -> bool:
    conn = sqlite3.connect(str(path), timeout=0.2)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def test_writes_with_returning_leave_no_transaction_open(tmp_path, clock):
    path = tmp_path / "c.db"
    store = Store.open(path, clock)
    store.agents.ensure_agent(1, first_name="a", username=None, locale="zh-Hans")
    client = save_client(store, 1, Draft(name="张三"), force=True).client
    member = records.add_family_member(store, 1, client.id, relation="child", name="小宝")
    date_id = records.add_date(store, 1, client.id, kind="wedding", label=None, yearly="2010-10-01")
    policy = records.add_policy(store, 1, client.id, {"product": "重疾险", "annual_premium": 1000})
    store.schedule.add_one_off(1, client_id=None, text="x",
                               due_at=clock.now() - timedelta(minutes=1))
    store.outbox.enqueue(1, 1, "digest", "k1", {}, due_at=clock.now())
    for action in (lambda: store.schedule.claim_due_one_offs(clock.now()),
                   lambda: store.outbox.claim(clock.now()),
                   lambda: records.delete_family_member(store, 1, member),
                   lambda: records.delete_date(store, 1, date_id),
                   lambda: records.delete_policy(store, 1, policy.id)):
        action()
        assert not store.db.conn.in_transaction
        assert other_connection_can_write(path)
    store.close()
