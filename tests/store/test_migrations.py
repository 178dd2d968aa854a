"""One migration path: from an empty file and from every earlier schema version, with data."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlite_utils import Database

from coachbot.store import Store
from coachbot.store.database import open_database, schema_version
from coachbot.store.migrations import migrations

NAMES = [m.name for m in migrations._migrations]
STAMP = "2026-01-01T00:00:00+00:00"


def _schema(db: Database) -> list[tuple[str, str]]:
    rows = db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                      "ORDER BY type, name").fetchall()
    columns = [(f"{table}.{c.name}", c.type) for table in db.table_names()
               for c in db[table].columns]
    return sorted([*rows, *columns])


def _seed(db: Database, version: str) -> None:
    """Data a deployment at `version` would hold."""
    if version >= "0001":
        db.execute("INSERT INTO agents (id, first_name, locale, created_at, updated_at) "
                   "VALUES (42, '小王', 'zh-Hans', ?, ?)", [STAMP, STAMP])
    if version >= "0002":
        db.execute("INSERT INTO clients (id, agent_id, name, birthday, created_at, updated_at) "
                   "VALUES (7, 42, '张三', 'L--08-15', ?, ?)", [STAMP, STAMP])
        db.execute("INSERT INTO policies (client_id, agent_id, product, annual_premium, "
                   "start_date, created_at) VALUES (7, 42, '重疾险', 30000, '2024-03-01', ?)",
                   [STAMP])
    if version >= "0003":  # a digest a bot of that version was sending when it stopped
        db.execute("INSERT INTO outbox (agent_id, chat_id, kind, key, due_at, status, attempts, "
                   "next_attempt_at, created_at) VALUES (42, 42, 'digest', 'digest:42:2026-01-01',"
                   " ?, 'sending', 1, ?, ?)", [STAMP, STAMP, STAMP])


def test_a_new_database_gets_every_migration(tmp_path):
    db = open_database(tmp_path / "new.db")
    assert schema_version(db) == NAMES
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


@pytest.mark.parametrize("stop_before", NAMES[1:])
def test_upgrade_from_each_earlier_version_keeps_the_data(tmp_path, stop_before):
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(str(path)))
    migrations.apply(old, stop_before=stop_before)
    applied = schema_version(old)
    assert stop_before not in applied
    _seed(old, applied[-1][:4])
    old.conn.close()

    store = Store.open(path)
    assert schema_version(store.db) == NAMES
    fresh = open_database(tmp_path / "fresh.db")
    assert _schema(store.db) == _schema(fresh)
    agent = store.agents.get_agent(42)
    assert agent is not None and agent.first_name == "小王"
    if applied[-1] >= "0002":
        client = store.clients.get_client(42, 7)
        assert client is not None and client.birthday == "L--08-15"
        assert [p.product for p in store.clients.policies_of(42, 7)] == ["重疾险"]
    if applied[-1] >= "0003":  # claimed before claims had a time: an orphan, sent again
        assert store.outbox.counts() == {"sending": 1}
        assert store.outbox.recover(datetime.now(UTC), lease=timedelta(minutes=2)) == 1
        assert store.outbox.counts() == {"pending": 1}
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_migrating_twice_changes_nothing(tmp_path):
    path = tmp_path / "twice.db"
    first = open_database(path)
    before = _schema(first)
    first.conn.close()
    again = open_database(path)
    assert _schema(again) == before


def test_contact_times_logged_with_an_offset_become_utc(tmp_path):
    path = tmp_path / "offsets.db"
    old = Database(sqlite3.connect(str(path)))
    migrations.apply(old, stop_before="0008_contact_times_in_utc")
    _seed(old, "0007")
    old.execute("INSERT INTO contacts (client_id, agent_id, at, channel, created_at) "
                "VALUES (7, 42, '2026-11-24T01:36:00+08:00', 'face', ?), "
                "(7, 42, '2026-11-23T09:00:00+00:00', 'call', ?)", [STAMP, STAMP])
    old.execute("UPDATE clients SET last_contact_at = '2026-11-24T01:36:00+08:00'")
    old.conn.commit()
    old.conn.close()

    store = Store.open(path)
    ats = [row[0] for row in store.db.execute("SELECT at FROM contacts ORDER BY id")]
    assert ats == ["2026-11-23T17:36:00+00:00", "2026-11-23T09:00:00+00:00"]
    assert store.db.execute("SELECT last_contact_at FROM clients").fetchone()[0] == \
        "2026-11-23T17:36:00+00:00"
