"""Child processes of the benchmarks: the sandbox (commanded over a pipe) and one-shot jobs."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from typing import Any

from coachbot.app import SANDBOX_TOKEN
from coachbot.bench import sandbox_side

# spawn, not fork: the child starts clean (no copy of the parent's SQLite handles or threads)
_CONTEXT = multiprocessing.get_context("spawn")


class SandboxProcess:
    """The sandbox and load generator in a child process; `call` runs a command there."""

    def __init__(self, *, flood_limits: bool) -> None:
        self._conn, child_conn = _CONTEXT.Pipe()
        self._process = _CONTEXT.Process(target=sandbox_side.serve,
                                         args=(child_conn, flood_limits, SANDBOX_TOKEN),
                                         name="bench-sandbox", daemon=True)
        self.base_url = ""
        self.base_file_url = ""
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> SandboxProcess:
        self._process.start()
        urls = await asyncio.to_thread(self._receive, 60.0)
        self.base_url, self.base_file_url = urls["base_url"], urls["base_file_url"]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            self._conn.send(("stop",))
            await asyncio.to_thread(self._receive, 10.0)
        except (OSError, RuntimeError):
            pass
        await asyncio.to_thread(self._process.join, 10.0)
        if self._process.is_alive():
            self._process.terminate()
        self._conn.close()

    async def call(self, name: str, *args: Any, timeout: float = 3600.0) -> Any:
        """Run a command in the child (the bot's loop keeps running meanwhile)."""
        async with self._lock:
            self._conn.send((name, *args))
            status, value = await asyncio.to_thread(self._receive, timeout)
        if status != "ok":
            raise RuntimeError(f"sandbox process: {value}")
        return value

    def _receive(self, timeout: float) -> Any:
        try:
            if self._conn.poll(timeout):
                return self._conn.recv()
        except EOFError:
            pass
        raise RuntimeError(f"the sandbox process did not answer (exit code "
                           f"{self._process.exitcode})")


def run_in_child(function: Callable[..., Any], *args: Any, timeout: float = 3600.0) -> Any:
    """Call a module-level function in a fresh process (honest peak memory); its result."""
    parent_conn, child_conn = _CONTEXT.Pipe()
    process = _CONTEXT.Process(target=_child_main, args=(child_conn, function, args),
                               name="bench-job")
    process.start()
    try:
        if not parent_conn.poll(timeout):
            raise TimeoutError(f"{function.__name__} did not finish in {timeout:.0f}s")
        status, value = parent_conn.recv()
    finally:
        process.join(10)
        if process.is_alive():
            process.terminate()
        parent_conn.close()
    if status != "ok":
        raise RuntimeError(f"{function.__name__} failed in its process: {value}")
    return value


def _child_main(conn: Any, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        conn.send(("ok", function(*args)))
    except BaseException as exc:  # the parent reports it
        import traceback

        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        conn.close()
