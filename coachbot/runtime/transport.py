"""The Bot API's HTTP transport on aiohttp, through PTB's documented BaseRequest extension point.

PTB's default transport is httpx. On our busiest chat paths the bench profile showed httpx and
httpcore spending more CPU per request than our own handler code; aiohttp's client (already a
dependency: PTB's webhook server and the sandbox run on it) does the same requests for less
(`coachbot bench` prints both). Requests carry what PTB's own transport sends (the same
fields, files as multipart), the same timeouts and the same errors (TimedOut, NetworkError)
for PTB's retry logic and our outbox.

Telegram's answer to a sent or edited message echoes the message back, keyboard and
formatting entities included, and a pressed button's update carries the bot's message the same
way. The bot never reads either back (it keeps its own state, not Telegram's copy of its
screens), yet PTB builds an object per button and per entity of every such copy: measured
(callgrind), a quarter of the instructions of opening a card and a tenth of a quick add.
`parse_json_payload`, PTB's documented hook for reading Telegram's JSON, drops those two
fields from the bot's own messages; users' messages (their text, entities, forwards) are
untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput  # the type BaseRequest's signature uses

DEFAULT_TIMEOUT = 5.0  # seconds: PTB's own defaults for connect, read, write and pool
MEDIA_WRITE_TIMEOUT = 20.0  # uploading a file (an export, a chart) may take longer
JSON = "application/json"
ECHOED = ("reply_markup", "entities")  # parts of the bot's own messages it never reads back


class AiohttpRequest(BaseRequest):
    """One aiohttp session per instance; PTB uses one for getUpdates and one for the rest."""

    __slots__ = ("_connections", "_session", "_timeouts")

    def __init__(self, connection_pool_size: int = 256, *,
                 read_timeout: float | None = DEFAULT_TIMEOUT,
                 write_timeout: float | None = DEFAULT_TIMEOUT,
                 connect_timeout: float | None = DEFAULT_TIMEOUT,
                 pool_timeout: float | None = 1.0) -> None:
        self._connections = connection_pool_size
        self._timeouts = {"read": read_timeout, "write": write_timeout,
                          "connect": connect_timeout, "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """PTB adds getUpdates' long-poll timeout to this."""
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # created here, inside the running loop, never at import or build time
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=aiohttp.ClientTimeout(total=None))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = bool(request_data and request_data.contains_files)
        read = self._pick(read_timeout, "read")
        write = MEDIA_WRITE_TIMEOUT if files and isinstance(write_timeout, DefaultValue) \
            else self._pick(write_timeout, "write")
        connect = self._pick(connect_timeout, "connect")
        pool = self._pick(pool_timeout, "pool")
        timeout = aiohttp.ClientTimeout(
            # aiohttp has no write timeout: sending is bounded by the whole request's time
            total=_sum(read, write, connect, pool),
            connect=_sum(connect, pool),  # waiting for a free connection, then connecting
            sock_connect=connect, sock_read=read)
        body, headers = _body(request_data)
        headers["User-Agent"] = self.USER_AGENT
        try:
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # the class name says more than an often empty message
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        data = BaseRequest.parse_json_payload(payload)
        result = data.get("result") if isinstance(data, dict) else None
        if isinstance(result, dict):  # a sent or edited message (or another single object)
            _drop_echo(result)
        elif isinstance(result, list):  # getUpdates: the bot's message under a pressed button
            for update in result:
                query = update.get("callback_query") if isinstance(update, dict) else None
                if isinstance(query, dict) and isinstance(query.get("message"), dict):
                    _drop_echo(query["message"])
        return data

    def _pick(self, given: ODVInput[float], name: str) -> float | None:
        if isinstance(given, DefaultValue):
            return self._timeouts[name]
        return given


def _drop_echo(message: dict[str, Any]) -> None:
    """A message the bot sent, as Telegram echoes it, without what the bot never reads."""
    if "message_id" in message:
        for key in ECHOED:
            message.pop(key, None)


def _sum(*timeouts: float | None) -> float | None:
    """None (no limit) if any part has no limit."""
    return None if None in timeouts else sum(t for t in timeouts if t is not None)


def _body(request_data: RequestData | None) -> tuple[bytes | aiohttp.FormData | None,
                                                     dict[str, str]]:
    """The parameters as JSON (encoded in C: a form's percent-encoding of Chinese text costs
    five times as much), or multipart when there are files, as PTB's own transport sends them.
    Values are PTB's JSON-encoded strings ("42", "{...}"), which Telegram reads as it reads
    form fields."""
    if request_data is None:
        return None, {}
    if not request_data.contains_files:
        return request_data.json_payload, {"Content-Type": JSON}
    form = aiohttp.FormData(quote_fields=False)  # file names as they are: 客户.csv, not %E5..
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, upload in request_data.multipart_data.items():
        filename, content, *mime = upload
        form.add_field(name, content, filename=filename,
                       content_type=mime[0] if mime else "application/octet-stream")
    return form, {}

