"""A day's reminders for every agent: the sweep, then each agent's digest, timed in a fresh process.

`measure_day` runs in a child process (see processes.run_in_child) so that its peak resident
memory is the work's own, not the parent's (which holds the bot and the sandbox client).
"""

from __future__ import annotations

import resource
import time
import tracemalloc
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from coachbot.bench.dataset import SWEEP_MOMENT, reset_file

BATCH = 250  # agents whose digests are built together
ONE_BY_ONE_EVERY = 10  # every 10th agent's digest is also timed alone


@dataclass(frozen=True)
class DayFigures:
    """What computing one day's reminders cost."""

    agents: int
    digests_queued: int
    entries: int
    sweep_seconds: float
    digests_seconds: float
    render_seconds: float
    one_digest_ms: float  # one agent's digest built alone, as the sender and /today do
    rss_start_mb: float  # after imports and opening the database
    rss_peak_mb: float  # peak of the whole process
    traced_peak_mb: float | None = None  # Python allocations at their peak (tracemalloc pass)

    @property
    def total_seconds(self) -> float:
        return self.sweep_seconds + self.digests_seconds


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    VmHWM, not getrusage's ru_maxrss: Linux carries a parent's peak over fork and exec into
    ru_maxrss, so a child spawned by a bench that has just generated its database would
    report the generator's 700 MB as its own.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no VmHWM: not Linux


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def measure_day(db_path: str, trace: bool = False) -> DayFigures:
    """Sweep at 09:30 local (every digest due), then build every active agent's digest."""
    from coachbot.app import build_application, freeze_startup_objects
    from coachbot.config import Settings
    from coachbot.domain.clock import ManualClock
    from coachbot.push.digest import digest_message
    from coachbot.push.sweep import sweep
    from coachbot.services.container import Services
    from coachbot.services.digest import DigestRequest, build_digest, build_digests
    from coachbot.store import Store

    path = Path(db_path)  # reset by the caller (see measure_day_fresh): not part of the work
    clock = ManualClock(SWEEP_MOMENT)
    settings = Settings(db_path=path)
    store = Store.open(path, clock, settings.tier_thresholds)
    # the services exactly as the bot wires them (the sweep runs inside the bot's process)
    services: Services = build_application(settings, store=store, clock=clock) \
        .bot_data["services"]
    freeze_startup_objects()  # as on_startup does once the bot is up
    rss_start = _current_rss_mb()
    if trace:
        tracemalloc.start()

    started = time.perf_counter()
    queued = sweep(services)
    swept = time.perf_counter()
    day = bench_day()
    agents = store.agents.get_agents([row[0] for row in store.agents.active_for_pushes()])
    entries, building, rendering = 0, 0.0, 0.0
    for first in range(0, len(agents), BATCH):  # batches keep the entries' memory bounded
        began = time.perf_counter()
        batch = agents[first:first + BATCH]
        digests = build_digests(store, [DigestRequest(agent, since=day) for agent in batch], day)
        built = time.perf_counter()
        for agent in batch:  # what the sender does with each digest as it sends it
            digest_message(services, agent, digests[agent.id])
            entries += len(digests[agent.id].entries)
        rendering += time.perf_counter() - built
        building += built - began
    rendered = time.perf_counter()
    # the sender and /today build one agent's digest at a time: time that on a sample
    sample = agents[::ONE_BY_ONE_EVERY]
    for agent in sample:
        build_digest(store, agent, day, since=day)
    one_by_one = (time.perf_counter() - rendered) / max(len(sample), 1)
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    store.close()
    return DayFigures(
        agents=len(agents), digests_queued=queued, entries=entries,
        sweep_seconds=swept - started, digests_seconds=building,
        render_seconds=rendering, one_digest_ms=one_by_one * 1000,
        rss_start_mb=rss_start, rss_peak_mb=_rss_mb(), traced_peak_mb=traced)


def measure_day_fresh(db_path: Path, *, trace: bool = False) -> DayFigures:
    """measure_day in a fresh process, on the database as generated (reset before and after)."""
    from coachbot.bench.processes import run_in_child

    reset_file(db_path)
    try:
        figures: DayFigures = run_in_child(measure_day, str(db_path), trace)
    finally:
        reset_file(db_path)
    return figures


def bench_day() -> date:
    """The local date at SWEEP_MOMENT: every bench zone is UTC+8."""
    return (SWEEP_MOMENT + timedelta(hours=8)).date()


def peak_rss_mb(*passes: DayFigures | None) -> float:
    """The highest peak over the passes measured."""
    return max(figures.rss_peak_mb for figures in passes if figures is not None)


def format_day(figures: DayFigures, repeat: DayFigures | None,
               traced: DayFigures | None) -> list[str]:
    lines = [
        f"agents {figures.agents:,}, digests queued by the sweep {figures.digests_queued:,}, "
        f"digest entries {figures.entries:,}",
        f"first pass (pages not in the OS cache come from disk): sweep "
        f"{figures.sweep_seconds:.2f}s + every agent's digest, set-wise in batches of {BATCH} "
        f"agents {figures.digests_seconds:.2f}s = {figures.total_seconds:.2f}s",
    ]
    if repeat is not None:
        lines.append(f"again at once (the database in the OS cache, as in a running bot): sweep "
                     f"{repeat.sweep_seconds:.2f}s + digests {repeat.digests_seconds:.2f}s = "
                     f"{repeat.total_seconds:.2f}s")
    lines += [
        f"one agent's digest alone (as the sender and /today build it): "
        f"{figures.one_digest_ms:.2f} ms",
        f"rendering each digest's HTML too (as the sender does): +{figures.render_seconds:.2f}s",
        f"peak RSS {peak_rss_mb(figures, repeat):.0f} MB (the process after imports and "
        f"opening the "
        f"database: {figures.rss_start_mb:.0f} MB)",
    ]
    if traced is not None and traced.traced_peak_mb is not None:
        lines.append(f"tracemalloc pass: Python allocations peaked at "
                     f"{traced.traced_peak_mb:.1f} MB during sweep + digests "
                     f"(it took {traced.total_seconds:.2f}s traced)")
    return lines
