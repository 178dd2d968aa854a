"""The fake OpenAI-compatible server (aiohttp): /v1/chat/completions, /v1/audio/transcriptions.

    async with FakeLLM() as llm:
        llm.script(Reply('{"type": "P"}'), Reply(status=429, retry_after=0.1), Reply("Hi"))
        client = AsyncOpenAI(base_url=llm.base_url, api_key="test")
        ...
        assert "13812345678" not in llm.requests[0].text

Chat requests take the scripted replies in order; when none is left, `llm.responder(request)`
answers (by default: "{}" to a request for JSON, a short sentence otherwise). Transcription
requests take `llm.transcripts` in order, then a default text.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

log = logging.getLogger(__name__)
DEFAULT_TEXT = "嗯，我明白您的意思。"
DEFAULT_TRANSCRIPT = "客户说太太刚生了二胎。"


@dataclass
class Reply:
    """One scripted answer.

    content: the assistant's text (any text: valid JSON, broken JSON, prose);
    status: an HTTP error status (429, 500...) answered with an OpenAI-style error body;
    delay: seconds to wait before answering (longer than the client's timeout: a timeout);
    retry_after: the Retry-After header of an error; message: the error's message;
    raw_body: the HTTP body as is (a broken response); break_after: for a streamed request,
    chunks sent before the connection drops;
    usage: report token counts; chunk: characters per streamed chunk."""

    content: str | None = None
    status: int = 200
    delay: float = 0.0
    retry_after: float | None = None
    raw_body: str | None = None
    break_after: int | None = None
    usage: bool = True
    chunk: int = 3
    message: str = "scripted failure"


@dataclass
class SeenRequest:
    """One request as it reached the server."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.time)

    @property
    def text(self) -> str:
        """Everything the request carried as text (messages, form fields), for assertions."""
        return json.dumps(self.body, ensure_ascii=False) + json.dumps(self.form,
                                                                      ensure_ascii=False)

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.body.get("messages", []))

    @property
    def wants_json(self) -> bool:
        return "response_format" in self.body or "JSON" in json.dumps(self.messages)


def default_responder(request: SeenRequest) -> Reply:
    """An answer when nothing is scripted: an empty JSON object, or a short sentence."""
    fmt = request.body.get("response_format", {}).get("type")
    return Reply("{}" if fmt in ("json_object", "json_schema") else DEFAULT_TEXT)


class FakeLLM:
    """The server on 127.0.0.1 (a free port unless given), started as a context manager."""

    def __init__(self, port: int = 0, *, model: str = "fake-model") -> None:
        self.port = port
        self.model = model
        self.requests: list[SeenRequest] = []
        self.responder: Callable[[SeenRequest], Reply] = default_responder
        self.transcripts: deque[Reply] = deque()
        self._script: deque[Reply] = deque()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Queue chat answers, taken in order (a str is Reply(content=str))."""
        self._script.extend(Reply(r) if isinstance(r, str) else r for r in replies)

    def script_transcripts(self, *replies: Reply | str) -> None:
        self.transcripts.extend(Reply(r) if isinstance(r, str) else r for r in replies)

    @property
    def pending(self) -> int:
        """Scripted chat answers not yet taken."""
        return len(self._script)

    def chat_requests(self) -> list[SeenRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> FakeLLM:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/audio/transcriptions", self._transcribe)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server: Any = site._server
        if self.port == 0 and server is not None:
            self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeLLM:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- endpoints ----------------------------------------------------------------------------
    async def _chat(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "the body is not JSON")
        seen = SeenRequest(request.path, dict(request.headers), body=body)
        self.requests.append(seen)
        if not body.get("model") or not isinstance(body.get("messages"), list):
            return _error(400, "model and messages are required")
        reply = self._script.popleft() if self._script else self.responder(seen)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status != 200:
            return _error(reply.status, reply.message, reply.retry_after)
        if reply.raw_body is not None:
            return web.Response(text=reply.raw_body, content_type="application/json")
        content = reply.content if reply.content is not None else DEFAULT_TEXT
        prompt_tokens = sum(len(m.get("content") or "") for m in body["messages"]) // 2 + 1
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": len(content) // 2 + 1,
                 "total_tokens": prompt_tokens + len(content) // 2 + 1}
        ident = f"chatcmpl-{next(self._ids)}"
        if body.get("stream"):
            return await self._stream(request, ident, content, reply, usage)
        answer = {
            "id": ident, "object": "chat.completion", "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
        }
        if reply.usage:
            answer["usage"] = usage
        return web.json_response(answer)

    async def _stream(self, request: web.Request, ident: str, content: str, reply: Reply,
                      usage: dict[str, int]) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                               "Cache-Control": "no-cache"})
        await response.prepare(request)
        pieces = [content[i:i + reply.chunk] for i in range(0, len(content), reply.chunk)]

        def event(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            chunk = {"id": ident, "object": "chat.completion.chunk",
                     "created": int(time.time()), "model": self.model, "choices": choices,
                     **extra}
            return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()

        await response.write(event([{"index": 0, "delta": {"role": "assistant"},
                                     "finish_reason": None}]))
        for index, piece in enumerate(pieces):
            if reply.break_after is not None and index >= reply.break_after:
                await asyncio.sleep(0.01)
                assert request.transport is not None
                request.transport.close()  # the connection drops mid-answer
                return response
            await response.write(event([{"index": 0, "delta": {"content": piece},
                                         "finish_reason": None}]))
            await asyncio.sleep(0)
        await response.write(event([{"index": 0, "delta": {}, "finish_reason": "stop"}]))
        if reply.usage:
            await response.write(event([], usage=usage))
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _transcribe(self, request: web.Request) -> web.Response:
        form: dict[str, str] = {}
        files: dict[str, bytes] = {}
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            data = await part.read()
            if getattr(part, "filename", None):
                files[part.name] = bytes(data)
            else:
                form[part.name] = bytes(data).decode("utf-8", "replace")
        self.requests.append(SeenRequest(request.path, dict(request.headers), form=form,
                                         files=files))
        if "file" not in files or not form.get("model"):
            return _error(400, "file and model are required")
        reply = self.transcripts.popleft() if self.transcripts else Reply(DEFAULT_TRANSCRIPT)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status != 200:
            return _error(reply.status, reply.message, reply.retry_after)
        if reply.raw_body is not None:
            return web.Response(text=reply.raw_body, content_type="application/json")
        return web.json_response({"text": reply.content or ""})

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [
            {"id": self.model, "object": "model", "created": 0, "owned_by": "fakellm"}]})


def _error(status: int, message: str, retry_after: float | None = None) -> web.Response:
    kind = {429: "rate_limit_exceeded", 400: "invalid_request_error"}.get(status, "server_error")
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
    return web.json_response({"error": {"message": message, "type": kind, "code": kind}},
                             status=status, headers=headers)


def main() -> None:
    """Serve until Ctrl-C (point COACHBOT_LLM_BASE_URL at the printed URL)."""
    parser = argparse.ArgumentParser(prog="python -m coachbot.fakellm")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)

    async def serve() -> None:
        async with FakeLLM(args.port) as llm:
            print(f"Fake model server at {llm.base_url} (COACHBOT_LLM_MODEL=fake-model, "
                  "COACHBOT_LLM_API_KEY=anything)")
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
