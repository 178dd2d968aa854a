"""The bench code paths on a tiny database: they run to the end and print every figure.

No timing is asserted: these only keep `coachbot bench` working as the bot changes.
"""

from __future__ import annotations

import sqlite3

import pytest

from coachbot.bench.dataset import (
    CHAT_MOMENT,
    DatasetSpec,
    ensure_dataset,
    read_meta,
    reset_file,
)
from coachbot.bench.main import BenchOptions, run_bench
from coachbot.domain.clock import ManualClock
from coachbot.services.schedule import refresh_client
from coachbot.store import Store

TINY = DatasetSpec(agents=4, clients=120)


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "bench.db"
    ensure_dataset(path, TINY, log=lambda line: None)
    return path


def _derived(db_path, client_ids):
    conn = sqlite3.connect(str(db_path))
    try:
        marks = ",".join("?" * len(client_ids))
        clients = conn.execute(
            f"SELECT id, tier, contact_due_date, review_due_date FROM clients WHERE id IN "
            f"({marks}) ORDER BY id", client_ids).fetchall()
        occasions = conn.execute(
            f"SELECT client_id, kind, ref_id, yearly, next_date FROM occasions WHERE client_id "
            f"IN ({marks}) ORDER BY client_id, kind, ref_id", client_ids).fetchall()
        return clients, occasions
    finally:
        conn.close()


def test_the_generated_book_is_what_the_store_itself_derives(tiny_db):
    """Tier, due dates and occasions as refresh_client computes them from the same records."""
    conn = sqlite3.connect(str(tiny_db))
    rows = conn.execute("SELECT agent_id, id FROM clients ORDER BY id").fetchall()
    conn.close()
    ids = [client_id for _, client_id in rows]
    before = _derived(tiny_db, ids)
    store = Store.open(tiny_db, ManualClock(CHAT_MOMENT))
    try:
        for agent_id, client_id in rows:
            refresh_client(store, agent_id, client_id)
    finally:
        store.close()
    assert _derived(tiny_db, ids) == before


def test_the_database_is_reused_and_reset(tiny_db):
    info = ensure_dataset(tiny_db, TINY, log=lambda line: None)
    assert info.generated_in is None
    assert info.counts["agents"] == 4 and info.counts["clients"] == 120
    conn = sqlite3.connect(str(tiny_db))
    agent_id = conn.execute("SELECT id FROM agents LIMIT 1").fetchone()[0]
    conn.execute("INSERT INTO clients (agent_id, name, created_at, updated_at) "
                 "VALUES (?, 'added by a bench run', 'x', 'x')", [agent_id])
    conn.commit()
    conn.close()
    reset_file(tiny_db)
    conn = sqlite3.connect(str(tiny_db))
    assert conn.execute("SELECT MAX(id) FROM clients").fetchone()[0] == \
        int(read_meta(tiny_db)["max_client_id"])
    conn.close()


def test_bench_runs_every_part_and_prints_its_figures(tiny_db):
    options = BenchOptions(db=tiny_db, spec=TINY, updates=6, chats=2, unloaded=2,
                           tracemalloc=False, flood=8, idle_agents=2, tappers=2)
    lines: list[str] = []
    results = run_bench(options, out=lines.append)
    text = "\n".join(lines)
    for expected in ("machine:", "== chat paths", "echo (bare PTB)", "quick add",
                     "open a card", "/today", "mix", "as built", "== one agent floods",
                     "idle agents' /help meanwhile", "== a day's reminders",
                     "set-wise", "again at once", "one agent's digest alone", "peak RSS",
                     "== digest fan-out", "configured 25.0/s",
                     "429 Too Many Requests received", "== against the targets"):
        assert expected in text, f"{expected!r} missing from:\n{text}"
    assert results.chat is not None
    assert all(f.completed == 6 and f.failed == 0 for f in [results.chat.echo,
                                                            *results.chat.paths])
    assert results.day is not None and results.day.agents >= 1
    assert results.day_repeat is not None
    assert results.day_repeat.entries == results.day.entries  # a pass changes nothing
    flood = results.flood
    assert flood is not None and flood.flood == 8 and flood.dropped == 0
    assert flood.flood_replies >= 8 and flood.idle and flood.idle_failed == 0
    fanout = results.fanout
    assert fanout is not None
    assert fanout.sent == fanout.queued >= 1
    assert (fanout.flood_429, fanout.duplicates, fanout.dead) == (0, 0, 0)
