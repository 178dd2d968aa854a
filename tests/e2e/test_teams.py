"""Teams end to end: invites, the team group, morning reports, charts, boards, nudges, privacy.

Several users and a group talk to the real Application through the sandbox; the manual clock
moves and the real JobQueue sweep queues group reports, which the outbox sender delivers.
"""

from __future__ import annotations

import asyncio
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from coachbot.config import Settings
from coachbot.domain.reminders import pushes_already_past
from coachbot.services import records
from coachbot.services import teams as team_service
from tests.faults.live import settle
from tests.harness import start_harness

SHANGHAI = ZoneInfo("Asia/Shanghai")
GROUP = -600
LEADER, LI, ZHANG = 701, 702, 703
MONDAY = datetime(2026, 11, 23, 7, 30, tzinfo=SHANGHAI)  # before the 08:30 report
TUESDAY_REPORT = datetime(2026, 11, 24, 8, 30, tzinfo=SHANGHAI)
NEXT_MONDAY_REPORT = datetime(2026, 11, 30, 8, 30, tzinfo=SHANGHAI)
# what members write about their clients: none of it may ever reach a group
SECRETS = {
    LI: [("欧阳翠花", "13912345678"), ("司马懿然", "13700001111")],
    ZHANG: [("诸葛亮亮", "13655557777")],
    LEADER: [("Bartholomew Quince", "13511112222")],
}
SECRET_WORDS = ["欧阳翠花", "司马懿然", "诸葛亮亮", "Bartholomew", "Quince", "13912345678",
                "912345678", "13700001111", "13655557777", "13511112222", "守护一生",
                "P-778899"]


# -- helpers ----------------------------------------------------------------------------------
async def make_agent(bot, agent_id, name, *, locale="zh-Hans"):
    """An onboarded agent who has talked to the bot (Telegram requires that before pushes)."""
    user = bot.as_user(agent_id, name, language_code=locale.lower())
    await bot.send("/help", user=user)
    bot.store.agents.update_agent(agent_id, locale=locale, region="CN", timezone="Asia/Shanghai")
    bot.store.agents.mark_onboarded(agent_id)
    agent = bot.store.agents.get_agent(agent_id)
    local = bot.clock.now().astimezone(SHANGHAI)
    for kind in pushes_already_past(local, agent.digest_time, agent.eod_time):
        bot.store.agents.mark_daily_done(agent_id, kind, local.date())
    return user


async def create_team(bot, leader) -> str:
    """The leader creates a team; returns the invite code from the link the bot gave."""
    replies = await bot.send("/team", user=leader)
    assert "还没有加入团队" in replies[-1]["text"]
    replies = await bot.press("创建团队", user=leader, expect=2)
    match = re.search(r"t\.me/CoachSandboxBot\?start=t_([\w-]+)", replies[-1]["text"])
    assert match, replies[-1]["text"]
    return match.group(1)


async def link_group(bot, leader, chat_id=GROUP):
    update = bot.sandbox.add_bot_to_group(leader, chat_id, "冲刺一队")
    added = await bot.inject(update, chat_id, expect=2)
    assert "/link" in added[-1]["text"]
    replies = await bot.send("/link", user=leader, chat_id=chat_id)
    assert "已关联" in replies[-1]["text"]


async def team_with_group(bot):
    """王主管 leads 小李 and 小张; the team group is linked."""
    leader = await make_agent(bot, LEADER, "王主管")
    li = await make_agent(bot, LI, "小李")
    zhang = await make_agent(bot, ZHANG, "小张")
    code = await create_team(bot, leader)
    for user in (li, zhang):
        replies = await bot.send(f"/start t_{code}", user=user)
        assert "欢迎加入" in replies[-1]["text"]
    await link_group(bot, leader)
    return leader, li, zhang


async def add_secret_clients(bot, users):
    """Each member adds clients with distinctive names and phones, through /add."""
    ids = {}
    for agent_id, clients in SECRETS.items():
        for name, phone in clients:
            await bot.send(f"/add {name} {phone}", user=users[agent_id])
            [client] = bot.store.clients.clients_by_name(agent_id, name)
            ids[name] = client.id
    return ids


def work(bot, agent_id, client_id, *, visits=0, stage=None, premium=None, at=None):
    """What an agent logs about one client (the buttons of the card do the same)."""
    at = at or bot.clock.now()
    for _ in range(visits):
        records.log_contact(bot.store, agent_id, client_id, at=at, channel="face")
    if stage:
        records.update_client(bot.store, agent_id, client_id, {"stage": stage})
    if premium:
        records.add_policy(bot.store, agent_id, client_id, {
            "product": "守护一生重疾险", "policy_no": "P-778899", "annual_premium": premium,
            "start_date": at.astimezone(SHANGHAI).date().isoformat()})


async def at_local(bot, moment):
    mark = bot.sandbox.seq
    bot.clock.set(moment)
    return mark


def group_texts(bot, chat_id=GROUP):
    """Every text and caption the bot put in the group."""
    return [m.get("text") or m.get("caption") or "" for m in bot.sandbox.bot_messages(chat_id)]


def assert_no_client_details(texts):
    for text in texts:
        for word in SECRET_WORDS:
            assert word not in text, f"{word!r} leaked into: {text}"


async def said(bot, chat_id, mark, words, timeout=6.0):
    """The first bot message in a chat after `mark` that contains `words` (others may come)."""
    found = []

    def seen():
        found[:] = [m for e in bot.sandbox.events(mark) if e["chat_id"] == chat_id
                    and e["kind"] == "send" and words in ((m := e["message"]).get("text") or
                                                          m.get("caption") or "")]
        return bool(found)

    await wait_until(seen, timeout)
    return found[0]


async def wait_until(predicate, timeout=5.0):
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


# -- invites and joining ----------------------------------------------------------------------
async def test_leader_creates_a_team_and_agents_join_with_the_deep_link(bot):
    leader = await make_agent(bot, LEADER, "王主管")
    li = await make_agent(bot, LI, "小李")
    code = await create_team(bot, leader)
    mark = bot.sandbox.seq
    replies = await bot.send(f"/start t_{code}", user=li)
    assert "欢迎加入" in replies[-1]["text"] and "王主管" in replies[-1]["text"]
    # the leader hears about it privately
    notice = await said(bot, LEADER, mark, "加入了")
    assert "小李" in notice["text"]
    # a brand-new agent joins and goes straight on to set up
    new = bot.as_user(704, "阿强")
    replies = await bot.send(f"/start t_{code}", user=new, expect=3)
    assert "欢迎加入" in replies[0]["text"] and "第 1 步" in replies[-1]["text"]
    teams = bot.store.teams
    assert [m.agent_id for m in teams.members(teams.membership(LEADER).team_id)] == \
        [LEADER, LI, 704]
    # one team at a time, and a renewed link retires the old one
    replies = await bot.send(f"/start t_{code}", user=li)
    assert "已经在" in replies[-1]["text"]
    await bot.send("/team", user=leader)
    await bot.press("邀请链接", user=leader)
    replies = await bot.press("换个新链接", user=leader)
    assert "旧链接作废" in replies[-1]["text"] and code not in replies[-1]["text"]
    stranger = bot.as_user(705, "路人")
    replies = await bot.send(f"/start t_{code}", user=stranger, expect=3)
    assert "失效" in replies[0]["text"]
    assert bot.store.teams.membership(705) is None


async def test_only_the_leader_links_the_group_and_plain_chat_is_left_alone(bot):
    leader = await make_agent(bot, LEADER, "王主管")
    li = await make_agent(bot, LI, "小李")
    code = await create_team(bot, leader)
    await bot.send(f"/start t_{code}", user=li)
    update = bot.sandbox.add_bot_to_group(li, GROUP, "冲刺一队", as_admin=True)
    await bot.inject(update, GROUP)
    replies = await bot.send("/link", user=li, chat_id=GROUP)
    assert "只有团队主管" in replies[-1]["text"]
    replies = await bot.send("/link", user=leader, chat_id=GROUP)
    assert "已关联" in replies[-1]["text"]
    team = bot.store.teams.team_by_group(GROUP)
    assert team is not None and team.group_title == "冲刺一队"
    # as an admin the bot sees every message, but answers only commands and mentions
    before = len(bot.sandbox.bot_messages(GROUP))
    bot.sandbox.send_text(li, "今天见了三个客户，累但值得", chat_id=GROUP)
    await asyncio.sleep(0.4)
    assert len(bot.sandbox.bot_messages(GROUP)) == before
    replies = await bot.send("@CoachSandboxBot 你好", user=li, chat_id=GROUP)
    assert "/board" in replies[-1]["text"]
    # private things stay private
    replies = await bot.send("/stats", user=li, chat_id=GROUP)
    assert "私聊" in replies[-1]["text"]


# -- the morning report and privacy ------------------------------------------------------------
async def test_morning_report_at_the_teams_time_shows_counts_never_clients(bot):
    leader, li, zhang = await team_with_group(bot)
    users = {LEADER: leader, LI: li, ZHANG: zhang}
    await at_local(bot, MONDAY)
    ids = await add_secret_clients(bot, users)
    work(bot, LI, ids["欧阳翠花"], visits=3, stage="B", premium=88888)
    work(bot, LI, ids["司马懿然"], visits=1, stage="D")
    work(bot, ZHANG, ids["诸葛亮亮"], visits=1)
    mark = await at_local(bot, TUESDAY_REPORT - timedelta(minutes=1))
    await asyncio.sleep(0.4)
    assert not [e for e in bot.sandbox.events(mark) if e["chat_id"] == GROUP
                and e["kind"] == "send"]
    mark = await at_local(bot, TUESDAY_REPORT)
    report = await said(bot, GROUP, mark, "晨报")
    text = report["text"]
    assert "晨报" in text and "11月23日" in text
    assert "拜访 5" in text and "新准客户 2" in text and "计划书 1" in text and "成交 1" in text
    # 4 visits: the daily target for 2 policies a month (80 / 25 = 3.2, rounded up)
    assert "小李：拜访 4 · 新名单 2 · 准客户 2 · 计划书 1 · 成交 1 ✅" in text
    assert "本周累计（11月23日）：" in text  # Monday alone, not "11月23日–11月23日"
    assert "小张：拜访 1 · 新名单 1\n" in text and "王主管：拜访 0 · 新名单 1\n" in text
    assert "拜访达标" in text and "本周累计" in text and "每日一招" in text
    assert_no_client_details(group_texts(bot))
    await asyncio.sleep(0.3)
    assert len(group_texts(bot)) == 4  # hello, link hint, linked, and one report only


async def test_weekly_chart_is_a_png_photo_and_no_group_message_names_a_client(bot):
    leader, li, zhang = await team_with_group(bot)
    users = {LEADER: leader, LI: li, ZHANG: zhang}
    await at_local(bot, MONDAY)
    ids = await add_secret_clients(bot, users)
    work(bot, LI, ids["欧阳翠花"], visits=3, stage="A", premium=88888)
    work(bot, ZHANG, ids["诸葛亮亮"], visits=2, stage="C")
    work(bot, LEADER, ids["Bartholomew Quince"], visits=1, premium=5000)
    await bot.send("/board", user=zhang, chat_id=GROUP)
    mark = await at_local(bot, NEXT_MONDAY_REPORT)
    report, photo = await bot.sandbox.wait_for_bot(GROUP, count=2, after=mark, timeout=10)
    assert "上周合计" in report["text"] and "成交 2/" in report["text"]
    png = photo["file_bytes"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.format == "PNG" and image.size[0] >= 600
    caption = photo["caption"]
    assert "周报" in caption and "11月23日" in caption
    assert "1. 小李 — 成交 1 · 拜访 3" in caption
    assert "漏斗" in caption
    assert_no_client_details(group_texts(bot))


# -- leaderboards ------------------------------------------------------------------------------
async def test_leaderboard_by_policies_premium_and_visits_with_a_chosen_nickname(bot):
    leader, li, zhang = await team_with_group(bot)
    await at_local(bot, MONDAY)
    ids = await add_secret_clients(bot, {LEADER: leader, LI: li, ZHANG: zhang})
    work(bot, LI, ids["欧阳翠花"], visits=1, premium=20000)
    work(bot, ZHANG, ids["诸葛亮亮"], visits=5, premium=30000)
    work(bot, LEADER, ids["Bartholomew Quince"], premium=20000)
    # 小张 prefers to be seen as 飞侠
    await bot.send("/team", user=zhang)
    await bot.press("我的昵称", user=zhang)
    await bot.press("设置昵称", user=zhang)
    replies = await bot.send("飞侠", user=zhang)
    assert "飞侠" in replies[-1]["text"]
    replies = await bot.send("/board", user=li, chat_id=GROUP)
    board = replies[-1]["text"]
    assert "排行榜" in board and "按件数" in board
    assert re.search(r"🥇 \S+ — 1 件\n🥇 \S+ — 1 件\n🥇 \S+ — 1 件", board)
    await bot.press("保费", user=li, chat_id=GROUP)
    board = bot.sandbox.bot_messages(GROUP)[-1]["text"]
    assert board.index("飞侠") < board.index("小李") and "小张" not in board
    assert "🥇 飞侠 — ¥30,000" in board and "🥈 王主管 — ¥20,000" in board
    await bot.press("拜访", user=li, chat_id=GROUP)
    await bot.press("本月", user=li, chat_id=GROUP)
    board = bot.sandbox.bot_messages(GROUP)[-1]["text"]
    assert "本月" in board and "🥇 飞侠 — 5 次" in board and "3. 王主管 — 0 次" in board
    assert_no_client_details(group_texts(bot))


# -- private views -----------------------------------------------------------------------------
async def test_stats_in_private_with_a_chart(bot):
    li = await make_agent(bot, LI, "小李")
    await at_local(bot, MONDAY)
    await bot.send("/add 欧阳翠花 13912345678", user=li)
    [client] = bot.store.clients.clients_by_name(LI, "欧阳翠花")
    work(bot, LI, client.id, visits=3, stage="B", premium=12000)
    [photo] = await bot.send("/stats", user=li)
    assert Image.open(io.BytesIO(photo["file_bytes"])).format == "PNG"
    caption = photo["caption"]
    assert "我的数据" in caption and "今天目标 4 访（今天 3/4 · 本月 3/80）" in caption
    assert "新准客户 1/20" in caption and "计划书 1/6" in caption and "成交 1/2" in caption


async def test_leader_sees_counts_not_client_details_and_nudges_a_quiet_member(bot):
    leader, li, zhang = await team_with_group(bot)
    await at_local(bot, MONDAY)
    ids = await add_secret_clients(bot, {LEADER: leader, LI: li, ZHANG: zhang})
    work(bot, LI, ids["欧阳翠花"], visits=2, stage="B", premium=88888)
    mark = await at_local(bot, datetime(2026, 11, 27, 8, 40, tzinfo=SHANGHAI))
    await said(bot, GROUP, mark, "晨报")
    replies = await bot.send("/team", user=leader)
    assert "三天以上没记录" in replies[-1]["text"] and "小张" in replies[-1]["text"]
    replies = await bot.press("成员", user=leader)
    assert "小李" in replies[-1]["text"] and "💤" in replies[-1]["text"]
    replies = await bot.press("小李", user=leader)
    assert "成交 1/2" in replies[-1]["text"] and "计划书 1" in replies[-1]["text"]
    await bot.press("返回", user=leader)
    replies = await bot.press("小张", user=leader)
    assert "天没有任何记录" in replies[-1]["text"]
    mark = bot.sandbox.seq
    replies = await bot.press("提醒一下", user=leader)
    assert "提醒发出去了" in replies[-1]["text"]
    nudge = await said(bot, ZHANG, mark, "打个气")
    assert "王主管" in nudge["text"]
    replies = await bot.press("提醒一下", user=leader)
    assert "今天已经提醒过了" in replies[-1]["text"]
    # everything the leader was shown: counts, never a member's client
    leader_view = [m["text"] + " ".join(bot.buttons(m)) for m in bot.sandbox.bot_messages(LEADER)]
    member_secrets = [w for w in SECRET_WORDS if w not in ("Bartholomew", "Quince",
                                                           "13511112222", "守护一生",
                                                           "P-778899")]
    for text in leader_view:
        for word in member_secrets:
            assert word not in text


async def test_deputies_removal_leaving_and_closing(bot):
    leader, li, _ = await team_with_group(bot)
    await bot.send("/team", user=leader)
    await bot.press("成员", user=leader)
    await bot.press("小李", user=leader)
    replies = await bot.press("设为副主管", user=leader)
    assert "副主管" in replies[-1]["text"]
    team_id = bot.store.teams.membership(LEADER).team_id
    assert bot.store.teams.get_member(team_id, LI).role == "deputy"
    # the deputy may remove a member, not the leader, and may not close the team
    replies = await bot.send("/team", user=li)
    assert "解散团队" not in " ".join(bot.buttons(replies[-1]))
    await bot.press("成员", user=li)
    replies = await bot.press("王主管", user=li)
    assert "移出团队" not in " ".join(bot.buttons(replies[-1]))
    await bot.press("返回", user=li)
    await bot.press("小张", user=li)
    await bot.press("移出团队", user=li)
    mark = bot.sandbox.seq
    replies = await bot.press("确定移出", user=li)
    assert "已移出" in replies[-1]["text"]
    await said(bot, ZHANG, mark, "你已被移出")
    assert bot.store.teams.membership(ZHANG) is None
    # a forged button for another team's member changes nothing
    replies = await bot.press_data(bot.last_reply(LI)["message_id"], "tm:rmy:701", user=li)
    assert bot.store.teams.membership(LEADER) is not None
    await bot.send("/team", user=li)
    await bot.press("退出团队", user=li)
    replies = await bot.press("确定退出", user=li)
    assert "已退出" in replies[-1]["text"]
    await bot.send("/team", user=leader)
    await bot.press("解散团队", user=leader)
    replies = await bot.press("确定解散", user=leader)
    assert "已解散" in replies[-1]["text"]
    assert bot.store.teams.membership(LEADER) is None
    assert bot.store.teams.team_by_group(GROUP) is None


# -- what happens to the group -----------------------------------------------------------------
async def test_removed_from_the_group_the_bot_unlinks_tells_the_leader_and_can_come_back(bot):
    leader, li, _ = await team_with_group(bot)
    bot.sandbox.set_bot_admin(GROUP, True)
    mark = bot.sandbox.seq
    bot.sandbox.set_bot_admin(GROUP, False)  # losing admin rights changes nothing
    await wait_until(lambda: bot.store.teams.team_by_group(GROUP).bot_status == "member")
    replies = await bot.send("/board", user=li, chat_id=GROUP)
    assert "排行榜" in replies[-1]["text"]
    mark = bot.sandbox.seq
    bot.sandbox.remove_bot_from_group(leader, GROUP)
    notice = await said(bot, LEADER, mark, "团队群")
    assert "移出" in notice["text"] and "/link" in notice["text"]
    assert bot.store.teams.team_by_group(GROUP) is None
    await at_local(bot, TUESDAY_REPORT)
    await asyncio.sleep(0.5)
    assert "team_report" not in str(bot.store.db.execute(
        "SELECT kind FROM outbox").fetchall())
    await link_group(bot, leader)  # added back and linked again
    assert bot.store.teams.team_by_group(GROUP) is not None


async def test_the_team_follows_its_group_when_it_becomes_a_supergroup(bot):
    _, li, _ = await team_with_group(bot)
    new_id = bot.sandbox.migrate_group(GROUP)
    await wait_until(lambda: bot.store.teams.team_by_group(new_id) is not None)
    assert bot.store.teams.team_by_group(GROUP) is None
    replies = await bot.send("/board", user=li, chat_id=new_id)
    assert "排行榜" in replies[-1]["text"]
    mark = await at_local(bot, TUESDAY_REPORT)
    await said(bot, new_id, mark, "晨报")


# -- access control ------------------------------------------------------------------------------
@pytest.fixture
async def invite_only(tmp_path, clock):
    settings = Settings(require_invite=True, allowed_user_ids=frozenset({LEADER}))
    async with start_harness(tmp_path, clock, settings=settings) as harness:
        yield harness


async def test_an_invite_only_deployment_refuses_strangers_politely(invite_only):
    bot = invite_only
    stranger = bot.as_user(799, "路人", language_code="en")
    replies = await bot.send("/start", user=stranger)
    assert "invited team members only" in replies[-1]["text"]
    replies = await bot.send("/add 张三 13800138000", user=stranger)
    assert "invited" in replies[-1]["text"]
    assert bot.store.agents.get_agent(799) is None  # nothing kept about them
    leader = await make_agent(bot, LEADER, "王主管")
    code = await create_team(bot, leader)
    newcomer = bot.as_user(702, "小李")
    replies = await bot.send(f"/start t_{code}", user=newcomer, expect=3)
    assert "欢迎加入" in replies[0]["text"]
    replies = await bot.send("/help", user=newcomer)
    assert "/team" in replies[-1]["text"]
    replies = await bot.send("/start t_notavalidcode1", user=stranger)
    assert "invited" in replies[-1]["text"]


# -- issue 14, break 2: the invite gate holds in groups too ------------------------------------
STRANGER = 799
INVITE_LINK = re.compile(r"start=t_[\w-]+")


def sent_to(bot, chat_id, mark):
    """Texts the bot sent or edited into a chat after request number `mark` (tried or not)."""
    return [str(r.params.get("text") or r.params.get("caption") or "")
            for r in bot.sandbox.requests[mark:] if r.params.get("chat_id") == chat_id]


async def forge_in_group(bot, user, data, chat_id=GROUP):
    """`user` presses a button with forged data on the bot's last message in a group."""
    bot.sandbox.join_group(user, chat_id)
    anchor = bot.sandbox.last_bot_message(chat_id)
    bot.sandbox.press(user, anchor["message_id"] if anchor else 1, data, chat_id=chat_id,
                      force=True)
    await settle(bot)


async def test_a_stranger_cannot_start_a_team_with_a_forged_press_in_a_group(invite_only):
    bot = invite_only
    stranger = bot.as_user(STRANGER, "路人", language_code="en")
    replies = await bot.send("/start", user=stranger)
    assert "invited" in replies[-1]["text"]
    leader = await make_agent(bot, LEADER, "王主管")
    await create_team(bot, leader)
    await link_group(bot, leader)
    mark = len(bot.sandbox.requests)
    for data in ("tm:new", "tm:inv", "tm:home", "tm:regen"):
        await forge_in_group(bot, stranger, data)
    assert not [t for t in sent_to(bot, GROUP, mark) if INVITE_LINK.search(t)]
    assert not [t for t in sent_to(bot, STRANGER, mark) if INVITE_LINK.search(t)]
    assert team_service.team_of(bot.store, STRANGER) == (None, None)
    assert not team_service.is_team_member(bot.store, STRANGER)
    # and privately they are still turned away
    replies = await bot.send("/help", user=stranger)
    assert "invited" in replies[-1]["text"]
    replies = await bot.send("/team", user=stranger)
    assert "invited" in replies[-1]["text"]


async def test_a_stranger_in_any_group_cannot_start_a_team(invite_only):
    bot = invite_only
    stranger = bot.as_user(STRANGER, "路人", language_code="en")
    await bot.send("/start", user=stranger)
    bot.sandbox.add_bot_to_group(stranger, -650, "Strangers")
    mark = len(bot.sandbox.requests)
    await forge_in_group(bot, stranger, "tm:new", chat_id=-650)
    await forge_in_group(bot, stranger, "tm:inv", chat_id=-650)
    assert not team_service.is_team_member(bot.store, STRANGER)
    assert not [t for t in sent_to(bot, -650, mark) if INVITE_LINK.search(t)]
    replies = await bot.send("/add 张三 13800138000", user=stranger)
    assert "invited" in replies[-1]["text"]


async def test_a_forged_invite_press_in_the_team_group_does_not_post_the_link(invite_only):
    bot = invite_only
    leader = await make_agent(bot, LEADER, "王主管")
    code = await create_team(bot, leader)
    li = bot.as_user(LI, "小李")
    replies = await bot.send(f"/start t_{code}", user=li, expect=3)
    assert "欢迎加入" in replies[0]["text"]
    await link_group(bot, leader)
    mark = len(bot.sandbox.requests)
    for user in (li, leader):
        for data in ("tm:inv", "tm:regen", "tm:new"):
            await forge_in_group(bot, user, data)
    assert not [t for t in sent_to(bot, GROUP, mark) if INVITE_LINK.search(t)]
    # the leader still gets the link privately
    await bot.send("/team", user=leader)
    replies = await bot.press("邀请", user=leader)
    assert INVITE_LINK.search(replies[-1]["text"])
