"""The agent's day on a real SQLite file: reminders say who and what, an explicit time fires
then, next steps keep their words, dates are the agent's own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from coachbot.config import Settings
from coachbot.domain.clock import ManualClock
from coachbot.domain.models import Agent
from coachbot.push.sweep import sweep
from coachbot.render.templates import Renderer
from coachbot.services import agenda, book, records, reminders
from coachbot.services.book import Draft, save_client
from coachbot.services.container import Services
from coachbot.services.digest import build_digest
from coachbot.store import Store

SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_agent(store: Store, agent_id: int = 1, region: str = "CN",
               zone: str = "Asia/Shanghai", locale: str = "zh-Hans") -> Agent:
    store.agents.ensure_agent(agent_id, first_name="小王", username=None, locale=locale)
    store.agents.mark_onboarded(agent_id)
    return store.agents.update_agent(agent_id, region=region, timezone=zone)


def add(store: Store, agent_id: int, name: str) -> int:
    client = save_client(store, agent_id, Draft(name=name), force=True).client
    assert client is not None
    return client.id


def test_a_reminders_line_and_buttons_name_the_client_and_what_to_do(store: Store,
                                                                     renderer: Renderer):
    agent = make_agent(store)
    zhang = add(store, 1, "张三")
    due = datetime(2026, 12, 8, 15, 0, tzinfo=SHANGHAI)
    store.schedule.add_one_off(1, client_id=zhang, text="送计划书", due_at=due)
    store.schedule.add_one_off(1, client_id=None, text="交周报", due_at=due + timedelta(hours=2))

    lines = agenda.reminder_lines(store, agent)
    assert [(line.number, line.client_name, line.what) for line in lines] == [
        (1, "张三", "送计划书"), (2, None, "交周报")]
    assert lines[0].at == due
    html = renderer.render("zh-Hans", "reminders/list", region="CN",
                           items=[(line.reminder, line.at) for line in lines])
    assert "1. 2026/12/8 15:00 — <b>张三</b>：送计划书" in html
    [first, second] = agenda.reminder_buttons(renderer, "zh-Hans", lines)
    assert first == (("✏️ 1 张三", str(lines[0].reminder.id)),
                     ("✖ 1 张三", str(lines[0].reminder.id)))
    assert second[0][0] == "✏️ 2 交周报"
    fired = store.schedule.get_one_off(1, lines[0].reminder.id)
    one_off = renderer.render("zh-Hans", "reminders/one_off", region="CN", reminder=fired,
                              client=None)
    assert "<b>张三</b> — 送计划书" in one_off


def test_an_explicit_time_in_quiet_hours_is_kept(store: Store, clock: ManualClock):
    """/remind 今天 06:49 ... set at 06:47 fires at 06:49, though quiet hours end at 07:30."""
    agent = make_agent(store)
    assert (agent.quiet_start, agent.quiet_end) == ("22:00", "07:30")
    clock.set(datetime(2026, 12, 7, 6, 47, tzinfo=SHANGHAI))
    at = datetime(2026, 12, 7, 6, 49, tzinfo=SHANGHAI)
    store.schedule.add_one_off(1, client_id=None, text="给李四打电话", due_at=at)
    services = Services(settings=Settings(), store=store, renderer=Renderer(), clock=clock,
                        library=None)  # type: ignore[arg-type]
    clock.set(at)
    sweep(services)
    [due] = store.db.execute(
        "SELECT due_at FROM outbox WHERE kind = 'remind'").fetchone()
    assert datetime.fromisoformat(due) == at


def test_a_snooze_in_quiet_hours_still_waits_for_the_morning():
    from coachbot.domain import reminders

    night = datetime(2026, 12, 7, 23, 10, tzinfo=SHANGHAI)
    assert reminders.push_time(night, "22:00", "07:30", chosen=True) == night
    assert reminders.push_time(night, "22:00", "07:30", chosen=False) == \
        datetime(2026, 12, 8, 7, 30, tzinfo=SHANGHAI)


def test_a_next_step_typed_as_one_line_keeps_the_day_and_what_to_do(store: Store,
                                                                   clock: ManualClock,
                                                                   renderer: Renderer):
    agent = make_agent(store)
    clock.set(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI))  # a Monday
    client_id = add(store, 1, "王芳")
    contact = records.log_contact(store, 1, client_id, at=clock.now(), channel="face")
    assert contact is not None
    result = agenda.set_next_step_from_text(store, agent, contact.id, "下周三 送计划书",
                                            clock.now())
    assert (result.client_id, result.day, result.what, result.error) == \
        (client_id, date(2026, 12, 16), "送计划书", None)
    [saved] = store.clients.contacts_of(1, client_id, limit=1)
    assert (saved.next_step, saved.next_step_date) == ("送计划书", date(2026, 12, 16))
    timed = agenda.set_next_step_from_text(store, agent, contact.id, "明天下午3点 电话确认",
                                           clock.now())
    assert (timed.day, timed.what) == (date(2026, 12, 8), "15:00 电话确认")
    assert agenda.set_next_step_from_text(store, agent, contact.id, "送计划书",
                                          clock.now()).error == agenda.NO_DAY

    digest = build_digest(store, agent, date(2026, 12, 8))
    assert len(digest.follow_ups) == 1
    html = renderer.render("zh-Hans", "reminders/digest", region="CN", agent=agent,
                           digest=digest, currency="CNY")
    assert "<b>王芳</b> — 15:00 电话确认" in html


def test_a_visit_is_shown_on_the_agents_day_not_utcs(store: Store, clock: ManualClock,
                                                     renderer: Renderer):
    """A visit logged at 06:25 Beijing time on 12/7 is 22:25 UTC on 12/6."""
    agent = make_agent(store)
    clock.set(datetime(2026, 12, 7, 6, 25, tzinfo=SHANGHAI))
    client_id = add(store, 1, "王芳")
    records.log_contact(store, 1, client_id, at=clock.now(), channel="face", summary="喝早茶")
    view = book.card_view(store, agent, client_id, clock.now(), store.tier_thresholds)
    assert view is not None and view.card.contacts[0].at.tzinfo == UTC
    html = renderer.render("zh-Hans", "clients/card", region="CN", view=view, notice=None,
                           tier_plan=None, channels={})
    assert "2026/12/7 🤝 面谈" in html and "2026/12/6" not in html
    # an agent outside our regions: the zone the caller gives wins
    london = renderer.render("en", "clients/card", region="XX", zone="Europe/London", view=view,
                             notice=None, tier_plan=None, channels={})
    assert "06/12/2026" in london or "12/6/26" in london


def test_examples_in_prompts_are_dates_still_ahead(store: Store):
    clock = ManualClock(datetime(2026, 12, 7, 1, 0, tzinfo=UTC))
    renderer = Renderer(clock=clock)
    html = renderer.render("zh-Hans", "visits/ask_next_date", region="CN")
    assert "12月17日" in html and "12月5日" not in html
    html = renderer.render("en", "clients/field_error", region="SG", error="bad_day")
    assert "17 Dec" in html


def test_visit_progress_counts_today_and_the_month_in_the_agents_zone(store: Store,
                                                                      clock: ManualClock,
                                                                      renderer: Renderer):
    agent = make_agent(store)
    client_id = add(store, 1, "王芳")
    for moment in (datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI),  # 11/30 in UTC: counted
                   datetime(2026, 12, 3, 15, 0, tzinfo=SHANGHAI),
                   datetime(2026, 12, 7, 6, 25, tzinfo=SHANGHAI)):
        records.log_contact(store, 1, client_id, at=moment, channel="face")
    records.log_contact(store, 1, client_id, at=datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI),
                        channel="phone")  # not a visit
    clock.set(datetime(2026, 12, 7, 20, 30, tzinfo=SHANGHAI))
    progress = agenda.visit_progress(store, agent, clock.now())
    assert (progress.today, progress.month, progress.plan.visits_per_day) == (1, 3, 4)
    html = renderer.render("zh-Hans", "reminders/eod", region="CN", agent=agent, visits=1,
                           contacts=2, target=4, progress=progress)
    assert "今日复盘" in html and "今天目标 <b>4 访</b>（今天 1/4 · 本月 3/80）" in html
    assert "班后作业" not in html


def test_a_family_member_typed_as_one_line_is_a_name_and_a_birthday(store: Store,
                                                                    renderer: Renderer):
    from coachbot.domain.models import Client

    agent = make_agent(store)
    zhang = add(store, 1, "张三")
    draft = book.add_family_from_line(store, agent, zhang, "spouse", "王丽 1987-05-20",
                                      date(2026, 12, 7))
    assert (draft.name, draft.birthday, draft.problems) == ("王丽", "1987-05-20", ())
    [member] = store.clients.family_of(1, zhang)
    assert (member.relation, member.name, member.birthday) == ("spouse", "王丽", "1987-05-20")
    child = book.parse_family_line("小宝 2018-06-01 男", "CN", date(2026, 12, 7))
    assert (child.name, child.birthday, child.gender) == ("小宝", "2018-06-01", "m")
    assert book.parse_family_line("1987-05-20", "CN", date(2026, 12, 7)).problems == \
        ("no_name",)
    html = renderer.render("zh-Hans", "records/ask_family_name", region="CN",
                           relation="spouse", client=Client(zhang, 1, "person", "张三"))
    assert html.startswith("张三的爱人怎么称呼？") and "王丽 1987-05-20" in html


def test_a_greeting_fits_a_copy_button_and_a_whatsapp_link(store: Store, renderer: Renderer):
    from coachbot.domain.phones import whatsapp_link
    from coachbot.domain.reminders import ReminderItem
    from coachbot.services.greetings import build_greeting, copy_text, share_link

    agent = make_agent(store, region="HK", zone="Asia/Hong_Kong", locale="zh-Hant")
    client = save_client(store, 1, Draft(name="陳大文", birthday="1980-12-07", gender="m",
                                          phone="+85291234567"), force=True).client
    item = ReminderItem(1, 1, client.id, "birthday", "0", date(2026, 12, 7), "open", None, 0,
                        None)
    greeting = build_greeting(store, agent, item)
    assert greeting is not None
    text = copy_text(renderer, greeting, region="HK")
    assert 0 < len(text) <= 256 and "陳" in text and "<" not in text
    longer = copy_text(renderer, greeting, region="HK", limit=40)
    assert len(longer) <= 40
    link = share_link(text, client.phone)
    assert link is not None and link.startswith("https://wa.me/85291234567?text=%E")
    assert whatsapp_link("+8613800138000") is None  # mainland: WeChat, no wa.me
    assert whatsapp_link("+6591234567") == "https://wa.me/6591234567"
    assert whatsapp_link("+60123456789") == "https://wa.me/60123456789"
    assert whatsapp_link("+85221234567") is None  # a Hong Kong landline
    assert whatsapp_link(None) is None


def test_the_group_menu_has_only_what_works_in_a_group(renderer: Renderer):
    from coachbot.services.team_reports import group_menu

    menu = group_menu(renderer, "zh-Hans")
    assert [name for name, _ in menu] == ["board", "link", "help"]
    assert all(description for _, description in menu)


def test_a_done_callback_counts_as_a_call_and_a_greeting_as_a_message(store: Store,
                                                                      clock: ManualClock):
    make_agent(store)
    zhang = add(store, 1, "张三")
    day = clock.now().date()
    for kind, ref in (("callback", "policy:1"), ("birthday", "client")):
        item = reminders.item_for_entry(store, 1, kind, zhang, ref, day)
        assert item is not None
        reminders.complete_item(store, 1, item, clock.now(), contact_summary=kind)
    channels = {c.summary: c.channel for c in store.clients.contacts_of(1, zhang)}
    assert channels == {"callback": "phone", "birthday": "message"}
