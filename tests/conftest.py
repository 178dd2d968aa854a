"""Shared fixtures: a real SQLite file, a manual clock, and the bot running against the sandbox."""

from __future__ import annotations

import os

# PTB 22: RetryAfter.retry_after becomes a timedelta; opt in now, as the CLI does
os.environ.setdefault("PTB_TIMEDELTA", "1")

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from coachbot.domain.clock import ManualClock
from coachbot.render.templates import Renderer
from coachbot.store import Store

# Monday 07:00 in Shanghai, Hong Kong, Taipei, Singapore and Kuala Lumpur (Sunday 23:00 UTC):
# before the default 08:00 digest, so no push interrupts a test unless it moves the clock.
START = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)

# Long variants (thousands of fuzz inputs, ten or more kill -9 cycles) run only when asked.
LONG = os.environ.get("COACHBOT_LONG") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip @pytest.mark.slow tests unless COACHBOT_LONG=1."""
    if LONG:
        return
    skip = pytest.mark.skip(reason="long variant: run with COACHBOT_LONG=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def store(tmp_path: Path, clock: ManualClock) -> Iterator[Store]:
    store = Store.open(tmp_path / "coachbot.db", clock)
    yield store
    store.close()


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer()


@pytest.fixture
async def bot(tmp_path: Path, clock: ManualClock) -> AsyncIterator[object]:
    """The real Application, polling the sandbox over HTTP, on a fresh database file."""
    from tests.harness import start_harness  # unit tests need not import the sandbox

    async with start_harness(tmp_path, clock) as harness:
        yield harness
