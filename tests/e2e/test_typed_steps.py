"""Typed steps end to end: the prompt opens the agent's reply field (ForceReply) with an example
in the agent's language and region, the answer typed as a reply to it is saved, and a date in
an example is ahead of the agent's today. Real Application, sandbox over HTTP."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from coachbot.domain.models import ClientFilter
from tests.e2e.test_reminders import SHANGHAI, make_agent


def force_reply(message):
    """The ForceReply a prompt was sent with (None for any other markup)."""
    markup = message.get("reply_markup") or {}
    return markup if markup.get("force_reply") else None


def label(bot, locale, key):
    return bot.services.renderer.label(locale, key)


def today(bot) -> date:
    return bot.clock.now().astimezone(SHANGHAI).date()


@pytest.mark.parametrize(("locale", "region", "zone", "example", "typed", "saved"), [
    ("zh-Hans", "CN", "Asia/Shanghai", "例如 138 0013 8000", "139 1234 5678", "+8613912345678"),
    ("zh-Hant", "HK", "Asia/Hong_Kong", "例如 9123 4567", "6123 4567", "+85261234567"),
    ("en", "SG", "Asia/Singapore", "e.g. 9123 4567", "8123 4567", "+6581234567"),
])
async def test_the_phone_prompt_opens_the_reply_field_and_the_reply_is_saved(
        bot, locale, region, zone, example, typed, saved):
    agent_id = 901
    await make_agent(bot, agent_id, region=region, timezone=zone, locale=locale)
    user = bot.as_user(agent_id, "Mei", language_code=locale.lower())
    await bot.send("/add Tan", user=user)  # the new client's card
    [client] = bot.store.clients.list_clients(agent_id, ClientFilter(), limit=5)[0]
    [menu] = await bot.press(label(bot, locale, "card.edit"), user=user)
    [prompt] = await bot.press(label(bot, locale, "fields.phone"), user=user)
    assert force_reply(prompt) == {"force_reply": True, "selective": True,
                                   "input_field_placeholder": example}
    # a new message under the edit menu, which keeps its buttons (another field, back)
    assert prompt["message_id"] > menu["message_id"] and not prompt["edited"]
    assert label(bot, locale, "fields.birthday") in bot.buttons(
        bot.sandbox.messages(agent_id)[-2])
    # Telegram sends the answer as a reply to the prompt: the dialog's step takes it
    [card] = await bot.send(typed, user=user, reply_to=prompt["message_id"])
    assert bot.store.clients.get_client(agent_id, client.id).phone == saved
    assert force_reply(card) is None and bot.buttons(card)


async def test_a_refused_answer_opens_the_reply_field_again(bot):
    await make_agent(bot, 902)
    user = bot.as_user(902, "小王")
    await bot.send("/add 张三", user=user)
    [client] = bot.store.clients.list_clients(902, ClientFilter(), limit=5)[0]
    await bot.press("编辑资料", user=user)
    prompt = (await bot.press("电话", user=user))[-1]
    [refusal] = await bot.send("abc", user=user, reply_to=prompt["message_id"])
    assert "不像有效的手机号" in refusal["text"]
    assert force_reply(refusal)["input_field_placeholder"] == "例如 138 0013 8000"
    await bot.send("13800138000", user=user, reply_to=refusal["message_id"])
    assert bot.store.clients.get_client(902, client.id).phone == "+8613800138000"


async def test_a_date_prompts_example_is_ahead_of_the_agents_today(bot):
    await make_agent(bot, 903)
    user = bot.as_user(903, "小王")
    await bot.send("/add 张三", user=user)
    [client] = bot.store.clients.list_clients(903, ClientFilter(), limit=5)[0]
    await bot.press("保单", user=user)
    prompt = (await bot.press("添加保单", user=user))[-1]
    assert force_reply(prompt)["input_field_placeholder"] == "例如 重疾险"
    prompt = (await bot.send("重疾险", user=user, reply_to=prompt["message_id"]))[-1]
    assert force_reply(prompt)["input_field_placeholder"] == "例如 12000 或 1.2万"
    prompt = (await bot.send("1.2万", user=user))[-1]  # typed without replying: taken too
    assert force_reply(prompt)["input_field_placeholder"] == \
        f"例如 今天 或 {today(bot).isoformat()}"
    await bot.send("今天", user=user, reply_to=prompt["message_id"])
    prompt = (await bot.press("下次缴费日", user=user))[-1]
    example = force_reply(prompt)["input_field_placeholder"]
    day = date.fromisoformat(re.search(r"\d{4}-\d\d-\d\d", example)[0])
    assert day > today(bot)
    assert example == f"例如 {day.isoformat()} 或 {day.month}月{day.day}日"
    # the example is an answer the step takes: typed as shown, it is saved
    await bot.send(f"{day.month}月{day.day}日", user=user, reply_to=prompt["message_id"])
    [policy] = bot.store.clients.client_card(903, client.id).policies
    assert (policy.annual_premium, policy.start_date, policy.next_due_date) == \
        (12000.0, today(bot), day)
    # months later, the example is still ahead
    bot.clock.advance(timedelta(days=300))
    prompt = (await bot.press("下次缴费日", user=user))[-1]
    later = force_reply(prompt)["input_field_placeholder"]
    assert date.fromisoformat(re.search(r"\d{4}-\d\d-\d\d", later)[0]) > today(bot) > day


async def test_a_proposal_amount_in_thousands_and_its_booking_date(bot):
    await make_agent(bot, 904, locale="en", region="SG", timezone="Asia/Singapore")
    user = bot.as_user(904, "Mei", language_code="en")
    await bot.send("/add Tan", user=user)
    await bot.press(label(bot, "en", "proposal_buttons.list"), user=user)
    await bot.press(label(bot, "en", "proposal_buttons.new"), user=user)
    prompt = (await bot.press("Critical", user=user))[-1]
    assert force_reply(prompt)["input_field_placeholder"] == "e.g. 500000 or 500k"
    prompt = (await bot.send("500k", user=user, reply_to=prompt["message_id"]))[-1]
    assert force_reply(prompt)["input_field_placeholder"] == "e.g. 5000 or 5k"
    chooser = (await bot.send("5k", user=user, reply_to=prompt["message_id"]))[-1]
    # the frequency is picked with buttons: they stay, no reply field
    assert force_reply(chooser) is None and bot.buttons(chooser)


async def test_prompts_whose_buttons_answer_the_step_keep_them(bot):
    await make_agent(bot, 905)
    user = bot.as_user(905, "小王")
    await bot.send("/add", user=user)
    prompt = (await bot.send("赵六", user=user))[-1]
    assert "手机号" in prompt["text"] and force_reply(prompt) is None
    assert bot.buttons(prompt) == [label(bot, "zh-Hans", "buttons.skip"),
                                   label(bot, "zh-Hans", "buttons.cancel")]
    await bot.press(label(bot, "zh-Hans", "buttons.skip"), user=user)
    replies = await bot.send("3月2日", user=user)
    assert "已添加" in replies[0]["text"]


async def test_settings_ask_the_commission_rate_under_the_settings_card(bot):
    await make_agent(bot, 906)
    user = bot.as_user(906, "小王")
    [card] = await bot.send("/settings", user=user)
    [prompt] = await bot.press(label(bot, "zh-Hans", "settings.commission"), user=user)
    assert force_reply(prompt)["input_field_placeholder"] == "例如 35%"
    settings = bot.sandbox.messages(906)[-2]  # the card is left as it was, buttons and all
    assert (settings["message_id"], settings["edited"]) == (card["message_id"], False)
    await bot.send("28", user=user, reply_to=prompt["message_id"])
    assert bot.store.agents.get_agent(906).commission_rate == 0.28


async def test_a_typed_time_zone_has_an_example_on_the_location_keyboard(bot):
    bot.user = bot.as_user(3003, "Mei", language_code="en-SG")
    await bot.send("/start", expect=2)
    await bot.press("English")
    await bot.press("Somewhere else")
    keyboard = bot.sandbox.reply_keyboard(3003)
    assert keyboard["input_field_placeholder"] == "e.g. Europe/London"
    assert keyboard["keyboard"][0][0]["request_location"] is True
