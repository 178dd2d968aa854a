"""The sandbox and the bot on their own event loop in a background thread.

Hypothesis drives synchronous tests; the bot needs a running loop. LiveBot starts the usual
harness (tests.harness.start_harness) in a thread and runs every call on that loop's thread
(the sandbox's control methods must run there), so a @given test can do, per example:

    with LiveBot(tmp_path, clock) as live:
        live.run(lambda h: h.sandbox.send_text(h.user, "/help"))
        live.settle()

On exit the harness's own check runs (every request the bot sent passed the sandbox's
validation) and its failure, if any, is raised in the test's thread.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coachbot.config import Settings
from coachbot.domain.clock import ManualClock
from tests.harness import BotHarness, start_harness

START_TIMEOUT = 30.0
CALL_TIMEOUT = 60.0


class LiveBot:
    def __init__(self, tmp_path: Path, clock: ManualClock, *,
                 settings: Settings | None = None) -> None:
        self.tmp_path, self.clock, self.settings = tmp_path, clock, settings
        self.loop: asyncio.AbstractEventLoop | None = None
        self.harness: BotHarness | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="live-bot", daemon=True)

    def __enter__(self) -> LiveBot:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise TimeoutError("the bot did not start")
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.loop is not None and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(START_TIMEOUT)
        if self._error is not None and exc_info[0] is None:
            raise self._error

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # reported in the test's thread
            self._error = error
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with start_harness(self.tmp_path, self.clock, settings=self.settings) as harness:
            self.harness = harness
            self._ready.set()
            await self._stop.wait()
            await harness.sandbox.wait_idle(timeout=10)
            forgive_double_taps(harness)

    def run(self, call: Callable[[BotHarness], Any], timeout: float = CALL_TIMEOUT) -> Any:
        """Run call(harness) on the bot's loop (awaited if it returns an awaitable)."""
        assert self.loop is not None and self.harness is not None
        harness = self.harness

        async def on_loop() -> Any:
            result = call(harness)
            if inspect.isawaitable(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(on_loop(), self.loop).result(timeout)

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until the bot has handled every update so far and gone quiet."""
        self.run(lambda h: settle(h, timeout=timeout), timeout=timeout + 5)


def forgive_double_taps(harness: BotHarness) -> None:
    """Drop the sandbox's "message is not modified" rejections. Pressing a button whose edit
    changes nothing (a double tap, or the value already chosen) makes Telegram answer 400
    "message is not modified"; the bot expects that answer and ignores it, and a user can
    always cause it, so it is not an invalid request of the bot's. Every other rejection
    still fails the test."""
    sandbox = harness.sandbox
    sandbox.rejections[:] = [r for r in sandbox.rejections
                             if "message is not modified" not in r.description]


SENTINEL = 9_999_999  # a user whose /help marks the end of a batch of updates


async def settle(harness: BotHarness, *, timeout: float = 60.0) -> None:
    """Wait until the bot has handled every update injected so far. The bot fetches updates
    in order, so once a sentinel user's /help is answered every earlier update was fetched;
    other chats' updates may still be in hand (chats are handled side by side), so then wait
    for the update processor to run dry. The sandbox's wait_idle alone can return while a
    handler is busy computing (an export, an import) without a request in flight."""
    sandbox = harness.sandbox
    sentinel = sandbox.user(SENTINEL, "Sentinel", language_code="en")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:  # a fault injected for the bot's next sends may swallow a sentinel's answer
        update = sandbox.send_text(sentinel, "/help")
        try:
            await sandbox.wait_for_bot(SENTINEL, after=update["_seq"],
                                       timeout=min(3.0, max(deadline - loop.time(), 0.1)))
            break
        except TimeoutError:
            if loop.time() >= deadline:
                raise
    app = harness.app
    while app.update_processor.current_concurrent_updates or not app.update_queue.empty():
        if loop.time() >= deadline:
            raise TimeoutError("the bot is still handling updates")
        await asyncio.sleep(0.01)
    # a push the sender has claimed may still wait its turn (a chat busy with replies goes
    # first): done once it is sent, or handed back to the outbox for later
    while harness.store.outbox.counts().get("sending", 0):
        if loop.time() >= deadline:
            raise TimeoutError("the outbox sender is still sending")
        await asyncio.sleep(0.02)
    await sandbox.wait_idle(timeout=timeout)
