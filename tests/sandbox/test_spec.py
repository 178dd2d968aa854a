"""The sandbox against the Bot API specification: its table, its methods, its objects."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, BotCommand

from coachbot.sandbox import Sandbox
from coachbot.sandbox.botapi import BotApi
from coachbot.sandbox.objects import TINY_PNG
from coachbot.sandbox.spec import build_table, load_spec, load_table
from coachbot.sandbox.validation import ShapeError, check_object

SHARED_SPEC = Path("/work/shared/telegram-bot-api/api.json")
PARAM_USE = re.compile(r"params(?:\[|\.get\()\"(\w+)\"")
HELPER_CALL = re.compile(r"self\.(_\w+)\(")
RESULT_TYPES = {
    "getMe": "User", "sendMessage": "Message", "editMessageText": "Message",
    "editMessageReplyMarkup": "Message", "sendPhoto": "Message", "sendDocument": "Message",
    "getFile": "File", "getChat": "ChatFullInfo", "getChatMember": "ChatMember",
    "getWebhookInfo": "WebhookInfo", "getUpdates": "Array of Update",
    "getMyCommands": "Array of BotCommand",
}
App = Any


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="the shared api.json is not available")
def test_shipped_table_matches_the_shared_spec():
    api = json.loads(SHARED_SPEC.read_text(encoding="utf-8"))
    assert load_table() == build_table(api), (
        "regenerate with: python -m coachbot.sandbox.spec /work/shared/telegram-bot-api/api.json")


def parameters_read_by(function: Any, seen: set[str] | None = None) -> set[str]:
    """Names the handler (and the self._helpers it calls) read from `params`."""
    seen = seen if seen is not None else set()
    source = inspect.getsource(function)
    names = set(PARAM_USE.findall(source))
    for helper in HELPER_CALL.findall(source):
        if helper not in seen and hasattr(BotApi, helper):
            seen.add(helper)
            names |= parameters_read_by(getattr(BotApi, helper), seen)
    return names


def test_every_implemented_method_and_parameter_exists_in_the_spec():
    spec = load_spec()
    api = BotApi.__new__(BotApi)
    BotApi.__init__(api, None, bot_user={}, privacy_mode=True, flood=None)  # type: ignore[arg-type]
    assert len(api.handlers) == 20
    for method, handler in api.handlers.items():
        assert method in spec.methods, method
        fields = spec.methods[method].fields
        unknown = parameters_read_by(handler.__func__) - set(fields)
        assert not unknown, f"{method} reads parameters the spec does not have: {unknown}"


def check_against_spec(type_name: str, value: Any) -> None:
    spec = load_spec()
    if type_name.startswith("Array of "):
        assert isinstance(value, list)
        for item in value:
            check_against_spec(type_name.removeprefix("Array of "), item)
        return
    try:
        check_object(spec, type_name, value)
    except ShapeError as error:
        raise AssertionError(f"{type_name} does not match the spec: {error}\n{value}") from None


async def test_objects_the_sandbox_produces_match_the_spec(sandbox: Sandbox, echo_app: App,
                                                           client: Bot):
    alice = sandbox.user(1001, "Alice", last_name="W", username="alice")
    bob = sandbox.user(1002, "Bob")
    sandbox.send_text(alice, "/start hello @bob #tag https://example.com a@b.cn")
    await sandbox.wait_idle()
    sandbox.press_button(alice, "确认")
    sandbox.send_document(alice, "a.pdf", b"%PDF", "application/pdf", caption="doc")
    sandbox.send_photo(alice, caption="pic")
    sandbox.send_sticker(alice)
    sandbox.send_voice(alice, b"OggS")
    sandbox.send_contact(alice, "+8613800138000", "Wang", "Xiao", user_id=alice.id)
    sandbox.send_location(alice, 1.29, 103.85)
    sandbox.forward_text(alice, "fwd", from_name="Hidden")
    sandbox.forward_text(alice, "fwd", from_name="Bob", from_user=bob)
    sent = sandbox.send_text(alice, "typo")
    sandbox.edit_text(alice, sent["message"]["message_id"], "fixed")
    sandbox.add_bot_to_group(alice, -500, "Team", as_admin=True)
    sandbox.send_text(bob, "/help@CoachSandboxBot", chat_id=-500)
    sandbox.set_bot_admin(-500, False)
    await sandbox.wait_idle()
    new_id = sandbox.migrate_group(-500)
    sandbox.press(alice, 999, "forged", force=True)
    await sandbox.wait_idle()
    await client.send_photo(alice.id, TINY_PNG, caption="x")
    await client.send_document(alice.id, b"data", filename="d.txt")
    await client.get_chat(alice.id)
    await client.get_chat(new_id)
    await client.get_chat_member(new_id, bob.id)
    await client.get_chat_member(new_id, sandbox.bot_user["id"])
    await client.set_my_commands([BotCommand("start", "Start")])
    await client.get_my_commands()
    await client.get_webhook_info()
    file_id = next(m["message"]["document"]["file_id"] for m in sandbox.messages(alice.id)
                   if "document" in m["message"])
    await client.get_file(file_id)
    sandbox.remove_bot_from_group(alice, new_id)
    sandbox.block_user(alice.id)
    await sandbox.wait_idle()

    # only the echo bot editing the message behind the forged press fails
    assert [r.description for r in sandbox.rejections] == [
        "Bad Request: message to edit not found"]
    checked = set()
    for request in sandbox.requests:
        if request.ok and request.method in RESULT_TYPES:
            check_against_spec(RESULT_TYPES[request.method], request.response["result"])
            checked.add(request.method)
    assert checked == set(RESULT_TYPES) - {"editMessageReplyMarkup"}
    updates = [u for r in sandbox.requests if r.method == "getUpdates" and r.ok
               for u in r.response["result"]]
    kinds = {next(k for k in u if k != "update_id") for u in updates}
    assert kinds == {"message", "edited_message", "callback_query", "my_chat_member"}
    for message in sandbox.messages(alice.id) + sandbox.messages(-500):
        check_against_spec("Message", message["message"])
