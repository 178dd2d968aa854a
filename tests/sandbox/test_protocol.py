"""HTTP-level behaviour: body formats, tokens, long polling, file downloads."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, Conflict, InvalidToken

from coachbot.sandbox import Sandbox


async def test_json_bodies_query_strings_and_forms(sandbox: Sandbox):
    agent = sandbox.user(1001)
    sandbox.send_text(agent, "/start")
    url = f"{sandbox.base_url}{sandbox.token}"
    markup = {"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/sendMessage", json={
                "chat_id": agent.id, "text": "json", "reply_markup": markup}) as response:
            body = await response.json()
        assert body["ok"] and body["result"]["reply_markup"] == markup
        # as Telegram does, a JSON body's strings are read like form fields (CoachBot's
        # transport sends PTB's encoded values this way)
        async with http.post(f"{url}/sendMessage", json={
                "chat_id": str(agent.id), "text": "json strings",
                "reply_markup": json.dumps(markup), "disable_notification": "true"}) as response:
            body = await response.json()
        assert body["ok"] and body["result"]["reply_markup"] == markup
        async with http.get(f"{url}/sendMessage",
                            params={"chat_id": str(agent.id), "text": "query"}) as response:
            assert (await response.json())["result"]["text"] == "query"
        form = {"chat_id": str(agent.id), "text": "form", "disable_notification": "true"}
        async with http.post(f"{url}/sendmessage", data=form) as response:  # any case works
            assert (await response.json())["result"]["text"] == "form"
        async with http.post(f"{url}/sendMessage", data={"chat_id": str(agent.id), "text": "x",
                                                         "reply_markup": "{not json"}) as response:
            assert response.status == 400
            assert (await response.json())["description"] == (
                "Bad Request: can't parse reply keyboard markup JSON object")
        async with http.get(f"{sandbox.base_url}123456:WRONG/getMe") as response:
            assert (response.status, (await response.json())["description"]) == (
                401, "Unauthorized")
        async with http.get(f"{sandbox.base_url}garbage/getMe") as response:
            assert response.status == 404
        async with http.get(f"{sandbox.base_file_url}{sandbox.token}/documents/none") as response:
            assert response.status == 404
    assert [m["text"] for m in sandbox.bot_messages(agent.id)] == [
        "json", "json strings", "query", "form"]


async def test_wrong_token_is_invalid_for_ptb(sandbox: Sandbox):
    with pytest.raises(InvalidToken):
        async with Bot("123456:WRONG", base_url=sandbox.base_url):
            pass


async def test_get_updates_offset_limit_and_allowed_updates(sandbox: Sandbox, client: Bot):
    agent = sandbox.user(1001)
    ids = [sandbox.send_text(agent, f"m{n}")["update_id"] for n in range(3)]
    first = await client.get_updates(limit=2)
    assert [u.update_id for u in first] == ids[:2]
    again = await client.get_updates()
    assert [u.update_id for u in again] == ids  # nothing confirmed yet
    rest = await client.get_updates(offset=ids[1] + 1)
    assert [u.message.text for u in rest] == ["m2"]
    assert await client.get_updates(offset=ids[2] + 1, allowed_updates=["callback_query"]) == ()
    skipped = sandbox.send_text(agent, "not wanted")
    assert skipped["_delivered"] is False
    await client.get_updates(allowed_updates=[])  # back to the default set
    assert sandbox.send_text(agent, "wanted")["_delivered"] is True


async def test_long_poll_wakes_up_on_a_new_update(sandbox: Sandbox, client: Bot):
    poll = asyncio.create_task(client.get_updates(timeout=10, read_timeout=15))
    await asyncio.sleep(0.1)
    sandbox.send_text(sandbox.user(1001), "wake up")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].message.text == "wake up"


async def test_a_second_poller_terminates_the_first(sandbox: Sandbox, client: Bot):
    first = asyncio.create_task(client.get_updates(timeout=10, read_timeout=15))
    await asyncio.sleep(0.1)
    async with aiohttp.ClientSession() as http:  # another bot instance
        second = asyncio.create_task(http.get(
            f"{sandbox.base_url}{sandbox.token}/getUpdates", params={"timeout": "1"}))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 2)
        response = await second
        assert (await response.json())["result"] == []


async def test_small_methods(sandbox: Sandbox, client: Bot):
    agent = sandbox.user(1001)
    sandbox.send_text(agent, "/start")
    assert await client.send_chat_action(agent.id, "typing")
    with pytest.raises(BadRequest):
        await client.send_chat_action(agent.id, "dancing")
    assert sandbox.rejections[-1].description == "Bad Request: wrong parameter action in request"
    with pytest.raises(BadRequest):
        await client.get_chat_member(agent.id, 5555)
    assert sandbox.rejections[-1].description == "Bad Request: user not found"
    sandbox.add_bot_to_group(agent, -700, "Leaving")
    assert await client.leave_chat(-700)
    assert sandbox.requests[-1].ok
    with pytest.raises(Exception, match="not a member of the group chat"):
        await client.send_message(-700, "hello?")
    member = await client.get_chat_member(-700, sandbox.bot_user["id"])
    assert member.status == "left"
