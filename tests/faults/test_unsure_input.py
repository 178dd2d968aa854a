"""Wrong data is never saved without asking: through the real bot and the sandbox.

The attack: "农历十三月初五" (a 13th month) was saved as 三月初五 with "农历十" in the notes;
quick add saved "客户429" as 客户4 and "恢复后客户" as 恢复后. Now what the reader is unsure of
is refused with a reply that says what to do, and nothing is stored.
"""

from __future__ import annotations

from tests.faults.world import onboard


def book(bot) -> list[tuple[str, str | None, str | None, str | None]]:
    clients, _ = bot.store.clients.list_clients(bot.user.id)
    return sorted((c.name, c.phone, c.birthday, c.notes) for c in clients)


async def test_quick_add_refuses_what_it_is_unsure_of_and_stores_nothing(bot):
    onboard(bot.store, bot.user.id, bot.clock.now())
    replies = await bot.send("/add 张三 农历十三月初五 13800138000")
    assert "没能完全看懂" in replies[-1]["text"] and "日期不对" in replies[-1]["text"]
    replies = await bot.send("/add 恢复后客户 13800138000")
    assert "看不出姓名到哪里结束" in replies[-1]["text"]
    replies = await bot.send("/add 客户1 3800138000")
    assert "属于姓名还是电话" in replies[-1]["text"]
    assert book(bot) == []

    await bot.send("/add 客户429 13800138000")
    await bot.send("/add 客户4 13900139000 农历三月初五")
    assert book(bot) == [("客户4", "+8613900139000", "L--03-05", None),
                         ("客户429", "+8613800138000", None, None)]


async def test_a_reminder_on_a_date_that_does_not_exist_is_not_set(bot):
    onboard(bot.store, bot.user.id, bot.clock.now())
    replies = await bot.send("/remind 农历十三月初五 下午3点 见客户")
    assert "没看懂什么时候提醒你" in replies[-1]["text"]
    assert bot.store.schedule.pending_one_offs(bot.user.id) == []
