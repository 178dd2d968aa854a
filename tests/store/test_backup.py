"""Online backup while the bot writes, and restore, round trip."""

from __future__ import annotations

import threading
import time

from coachbot.services.book import Draft, save_client
from coachbot.store import Store
from coachbot.store.database import backup, restore


def test_backup_while_writing_then_restore(tmp_path, clock):
    store = Store.open(tmp_path / "live.db", clock)
    store.agents.ensure_agent(1, first_name="小王", username=None, locale="zh-Hans")
    for index in range(200):
        save_client(store, 1, Draft(name=f"客户{index}"), force=True)
    stop = threading.Event()

    def keep_writing() -> None:
        writer = Store.open(tmp_path / "live.db", clock)
        index = 0
        while not stop.is_set():
            save_client(writer, 1, Draft(name=f"新客户{index}"), force=True)
            index += 1
        writer.close()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    time.sleep(0.1)
    pages = backup(tmp_path / "live.db", tmp_path / "copy.db")
    stop.set()
    thread.join()
    assert pages > 0

    copy = Store.open(tmp_path / "copy.db", clock)
    clients, total = copy.clients.list_clients(1, limit=10_000)
    assert total >= 200
    assert {f"客户{i}" for i in range(200)} <= {c.name for c in clients}
    copy.close()

    restored = restore(tmp_path / "copy.db", tmp_path / "restored.db")
    assert restored[-1] == store.db.execute(
        "SELECT name FROM _sqlite_migrations ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    again = Store.open(tmp_path / "restored.db", clock)
    assert again.clients.list_clients(1, limit=1)[1] == total
    store.close()


def test_backup_refuses_to_overwrite(tmp_path, clock):
    store = Store.open(tmp_path / "a.db", clock)
    (tmp_path / "exists.db").write_bytes(b"x")
    try:
        backup(tmp_path / "a.db", tmp_path / "exists.db")
    except FileExistsError:
        pass
    else:
        raise AssertionError("overwrote an existing file")
    assert (tmp_path / "exists.db").read_bytes() == b"x"
    store.close()
