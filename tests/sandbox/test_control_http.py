"""The control API over HTTP, as the terminal chat in another process uses it."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

import aiohttp

from coachbot.sandbox import Sandbox

App = Any


async def test_send_text_then_long_poll_events(sandbox: Sandbox, echo_app: App):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sandbox.control_url}/info") as response:
            info = await response.json()
        assert info["bot"]["username"] == "CoachSandboxBot"
        async with http.post(f"{sandbox.control_url}/send_text",
                             json={"user_id": 1001, "first_name": "小王", "text": "你好"}) as sent:
            answer = await sent.json()
        assert answer["ok"] and answer["update"]["message"]["from"]["first_name"] == "小王"
        async with http.get(f"{sandbox.control_url}/events",
                            params={"after": answer["seq"], "timeout": 5}) as response:
            events = (await response.json())["events"]
        [event] = [e for e in events if e["kind"] == "send"]
        assert event["chat_id"] == 1001 and event["message"]["text"] == "echo 你好"
        assert event["message"]["buttons"] == [["确认", "取消"]]

        message_id = event["message"]["message_id"]
        async with http.post(f"{sandbox.control_url}/press", json={
                "user_id": 1001, "message_id": message_id, "callback_data": "cancel"}) as pressed:
            seq = (await pressed.json())["seq"]
        async with http.get(f"{sandbox.control_url}/events",
                            params={"after": seq, "timeout": 5}) as response:
            kinds = {e["kind"] for e in (await response.json())["events"]}
        await sandbox.wait_idle()
        async with http.get(f"{sandbox.control_url}/events", params={"after": seq}) as response:
            kinds |= {e["kind"] for e in (await response.json())["events"]}
        assert {"callback_answer", "edit"} <= kinds


async def test_files_locations_and_contacts(sandbox: Sandbox, echo_app: App):
    content = b"PK\x03\x04 spreadsheet"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{sandbox.control_url}/send_document", json={
                "user_id": 1001, "filename": "clients.xlsx", "mime_type": "application/zip",
                "content": base64.b64encode(content).decode()}) as response:
            seq = (await response.json())["seq"]
        [reply] = await sandbox.wait_for_bot(1001, after=seq)
        assert reply["text"] == f"clients.xlsx: {len(content)} bytes, starts b'PK\\x03\\x04 '"
        async with http.post(f"{sandbox.control_url}/send_location",
                             json={"user_id": 1001, "latitude": 31.23,
                                   "longitude": 121.47}) as response:
            update = (await response.json())["update"]
        assert update["message"]["location"] == {"latitude": 31.23, "longitude": 121.47}
        async with http.post(f"{sandbox.control_url}/send_contact", json={
                "user_id": 1001, "phone_number": "+8613800138000", "first_name": "王",
                "contact_user_id": 1001}) as response:
            contact = (await response.json())["update"]["message"]["contact"]
        assert contact == {"phone_number": "+8613800138000", "first_name": "王", "user_id": 1001}
        async with http.get(f"{sandbox.control_url}/messages",
                            params={"chat_id": 1001}) as response:
            messages = (await response.json())["messages"]
        assert messages[0]["file_bytes"]["base64"] == base64.b64encode(content).decode()


async def test_bad_control_requests_get_400(sandbox: Sandbox):
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{sandbox.control_url}/send_text", json={"user_id": 1}) as response:
            assert response.status == 400
            assert (await response.json())["error"] == "missing field 'text'"
        async with http.post(f"{sandbox.control_url}/press", json={
                "user_id": 1, "message_id": 5, "callback_data": "x"}) as response:
            assert response.status == 400
            assert "no message 5" in (await response.json())["error"]


async def test_events_long_poll_waits_then_returns_empty(sandbox: Sandbox):
    async with aiohttp.ClientSession() as http:
        started = time.monotonic()
        async with http.get(f"{sandbox.control_url}/events",
                            params={"after": sandbox.seq, "timeout": 0.3}) as response:
            assert (await response.json())["events"] == []
        assert 0.25 < time.monotonic() - started < 2
        poll = asyncio.create_task(http.get(f"{sandbox.control_url}/events",
                                            params={"after": sandbox.seq, "timeout": 30}))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await sandbox.stop()
        response = await asyncio.wait_for(poll, 1)
        assert (await response.json())["events"] == []
        assert time.monotonic() - started < 1
