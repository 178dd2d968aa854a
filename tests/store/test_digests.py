"""Digests built for many agents at once equal each agent's own, and never mix agents' data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain.models import Agent
from coachbot.services import records
from coachbot.services.book import Draft, save_client
from coachbot.services.digest import (
    MAX_PER_SECTION,
    Digest,
    DigestRequest,
    build_digest,
    build_digests,
)
from coachbot.store import Store

TODAY = date(2026, 11, 23)


def make_agent(store: Store, agent_id: int, clients: int, prefix: str) -> Agent:
    store.agents.ensure_agent(agent_id, first_name=prefix, username=None, locale="zh-Hans")
    agent = store.agents.update_agent(agent_id, region="CN", timezone="Asia/Shanghai")
    for index in range(clients):
        client = save_client(store, agent_id, Draft(name=f"{prefix}{index:02d}",
                                                    birthday="1980-11-23"), force=True).client
        records.log_contact(store, agent_id, client.id,
                            at=store.clock.now() - timedelta(days=400 + index),
                            channel="face", summary="谈过", next_step_date=TODAY)
    return agent


def shape(digest: Digest) -> dict[str, object]:
    sections = ("greetings", "festivals", "follow_ups", "premiums", "callbacks", "reviews",
                "overdue")
    return {"entries": {s: [(e.item_id, e.kind, e.client_id, e.name, e.day, e.ref)
                            for e in getattr(digest, s)] for s in sections},
            "more": digest.more, "yesterday": digest.yesterday}


def test_set_wise_digests_equal_one_by_one_and_stay_with_their_agent(store: Store) -> None:
    busy = make_agent(store, 1, 12, "甲")
    quiet = make_agent(store, 2, 3, "乙")
    together = build_digests(store, [DigestRequest(busy), DigestRequest(quiet)], TODAY)
    assert shape(together[1]) == shape(build_digest(store, busy, TODAY))
    assert shape(together[2]) == shape(build_digest(store, quiet, TODAY))

    busy_names = {e.name for e in together[1].entries if e.client_id}
    quiet_names = {e.name for e in together[2].entries if e.client_id}
    assert busy_names and all(name.startswith("甲") for name in busy_names)
    assert quiet_names == {"乙00", "乙01", "乙02"}
    # limits apply per agent: the busy agent's overflow does not crowd out the quiet one
    assert len(together[1].greetings) == MAX_PER_SECTION
    assert together[1].more["greetings"] == 12 - MAX_PER_SECTION
    assert len(together[2].greetings) == 3
    assert len(together[1].follow_ups) == MAX_PER_SECTION and len(together[2].follow_ups) == 3


def count_items(store: Store) -> int:
    return store.db.execute("SELECT COUNT(*) FROM reminder_items").fetchone()[0]


def test_a_digest_writes_nothing_and_leaves_out_what_was_handled(store: Store) -> None:
    agent = make_agent(store, 1, 3, "甲")
    first = build_digest(store, agent, TODAY)
    assert count_items(store) == 0 and all(e.item_id is None for e in first.entries)
    # the agent opens the first greeting (its to-do item is made) and marks it done
    opened = first.greetings[0]
    item = store.schedule.ensure_item(1, kind=opened.kind, client_id=opened.client_id,
                                      ref=opened.ref,
                                      occasion_date=opened.day)
    assert store.schedule.ensure_item(1, kind=opened.kind, client_id=opened.client_id,
                                      ref=opened.ref,
                                      occasion_date=opened.day).id == item.id  # made once
    second = build_digest(store, agent, TODAY)
    assert second.greetings[0].item_id == item.id  # opened, not yet done: still listed
    store.schedule.update_item(1, item.id, status="done")

    again = build_digest(store, agent, TODAY)
    names = {e.name for e in again.greetings}
    assert opened.name not in names and len(names) == len(first.greetings) - 1
    assert count_items(store) == 1
    assert not store.db.conn.in_transaction


def test_an_empty_set_of_agents_builds_nothing(store: Store) -> None:
    assert build_digests(store, [], TODAY) == {}
    assert store.due.item_states([]) == []


def test_yesterdays_contacts_are_counted_in_the_agents_own_day(store: Store) -> None:
    agent = make_agent(store, 1, 1, "甲")
    [client] = store.transfer.book_clients(1)
    shanghai = ZoneInfo("Asia/Shanghai")
    # 23:30 the day before (counted) and 01:36 today (not yet), Shanghai time, logged as
    # the handlers log them (the clock's UTC) and as an import might (with the offset)
    for moment in (datetime(2026, 11, 22, 23, 30, tzinfo=shanghai).astimezone(UTC),
                   datetime(2026, 11, 23, 1, 36, tzinfo=shanghai).astimezone(UTC),
                   datetime(2026, 11, 23, 1, 40, tzinfo=shanghai)):
        records.log_contact(store, 1, client.id, at=moment, channel="call")
    digest = build_digest(store, agent, TODAY)
    assert digest.yesterday.get("call") == 1


def test_a_later_contact_closes_the_open_next_step(store: Store) -> None:
    agent = make_agent(store, 1, 1, "甲")
    [client] = store.transfer.book_clients(1)
    now = store.clock.now()

    def follow_ups() -> list[str]:
        return [e.name for e in build_digest(store, agent, TODAY).follow_ups]

    assert follow_ups() == ["甲00"]  # make_agent's contact asked to follow up today
    first = records.log_contact(store, 1, client.id, at=now - timedelta(days=2), channel="face",
                                next_step_date=TODAY)
    assert first is not None and follow_ups() == ["甲00"]
    records.log_contact(store, 1, client.id, at=now - timedelta(days=1), channel="call")
    assert follow_ups() == []  # talked since: nothing left open
    store.clients.set_next_step(1, first.id, next_step=None, on=TODAY)  # an older contact's step
    assert follow_ups() == []
    latest = store.clients.contacts_of(1, client.id, limit=1)[0]
    store.clients.set_next_step(1, latest.id, next_step="送计划书", on=TODAY - timedelta(days=1))
    [entry] = build_digest(store, agent, TODAY).follow_ups
    assert entry.detail["next_step"] == "送计划书" and entry.day == TODAY - timedelta(days=1)


SECTIONS = ("greetings", "follow_ups", "premiums", "callbacks", "reviews", "overdue")


def busy_client(store: Store) -> Agent:
    """One client due in every section on TODAY: birthday, open next step, a premium due in
    7 days, a policy delivered 2 days ago, a review and a contact long overdue."""
    agent = make_agent(store, 1, 1, "甲")
    [client] = store.transfer.book_clients(1)
    records.add_policy(store, 1, client.id, {
        "product": "重疾险", "annual_premium": 12000, "currency": "CNY", "status": "active",
        "start_date": date(2023, 11, 30), "next_due_date": TODAY + timedelta(days=7),
        "delivered_date": TODAY - timedelta(days=2)})
    return agent


def test_each_entry_finds_its_to_do_item_and_leaves_once_handled(store: Store) -> None:
    """The digest's queries compute each occurrence's item key in SQL: it must match the key
    the item was made with when the agent opened the entry, in every section."""
    agent = busy_client(store)
    before = build_digest(store, agent, TODAY)
    for section in SECTIONS:
        assert getattr(before, section), f"no {section} entry to test with"
    for status in ("open", "done"):
        for section in SECTIONS:
            entry = getattr(before, section)[0]
            item = store.schedule.ensure_item(1, kind=entry.kind, client_id=entry.client_id,
                                              ref=entry.ref, occasion_date=entry.day)
            if status == "open":
                [again] = [e for e in getattr(build_digest(store, agent, TODAY), section)
                           if e.ref == entry.ref and e.kind == entry.kind]
                assert again.item_id == item.id, section
            else:
                store.schedule.update_item(1, item.id, status=status)
                assert entry.ref not in {e.ref for e in getattr(
                    build_digest(store, agent, TODAY), section)}, section


def test_a_handled_festival_leaves_the_digest(store: Store) -> None:
    agent = make_agent(store, 1, 0, "甲")
    christmas = date(2026, 12, 25)
    [festival] = [e for e in build_digest(store, agent, christmas).festivals
                  if e.name == "christmas"]
    item = store.schedule.ensure_item(1, kind="festival", client_id=None, ref=festival.ref,
                                      occasion_date=festival.day)
    assert build_digest(store, agent, christmas).festivals[0].item_id == item.id
    store.schedule.update_item(1, item.id, status="skipped")
    assert "christmas" not in {e.name for e in build_digest(store, agent, christmas).festivals}


def test_handled_entries_do_not_use_up_an_agents_limit(store: Store) -> None:
    """Follow-ups and reviews show the agent's oldest MAX_PER_SECTION still to do: marking one
    done brings the next one up instead of leaving a gap."""
    agent = make_agent(store, 1, MAX_PER_SECTION + 2, "甲")
    first = build_digest(store, agent, TODAY).follow_ups
    assert len(first) == MAX_PER_SECTION
    done = first[0]
    item = store.schedule.ensure_item(1, kind=done.kind, client_id=done.client_id, ref=done.ref,
                                      occasion_date=done.day)
    store.schedule.update_item(1, item.id, status="done")
    after = build_digest(store, agent, TODAY).follow_ups
    assert len(after) == MAX_PER_SECTION and done.client_id not in {e.client_id for e in after}


def test_the_day_is_ranked_overdue_follow_ups_first_and_the_rest_folded(store: Store,
                                                                        renderer) -> None:
    """21 things due on a 4-visit day (2 policies a month): the morning shows five, a
    follow-up let slip since 11/18 first and tagged, then the A/B prospects; the rest folded."""
    from coachbot.services.digest import rest_page

    agent = make_agent(store, 1, 20, "甲")  # 20 birthdays today and 20 follow-ups due today
    clients = store.transfer.book_clients(1)
    late, hot = clients[5], clients[7]
    contact = store.clients.contacts_of(1, late.id, limit=1)[0]
    store.clients.set_next_step(1, contact.id, next_step="送计划书",
                                on=TODAY - timedelta(days=5))
    store.clients.update_client(1, hot.id, {"stage": "A"})
    records.log_contact(store, 1, hot.id, at=store.clock.now(), channel="face")

    digest = build_digest(store, agent, TODAY)
    assert digest.plan is not None and digest.plan.visits_per_day == 4
    assert len(digest.top) == 5 and len(digest.entries) == 5
    first = digest.top[0]
    assert (first.entry.name, first.entry.kind, first.overdue_days) == (late.name, "follow_up", 5)
    assert digest.top[1].entry.name == hot.name and digest.top[1].hot
    # ranked before the sections are trimmed for the phone: every birthday, and the oldest
    # MAX_PER_SECTION follow-ups (the overdue ones always among them)
    assert len(digest.top) + len(digest.rest) == 20 + MAX_PER_SECTION
    assert digest.month_visits == 1  # the visit just logged (the older ones were last year)

    html = renderer.render("zh-Hans", "reminders/digest", region="CN", agent=agent,
                           digest=digest, currency="CNY")
    assert "1. 🤝 <b>甲05</b> — 送计划书 ⚠️ <b>逾期 5 天</b>" in html
    assert "今天目标 <b>4 访</b>（本月 1/80）" in html
    assert f"其余 {len(digest.rest)} 件先收起来" in html
    assert html.count("🎂") < 5  # not twenty birthdays in a row

    page = rest_page(store, agent, TODAY)
    assert page.total == len(digest.rest) and page.first_number == 6
    assert [r.entry for r in page.ranked] == [r.entry for r in digest.rest[:10]]
    rest_html = renderer.render("zh-Hans", "reminders/digest_rest", region="CN", page=page,
                                currency="CNY")
    assert rest_html.splitlines()[1].startswith("6. ")
    last = rest_page(store, agent, TODAY, page=99)
    assert last.page == last.pages - 1 and last.ranked
