"""Issue 18, point 5: gatherings and claims are recorded, and what happened drives the stage
suggestion (C 可邀约 -> B once the prospect came to an event) and the referral moment (a claim
paid). Read as the agent reads it: the recorded message and the card, through the Renderer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coachbot.domain.clock import ManualClock
from coachbot.domain.models import Agent
from coachbot.render.templates import Renderer
from coachbot.sandbox.html import parse_html
from coachbot.services import book, proposals, records
from coachbot.services import service_events as service
from coachbot.services.book import Draft, save_client
from coachbot.store import Store


def _agent(store: Store, agent_id: int = 1) -> Agent:
    store.agents.ensure_agent(agent_id, first_name="小王", username=None, locale="zh-Hans")
    return store.agents.update_agent(agent_id, region="CN", timezone="Asia/Shanghai")


def _prospect(store: Store, stage: str, name: str = "陈先生") -> int:
    client = save_client(store, 1, Draft(name=name), force=True).client
    assert client is not None
    book.set_stage(store, 1, client.id, stage)
    return client.id


def _card(store: Store, renderer: Renderer, agent: Agent, client_id: int,
          locale: str = "zh-Hans") -> str:
    view = book.card_view(store, agent, client_id, store.clock.now(), store.tier_thresholds)
    assert view is not None
    html = renderer.render(locale, "clients/card", region="CN", view=view, client=view.client,
                           notice=None, tier_plan=None, channels={})
    return parse_html(html).text


def _recorded(renderer: Renderer, store: Store, outcome: service.ServiceOutcome,
              locale: str = "zh-Hans") -> str:
    client = store.clients.get_client(1, outcome.event.client_id)
    html = renderer.render(locale, "service_events/recorded", region="CN", client=client,
                           outcome=outcome)
    return parse_html(html).text


def test_an_invitation_alone_does_not_move_c_but_attending_suggests_b(
        store: Store, renderer: Renderer) -> None:
    agent = _agent(store)
    cid = _prospect(store, "C")
    invited = service.record_event(store, agent, cid, "gathering", store.clock.now(),
                                   title="年末客户答谢会")
    assert invited is not None
    assert (invited.event.status, invited.suggested_stage) == ("invited", None)
    assert "可以升到" not in _card(store, renderer, agent, cid)

    came = service.update_status(store, agent, invited.event.id, "attended", store.clock.now())
    assert came is not None and came.suggested_stage == "B"
    assert came.referral_moment == "event_attended"
    text = _recorded(renderer, store, came)
    assert "年末客户答谢会」 · 已参加" in text
    assert "可以升到「B 计划书」" in text
    card = _card(store, renderer, agent, cid)
    assert "可以升到「B 计划书」阶段了" in card and "客户活动「年末客户答谢会」 · 已参加" in card
    # meeting the client there is a contact: the stay-in-touch timer starts again
    contacts = store.clients.contacts_of(1, cid)
    assert [(c.channel, c.summary) for c in contacts] == [("event", "年末客户答谢会")]


def test_inviting_a_nurture_prospect_places_them_at_c(store: Store, renderer: Renderer) -> None:
    agent = _agent(store)
    cid = _prospect(store, "D")
    outcome = service.record_event(store, agent, cid, "gathering", store.clock.now())
    assert outcome is not None and outcome.suggested_stage == "C"
    assert "可以列为「C 可邀约」" in _recorded(renderer, store, outcome)


def test_a_gathering_alone_never_makes_an_a_the_explained_proposal_does(store: Store) -> None:
    agent = _agent(store)
    cid = _prospect(store, "B")
    records.update_client(store, 1, cid, {"needs_summary": {"needs": ["income"]}})
    records.log_contact(store, 1, cid, at=store.clock.now(), channel="face")
    missed = service.record_event(store, agent, cid, "gathering", store.clock.now(),
                                  status="missed")
    assert missed is not None and missed.suggested_stage is None
    came = service.record_event(store, agent, cid, "gathering", store.clock.now(),
                                status="attended")
    assert came is not None and came.suggested_stage is None
    today = store.clock.now().date()
    made = proposals.create_proposal(store, 1, cid, {"title": "家庭保障"}, today)
    assert made is not None
    store.proposals.update_proposal(1, made.proposal.id, {"explained_on": today})
    again = service.record_event(store, agent, cid, "gathering", store.clock.now(),
                                 status="attended")
    assert again is not None and again.suggested_stage == "A"


def test_a_paid_claim_opens_the_referral_moment_for_two_weeks(
        store: Store, clock: ManualClock, renderer: Renderer) -> None:
    agent = _agent(store)
    cid = _prospect(store, "A", "林女士")
    filed = service.record_event(store, agent, cid, "claim", clock.now(), title="住院医疗")
    assert filed is not None and filed.referral_moment is None
    assert "请他介绍" not in _card(store, renderer, agent, cid)

    paid = service.update_status(store, agent, filed.event.id, "paid", clock.now())
    assert paid is not None and paid.referral_moment == "claim_paid"
    assert "赔款到账，是客户最感激你的时候" in _recorded(renderer, store, paid)
    assert "赔款刚到账，正是他最满意的时候" in _card(store, renderer, agent, cid)
    en = _card(store, renderer, agent, cid, "en")
    assert "Their claim has just been paid" in en and "🩺 Claim \"住院医疗\" · paid" in en
    again = service.update_status(store, agent, filed.event.id, "paid", clock.now())
    assert again is not None and again.referral_moment is None  # nothing new happened

    clock.advance(timedelta(days=15))
    assert "请他介绍" not in _card(store, renderer, agent, cid)


@pytest.mark.parametrize(("kind", "status"), [("gathering", "paid"), ("claim", "attended"),
                                              ("party", "invited")])
def test_a_status_must_belong_to_its_kind(store: Store, kind: str, status: str) -> None:
    agent = _agent(store)
    cid = _prospect(store, "C")
    assert service.record_event(store, agent, cid, kind, store.clock.now(), status=status) \
        is None


def test_events_stay_with_their_agent(store: Store) -> None:
    agent = _agent(store)
    other = _agent(store, 2)
    cid = _prospect(store, "C")
    assert service.record_event(store, other, cid, "gathering", store.clock.now()) is None
    mine = service.record_event(store, agent, cid, "claim", store.clock.now())
    assert mine is not None
    assert service.update_status(store, other, mine.event.id, "paid", store.clock.now()) is None
    assert service.events_of(store, 2, cid) == []


def test_a_past_gathering_is_dated_on_its_day_and_listed(store: Store,
                                                        renderer: Renderer) -> None:
    agent = _agent(store)
    cid = _prospect(store, "C")
    day = date(2026, 11, 14)
    outcome = service.record_event(store, agent, cid, "gathering", store.clock.now(),
                                   status="attended", title="亲子活动", day=day)
    assert outcome is not None and outcome.event.resolved_on == day
    assert store.clients.contacts_of(1, cid)[0].at.date() == day
    service.record_event(store, agent, cid, "servicing", store.clock.now(), title="变更受益人")
    client = store.clients.get_client(1, cid)
    text = parse_html(renderer.render("zh-Hans", "service_events/list", region="CN",
                                      client=client,
                                      events=service.events_of(store, 1, cid))).text
    assert "保全「变更受益人」 · 办理中" in text and "客户活动「亲子活动」 · 已参加" in text


def test_erasing_a_client_erases_their_events(store: Store) -> None:
    agent = _agent(store)
    cid = _prospect(store, "C")
    service.record_event(store, agent, cid, "claim", store.clock.now())
    assert store.clients.erase_client(1, cid)
    assert store.db.execute("SELECT COUNT(*) FROM service_events").fetchone()[0] == 0
