"""The instance lock: one holder per database file, released with its holder."""

from __future__ import annotations

import os

import pytest

from coachbot.store.lock import DatabaseInUse, InstanceLock, lock_path


def test_a_second_taker_is_refused_and_told_who_holds_it(tmp_path):
    db_path = tmp_path / "coachbot.db"
    with InstanceLock.acquire(db_path, purpose="run"), \
            pytest.raises(DatabaseInUse, match=f"pid {os.getpid()}, coachbot run"):
        InstanceLock.acquire(db_path, purpose="restore")
    with InstanceLock.acquire(db_path, purpose="restore"):  # released: free again
        pass
    assert lock_path(db_path).exists()  # left in place: deleting it would race a new taker


def test_each_database_has_its_own_lock(tmp_path):
    with InstanceLock.acquire(tmp_path / "a.db", purpose="run"), \
            InstanceLock.acquire(tmp_path / "b.db", purpose="run"):
        pass
