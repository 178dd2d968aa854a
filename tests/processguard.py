"""Tests stop what they start: no `coachbot` process may outlive the test that started it.

A pytest plugin (loaded with `-p tests.processguard` from pyproject's addopts). After every
test, and once more at the end of the session, it looks for descendants of the pytest process
that run CoachBot (`python -m coachbot ...`, the `coachbot` script, or a multiprocessing child
of the bench). Any found are killed with their process group and the test errors, naming them:
a fault test that fails half-way must not leave a bot polling a dead sandbox and logging every
30 s forever.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

_MARKERS = ("coachbot", "multiprocessing-fork")


def _proc_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process we may read."""
    table: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            args = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # it ended while we looked
            continue
        # the command name in field 2 may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(")") + 2:].split()
        if fields[0] == "Z":  # a zombie is dead already; its parent reaps it
            continue
        table[int(entry.name)] = (int(fields[1]), args.strip())
    return table


def leftover_processes(root: int | None = None) -> list[tuple[int, str]]:
    """Live CoachBot processes descending from `root` (this process by default)."""
    root = os.getpid() if root is None else root
    table = _proc_table()
    found = []
    for pid, (_, args) in table.items():
        if pid == root or not any(marker in args for marker in _MARKERS):
            continue
        parent, hops = pid, 0
        while parent not in (0, 1, root) and hops < 64:
            parent, hops = table.get(parent, (0, ""))[0], hops + 1
        if parent == root:
            found.append((pid, args))
    return sorted(found)


def kill_processes(processes: list[tuple[int, str]], timeout: float = 5.0) -> None:
    """SIGKILL each one and its process group, then wait until they are gone."""
    for pid, _ in processes:
        with contextlib.suppress(OSError):
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    pids = {pid for pid, _ in processes}
    deadline = time.monotonic() + timeout
    while pids & {pid for pid, _ in leftover_processes()} and time.monotonic() < deadline:
        for pid in pids:  # our own children must be reaped; others go when their parent reaps
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)


def _check(when: str) -> None:
    leftovers = leftover_processes()
    if leftovers:
        kill_processes(leftovers)
        listing = "; ".join(f"pid {pid}: {args[:120]}" for pid, args in leftovers)
        pytest.fail(f"{when} left CoachBot process(es) running (now killed): {listing}",
                    pytrace=False)


@pytest.fixture(autouse=True)
def _no_coachbot_left_behind() -> Iterator[None]:
    """Fail the test that leaves a CoachBot process running."""
    yield
    _check("this test")


@pytest.fixture(scope="session", autouse=True)
def _no_coachbot_left_at_session_end() -> Iterator[None]:
    """The same check once more when the whole run ends."""
    yield
    _check("the test session")
