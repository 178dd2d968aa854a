"""The aiohttp transport sends what PTB's httpx transport sends and fails the way PTB expects."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from coachbot.runtime.transport import AiohttpRequest


@pytest.fixture
async def echo_server() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A server that records each request's fields (and files) and answers ok."""
    seen: list[dict[str, Any]] = []

    async def record(request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            fields = await request.json()
        else:
            form = await request.post()
            fields = {key: (value.filename, value.file.read())
                      if isinstance(value, web.FileField) else value
                      for key, value in form.items()}
        seen.append({"content_type": request.content_type, "fields": fields,
                     "agent": request.headers.get("User-Agent", "")})
        return web.json_response({"ok": True, "result": True})

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/botT/sendMessage", record)
    app.router.add_post("/botT/sendDocument", record)
    app.router.add_post("/botT/slow", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/botT", seen
    await runner.cleanup()


def message_data() -> RequestData:
    return RequestData([
        RequestParameter.from_input("chat_id", 42),
        RequestParameter.from_input("text", "张三 & <b>李四</b> 100%"),
        RequestParameter.from_input("reply_markup", {"inline_keyboard": [[
            {"text": "打开", "callback_data": "cl:o:7"}]]}),
    ])


async def test_sends_the_same_fields_as_ptbs_own_transport_as_json(echo_server) -> None:
    url, seen = echo_server
    for transport in (AiohttpRequest(), HTTPXRequest()):
        await transport.initialize()
        try:
            status, body = await transport.do_request(f"{url}/sendMessage", "POST",
                                                      message_data())
        finally:
            await transport.shutdown()
        assert status == 200 and b'"ok": true' in body
    ours, theirs = seen
    # the same fields with the same (string) values; JSON instead of a form
    assert ours["fields"] == theirs["fields"]
    assert ours["fields"]["text"] == "张三 & <b>李四</b> 100%"
    assert ours["fields"]["chat_id"] == "42"
    assert ours["content_type"] == "application/json"
    assert theirs["content_type"] == "application/x-www-form-urlencoded"
    assert "python-telegram-bot" in ours["agent"]


async def test_files_go_as_multipart(echo_server) -> None:
    url, seen = echo_server
    data = RequestData([
        RequestParameter.from_input("chat_id", 42),
        RequestParameter.from_input("document", InputFile(b"a,b\n1,2\n", filename="客户.csv")),
    ])
    transport = AiohttpRequest()
    await transport.initialize()
    try:
        status, _ = await transport.do_request(f"{url}/sendDocument", "POST", data)
    finally:
        await transport.shutdown()
    assert status == 200
    assert seen[0]["content_type"] == "multipart/form-data"
    fields = seen[0]["fields"]
    assert fields["chat_id"] == "42"
    attached = fields["document"]
    if isinstance(attached, str):  # PTB sends the file under an attach:// name
        attached = fields[attached.removeprefix("attach://")]
    assert attached == ("客户.csv", b"a,b\n1,2\n")


async def test_a_slow_answer_is_timed_out_and_a_dead_server_is_a_network_error(
        echo_server) -> None:
    url, _ = echo_server
    transport = AiohttpRequest(read_timeout=0.2)
    await transport.initialize()
    try:
        with pytest.raises(TimedOut):
            await transport.do_request(f"{url}/slow", "POST", message_data())
        with pytest.raises(NetworkError):
            await transport.do_request("http://127.0.0.1:9/botT/getMe", "POST")
        # a long poll passes its own, longer read timeout: it is honoured
        status, _ = await transport.do_request(f"{url}/slow", "POST", message_data(),
                                               read_timeout=5)
        assert status == 200
    finally:
        await transport.shutdown()


async def test_it_must_be_initialized_and_can_be_again_after_shutdown(echo_server) -> None:
    url, _ = echo_server
    transport = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await transport.do_request(f"{url}/sendMessage", "POST", message_data())
    for _ in range(2):
        await transport.initialize()
        status, _ = await transport.do_request(f"{url}/sendMessage", "POST", message_data())
        assert status == 200
        await transport.shutdown()
    assert transport.read_timeout == 5.0


def test_the_bots_own_messages_come_back_without_the_echoed_keyboard_and_entities() -> None:
    sent = {"message_id": 7, "chat": {"id": 1, "type": "private"}, "date": 0, "text": "客户",
            "entities": [{"type": "bold", "offset": 0, "length": 2}],
            "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x"}]]}}
    answer = AiohttpRequest.parse_json_payload(
        json.dumps({"ok": True, "result": sent}).encode())
    assert answer["result"] == {"message_id": 7, "chat": {"id": 1, "type": "private"},
                                "date": 0, "text": "客户"}


def test_a_pressed_buttons_message_is_trimmed_but_the_agents_own_messages_are_not() -> None:
    typed = {"message_id": 8, "chat": {"id": 1, "type": "private"}, "date": 0,
             "text": "/add 张三", "entities": [{"type": "bot_command", "offset": 0, "length": 4}]}
    pressed = {"id": "q", "from": {"id": 1, "is_bot": False, "first_name": "a"},
               "chat_instance": "c", "data": "cl:o:1",
               "message": {"message_id": 9, "chat": {"id": 1, "type": "private"}, "date": 0,
                           "text": "卡片", "entities": [{"type": "bold", "offset": 0,
                                                        "length": 2}],
                           "reply_markup": {"inline_keyboard": []}}}
    updates = [{"update_id": 1, "message": typed}, {"update_id": 2, "callback_query": pressed}]
    answer = AiohttpRequest.parse_json_payload(
        json.dumps({"ok": True, "result": updates}).encode())
    assert answer["result"][0]["message"] == typed
    assert "entities" not in answer["result"][1]["callback_query"]["message"]
    assert "reply_markup" not in answer["result"][1]["callback_query"]["message"]
    assert answer["result"][1]["callback_query"]["data"] == "cl:o:1"
