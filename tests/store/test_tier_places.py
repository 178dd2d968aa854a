"""Issue 18, points 1-2: one tier rule everywhere a tier is shown, with the plan's design focus.

Each place is read the way an agent sees it: the service builds the view from a real SQLite
book, the Renderer turns it into the message, and the test reads the message. The premiums are
the methodology's edges: 普客 under 2万, 贵宾 2万-20万, 高客 20万-200万 (and above: 高客).
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from coachbot.domain.classify import activity_needed
from coachbot.domain.coaching import infer_profile, prepare
from coachbot.domain.models import Agent, ClientFilter
from coachbot.domain.plan import activity_plan
from coachbot.domain.reminders import ReminderItem
from coachbot.render.templates import Renderer
from coachbot.scripts.loader import load_library
from coachbot.services import book, clientio, coach, plan_design, records
from coachbot.services.book import Draft, save_client
from coachbot.services.digest import build_digest, rest_page
from coachbot.store import Store

EDGES = {19_999: "regular", 20_000: "vip", 199_999: "vip", 200_000: "hnw", 2_000_000: "hnw"}
LABELS = {"regular": "普客", "vip": "贵宾", "hnw": "高客"}
TODAY = date(2026, 11, 23)
LIBRARY = load_library()


def _book(store: Store) -> tuple[Agent, dict[int, int]]:
    """An agent in Shanghai with one client per edge premium; premium -> client id."""
    store.agents.ensure_agent(1, first_name="小王", username=None, locale="zh-Hans")
    agent = store.agents.update_agent(1, region="CN", timezone="Asia/Shanghai")
    ids = {}
    for premium in EDGES:
        client = save_client(store, 1, Draft(name=f"客户{premium}"), force=True).client
        assert client is not None
        records.add_policy(store, 1, client.id, {"product": "终身寿险", "annual_premium": premium,
                                                 "start_date": "2025-11-23"})
        ids[premium] = client.id
    return agent, ids


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "en"])
def test_the_card_shows_the_tier_and_its_design_focus_at_each_edge(
        store: Store, renderer: Renderer, locale: str) -> None:
    agent, ids = _book(store)
    focus = {"zh-Hans": ("先求“有”", "做到“足”", "传承"),
             "zh-Hant": ("先求「有」", "做到「足」", "傳承"),
             "en": ("have cover", "Make it enough", "Inheritance")}[locale]
    for premium, tier in EDGES.items():
        view = book.card_view(store, agent, ids[premium], store.clock.now(),
                              store.tier_thresholds)
        assert view is not None and view.tier == tier, premium
        text = renderer.render(locale, "clients/card", region="CN", view=view,
                               client=view.client, notice=None, tier_plan=None, channels={})
        assert renderer.label(locale, f"tiers.{tier}") in text
        have, enough, inherit = focus
        assert (have in text) == (tier != "hnw"), (premium, text)
        assert (enough in text) == (tier == "vip"), premium
        assert (inherit in text) == (tier == "hnw"), premium
    hnw = book.card_view(store, agent, ids[2_000_000], store.clock.now(), store.tier_thresholds)
    text = renderer.render("zh-Hans", "clients/card", region="CN", view=hnw, client=hnw.client,
                           notice=None, tier_plan=None, channels={})
    assert "¥200,000 及以上" in text and "基础服务一样不能少" in text


def test_the_book_counts_and_filters_by_the_same_rule(store: Store, renderer: Renderer) -> None:
    agent, ids = _book(store)
    summary = book.book_summary(store, agent, store.clock.now(), store.tier_thresholds)
    plan = activity_plan(agent.monthly_target)
    text = renderer.render("zh-Hans", "browse/book", region="CN", summary=summary, plan=plan,
                           gaps=activity_needed(summary, plan))
    assert "普客 1 · 贵宾 2 · 高客 2" in text
    for tier in LABELS:
        page = book.list_page(store, agent, ClientFilter(tier=tier), 0, store.tier_thresholds)
        listed = {c.id for c in page.clients}
        assert listed == {ids[p] for p, t in EDGES.items() if t == tier}, tier


def test_the_reviews_show_the_stored_tier_and_the_review_item_its_design(
        store: Store, renderer: Renderer) -> None:
    agent, ids = _book(store)
    for premium, tier in EDGES.items():
        assert store.schedule.client_tier(1, ids[premium]) == tier, premium
    digest = build_digest(store, agent, TODAY)
    shown = {e.client_id: e.detail["tier"] for e in digest.reviews}
    assert shown == {ids[p]: t for p, t in EDGES.items()}
    # the digest ranks the day: reviews come after the anniversaries, on the "show the rest"
    # pages; every one of them is shown with its tier there or at the top
    text = renderer.render("zh-Hans", "reminders/digest", region="CN", agent=agent,
                           digest=digest, currency="CNY")
    first = rest_page(store, agent, TODAY)
    pages = [renderer.render("zh-Hans", "reminders/digest_rest", region="CN", agent=agent,
                             page=rest_page(store, agent, TODAY, n), currency="CNY")
             for n in range(first.pages)]
    for premium, tier in EDGES.items():
        assert any(f"<b>客户{premium}</b> — 保单检视（{LABELS[tier]}）" in shown
                   for shown in (text, *pages))
    for premium, tier in EDGES.items():
        item = ReminderItem(1, 1, ids[premium], "review", "0", TODAY, "open", None, 0, None)
        view = book.card_view(store, agent, ids[premium], store.clock.now(),
                              store.tier_thresholds)
        text = renderer.render("zh-Hans", "reminders/item", region="CN", agent=agent, item=item,
                               view=view, name=f"客户{premium}")
        assert f"方案重点 · {LABELS[tier]}" in text, premium


def test_coaching_prep_and_profile_follow_the_same_rule(store: Store, renderer: Renderer) -> None:
    agent, ids = _book(store)
    for premium, tier in EDGES.items():
        client = store.clients.get_client(1, ids[premium])
        assert client is not None
        facts = coach.client_facts(store, agent, client, TODAY)
        assert facts.tier == tier
        assert (infer_profile(facts) == "high_net_worth") == (tier == "hnw"), premium
        sheet = prepare(infer_profile(facts), facts, LIBRARY, "zh-Hant")
        text = renderer.render("zh-Hant", "coaching/prep", region="HK", client=client,
                               sheet=sheet, scripts=LIBRARY.get("zh-Hant"))
        label = renderer.label("zh-Hant", f"tiers.{tier}")
        assert f"規劃重點 · {label}" in text, premium


def test_the_export_writes_the_same_tier(store: Store, renderer: Renderer) -> None:
    _book(store)
    exported = clientio.load_book(store, 1, currency="CNY", thresholds=store.tier_thresholds)
    data = clientio.export_csv(exported, lambda key: renderer.label("zh-Hans", key),
                               locale="zh-Hans", region="CN", timezone="Asia/Shanghai")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    column = rows[0].index("客户层级")
    assert {row[0]: row[column] for row in rows[1:]} == \
        {f"客户{p}": LABELS[t] for p, t in EDGES.items()}


def test_a_proposal_gets_the_design_of_the_tier_it_leads_to(
        store: Store, renderer: Renderer) -> None:
    agent, ids = _book(store)
    design = plan_design.client_design(store, agent, ids[199_999], store.tier_thresholds,
                                       planned_premium=1)
    assert design is not None and design.moves_up
    text = renderer.render("zh-Hans", "common/tier_design", region="CN", design=design)
    assert "从贵宾升为高客" in text and "传承" in text
    prospect = save_client(store, 1, Draft(name="新朋友"), force=True).client
    assert plan_design.client_design(store, agent, prospect.id, store.tier_thresholds) is None
    first = plan_design.client_design(store, agent, prospect.id, store.tier_thresholds,
                                      planned_premium=20_000)
    assert first is not None and (first.tier, first.moves_up) == ("vip", False)
