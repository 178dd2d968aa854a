"""One migration path: from an empty file and from every earlier schema version, with data."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

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
    if version >= "0013":
        db.execute("INSERT INTO service_events (client_id, agent_id, kind, status, title, day, "
                   "resolved_on, created_at, updated_at) VALUES (7, 42, 'claim', 'paid', "
                   "'住院医疗', '2025-12-01', '2025-12-20', ?, ?)", [STAMP, STAMP])
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
    if applied[-1] >= "0013":
        assert [(e.kind, e.status, e.title) for e in store.service.events_of(42, 7)] == \
            [("claim", "paid", "住院医疗")]
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


def test_facts_and_proposals_arrive_on_a_book_with_data(tmp_path):
    """0012 on an older book: its clients get facts and proposals; both go with the client."""
    path = tmp_path / "before_facts.db"
    old = Database(sqlite3.connect(str(path)))
    migrations.apply(old, stop_before="0012_client_facts_and_proposals")
    _seed(old, "0009")
    old.execute("INSERT INTO contacts (client_id, agent_id, at, channel, summary, created_at) "
                "VALUES (7, 42, '2026-11-23T09:00:00+00:00', 'face', '老婆全职带两个孩子', ?)",
                [STAMP])
    old.conn.commit()
    old.conn.close()

    store = Store.open(path)
    assert "0012_client_facts_and_proposals" in schema_version(store.db)
    from coachbot.services import knowledge

    known = knowledge.read_client(store, 42, 7)
    assert known is not None and known.value("children") == 2
    assert known.facts["children"].source == "visit"
    proposal = store.proposals.add_proposal(42, 7, {"title": "家庭保障", "products": ["term_life"]})
    assert proposal is not None and proposal.products == ("term_life",)
    policy = store.clients.policies_of(42, 7)[0]
    store.proposals.update_proposal(42, proposal.id, {"policy_id": policy.id})
    store.clients.delete_policy(42, policy.id)
    again = store.proposals.get_proposal(42, proposal.id)
    assert again is not None and again.policy_id is None  # the policy went, the record stays
    assert store.proposals.get_proposal(43, proposal.id) is None  # another agent sees nothing

    store.clients.erase_client(42, 7)
    assert store.db.execute("SELECT COUNT(*) FROM client_facts").fetchone()[0] == 0
    assert store.db.execute("SELECT COUNT(*) FROM proposals").fetchone()[0] == 0


def test_service_events_arrive_empty_and_take_events_for_existing_clients(tmp_path):
    path = tmp_path / "before_events.db"
    old = Database(sqlite3.connect(str(path)))
    migrations.apply(old, stop_before="0013_service_events")
    _seed(old, "0009")
    old.conn.commit()
    old.conn.close()

    store = Store.open(path)
    assert store.db.execute("SELECT COUNT(*) FROM service_events").fetchone()[0] == 0
    event = store.service.add_event(42, 7, kind="gathering", status="invited", title="答谢会",
                                    day=date(2026, 1, 10), resolved_on=None)
    assert event is not None and store.service.events_of(42, 7) == [event]
    assert store.service.add_event(41, 7, kind="claim", status="filed", title=None,
                                   day=date(2026, 1, 10), resolved_on=None) is None


def test_model_calls_log_what_left_the_server_and_count_the_budget(tmp_path):
    from datetime import UTC, datetime, timedelta

    from coachbot.domain.model_calls import ModelCall

    path = tmp_path / "calls.db"
    old = Database(sqlite3.connect(str(path)))
    migrations.apply(old, stop_before="0014_model_calls")
    _seed(old, "0009")
    old.conn.close()

    store = Store.open(path)
    assert "0014_model_calls" in schema_version(store.db)
    day = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    for hours, tokens, agent in ((0, 100, 42), (2, 50, 42), (-30, 999, 42), (1, 7, None)):
        store.model_calls.record(ModelCall(
            at=day + timedelta(hours=hours), agent_id=agent, feature="facts", endpoint="chat",
            host="api.example.com", model="m", outcome="ok", prompt_tokens=tokens))
    usage = store.model_calls.usage_since(42, day)
    assert (usage.calls, usage.tokens) == (2, 150)
    assert [c.prompt_tokens for c in store.model_calls.recent(agent_id=42)] == [50, 100, 999]
    [line] = [s for s in store.model_calls.summary(since=day) if s.day == "2026-11-23"]
    assert (line.calls, line.agents, line.tokens) == (3, 1, 157)


def test_money_and_sources_add_settings_with_defaults_and_keep_the_book(tmp_path):
    path = tmp_path / "money.db"
    old = Database(sqlite3.connect(str(path)))
    migrations.apply(old, stop_before="0015_money_and_sources")
    _seed(old, "0009")
    old.execute("INSERT INTO teams (id, name, leader_id, invite_code, created_at) "
                "VALUES (3, '飞鹰队', 42, 'abcdefgh', ?)", [STAMP])
    old.conn.commit()
    old.conn.close()

    store = Store.open(path)
    agent = store.agents.get_agent(42)
    assert agent is not None
    assert (agent.commission_rate, agent.source_targets) == (0.35, None)
    client = store.clients.get_client(42, 7)
    assert client is not None and client.origin is None and client.name == "张三"
    team = store.teams.get_team(3)
    assert team is not None and team.currency is None and store.teams.rates(3) == {}

    agent = store.agents.update_agent(42, commission_rate=0.4,
                                      source_targets={"new": 1, "upsell": 1, "referral": 0})
    assert agent.commission_rate == 0.4 and agent.source_targets == {
        "new": 1, "upsell": 1, "referral": 0}
    store.teams.set_rate(3, "HKD", 0.92)
    store.teams.set_rate(3, "HKD", 0.91)
    assert store.teams.rates(3) == {"HKD": 0.91}
    store.teams.set_rate(3, "HKD", None)
    assert store.teams.rates(3) == {}
    assert store.clients.update_client(42, 7, {"origin": "referral"}).origin == "referral"
