"""Tests stop what they start: no `coachbot` process may outlive the test that started it.

A pytest plugin (loaded with `-p tests.processguard` from pyproject's addopts). After every
test of the folders that start processes (faults/, bench/), and once more at the end of the
session for all, it looks for descendants of the pytest process that run CoachBot (`python -m
coachbot ...`, the `coachbot` script, or a multiprocessing child of the bench). Any found are
killed with their process group and the test errors, naming them: a fault test that fails
half-way must not leave a bot polling a dead sandbox and logging every 30 s forever. (Looking
costs ~8 ms: after each of the other 1,500 tests that would add 10 s to the suite.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator

import pytest

_MARKERS = ("coachbot", "multiprocessing-fork")
# Helpers multiprocessing keeps for the life of the test process itself (the import reader's
# fork server, the resource tracker): they end with it, so they are not left behind. The
# readers they fork are still checked.
_PROCESS_HELPERS = ("multiprocessing.forkserver import main",
                    "multiprocessing.resource_tracker import main")


def _read(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def _parents() -> dict[int, int]:
    """pid -> parent pid of every live (not zombie) process."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = _read(f"/proc/{name}/stat")
        except OSError:  # it ended while we looked
            continue
        # the command name in field 2 may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        if fields[0] != b"Z":  # a zombie is dead already; its parent reaps it
            parents[int(name)] = int(fields[1])
    return parents


def leftover_processes(root: int | None = None) -> list[tuple[int, str]]:
    """Live CoachBot processes descending from `root` (this process by default)."""
    root = os.getpid() if root is None else root
    parents = _parents()
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found, todo = [], list(children.get(root, []))
    while todo:  # pytest seldom has children: usually nothing to read here
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            args = _read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if parents.get(pid) == root and any(helper in args for helper in _PROCESS_HELPERS):
            continue
        if any(marker in args for marker in _MARKERS):
            found.append((pid, args.strip()))
    return sorted(found)


def kill_processes(processes: list[tuple[int, str]], timeout: float = 5.0) -> None:
    """SIGKILL each one and its process group, then wait until they are gone."""
    for pid, _ in processes:
        with contextlib.suppress(OSError):
            if os.getpgid(pid) != os.getpgrp():  # never our own group: that is pytest itself
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


_STARTERS = frozenset({"faults", "bench"})  # test folders whose tests start processes


@pytest.fixture(autouse=True)
def _no_coachbot_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test that leaves a CoachBot process running."""
    yield
    if _STARTERS & set(request.node.path.parts):
        _check("this test")


@pytest.fixture(scope="session", autouse=True)
def _no_coachbot_left_at_session_end() -> Iterator[None]:
    """The same check once more when the whole run ends."""
    yield
    _check("the test session")
