"""A real python-telegram-bot Application long-polling the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, ChatMigrated, Forbidden

from coachbot.sandbox import Sandbox
from coachbot.sandbox.objects import TINY_PNG

App = Any


def received(app: App) -> list[Update]:
    return app.bot_data.get("updates", [])


async def test_echo_round_trip(sandbox: Sandbox, echo_app: App):
    agent = sandbox.user(1001, "小王")
    update = sandbox.send_text(agent, "hi <there> & you")
    assert update["_delivered"] and update["message"]["text"] == "hi <there> & you"
    [reply] = await sandbox.wait_for_bot(agent.id, after=update["_seq"])
    assert reply["from_bot"] and reply["text"] == "echo hi <there> & you"
    assert reply["html"] == "<b>echo</b> hi &lt;there&gt; &amp; you"
    assert reply["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert reply["buttons"] == [["确认", "取消"]]
    assert [m["from_bot"] for m in sandbox.messages(agent.id)] == [False, True]
    got = received(echo_app)[-1].message
    assert got.from_user.first_name == "小王" and got.from_user.language_code == "zh-hans"
    assert sandbox.rejections == []


async def test_commands_and_mentions_carry_entities(sandbox: Sandbox, echo_app: App):
    agent = sandbox.user(1001)
    update = sandbox.send_text(agent, "/start@CoachSandboxBot hello @someone")
    await sandbox.wait_for_bot(agent.id, after=update["_seq"])
    entities = received(echo_app)[-1].message.entities
    assert [(e.type, e.offset, e.length) for e in entities] == [
        ("bot_command", 0, 22), ("mention", 29, 8)]


async def test_button_press_answer_and_edit(sandbox: Sandbox, echo_app: App):
    agent = sandbox.user(1001)
    await sandbox.wait_for_bot(agent.id, after=sandbox.send_text(agent, "menu")["_seq"])
    update = sandbox.press_button(agent, "确认")
    assert update["callback_query"]["data"] == "confirm"
    [edited] = await sandbox.wait_for_bot(agent.id, after=update["_seq"])
    assert edited["text"] == "pressed confirm" and edited["edited"]
    assert edited["reply_markup"] is None  # editMessageText without markup drops the keyboard
    assert sandbox.callback_answers[update["callback_query"]["id"]] == {"text": "got confirm"}
    with pytest.raises(LookupError, match="确认"):
        sandbox.press_button(agent, "确认")  # no keyboard any more
    with pytest.raises(LookupError, match="no button"):
        sandbox.press(agent, edited["message_id"], "confirm")
    forged = sandbox.press(agent, edited["message_id"], "forged:data", force=True)
    await sandbox.wait_for_bot(agent.id, after=forged["_seq"])
    assert received(echo_app)[-1].callback_query.data == "forged:data"


async def test_user_edits_reach_the_bot(sandbox: Sandbox, echo_app: App):
    agent = sandbox.user(1001)
    sent = sandbox.send_text(agent, "first")
    await sandbox.wait_for_bot(agent.id, after=sent["_seq"])
    update = sandbox.edit_text(agent, sent["message"]["message_id"], "second")
    [reply] = await sandbox.wait_for_bot(agent.id, after=update["_seq"])
    assert reply["text"] == "echo second"
    assert received(echo_app)[-1].edited_message.text == "second"


async def test_document_upload_getfile_and_download(sandbox: Sandbox, echo_app: App):
    agent = sandbox.user(1001)
    content = b"%PDF-1.7 fake policy document" * 100
    update = sandbox.send_document(agent, "保单.pdf", content, "application/pdf", caption="看看")
    [reply] = await sandbox.wait_for_bot(agent.id, after=update["_seq"])
    assert reply["text"] == f"保单.pdf: {len(content)} bytes, starts b'%PDF-'"
    [get_file] = [r for r in sandbox.requests if r.method == "getFile"]
    assert get_file.ok and get_file.response["result"]["file_path"].startswith("documents/")
    assert sandbox.messages(agent.id)[0]["file_bytes"] == content


async def test_send_photo_and_document_multipart(sandbox: Sandbox, client: Bot):
    agent = sandbox.user(1001)
    sandbox.send_text(agent, "/start")
    message = await client.send_photo(agent.id, TINY_PNG, caption="<b>图</b>", parse_mode="HTML")
    assert message.photo[-1].width == 1 and message.caption == "图"
    stored = sandbox.last_bot_message(agent.id)
    assert stored["file_bytes"] == TINY_PNG and stored["caption"] == "图"
    assert stored["entities"] == [{"type": "bold", "offset": 0, "length": 1}]
    upload = [r for r in sandbox.requests if r.method == "sendPhoto"][-1]
    assert upload.files and upload.params["parse_mode"] == "HTML"
    document = await client.send_document(agent.id, b"a,b\n1,2\n", filename="clients.csv")
    assert document.document.file_name == "clients.csv"
    assert document.document.mime_type == "text/csv"
    file = await client.get_file(document.document.file_id)
    assert await file.download_as_bytearray() == b"a,b\n1,2\n"
    again = await client.send_document(agent.id, document.document.file_id)  # resend by file_id
    assert again.document.file_id == document.document.file_id
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await client.send_photo(agent.id, b"not an image")


async def test_user_photo_reaches_the_bot(sandbox: Sandbox, echo_app: App, client: Bot):
    agent = sandbox.user(1001)
    sandbox.send_photo(agent, caption="名片")
    await sandbox.wait_idle()
    photo = received(echo_app)[-1].message.photo[-1]
    file = await client.get_file(photo.file_id)
    assert bytes(await file.download_as_bytearray()) == TINY_PNG


async def test_groups_privacy_removal_and_migration(sandbox: Sandbox, echo_app: App, client: Bot):
    agent = sandbox.user(1001, "Alice")
    joined = sandbox.add_bot_to_group(agent, -500, "Team")
    assert joined["message"]["new_chat_members"][0]["is_bot"]
    await sandbox.wait_idle()
    kinds = [u.my_chat_member.new_chat_member.status if u.my_chat_member else "message"
             for u in received(echo_app)]
    assert kinds == ["member", "message"]
    chatter = sandbox.send_text(agent, "just chatting", chat_id=-500)
    assert not chatter["_delivered"]  # privacy mode
    mention = sandbox.send_text(agent, "@CoachSandboxBot hi", chat_id=-500)
    [reply] = await sandbox.wait_for_bot(-500, after=mention["_seq"])
    assert reply["text"] == "echo @CoachSandboxBot hi"
    new_id = sandbox.migrate_group(-500)
    assert str(new_id).startswith("-100")
    with pytest.raises(ChatMigrated) as migrated:
        await client.send_message(-500, "old group?")
    assert migrated.value.new_chat_id == new_id
    sandbox.remove_bot_from_group(agent, new_id)
    with pytest.raises(Forbidden, match="kicked from the supergroup chat"):
        await client.send_message(new_id, "still here?")
    await sandbox.wait_idle()
    assert received(echo_app)[-1].my_chat_member.new_chat_member.status == "kicked"


async def test_admin_bot_sees_every_group_message(sandbox: Sandbox, echo_app: App):
    agent = sandbox.user(1001)
    sandbox.add_bot_to_group(agent, -600, "Admins", as_admin=True)
    update = sandbox.send_text(agent, "plain talk", chat_id=-600)
    assert update["_delivered"]
    await sandbox.wait_for_bot(-600, after=update["_seq"])
    sandbox.set_bot_admin(-600, False)
    assert not sandbox.send_text(agent, "more talk", chat_id=-600)["_delivered"]


async def test_wait_for_bot_reports_what_happened(sandbox: Sandbox, echo_app: App):
    agent = sandbox.user(1001)
    update = sandbox.send_sticker(agent)  # the echo bot ignores stickers
    with pytest.raises(TimeoutError, match="saw 0"):
        await sandbox.wait_for_bot(agent.id, after=update["_seq"], timeout=0.3)
