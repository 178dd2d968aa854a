"""Webhook mode: POST each pending update to the bot's URL, in order, with retries."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import aiohttp

from coachbot.sandbox.objects import now
from coachbot.sandbox.state import SandboxState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0)  # after the first attempt: 5 attempts in all
_DEFAULT = object()


class WebhookDelivery:
    def __init__(self, state: SandboxState, *, timeout: float = 5.0) -> None:
        self.state = state
        self.timeout = timeout
        self.busy = False
        self.log: list[dict[str, Any]] = []  # every attempt: update_id, status, error
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def reopen(self) -> None:
        """Allow deliveries again after close() (the sandbox restarted)."""
        self._closed = False

    def kick(self) -> None:
        """Deliver pending updates if a webhook is set (called on every change)."""
        if self._closed or self.state.webhook is None or not self.state.updates.pending:
            return
        if self._task is not None and not self._task.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not started yet: start() kicks again
        self.busy = True
        self._task = loop.create_task(self._run(), name="sandbox-webhook-delivery")

    async def _run(self) -> None:
        try:
            while self.state.webhook is not None and self.state.updates.pending:
                hook = self.state.webhook
                update = self.state.updates.pending[0]
                delivered = await self._deliver(update, hook)
                if self.state.webhook is not hook and not delivered:
                    continue  # the webhook changed: deliver again (or leave it to getUpdates)
                queue = self.state.updates
                queue.pending = [u for u in queue.pending if u["update_id"] != update["update_id"]]
                if not delivered:
                    self.state.record("webhook_gave_up", update_id=update["update_id"])
                self.state.signal.fire()
        finally:
            self.busy = False
            self.state.signal.fire()

    async def _deliver(self, update: dict[str, Any], hook: dict[str, Any]) -> bool:
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS)):
            if delay:
                await asyncio.sleep(delay)
            if self.state.webhook is not hook:
                return False
            status, error = await self._post(update, hook["url"], hook.get("secret_token"))
            self.log.append({"update_id": update["update_id"], "attempt": attempt + 1,
                             "status": status, "error": error})
            if error is None:
                return True
            hook["last_error_date"] = now()
            hook["last_error_message"] = error
        return False

    async def _post(
        self, update: dict[str, Any], url: str, secret: str | None
    ) -> tuple[int | None, str | None]:
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = secret
        try:
            async with self.session().post(url, data=json.dumps(update, ensure_ascii=False),
                                           headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return response.status, None
                return response.status, (
                    f"Wrong response from the webhook: {response.status} {response.reason}"
                )
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return None, f"Connection failed: {error or type(error).__name__}"

    async def post(
        self, update: dict[str, Any], *, url: str | None = None, secret: Any = _DEFAULT
    ) -> int | None:
        """POST one update to the webhook, outside the queue; returns the HTTP status."""
        hook = self.state.webhook or {}
        target = url or hook.get("url")
        if not target:
            raise LookupError("no webhook is set")
        token = hook.get("secret_token") if secret is _DEFAULT else secret
        status, _ = await self._post(update, target, token)
        return status

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout)
            )
        return self._session

    async def close(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._session is not None:
            await self._session.close()
        self.busy = False
