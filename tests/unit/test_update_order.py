"""A chat's updates are handled in order; other chats' updates don't wait for them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from coachbot.runtime.update_order import ChatOrderedUpdateProcessor, chat_key

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def update_in(chat_id: int, update_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, date=NOW, chat=chat, from_user=User(chat_id, "a", False),
                      text=str(update_id))
    return Update(update_id, message=message)


async def test_one_chat_in_order_other_chats_alongside() -> None:
    processor = ChatOrderedUpdateProcessor(8)
    log: list[str] = []
    release_first = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"start {name}")
        if wait is not None:
            await wait.wait()
        log.append(f"end {name}")

    tasks = [
        asyncio.create_task(processor.process_update(update_in(10, 1),
                                                     handle("a1", release_first))),
        asyncio.create_task(processor.process_update(update_in(10, 2), handle("a2"))),
        asyncio.create_task(processor.process_update(update_in(20, 3), handle("b1"))),
    ]
    await asyncio.sleep(0.05)
    # a1 waits on the network; a2 (same chat) has not started; b1 (another chat) is done
    assert log == ["start a1", "start b1", "end b1"]
    release_first.set()
    await asyncio.gather(*tasks)
    assert log[3:] == ["end a1", "start a2", "end a2"]
    assert processor.busy_chats == 0  # no lock left behind per chat


async def test_many_updates_of_one_chat_keep_their_order() -> None:
    processor = ChatOrderedUpdateProcessor(4)
    seen: list[int] = []

    async def handle(number: int) -> None:
        await asyncio.sleep(0.001 * (number % 3))
        seen.append(number)

    await asyncio.gather(*(processor.process_update(update_in(10, n), handle(n))
                           for n in range(40)))
    assert seen == list(range(40))


def test_updates_without_a_chat_fall_back_to_the_user_then_one_queue() -> None:
    assert chat_key(update_in(10, 1)) == 10
    assert chat_key(Update(5)) is None
    assert chat_key("not an update") is None


async def until(condition) -> None:
    """Let the loop run until `condition()` holds (a guard against hangs, not a timing)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


async def test_a_chats_backlog_does_not_hold_up_another_chats_first_update() -> None:
    # two slots: chat 10's first update takes one and waits on the network; its 200 queued
    # updates must not take the other, so chat 20's first update is handled before them
    processor = ChatOrderedUpdateProcessor(2, max_backlog=200)
    log: list[str] = []
    network = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"start {name}")
        if wait is not None:
            await wait.wait()
        log.append(f"end {name}")

    tasks = [asyncio.create_task(processor.process_update(update_in(10, 1),
                                                          handle("a1", network)))]
    tasks += [asyncio.create_task(processor.process_update(update_in(10, n), handle(f"a{n}")))
              for n in range(2, 202)]
    await until(lambda: processor.backlog(10) == 200)
    tasks.append(asyncio.create_task(processor.process_update(update_in(20, 500),
                                                              handle("b1"))))
    await until(lambda: "end b1" in log)
    assert log == ["start a1", "start b1", "end b1"]
    network.set()
    await asyncio.gather(*tasks)
    assert [e for e in log if e.startswith("end a")] == [f"end a{n}" for n in range(1, 202)]
    assert processor.dropped == 0 and processor.busy_chats == 0


async def test_a_flood_beyond_the_backlog_is_dropped_with_one_notice() -> None:
    told: list[int] = []

    async def slow_down(update: object) -> None:
        assert isinstance(update, Update)
        told.append(update.update_id)

    processor = ChatOrderedUpdateProcessor(4, max_backlog=5, on_overflow=slow_down)
    handled: list[int] = []
    network = asyncio.Event()

    async def handle(number: int) -> None:
        if number == 1:
            await network.wait()
        handled.append(number)

    flood = [asyncio.create_task(processor.process_update(update_in(10, n), handle(n)))
             for n in range(1, 31)]
    await until(lambda: processor.dropped == 24)  # one handled, five waiting, the rest dropped
    assert told == [7]  # asked once, at the first update dropped
    other = asyncio.create_task(processor.process_update(update_in(20, 99), handle(99)))
    await other
    network.set()
    await asyncio.gather(*flood)
    assert handled == [99, 1, 2, 3, 4, 5, 6]
    # once the chat has caught up, it may queue again (and would be told again)
    await processor.process_update(update_in(10, 40), handle(40))
    assert handled[-1] == 40 and processor.told == 1 and processor.busy_chats == 0
