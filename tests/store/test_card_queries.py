"""The card's per-client queries, written to look one client up (not to scan the agent's book),
answer what the book-wide forms answer: scoped by agent, live clients only."""

from __future__ import annotations

from coachbot.services import records
from coachbot.services.book import Draft, save_client
from coachbot.store import Store


def _agent(store: Store, agent_id: int) -> None:
    store.agents.ensure_agent(agent_id, first_name="A", username=None, locale="zh-Hans")


def _client(store: Store, agent_id: int, name: str, **values: object) -> int:
    client = save_client(store, agent_id, Draft(name=name), force=True).client
    assert client is not None
    if values:
        records.update_client(store, agent_id, client.id, values)
    return client.id


def test_latest_proposal_of_given_clients_is_the_book_wide_answer_for_them(store: Store):
    _agent(store, 1)
    _agent(store, 2)
    one, two, gone, none = (_client(store, 1, n) for n in ("甲", "乙", "丙", "丁"))
    other = _client(store, 2, "戊")
    for client_id, titles in ((one, ("a", "b", "c")), (two, ("d",)), (gone, ("e", "f"))):
        for title in titles:
            assert store.proposals.add_proposal(1, client_id, {"title": title}) is not None
    assert store.proposals.add_proposal(2, other, {"title": "x"}) is not None
    assert store.clients.soft_delete(1, gone)

    book = store.proposals.latest_by_client(1)
    assert {cid: p.title for cid, p in book.items()} == {one: "c", two: "d"}
    for ids in ([one], [two], [gone], [none], [other], [one, two, gone, none, other], []):
        given = store.proposals.latest_by_client(1, ids)
        assert given == {cid: p for cid, p in book.items() if cid in ids}
    # another agent asking about agent 1's clients gets nothing
    assert store.proposals.latest_by_client(2, [one, two]) == {}
    assert [p.title for p in store.proposals.latest_by_client(2, [other]).values()] == ["x"]


def test_referrals_and_policies_of_one_client_stay_within_the_agent_and_live(store: Store):
    _agent(store, 1)
    _agent(store, 2)
    referrer = _client(store, 1, "介绍人")
    kept = _client(store, 1, "乙", referred_by=referrer)
    deleted = _client(store, 1, "丙", referred_by=referrer)
    assert store.clients.soft_delete(1, deleted)
    # a row of another agent that points at agent 1's client id (forged or imported)
    stranger = _client(store, 2, "戊")
    store.db.execute("UPDATE clients SET referred_by = ? WHERE id = ?", [referrer, stranger])

    assert [c.id for c in store.clients.referred_by(1, referrer)] == [kept]
    assert store.clients.count_referred_by(1, referrer) == 1
    # agent 2 sees only its own row
    assert [c.id for c in store.clients.referred_by(2, referrer)] == [stranger]

    policy = records.add_policy(store, 1, referrer, {"product": "重疾险",
                                                      "annual_premium": 1000})
    assert policy is not None
    assert [p.id for p in store.clients.policies_of(1, referrer)] == [policy.id]
    assert store.clients.policies_of(2, referrer) == []


def test_duplicates_by_phone_or_by_name_and_birthday_within_the_agents_live_book(store: Store):
    _agent(store, 1)
    _agent(store, 2)
    by_phone = _client(store, 1, "张三", phone="+8613800138000")
    by_name = _client(store, 1, "李四", birthday="1985-03-02")
    same_name_other_day = _client(store, 1, "李四", birthday="1990-01-01")
    gone = _client(store, 1, "王五", phone="+8613900139000")
    assert store.clients.soft_delete(1, gone)
    _client(store, 2, "张三", phone="+8613800138000")  # another agent's client

    def found(agent_id: int, **kw: object) -> list[int]:
        values: dict = {"phone": None, "name": "", "birthday": None, **kw}
        return sorted(c.id for c in store.clients.find_duplicates(agent_id, **values))

    assert found(1, phone="+86 138 0013 8000", name="别人") == [by_phone]
    assert found(1, name="李四", birthday="1985-03-02") == [by_name]
    assert found(1, phone="+8613800138000", name="李四", birthday="1985-03-02") == \
        sorted([by_phone, by_name])
    assert found(1, name="李四", birthday="1985-03-03") == []
    assert found(1, name="李四") == []  # a name alone is no duplicate
    assert found(1, phone="+8613900139000", name="王五") == []  # deleted
    assert found(1, phone="+8613800138000", name="张三",
                 exclude_id=by_phone) == []  # the client being edited
    assert len(found(2, phone="+8613800138000", name="x")) == 1
    assert same_name_other_day not in found(1, name="李四", birthday="1985-03-02")


def test_a_just_added_clients_card_is_the_card_read_in_full(store: Store):
    from datetime import UTC, datetime

    from coachbot.services import book

    _agent(store, 1)
    referrer = _client(store, 1, "介绍人")
    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    agent = store.agents.get_agent(1)
    assert agent is not None
    drafts = [Draft(name="张三", phone="+8613800138000", birthday="1985-03-02",
                    notes="老婆全职带两个孩子，房贷每月1.5万"),
              Draft(name="某某科技有限公司", kind="group"), Draft(name="李四")]
    for draft in drafts:
        client = save_client(store, 1, draft, force=True).client
        assert client is not None
        quick = book.card_view(store, agent, client.id, now, {}, client=client, just_added=True)
        full = book.card_view(store, agent, client.id, now, {}, client=client)
        assert quick is not None and quick == full
    # a client introduced by another: the referrer is on the card at once
    added = records.add_client(store, 1, {"name": "王五", "referred_by": referrer},
                               search_key="wangwu")
    quick = book.card_view(store, agent, added.id, now, {}, client=added, just_added=True)
    assert quick == book.card_view(store, agent, added.id, now, {}, client=added)
    assert quick is not None and quick.referrer is not None and quick.referrer.id == referrer
