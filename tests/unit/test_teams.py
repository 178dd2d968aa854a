"""Team rules (roles, invites, names) and the team store on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coachbot.config import Settings
from coachbot.domain import teams
from coachbot.push.team_sweep import team_reports
from coachbot.render.templates import Renderer
from coachbot.services import records
from coachbot.services.container import Services
from coachbot.services.team_reports import morning_report, period_report, team_status, tip_key

SHANGHAI = ZoneInfo("Asia/Shanghai")


# -- rules ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "action", "allowed"), [
    ("leader", "close_team", True), ("leader", "regenerate_invite", True),
    ("deputy", "nudge", True), ("deputy", "show_invite", True), ("deputy", "link_group", True),
    ("deputy", "close_team", False), ("deputy", "manage_deputies", False),
    ("deputy", "settings", False), ("member", "view_members", False), ("member", "nudge", False),
    (None, "view_members", False),
])
def test_what_each_role_may_do(role, action, allowed):
    assert teams.can(role, action) is allowed


def test_who_may_remove_whom():
    assert teams.can_remove("leader", "deputy") and teams.can_remove("leader", "member")
    assert teams.can_remove("deputy", "member")
    assert not teams.can_remove("deputy", "deputy") and not teams.can_remove("deputy", "leader")
    assert not teams.can_remove("leader", "leader") and not teams.can_remove("member", "member")
    assert teams.can_leave("member") and not teams.can_leave("leader")


def test_invite_codes_are_unguessable_and_fit_a_deep_link():
    codes = {teams.new_invite_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert teams.invite_code_from_start(f"t_{code}") == code
        link = teams.invite_link("CoachBot", code)
        assert link == f"https://t.me/CoachBot?start=t_{code}"
        assert len(f"t_{code}") <= 64


@pytest.mark.parametrize("argument", ["", "t_", "t_short", "x_AbCdEfGhIjKl", "t_bad code!!",
                                      "t_" + "a" * 60])
def test_start_arguments_that_are_not_invites(argument):
    assert teams.invite_code_from_start(argument) is None


@pytest.mark.parametrize(("typed", "expected"), [
    ("  飞侠 ", "飞侠"), ("Top  Closer", "Top Closer"), ("", None), ("/start", None),
    ("x" * 21, None), ("a\u200bb", None),
])
def test_nicknames(typed, expected):
    assert teams.clean_nickname(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("12", 12), ("１２", 12), ("12件", 12), ("0", None), ("501", None), ("twelve", None),
])
def test_typed_weekly_targets(typed, expected):
    assert teams.parse_weekly_target(typed) == expected


def test_the_group_sees_the_nickname_only_when_chosen():
    assert teams.display_name("小张", "飞侠", True) == "飞侠"
    assert teams.display_name("小张", "飞侠", False) == "小张"
    assert teams.display_name("小张", None, True) == "小张"
    assert teams.clean_team_name(" 冲刺 一队 ") == "冲刺 一队"


def test_the_tip_of_the_day_takes_turns():
    keys = [f"t{n:02d}" for n in range(1, 25)]
    day = date(2026, 11, 23)
    picked = {tip_key(day + timedelta(days=i), keys) for i in range(24)}
    assert picked == set(keys)
    assert tip_key(day, list(reversed(keys))) == tip_key(day, keys)


def test_every_locale_has_at_least_twenty_tips(renderer: Renderer):
    for locale in ("zh-Hans", "zh-Hant", "en"):
        tips = [k for k in renderer.label_keys(locale) if k.startswith("tips.")]
        assert len(tips) >= 20
        assert all(len(renderer.label(locale, k)) <= 120 for k in tips)


# -- the store ------------------------------------------------------------------------------
def _agent(store, agent_id, name="A"):
    store.agents.ensure_agent(agent_id, first_name=name, username=None, locale="zh-Hans")
    store.agents.mark_onboarded(agent_id)
    return store.agents.get_agent(agent_id)


def _team(store):
    for agent_id, name in ((1, "王主管"), (2, "小李"), (3, "小张")):
        _agent(store, agent_id, name)
    team = store.teams.create_team(1, "冲刺队", teams.new_invite_code())
    store.teams.add_member(team.id, 2)
    store.teams.add_member(team.id, 3)
    return team


def test_one_team_per_agent_and_the_leader_stays(store):
    team = _team(store)
    assert store.teams.create_team(2, "另一队", teams.new_invite_code()) is None
    assert not store.teams.add_member(team.id, 2)
    assert [m.role for m in store.teams.members(team.id)] == ["leader", "member", "member"]
    assert not store.teams.remove_member(team.id, 1)
    assert store.teams.set_role(team.id, 3, "deputy")
    assert [m.agent_id for m in store.teams.members(team.id)] == [1, 3, 2]
    with pytest.raises(ValueError):
        store.teams.set_role(team.id, 2, "leader")
    assert store.teams.close_team(team.id)
    assert store.teams.membership(2) is None
    assert store.teams.team_by_invite(team.invite_code) is None
    assert store.teams.create_team(2, "另一队", teams.new_invite_code()) is not None


def test_a_new_invite_code_retires_the_old_one(store):
    team = _team(store)
    renewed = store.teams.set_invite_code(team.id, "NewCode12345")
    assert store.teams.team_by_invite(team.invite_code) is None
    assert store.teams.team_by_invite("NewCode12345") == renewed


def test_a_group_belongs_to_one_team_and_follows_a_migration(store):
    team = _team(store)
    _agent(store, 9)
    other = store.teams.create_team(9, "别队", teams.new_invite_code())
    assert store.teams.link_group(team.id, -500, "群")
    assert not store.teams.link_group(other.id, -500, "群")
    store.outbox.enqueue(1, -500, "team_report", "k1", {"team_id": team.id},
                         due_at=store.clock.now())
    store.migrate_chat(-500, -1000000000500)
    assert store.teams.team_by_group(-1000000000500).id == team.id
    assert store.teams.team_by_group(-500) is None
    [message] = store.outbox.claim(store.clock.now())
    assert message.chat_id == -1000000000500
    assert store.teams.unlink_group(-1000000000500).id == team.id
    assert store.teams.team_by_group(-1000000000500) is None


def test_stage_moves_are_recorded_once_per_client(store):
    _agent(store, 2)
    client = records.add_client(store, 2, {"name": "张三"}, search_key="zhangsan")
    records.update_client(store, 2, client.id, {"stage": "D"})
    records.update_client(store, 2, client.id, {"stage": "C"})
    records.update_client(store, 2, client.id, {"stage": "B"})
    records.update_client(store, 2, client.id, {"stage": None})
    records.update_client(store, 2, client.id, {"stage": "A"})
    records.update_client(store, 2, client.id, {"notes": "x"})
    day = store.clock.now().astimezone(SHANGHAI).date()
    kinds = sorted(f.kind for f in store.activity.activity_facts([2], day, day, SHANGHAI))
    assert kinds == ["name", "proposal", "prospect"]


def test_activity_facts_are_counts_in_the_local_days_asked(store):
    _agent(store, 2)
    client = records.add_client(store, 2, {"name": "张三", "phone": "+8613800138000"},
                                search_key="zhangsan")
    monday = date(2026, 11, 23)
    records.log_contact(store, 2, client.id, at=datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI),
                        channel="face")
    records.log_contact(store, 2, client.id, at=datetime(2026, 11, 23, 16, 30, tzinfo=UTC),
                        # Tue 00:30
                        channel="face")
    records.log_contact(store, 2, client.id, at=datetime(2026, 11, 23, 3, 0, tzinfo=UTC),
                        channel="phone")
    records.add_policy(store, 2, client.id, {"product": "x", "annual_premium": 1000,
                                             "start_date": "2026-11-23"})
    records.add_policy(store, 2, client.id, {"product": "y", "annual_premium": 1000,
                                             "start_date": "2025-01-01"})
    facts = store.activity.activity_facts([2], monday, monday, SHANGHAI)
    assert sorted(f.kind for f in facts) == ["contact", "name", "policy", "visit"]
    assert all(not hasattr(f, "name") for f in facts)
    assert store.activity.activity_facts([], monday, monday, SHANGHAI) == []
    assert store.activity.last_logged([2, 3])[3] is None
    assert store.activity.pipeline(2).names == 1


def test_team_status_and_reports_hold_counts_and_member_names_only(store):
    team = _team(store)
    client = records.add_client(store, 2, {"name": "欧阳翠花", "phone": "+8613912345678"},
                                search_key="ouyang")
    records.update_client(store, 2, client.id, {"stage": "B"})
    records.log_contact(store, 2, client.id, at=store.clock.now(), channel="face")
    today = store.clock.now().astimezone(SHANGHAI).date()
    leader = store.agents.get_agent(1)
    report = morning_report(store, team, leader, today)
    assert [m.name for m in report.members] == ["王主管", "小李", "小张"]
    assert report.total.prospects == 1 and report.total.proposals == 1
    assert "欧阳翠花" not in repr(report) and "13912345678" not in repr(report)
    period = period_report(store, team, leader, "week", today, today)
    assert period.members[0].name == "小李" and "欧阳翠花" not in repr(period)
    store.clock.advance(timedelta(days=3))
    records.log_contact(store, 2, client.id, at=store.clock.now(), channel="phone")
    status = team_status(store, team, leader, store.clock.now() + timedelta(days=1))
    assert [(s.idle, s.idle_days) for s in status] == [(True, 4), (False, 1), (True, 4)]


# -- the sweep's part -----------------------------------------------------------------------
def _services(store):
    return Services(settings=Settings(), store=store, renderer=Renderer(), clock=store.clock,
                    library=None)  # the sweep's team part needs none


def _queued(store):
    return [(kind, chat, key.split(":")[0]) for kind, chat, key in store.db.execute(
        "SELECT kind, chat_id, key FROM outbox ORDER BY id").fetchall()]


def test_reports_are_queued_once_at_the_teams_time(store, clock):
    team = _team(store)
    store.teams.link_group(team.id, -500, "群")
    services = _services(store)
    clock.set(datetime(2026, 11, 24, 8, 29, tzinfo=SHANGHAI))
    assert team_reports(services, clock.now()) == 0
    clock.set(datetime(2026, 11, 24, 8, 30, tzinfo=SHANGHAI))
    assert team_reports(services, clock.now()) == 1
    assert team_reports(services, clock.now()) == 0
    assert _queued(store) == [("team_report", -500, "team_report")]


def test_mondays_bring_the_weekly_chart_and_the_first_the_monthly(store, clock):
    team = _team(store)
    store.teams.link_group(team.id, -500, "群")
    services = _services(store)
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI))
    team_reports(services, clock.now())
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))
    team_reports(services, clock.now())
    assert _queued(store) == [("team_report", -500, "team_report"),
                              ("team_chart", -500, "team_week"),
                              ("team_report", -500, "team_report"),
                              ("team_chart", -500, "team_month")]


def test_a_morning_report_hours_late_is_skipped_but_the_chart_still_goes(store, clock):
    team = _team(store)
    store.teams.link_group(team.id, -500, "群")
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=SHANGHAI))
    team_reports(_services(store), clock.now())
    assert _queued(store) == [("team_chart", -500, "team_week")]


def test_no_reports_without_a_group_or_after_closing(store, clock):
    team = _team(store)
    services = _services(store)
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
    assert team_reports(services, clock.now()) == 0
    store.teams.link_group(team.id, -500, "群")
    store.teams.close_team(team.id)
    assert team_reports(services, clock.now()) == 0
