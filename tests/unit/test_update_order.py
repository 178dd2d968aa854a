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
