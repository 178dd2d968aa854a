"""The money view, business sources and referrals, on a real SQLite file and rendered."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from coachbot.domain.clock import ManualClock
from coachbot.domain.models import Agent
from coachbot.domain.money import (
    business_source_from_text,
    income_estimate,
    installment,
    parse_rate,
    parse_source_targets,
    source_from_text,
)
from coachbot.render.templates import Renderer
from coachbot.services import book, money, records, team_reports
from coachbot.services.book import Draft, save_client
from coachbot.store import Store

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 18, 10, 0, tzinfo=SHANGHAI)


def make_agent(store: Store, region: str = "CN", zone: str = "Asia/Shanghai") -> Agent:
    store.agents.ensure_agent(1, first_name="小王", username=None, locale="zh-Hans")
    store.agents.mark_onboarded(1)
    return store.agents.update_agent(1, region=region, timezone=zone)


def add(store: Store, name: str, **values: object) -> int:
    client = save_client(store, 1, Draft(name=name), force=True).client
    assert client is not None
    if values:
        records.update_client(store, 1, client.id, values)
    return client.id


def test_the_methodology_arithmetic_two_policies_at_1500_and_35_percent_is_1050(
        store: Store, clock: ManualClock, renderer: Renderer):
    agent = make_agent(store)
    assert agent.commission_rate == 0.35  # the methodology's rate, until the agent sets theirs
    clock.set(NOW)
    for name, source in (("张三", "new"), ("李四", "referral")):
        records.add_policy(store, 1, add(store, name), {
            "product": "重疾险", "annual_premium": 1500, "currency": "CNY",
            "start_date": date(2026, 12, 3), "source": source})
    records.add_policy(store, 1, add(store, "王五"), {  # last month: not this month's
        "product": "年金险", "annual_premium": 50000, "start_date": date(2026, 11, 30)})

    view = money.month_money(store, agent, clock.now())
    assert (view.policies, view.premium, view.income) == (2, {"CNY": 3000.0}, {"CNY": 1050.0})
    html = renderer.render("zh-Hans", "common/money", region="CN", money=view)
    assert "新单 2 件 · 首年保费 ¥3,000" in html and "预计佣金 <b>¥1,050</b>" in html
    assert "佣金率 35%" in html
    assert "新增 1 · 加保 0 · 转介绍 1" in html and "给三条线各定一个月目标" in html

    stats = team_reports.personal_stats(store, agent, clock.now())
    assert stats.money is not None and stats.money.income == {"CNY": 1050.0}
    summary = book.book_summary(store, agent, clock.now(), store.tier_thresholds)
    assert summary.money is not None and summary.money.policies == 2

    agent = money.set_commission_rate(store, agent, "40%")
    assert agent is not None and agent.commission_rate == 0.4
    assert money.month_money(store, agent, clock.now()).income == {"CNY": 1200.0}
    assert money.set_commission_rate(store, agent, "四成") is None


def test_renewals_to_collect_this_month_with_their_amounts(store: Store, clock: ManualClock,
                                                           renderer: Renderer):
    agent = make_agent(store, "HK", "Asia/Hong_Kong")
    clock.set(NOW)
    chan = add(store, "陳大文")
    records.add_policy(store, 1, chan, {
        "product": "危疾保", "annual_premium": 12000, "currency": "HKD",
        "start_date": date(2024, 12, 20), "payment_frequency": "monthly",
        "next_due_date": date(2026, 12, 20)})
    records.add_policy(store, 1, chan, {
        "product": "儲蓄保", "annual_premium": 5000, "currency": "USD",
        "start_date": date(2023, 12, 28), "next_due_date": date(2026, 12, 28)})
    records.add_policy(store, 1, chan, {  # next month: not yet
        "product": "醫療保", "annual_premium": 3000, "currency": "HKD",
        "next_due_date": date(2027, 1, 2)})
    view = money.month_money(store, agent, clock.now())
    assert [(r.client_name, r.product, r.amount, r.currency) for r in view.renewals] == [
        ("陳大文", "危疾保", 1000.0, "HKD"), ("陳大文", "儲蓄保", 5000.0, "USD")]
    assert view.renewal_totals == {"HKD": 1000.0, "USD": 5000.0}
    html = renderer.render("zh-Hant", "common/money", region="HK", money=view)
    assert "本月待收續期 2 筆，共 HK$1,000 + US$5,000" in html
    assert "12月20日 陳大文 · 危疾保 HK$1,000" in html
    # what a leader's nudge may carry: the totals, no client
    assert view.without_names().renewals == () and view.without_names().renewal_count == 2


def test_targets_per_business_source_with_progress(store: Store, clock: ManualClock,
                                                   renderer: Renderer):
    agent = make_agent(store)
    clock.set(NOW)
    records.add_policy(store, 1, add(store, "张三"), {
        "product": "重疾险", "annual_premium": 8000, "start_date": date(2026, 12, 1),
        "source": "upsell"})
    agent = money.set_source_targets(store, agent, "新增2 加保1 转介绍1")
    assert agent is not None and agent.source_targets == {"new": 2, "upsell": 1, "referral": 1}
    view = money.month_money(store, agent, clock.now())
    assert [(s.source, s.count, s.target, s.hit) for s in view.sources] == [
        ("new", 0, 2, False), ("upsell", 1, 1, True), ("referral", 0, 1, False)]
    html = renderer.render("zh-Hans", "common/money", region="CN", money=view)
    assert "新增 0/2 · 加保 1/1 · 转介绍 0/1" in html
    assert money.set_source_targets(store, agent, "很多") is None


def test_the_card_shows_who_referred_whom_and_where_a_client_came_from(
        store: Store, clock: ManualClock, renderer: Renderer):
    agent = make_agent(store)
    clock.set(NOW)
    wang = add(store, "王芳", origin="warm")
    zhang = add(store, "张三", referred_by=wang, origin="referral")
    add(store, "赵六", referred_by=zhang)
    add(store, "钱七", referred_by=zhang)
    assert money.set_client_origin(store, agent, wang, "亲友") is not None
    view = book.card_view(store, agent, zhang, clock.now(), store.tier_thresholds)
    assert view is not None and view.referrer is not None and view.referred_count == 2
    html = renderer.render("zh-Hans", "clients/card", region="CN", view=view, notice=None,
                           tier_plan=None, channels={})
    assert "介绍人：王芳；TA 介绍了：2 位（赵六、钱七）" in html
    assert "来源：转介绍" in html
    summary = book.book_summary(store, agent, clock.now(), store.tier_thresholds)
    assert summary.origins == {"warm": 1, "referral": 1, "cold": 0}


@pytest.mark.parametrize(("typed", "rate"), [
    ("35", 0.35), ("35%", 0.35), ("０.３５", 0.35), ("35个点", 0.35), ("27.5%", 0.275),
    ("100", 1.0), ("0", None), ("101", None), ("abc", None), ("", None)])
def test_commission_rates_as_typed(typed, rate):
    assert parse_rate(typed) == rate


def test_source_targets_as_typed():
    assert parse_source_targets("1 1 0") == {"new": 1, "upsell": 1, "referral": 0}
    assert parse_source_targets("new 2, referral 1") == {"new": 2, "upsell": 0, "referral": 1}
    assert parse_source_targets("1 2") is None and parse_source_targets("") is None


@pytest.mark.parametrize(("cell", "origin"), [
    ("转介绍", "referral"), ("轉介紹", "referral"), ("客户介绍", "referral"),
    ("缘故", "warm"), ("亲友", "warm"), ("大学同学", "warm"), ("陌拜", "cold"),
    ("网络", "cold"), ("Referral", "referral"), ("cold", "cold"), ("", None), ("其他", None)])
def test_a_client_source_column_maps_to_an_origin(cell, origin):
    assert source_from_text(cell) == origin


def test_a_policy_source_maps_to_new_upsell_or_referral():
    assert [business_source_from_text(t) for t in ("加保", "转介绍", "新增", "Upsell", "?")] \
        == ["upsell", "referral", "new", "upsell", None]
    assert income_estimate(3000, 0.35) == 1050 and installment(12000, "quarterly") == 3000


def _team_with_an_hk_member(store: Store):
    from coachbot.domain import teams

    leader = make_agent(store)  # mainland: the team counts in CNY
    store.agents.ensure_agent(2, first_name="阿明", username=None, locale="zh-Hant")
    store.agents.mark_onboarded(2)
    store.agents.update_agent(2, region="HK", timezone="Asia/Hong_Kong")
    team = store.teams.create_team(1, "飞鹰队", teams.new_invite_code())
    store.teams.add_member(team.id, 2)
    chan = save_client(store, 2, Draft(name="陳大文"), force=True).client
    records.add_policy(store, 2, chan.id, {
        "product": "危疾保", "annual_premium": 30000, "currency": "HKD",
        "start_date": date(2026, 12, 15)})
    return leader, team


def test_an_hk_policy_counts_on_a_cny_teams_board_after_conversion(store: Store,
                                                                    clock: ManualClock,
                                                                    renderer: Renderer):
    leader, team = _team_with_an_hk_member(store)
    clock.set(NOW)  # Friday 12/18
    before = team_reports.board(store, team, leader, "week", "premium", clock.now())
    assert before.currency == "CNY" and before.anyone
    assert before.rows[0].name == "阿明" and before.rows[0].unconverted == (("HKD", 30000.0),)
    html = renderer.render("zh-Hans", "reports/board", region="CN", board=before)
    assert "🥇 阿明 — HK$30,000" in html and "还没人上榜" not in html
    assert "阿明 — ¥0" not in html

    assert team_reports.set_team_rate(store, team, leader, "HKD 0.92") == ("HKD", 0.92)
    after = team_reports.board(store, team, leader, "week", "premium", clock.now())
    assert (after.rows[0].name, after.rows[0].value, after.rows[0].unconverted) == \
        ("阿明", 27600.0, ())
    html = renderer.render("zh-Hans", "reports/board", region="CN", board=after)
    assert "🥇 阿明 — ¥27,600" in html and "本周至今（12月14日–12月18日）" in html
    assert team_reports.set_team_rate(store, team, leader, "CNY 1") is None  # its own
    assert team_reports.set_team_rate(store, team, leader, "很多") is None
    panel = team_reports.currency_panel(store, team, leader, "set")
    assert (panel.currency, panel.own, panel.rates) == ("CNY", False, {"HKD": 0.92})
    team = team_reports.set_team_currency(store, team, "港币")
    assert team is not None and team.currency == "HKD"
    hkd = team_reports.board(store, team, leader, "week", "premium", clock.now())
    assert hkd.currency == "HKD" and hkd.rows[0].value == 30000.0


def test_on_monday_morning_the_board_shows_last_week(store: Store, clock: ManualClock,
                                                     renderer: Renderer):
    leader, team = _team_with_an_hk_member(store)
    clock.set(datetime(2026, 12, 21, 8, 0, tzinfo=SHANGHAI))  # Monday, nothing logged yet
    board = team_reports.board(store, team, leader, "week", "policies", clock.now())
    assert board.previous and (board.first, board.last) == (date(2026, 12, 14),
                                                            date(2026, 12, 20))
    html = renderer.render("zh-Hans", "reports/board", region="CN", board=board)
    assert "上周（12月14日–12月20日）" in html and "12月21日–12月21日" not in html
    assert "🥇 阿明 — 1 件" in html
    # once something is logged on the Monday, the week so far (today) it is
    chan = save_client(store, 1, Draft(name="刘一"), force=True).client
    records.add_policy(store, 1, chan.id, {"product": "寿险", "annual_premium": 9000,
                                           "start_date": date(2026, 12, 21)})
    board = team_reports.board(store, team, leader, "week", "policies", clock.now())
    assert not board.previous and board.single_day
    html = renderer.render("zh-Hans", "reports/board", region="CN", board=board)
    assert "本周至今（今天 12月21日）" in html
