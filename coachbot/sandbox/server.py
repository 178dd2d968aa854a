"""The sandbox: a local Telegram Bot API server (aiohttp) with a control API.

    async with Sandbox() as sandbox:
        app = (ApplicationBuilder().token(sandbox.token).base_url(sandbox.base_url)
               .base_file_url(sandbox.base_file_url).build())
        ...
        agent = sandbox.user(1001, "Alice")
        sandbox.send_text(agent, "/start")
        replies = await sandbox.wait_for_bot(agent.id)

Run it standalone (for the terminal chat in another process) with
`python -m coachbot.sandbox --port 8081`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import re
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiohttp import web

from coachbot.sandbox.botapi import BotApi
from coachbot.sandbox.control import SandboxControl
from coachbot.sandbox.control_http import control_routes
from coachbot.sandbox.errors import NOT_FOUND, UNAUTHORIZED, ApiError, bad_request
from coachbot.sandbox.limits import Fault, FaultQueue, FloodLimiter
from coachbot.sandbox.spec import load_spec
from coachbot.sandbox.state import SandboxState
from coachbot.sandbox.validation import (
    UploadedFile,
    check_required,
    check_shapes,
    decode_params,
    validate_method_rules,
)
from coachbot.sandbox.webhook import _DEFAULT, WebhookDelivery

log = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 60 * 1024 * 1024
IDLE_QUIET = 0.05
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_dumps = partial(json.dumps, ensure_ascii=False)


@dataclass
class RecordedRequest:
    """One Bot API call the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    response: dict[str, Any]
    status: int
    time: float = field(default_factory=time.time)
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def description(self) -> str | None:
        return self.response.get("description")


@dataclass
class Rejection:
    """A request Telegram would have refused (HTTP 400/401/404)."""

    method: str
    params: dict[str, Any]
    description: str
    error_code: int


class Sandbox(SandboxControl):
    """A local Telegram Bot API for one bot, plus the control API to play its users."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "123456:SANDBOX-TOKEN",
        bot_username: str = "CoachSandboxBot",
        bot_id: int = 123456,
        enforce_flood_limits: bool = False,
        privacy_mode: bool = True,
        bot_first_name: str = "Coach (sandbox)",
        flood_limiter: FloodLimiter | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.bot_username = bot_username
        self.bot_user: dict[str, Any] = {"id": bot_id, "is_bot": True,
                                         "first_name": bot_first_name, "username": bot_username}
        self.spec = load_spec()
        self.state = SandboxState()
        # flood_limiter: limits of one's own (a test's bulk rate); enforce_flood_limits: Telegram's
        flood = flood_limiter or (FloodLimiter() if enforce_flood_limits else None)
        self.api = BotApi(self.state, bot_user=self.bot_user, privacy_mode=privacy_mode,
                          flood=flood)
        if flood is not None:
            self.state.on_heard = flood.heard_from
        self.faults = FaultQueue()
        self.delivery = WebhookDelivery(self.state)
        self.state.on_update = lambda update: self.delivery.kick()
        self.api.on_webhook_change = self.delivery.kick
        self.requests: list[RecordedRequest] = []
        self.rejections: list[Rejection] = []
        self.flood_rejections = 0
        self._in_flight = 0
        self._last_request_end = 0.0
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self._url_host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._url_host}:{self.port}/file/bot"

    @property
    def control_url(self) -> str:
        return f"http://{self._url_host}:{self.port}/control"

    @property
    def _url_host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_bot)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        control_routes(app, self)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        return app

    async def start(self) -> None:
        if self._runner is not None:
            return
        self.api.stopping = False
        self.delivery.reopen()
        self._runner = web.AppRunner(self.make_app(), shutdown_timeout=0.2, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None)  # the bound port, when port=0
        if sockets:
            self.port = sockets[0].getsockname()[1]
        self.delivery.kick()

    async def stop(self) -> None:
        """Answer pending long polls with [] at once, then close everything quickly."""
        if self._runner is None:
            return
        self.api.stopping = True
        self.state.signal.fire()
        await asyncio.sleep(0)  # let released handlers write their answers
        await self.delivery.close()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- faults and blocking -----------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        *,
        error_code: int | None = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
        count: int = 1,
        drop_connection: bool = False,
        delay: float = 0,
    ) -> None:
        """Make the next `count` calls of `method` ("*" for any) fail.

        An error answer (error_code/description/retry_after), a dropped connection, or a delay
        first (to provoke client timeouts). error_code=None with a delay answers normally,
        late: the call takes effect although the client may have given up.
        """
        if method != "*" and self.spec.method(method) is None:
            raise ValueError(f"{method} is not a Bot API method")
        self.faults.add(Fault(method, error_code, description, retry_after, count,
                              drop_connection, delay))

    async def post_to_webhook(
        self, update: dict[str, Any], *, secret: Any = _DEFAULT, url: str | None = None
    ) -> int | None:
        """POST an update to the bot's webhook directly (secret: override the header, None to
        omit it); returns the HTTP status, None if the connection failed."""
        return await self.delivery.post(update, url=url, secret=secret)

    async def wait_idle(self, timeout: float = 5) -> None:
        """Wait until the bot has taken every update, no request is in flight and it has been
        quiet for 50 ms."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def settled() -> bool:
            return (not self.state.updates.pending and self._in_flight == 0
                    and not self.delivery.busy)

        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"bot not idle after {timeout}s: {len(self.state.updates.pending)} update(s) "
                    f"pending, {self._in_flight} request(s) in flight"
                )
            if not await self.state.signal.wait_until(settled, remaining):
                continue
            quiet_for = time.monotonic() - self._last_request_end
            if quiet_for >= IDLE_QUIET:
                return
            await asyncio.sleep(min(IDLE_QUIET - quiet_for, max(remaining, 0)))

    # -- the Bot API endpoint ----------------------------------------------------------------
    async def _handle_bot(self, request: web.Request) -> web.StreamResponse:
        token, name = request.match_info["token"], request.match_info["method"]
        if token != self.token:
            error = UNAUTHORIZED if _TOKEN_SHAPE.match(token) else NOT_FOUND
            return self._answer(name, {}, {}, error.to_response(), error.error_code, time.time(),
                                error=error)
        method_spec = self.spec.method(name)
        if method_spec is None:
            return self._answer(name, {}, {}, NOT_FOUND.to_response(), 404, time.time(),
                                error=NOT_FOUND)
        method = method_spec.name
        counted = method != "getUpdates"
        started = time.time()
        params: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        if counted:
            self._in_flight += 1
            self.state.signal.fire()
        try:
            raw, files = await _read_request(request)
            params = dict(raw)
            fault = self.faults.take(method)
            if fault is not None:
                injected = await self._apply_fault(fault, request)
                if injected is not None:
                    response, status = injected
                    return self._answer(method, params, files, response, status, started)
            params = decode_params(method_spec, raw, files)
            if method not in self.api.handlers:
                raise bad_request("method not supported by the sandbox")
            check_required(method_spec, params)
            check_shapes(self.spec, method_spec, params)
            validate_method_rules(method, params)
            result = await self.api.handlers[method](params)
            return self._answer(method, params, files, {"ok": True, "result": result}, 200,
                                started)
        except ApiError as error:
            return self._answer(method, params, files, error.to_response(), error.error_code,
                                started, error=error)
        except Exception as bug:  # a sandbox bug: say so rather than answer garbage
            log.exception("sandbox error in %s", method)
            failure = ApiError(500, f"Internal Server Error: sandbox bug: {bug!r}")
            return self._answer(method, params, files, failure.to_response(), 500, started)
        finally:
            if counted:
                self._in_flight -= 1
                self._last_request_end = time.monotonic()
                self.state.signal.fire()

    async def _apply_fault(
        self, fault: Fault, request: web.Request
    ) -> tuple[dict[str, Any], int] | None:
        if fault.delay:
            await self.api.wait_while_stopping(fault.delay)
        if fault.drop_connection:
            if request.transport is not None:
                request.transport.abort()
            return {"ok": False, "error_code": 0, "description": "connection dropped"}, 0
        error = fault.error()
        if error is None:
            return None
        return error.to_response(), error.error_code

    def _answer(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, UploadedFile],
        response: dict[str, Any],
        status: int,
        started: float,
        *,
        error: ApiError | None = None,
    ) -> web.StreamResponse:
        self.requests.append(RecordedRequest(method, params, files, response, status, started,
                                             time.time() - started))
        if error is not None and error.error_code in (400, 401, 404):
            self.rejections.append(Rejection(method, params, error.description,
                                             error.error_code))
            chat_id = params.get("chat_id")
            self.state.record("rejection", chat_id if isinstance(chat_id, int) else None,
                              method=method, description=error.description)
        if error is not None and error.error_code == 429:
            self.flood_rejections += 1
        if status == 0:  # the connection was dropped on purpose
            return web.Response(status=500)
        return web.json_response(response, status=status, dumps=_dumps)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(NOT_FOUND.to_response(), status=404)
        stored = self.state.files.by_path.get(request.match_info["path"])
        if stored is None or stored.data is None:
            return web.json_response(NOT_FOUND.to_response(), status=404)
        return web.Response(body=stored.data,
                            content_type=stored.mime_type or "application/octet-stream")

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(NOT_FOUND.to_response(), status=404)


async def _read_request(
    request: web.Request,
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """(values, file parts) from a query string, form, multipart or JSON body."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.can_read_body:
        return raw, files
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        raw.update(body)
        return raw, files
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(key, value.filename, value.content_type,
                                          value.file.read())
            else:
                raw[key] = value
    return raw, files


def main(argv: list[str] | None = None) -> None:
    """Run a sandbox until Ctrl-C (for `coachbot.sandbox.terminal` in another process)."""
    parser = argparse.ArgumentParser(description="Local Telegram Bot API sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:SANDBOX-TOKEN")
    parser.add_argument("--flood-limits", action="store_true")
    args = parser.parse_args(argv)

    async def serve() -> None:
        async with Sandbox(host=args.host, port=args.port, token=args.token,
                           enforce_flood_limits=args.flood_limits) as sandbox:
            print(f"Bot API:     {sandbox.base_url}", flush=True)
            print(f"Files:       {sandbox.base_file_url}", flush=True)
            print(f"Control API: {sandbox.control_url}", flush=True)
            print(f"Token:       {sandbox.token}", flush=True)
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())

