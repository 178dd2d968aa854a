"""Outbox claims have a time: only a claim older than the lease is taken back.

A second bot started on the same database put the first one's 'sending' messages back in the
queue at its start-up, and both sent them (5 duplicate digests for 300 agents). Now recover()
takes back a claim only past its lease, or every claim for a bot that holds the database's
instance lock (then no other sender can be alive); a sender renews its claim right before
sending, and one whose claim was taken back meanwhile does not send.
"""

from __future__ import annotations

from datetime import timedelta

from coachbot.push.sender import CLAIM_LEASE
from coachbot.store import Store


def queue(store: Store, count: int) -> None:
    now = store.clock.now()
    store.agents.ensure_agent(42, first_name="小王", username=None, locale="zh-Hans")
    for index in range(count):
        store.outbox.enqueue(42, 42, "digest", f"digest:{index}", {}, due_at=now)


def statuses(store: Store) -> dict[str, int]:
    return store.outbox.counts()


def test_a_fresh_claim_of_a_live_sender_is_not_taken_back(store, clock):
    queue(store, 5)
    claimed = store.outbox.claim(clock.now(), claimer="first")
    assert len(claimed) == 5
    clock.advance(timedelta(seconds=5))  # a second bot starting meanwhile, without the lock
    assert store.outbox.recover(clock.now(), lease=CLAIM_LEASE) == 0
    assert statuses(store) == {"sending": 5}
    assert store.outbox.claim(clock.now(), claimer="second") == []  # nothing to send twice
    for message in claimed:  # the first bot goes on sending what it claimed
        assert store.outbox.renew(message.id, clock.now(), "first")
        store.outbox.sent(message.id, 1)
    assert statuses(store) == {"sent": 5}


def test_a_claim_past_its_lease_is_taken_back_and_its_old_sender_does_not_send_it(store,
                                                                                   clock):
    queue(store, 2)
    stuck = store.outbox.claim(clock.now(), claimer="stuck")
    clock.advance(CLAIM_LEASE - timedelta(seconds=1))
    assert store.outbox.recover(clock.now(), lease=CLAIM_LEASE) == 0
    clock.advance(timedelta(seconds=1))
    assert store.outbox.recover(clock.now(), lease=CLAIM_LEASE) == 2
    assert statuses(store) == {"pending": 2}
    again = store.outbox.claim(clock.now(), claimer="other")
    assert [m.id for m in again] == [m.id for m in stuck]
    assert not store.outbox.renew(stuck[0].id, clock.now(), "stuck")  # no longer its claim
    assert store.outbox.renew(again[0].id, clock.now(), "other")


def test_renewing_keeps_a_long_batch_from_being_taken_back(store, clock):
    queue(store, 1)
    [message] = store.outbox.claim(clock.now(), claimer="slow")
    clock.advance(CLAIM_LEASE - timedelta(seconds=10))  # paced behind a long flood wait
    assert store.outbox.renew(message.id, clock.now(), "slow")
    clock.advance(timedelta(seconds=30))  # past the first claim's lease, not the renewal's
    assert store.outbox.recover(clock.now(), lease=CLAIM_LEASE) == 0


def test_the_bot_holding_the_instance_lock_takes_every_claim_back_at_start_up(store, clock):
    """Claims left by a bot killed a moment ago are sent again at once, not after the lease:
    holding the lock proves their sender is dead."""
    queue(store, 3)
    store.outbox.claim(clock.now(), claimer="killed")
    clock.advance(timedelta(seconds=2))
    assert store.outbox.recover(clock.now(), lease=CLAIM_LEASE, orphans=True) == 3
    assert statuses(store) == {"pending": 3}


def test_releasing_and_retrying_end_the_claim(store, clock):
    queue(store, 2)
    first, second = store.outbox.claim(clock.now(), claimer="me")
    store.outbox.release([first.id])
    store.outbox.retry(second.id, clock.now(), "network")
    rows = store.db.execute("SELECT status, claimed_at, claimed_by FROM outbox ORDER BY id")
    assert list(rows) == [("pending", None, None), ("pending", None, None)]
