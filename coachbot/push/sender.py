"""Drains the outbox: paced under Telegram's limits, retried on faults, never sent twice.

The pacing itself (the outbox's messages/s, ~1/s per chat, 20/minute per group, what replies
leave of Telegram's bulk budget, pauses after a 429) is the bot's rate limiter's
(runtime/rate_limit.py): every message sent here goes through it marked as a push, so replies
to agents and these pushes share one account of what was sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from coachbot.domain.models import OutboxMessage
from coachbot.runtime.rate_limit import retry_after_seconds, sending_pushes
from coachbot.services.container import Services

logger = logging.getLogger(__name__)

Deliver = Callable[[Bot, Services, OutboxMessage], Awaitable[int | None]]
MAX_ATTEMPTS = 8  # a message that fails with an unexpected error this often is dropped
GIVE_UP_AFTER = timedelta(hours=12)  # Telegram unreachable this long after it fell due: dropped
MAX_BACKOFF = 300.0
# A claim older than this is taken back (its sender died or lost it); each send renews its
# claim first, so only a sender gone (or stuck) this long loses one.
CLAIM_LEASE = timedelta(minutes=2)
RECOVER_EVERY = 60.0  # seconds between looks for claims past their lease


class OutboxSender:
    """A background task that sends queued messages; wake() it when something was queued."""

    def __init__(self, bot: Bot, services: Services,
                 deliverers: Mapping[str, Deliver]) -> None:
        self.bot, self.services, self.deliverers = bot, services, deliverers
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._recovered_at = time.monotonic()
        self.claimer = uuid.uuid4().hex  # marks this sender's claims in the outbox
        self.sent = 0

    def start(self) -> None:
        # Holding the instance lock, every claim left is a dead process's: take them all back
        # now. Without it (tests, or a bot sharing the database), only claims past the lease.
        orphans = self.services.instance_lock is not None
        recovered = self.services.store.outbox.recover(
            self.services.clock.now(), lease=CLAIM_LEASE, orphans=orphans)
        if recovered:
            logger.warning("%d message(s) were mid-send at the last stop; sending again",
                           recovered)
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the message being sent, then stop; the rest stays queued in SQLite."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(self._task, timeout)
        except TimeoutError:  # a send hanging past the timeout: cancel it
            logger.warning("outbox sender did not stop in %.0fs; cancelling", timeout)
        finally:
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def drain(self) -> int:
        """Send everything ready now (tests and catch-up); returns how many were handled."""
        handled = 0
        while not self._stopping and (
                batch := self.services.store.outbox.claim(self.services.clock.now(), limit=20,
                                                          claimer=self.claimer)):
            for index, message in enumerate(batch):
                if self._stopping:  # hand the rest back untouched
                    self.services.store.outbox.release([m.id for m in batch[index:]])
                    break
                await self._send(message)
                handled += 1
        return handled

    async def _run(self) -> None:
        while not self._stopping:
            try:
                self._recover_expired()
                await self.drain()
            except Exception:  # a bug must not stop reminders for everyone
                logger.exception("outbox sender failed; retrying shortly")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)

    def _recover_expired(self) -> None:
        """Now and then, take back claims past their lease (a send that failed in a way that
        left its message 'sending' is retried without waiting for a restart)."""
        if time.monotonic() - self._recovered_at < RECOVER_EVERY:
            return
        self._recovered_at = time.monotonic()
        recovered = self.services.store.outbox.recover(self.services.clock.now(),
                                                       lease=CLAIM_LEASE)
        if recovered:
            logger.warning("%d message(s) stuck mid-send past their lease; sending again",
                           recovered)

    async def _send(self, message: OutboxMessage) -> None:
        store, now = self.services.store, self.services.clock.now()
        deliver = self.deliverers.get(message.kind)
        if deliver is None:
            store.outbox.dead(message.id, f"no deliverer for {message.kind}")
            return
        if not store.outbox.renew(message.id, now, self.claimer):
            logger.warning("outbox %s was taken back while it waited; not sending it here",
                           message.key)
            return
        try:
            with sending_pushes():  # paced as a push, behind replies (runtime/rate_limit.py)
                message_id = await deliver(self.bot, self.services, message)
        except RetryAfter as exc:
            # a 429 (the limiter has paused pushes) or its chat cannot take it yet: later
            delay = retry_after_seconds(exc)
            store.outbox.retry(message.id, now + timedelta(seconds=delay), str(exc))
        except Forbidden as exc:
            if message.chat_id > 0:
                store.agents.mark_blocked(message.agent_id)
            store.outbox.dead(message.id, str(exc))
        except ChatMigrated as exc:
            store.migrate_chat(message.chat_id, exc.new_chat_id)
            store.outbox.retry(message.id, now, f"chat migrated to {exc.new_chat_id}")
        except BadRequest as exc:
            logger.error("outbox %s refused by Telegram: %s", message.key, exc)
            store.outbox.dead(message.id, str(exc))
        except NetworkError as exc:  # includes TimedOut: an outage can last, keep trying
            if now - message.due_at > GIVE_UP_AFTER:
                store.outbox.dead(message.id, str(exc))
            else:
                store.outbox.retry(message.id, now + _backoff(message.attempts), str(exc))
        except Exception as exc:  # a bug with this one message must not stall the others
            logger.exception("outbox %s failed", message.key)
            if message.attempts >= MAX_ATTEMPTS:
                store.outbox.dead(message.id, repr(exc))
            else:
                store.outbox.retry(message.id, now + _backoff(message.attempts), repr(exc))
        else:
            store.outbox.sent(message.id, message_id)
            self.sent += 1


def _backoff(attempts: int) -> timedelta:
    """2, 4, 8... seconds after each failed attempt, at most five minutes."""
    return timedelta(seconds=min(MAX_BACKOFF, 2.0 ** min(attempts, 16)))
