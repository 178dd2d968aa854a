"""Re-reading several sources at once (FactStore.replace_sources) leaves the facts exactly as
re-reading them one by one (replace_source) does: values, statuses the agent set, other
sources and other clients untouched."""

from __future__ import annotations

from datetime import date

from coachbot.domain.coaching import knowledge as kn
from coachbot.domain.coaching.knowledge import Fact
from coachbot.services.book import Draft, save_client
from coachbot.store import Store

ON = date(2026, 11, 20)


def _fact(key: str, value: object, source: str, ref: str, evidence: str = "") -> Fact:
    return Fact(key, value, source, ref, ON, evidence)


def _setup(store: Store) -> tuple[int, int]:
    store.agents.ensure_agent(1, first_name="A", username=None, locale="zh-Hans")
    ids = []
    for name in ("甲", "乙"):
        client = save_client(store, 1, Draft(name=name), force=True).client
        assert client is not None
        ids.append(client.id)
    one, two = ids
    before = [
        (kn.NOTE, "notes", [_fact("children", 2, kn.NOTE, "notes"),
                            _fact("mortgage", True, kn.NOTE, "notes")]),
        (kn.VISIT, "contact:7", [_fact("spouse", True, kn.VISIT, "contact:7"),
                                 _fact("age", 40, kn.VISIT, "contact:7")]),
        (kn.CALL, "contact:8", [_fact("retired", False, kn.CALL, "contact:8")]),
        (kn.SPIN, "spin:3:0", [_fact("loans", True, kn.SPIN, "spin:3:0")]),
    ]
    for client_id in (one, two):
        for source, ref, facts in before:
            store.facts.replace_source(1, client_id, source, ref, facts)
    store.facts.set_agent_fact(1, one, "income_monthly", 30000, ON)
    # the agent confirmed one fact and removed two
    by_key = {f.key: f for f in store.facts.facts_of(1, one)}
    assert store.facts.set_status(1, by_key["children"].id or 0, kn.CONFIRMED) == one
    assert store.facts.set_status(1, by_key["spouse"].id or 0, kn.REMOVED) == one
    assert store.facts.set_status(1, by_key["retired"].id or 0, kn.REMOVED) == one
    return one, two


READS = [
    # the note now says 3 children (changed: news), no longer the mortgage
    (kn.NOTE, "notes", [_fact("children", 3, kn.NOTE, "notes", "三个孩子")]),
    (kn.FIELD, "field:occupation", [_fact("occupation", "nurse", kn.FIELD, "field:occupation")]),
    # contact 7 became a forward: its visit facts go, the forward's come
    (kn.VISIT, "contact:7", []),
    (kn.FORWARD, "contact:7", [_fact("spouse", True, kn.FORWARD, "contact:7")]),
    # contact 8 says the same again (the agent removed it: it stays removed)
    (kn.CALL, "contact:8", [_fact("retired", False, kn.CALL, "contact:8")]),
    (kn.SPIN, "spin:3:0", []),
]


def _state(store: Store, client_id: int) -> list[tuple[object, ...]]:
    rows = store.db.execute(
        "SELECT key, value, source, ref, source_date, evidence, status FROM client_facts "
        "WHERE client_id = ? ORDER BY source, ref, key", [client_id]).fetchall()
    return [tuple(row) for row in rows]


def test_many_sources_at_once_end_as_one_by_one(tmp_path, clock):
    results = []
    for batched in (False, True):
        store = Store.open(tmp_path / f"{batched}.db", clock)
        one, two = _setup(store)
        other_before = _state(store, two)
        if batched:
            store.facts.replace_sources(1, [(one, *read) for read in READS])
        else:
            for source, ref, facts in READS:
                store.facts.replace_source(1, one, source, ref, facts)
        assert _state(store, two) == other_before
        results.append(_state(store, one))
        # another agent's call changes nothing of agent 1's
        store.facts.replace_sources(2, [(one, kn.NOTE, "notes", [])])
        assert _state(store, one) == results[-1]
        store.close()
    one_by_one, at_once = results
    assert at_once == one_by_one
    kept = {(r[0], r[2]): r for r in at_once}
    assert kept[("children", kn.NOTE)][6] == kn.EXTRACTED  # changed value: shown again
    assert kept[("income_monthly", kn.AGENT)][6] == kn.CONFIRMED  # the agent's word stays
    assert ("spouse", kn.VISIT) not in kept and ("loans", kn.SPIN) not in kept
    assert kept[("retired", kn.CALL)][6] == kn.REMOVED
