"""Requests Telegram would reject are rejected, in Telegram's words (direct telegram.Bot calls)."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.error import BadRequest, EndPointNotFound, Forbidden

from coachbot.sandbox import Sandbox, SandboxUser


@pytest.fixture
def agent(sandbox: Sandbox) -> SandboxUser:
    """A user who has started the bot (so the bot may write to them)."""
    user = sandbox.user(1001, "Alice", username="alice")
    sandbox.send_text(user, "/start")
    return user


def last_rejection(sandbox: Sandbox) -> str:
    assert sandbox.rejections, "nothing was rejected"
    return sandbox.rejections[-1].description


async def test_text_limit_is_4096_utf16_units(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    sent = await client.send_message(agent.id, "x" * 4096)
    assert len(sent.text) == 4096
    await client.send_message(agent.id, "😀" * 2048)  # 4096 UTF-16 code units
    for text in ("x" * 4097, "😀" * 2048 + "x"):
        with pytest.raises(BadRequest):
            await client.send_message(agent.id, text)
        assert last_rejection(sandbox) == "Bad Request: message is too long"
    assert len(sandbox.bot_messages(agent.id)) == 2


async def test_length_is_measured_after_parsing_html(client: Bot, agent: SandboxUser):
    await client.send_message(agent.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")


async def test_empty_texts(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    with pytest.raises(BadRequest):
        await client.send_message(agent.id, "")
    assert last_rejection(sandbox) == "Bad Request: message text is empty"
    for blank in ("   \n ", "<b> </b>"):
        with pytest.raises(BadRequest):
            await client.send_message(agent.id, blank, parse_mode="HTML")
        assert last_rejection(sandbox) == "Bad Request: text must be non-empty"


async def test_text_is_trimmed_like_telegram(client: Bot, agent: SandboxUser):
    sent = await client.send_message(agent.id, "\n  <b>hi</b> there \n", parse_mode="HTML")
    assert sent.text == "hi there"
    assert sent.entities[0].offset == 0 and sent.entities[0].length == 2


@pytest.mark.parametrize(("text", "description"), [
    ("<b>x", 'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start '
             'tag "b"'),
    ("line<br>next", 'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte '
                     "offset 4"),
    ("Q&A", 'Bad Request: can\'t parse entities: Character "&" must be escaped as "&amp;" at '
            "byte offset 1"),
])
async def test_bad_html_is_rejected(sandbox: Sandbox, client: Bot, agent: SandboxUser, text: str,
                                    description: str):
    with pytest.raises(BadRequest, match="parse entities"):
        await client.send_message(agent.id, text, parse_mode="HTML")
    assert last_rejection(sandbox) == description
    assert sandbox.rejections[-1].method == "sendMessage"


async def test_escaped_html_is_stored_as_plain_text(sandbox: Sandbox, client: Bot,
                                                    agent: SandboxUser):
    raw = "<b>Q&amp;A</b> &lt;3 <a href=\"https://example.com/?a=1&amp;b=2\">docs</a>"
    sent = await client.send_message(agent.id, raw, parse_mode="HTML")
    assert sent.text == "Q&A <3 docs"
    stored = sandbox.last_bot_message(agent.id)
    assert stored is not None
    assert stored["text"] == "Q&A <3 docs"
    assert stored["html"] == raw
    assert stored["entities"] == [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "text_link", "offset": 7, "length": 4, "url": "https://example.com/?a=1&b=2"},
    ]


async def test_only_html_parse_mode(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    with pytest.raises(BadRequest):
        await client.send_message(agent.id, "*bold*", parse_mode="MarkdownV2")
    assert last_rejection(sandbox) == "Bad Request: unsupported parse_mode"
    await client.send_message(agent.id, "<i>ok</i>", parse_mode="html")


@pytest.mark.parametrize("data", ["x" * 65, "确" * 22])
async def test_callback_data_over_64_bytes(sandbox: Sandbox, client: Bot, agent: SandboxUser,
                                           data: str):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data=data)]])
    with pytest.raises(BadRequest):
        await client.send_message(agent.id, "pick", reply_markup=markup)
    assert last_rejection(sandbox) == "Bad Request: BUTTON_DATA_INVALID"


async def test_callback_data_of_64_bytes_is_fine(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data="确" * 21 + "x")]])
    sent = await client.send_message(agent.id, "pick", reply_markup=markup)
    assert sent.reply_markup == markup
    assert sandbox.last_bot_message(agent.id)["buttons"] == [["go"]]


async def test_inline_keyboard_rules(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    cases = [
        ({"inline_keyboard": [[{"text": "bare"}]]},
         "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
         "inline keyboard"),
        ({"inline_keyboard": [[{"text": "x", "callback_data": ""}]]},
         "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
         "inline keyboard"),
        ({"inline_keyboard": [[{"callback_data": "x"}]]},
         'Bad Request: can\'t parse inline keyboard button: Can\'t find field "text"'),
        ({"inline_keyboard": [[{"text": "x", "url": "not-a-url"}]]},
         "Bad Request: inline keyboard button URL 'not-a-url' is invalid: Wrong HTTP URL"),
        ({"inline_keyboard": [[{"text": "x", "callback": "typo"}]]},
         'Bad Request: can\'t parse inline keyboard button: Unknown field "callback" in '
         "InlineKeyboardButton"),
        ({"inline_keyboard": [[{"text": str(i), "callback_data": str(i)} for i in range(101)]]},
         "Bad Request: reply markup is too long"),
        ({"inline_keyboard": "bad"}, 'Bad Request: field "inline_keyboard" must be of type Array'),
        ({"keyboard": [[{"text": "A"}]], "resize_keyboard": "yes"},
         'Bad Request: field "resize_keyboard" must be of type Boolean'),
        ({"nothing": True}, "Bad Request: can't parse reply keyboard markup JSON object"),
    ]
    for markup, description in cases:
        with pytest.raises(BadRequest):
            await client.send_message(agent.id, "x", api_kwargs={"reply_markup": markup})
        assert last_rejection(sandbox) == description


async def test_reply_keyboards_are_accepted_and_remembered(sandbox: Sandbox, client: Bot,
                                                           agent: SandboxUser):
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("📍 位置", request_location=True),
                                     KeyboardButton("☎️", request_contact=True)]],
                                   resize_keyboard=True, one_time_keyboard=True)
    sent = await client.send_message(agent.id, "where?", reply_markup=keyboard)
    assert sent.reply_markup is None  # Message.reply_markup is for inline keyboards only
    assert sandbox.reply_keyboard(agent.id)["keyboard"][0][0]["request_location"] is True
    assert sandbox.last_bot_message(agent.id)["reply_markup"]["resize_keyboard"] is True
    await client.send_message(agent.id, "thanks", reply_markup=ReplyKeyboardRemove())
    assert sandbox.reply_keyboard(agent.id) is None


async def test_force_reply_is_accepted_and_recorded_with_its_placeholder(
        sandbox: Sandbox, client: Bot, agent: SandboxUser):
    markup = ForceReply(selective=True, input_field_placeholder="例如 138 0013 8000")
    sent = await client.send_message(agent.id, "手机号？", reply_markup=markup)
    assert sent.reply_markup is None  # Message.reply_markup is for inline keyboards only
    view = sandbox.last_bot_message(agent.id)
    assert view["reply_markup"] == {"force_reply": True, "selective": True,
                                    "input_field_placeholder": "例如 138 0013 8000"}
    assert view["buttons"] == [] and sandbox.reply_keyboard(agent.id) is None
    # the user's answer comes as a reply to the prompt
    answer = sandbox.send_text(agent, "13800138000", reply_to=sent.message_id)
    assert answer["message"]["reply_to_message"]["message_id"] == sent.message_id


async def test_a_placeholder_is_1_to_64_characters(sandbox: Sandbox, client: Bot,
                                                   agent: SandboxUser):
    await client.send_message(agent.id, "x", reply_markup=ForceReply(
        input_field_placeholder="例" * 64))
    keyboard = [[KeyboardButton("📍", request_location=True)]]
    await client.send_message(agent.id, "x", reply_markup=ReplyKeyboardMarkup(
        keyboard, input_field_placeholder="e.g. Europe/London"))
    for markup in (ForceReply(input_field_placeholder="例" * 65),
                   ReplyKeyboardMarkup(keyboard, input_field_placeholder="😀" * 33),
                   ForceReply(input_field_placeholder="")):
        with pytest.raises(BadRequest):
            await client.send_message(agent.id, "x", reply_markup=markup)
        assert last_rejection(sandbox) == \
            "Bad Request: input field placeholder must be 1-64 characters long"


async def test_a_message_sent_with_a_force_reply_or_reply_keyboard_cannot_be_edited(
        sandbox: Sandbox, client: Bot, agent: SandboxUser):
    inline = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    for markup in (ForceReply(input_field_placeholder="例如 35%"),
                   ReplyKeyboardMarkup([[KeyboardButton("📍", request_location=True)]])):
        sent = await client.send_message(agent.id, "typed prompt", reply_markup=markup)
        with pytest.raises(BadRequest):
            await client.edit_message_text("edited", agent.id, sent.message_id,
                                           reply_markup=inline)
        assert last_rejection(sandbox) == "Bad Request: message can't be edited"
        with pytest.raises(BadRequest):
            await client.edit_message_reply_markup(agent.id, sent.message_id,
                                                   reply_markup=inline)
        assert last_rejection(sandbox) == "Bad Request: message can't be edited"
    assert [m["text"] for m in sandbox.bot_messages(agent.id)] == ["typed prompt"] * 2


async def test_unknown_parameter_is_rejected(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    with pytest.raises(BadRequest):
        await client.send_message(agent.id, "x", api_kwargs={"disable_web_page_preview": True})
    assert last_rejection(sandbox) == "Bad Request: unknown parameter disable_web_page_preview"


async def test_features_the_sandbox_has_no_data_for(sandbox: Sandbox, client: Bot,
                                                    agent: SandboxUser):
    with pytest.raises(BadRequest):
        await client.send_message(agent.id, "x", message_thread_id=5)
    assert last_rejection(sandbox) == "Bad Request: message thread not found"
    with pytest.raises(BadRequest):
        await client.send_message(agent.id, "x", business_connection_id="abc")
    assert last_rejection(sandbox) == "Bad Request: business connection not found"


async def test_object_parameters_are_checked(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    await client.send_message(agent.id, "see https://example.com",
                           link_preview_options=LinkPreviewOptions(is_disabled=True))
    with pytest.raises(BadRequest):
        await client.send_message(agent.id, "x", api_kwargs={"link_preview_options": {
            "is_disabled": "yes"}})
    assert last_rejection(sandbox) == 'Bad Request: field "is_disabled" must be of type Boolean'
    with pytest.raises(BadRequest):
        await client.send_message(agent.id, "x", api_kwargs={"reply_parameters": {"quote": "q"}})
    assert last_rejection(sandbox) == 'Bad Request: can\'t find field "message_id"'
    with pytest.raises(BadRequest):
        await client.send_message(agent.id, "x", reply_parameters=ReplyParameters(999))
    assert last_rejection(sandbox) == "Bad Request: message to be replied not found"
    first = await client.send_message(agent.id, "first")
    reply = await client.send_message(agent.id, "second", reply_parameters=ReplyParameters(
        first.message_id))
    assert reply.reply_to_message.message_id == first.message_id


async def test_chats_the_bot_cannot_write_to(sandbox: Sandbox, client: Bot):
    with pytest.raises(BadRequest):
        await client.send_message(424242, "hello?")
    assert last_rejection(sandbox) == "Bad Request: chat not found"
    stranger = sandbox.user(2002, "Bob")
    with pytest.raises(Forbidden, match="initiate conversation"):
        await client.send_message(stranger.id, "hi")
    with pytest.raises(BadRequest):
        await client.send_message("@nobody_here", "hi")
    assert last_rejection(sandbox) == "Bad Request: chat not found"


async def test_edits(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    sent = await client.send_message(agent.id, "<b>v1</b>", parse_mode="HTML",
                                     reply_markup=keyboard)
    with pytest.raises(BadRequest, match="not modified"):
        await client.edit_message_text("<b>v1</b>", agent.id, sent.message_id, parse_mode="HTML",
                                    reply_markup=keyboard)
    assert last_rejection(sandbox) == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message")
    edited = await client.edit_message_text("v1", agent.id, sent.message_id, reply_markup=keyboard)
    assert edited.text == "v1" and not edited.entities and edited.edit_date is not None
    await client.edit_message_reply_markup(agent.id, sent.message_id)  # removes the keyboard
    view = sandbox.bot_messages(agent.id)[-1]
    assert (view["text"], view["reply_markup"], view["edited"]) == ("v1", None, True)
    with pytest.raises(BadRequest):
        await client.edit_message_text("x", agent.id, 9999)
    assert last_rejection(sandbox) == "Bad Request: message to edit not found"
    user_message = sandbox.messages(agent.id)[0]
    with pytest.raises(BadRequest):
        await client.edit_message_text("x", agent.id, user_message["message_id"])
    assert last_rejection(sandbox) == "Bad Request: message can't be edited"


async def test_delete(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    sent = await client.send_message(agent.id, "temporary")
    assert await client.delete_message(agent.id, sent.message_id)
    assert [m["text"] for m in sandbox.messages(agent.id)] == ["/start"]
    with pytest.raises(BadRequest):
        await client.delete_message(agent.id, sent.message_id)
    assert last_rejection(sandbox) == "Bad Request: message to delete not found"


async def test_commands_per_scope_and_language(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    menu = [BotCommand("start", "开始"), BotCommand("help", "帮助")]
    await client.set_my_commands(menu)
    await client.set_my_commands([BotCommand("start", "Start")], language_code="en")
    await client.set_my_commands([BotCommand("settings", "设置")],
                              scope=BotCommandScopeChat(agent.id))
    assert [c["command"] for c in sandbox.commands()] == ["start", "help"]
    assert sandbox.commands(language_code="en") == [{"command": "start", "description": "Start"}]
    assert sandbox.commands({"type": "chat", "chat_id": agent.id})[0]["command"] == "settings"
    assert [c.command for c in await client.get_my_commands()] == ["start", "help"]
    await client.delete_my_commands(language_code="en")
    assert sandbox.commands(language_code="en") == []
    with pytest.raises(BadRequest):
        await client.set_my_commands(menu, language_code="zh-hans")
    assert last_rejection(sandbox) == "Bad Request: invalid language code specified"
    with pytest.raises(BadRequest):
        await client.set_my_commands([BotCommand("Bad-Command", "x")])
    assert last_rejection(sandbox) == "Bad Request: BOT_COMMAND_INVALID"


async def test_methods_outside_the_sandbox(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    with pytest.raises(BadRequest):
        await client.send_dice(agent.id)
    assert last_rejection(sandbox) == "Bad Request: method not supported by the sandbox"
    with pytest.raises(EndPointNotFound):  # PTB's name for Telegram's 404 on a method
        await client.do_api_request("sendTelepathy", api_kwargs={"chat_id": agent.id})
    assert sandbox.rejections[-1].error_code == 404


async def test_chat_and_member_info(sandbox: Sandbox, client: Bot, agent: SandboxUser):
    chat = await client.get_chat(agent.id)
    assert (chat.type, chat.first_name, chat.username) == ("private", "Alice", "alice")
    member = await client.get_chat_member(agent.id, agent.id)
    assert member.status == "member"
    me = await client.get_me()
    assert me.username == "CoachSandboxBot" and me.can_read_all_group_messages is False
    assert sandbox.rejections == []
