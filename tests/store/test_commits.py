"""Every write is committed at once: another process sees it, and a crash cannot lose it."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

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
    store.ensure_agent(1, first_name="a", username=None, locale="zh-Hans")
    client = save_client(store, 1, Draft(name="张三"), force=True).client
    member = store.add_family_member(1, client.id, relation="child", name="小宝")
    date_id = store.add_date(1, client.id, kind="wedding", label=None, yearly="2010-10-01")
    policy = store.add_policy(1, client.id, {"product": "重疾险", "annual_premium": 1000})
    store.add_one_off(1, client_id=None, text="x", due_at=clock.now() - timedelta(minutes=1))
    store.enqueue(1, 1, "digest", "k1", {}, due_at=clock.now())
    for action in (lambda: store.claim_due_one_offs(clock.now()),
                   lambda: store.claim_outbox(clock.now()),
                   lambda: store.delete_family_member(1, member),
                   lambda: store.delete_date(1, date_id),
                   lambda: store.delete_policy(1, policy.id)):
        action()
        assert not store.db.conn.in_transaction
        assert other_connection_can_write(path)
    store.close()
