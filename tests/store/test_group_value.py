"""Issue 18, point 3: a group client's value class and rules of thumb, on the panel and in the
group playbook's first steps, read as the agent reads them (rendered through the Renderer)."""

from __future__ import annotations

import pytest

from coachbot.domain import group_value as gv
from coachbot.domain.coaching import playbooks as pb
from coachbot.domain.models import Agent
from coachbot.render.templates import Renderer
from coachbot.sandbox.html import parse_html
from coachbot.scripts.loader import load_library
from coachbot.services import group_clients, records
from coachbot.services.book import Draft, save_client
from coachbot.store import Store

LIBRARY = load_library()
# four group clients with premium: the top 30% of four is the first two
PREMIUMS = {"大成建设": 500_000, "华东物流": 300_000, "新港制造": 100_000, "小微商贸": 50_000}


def _groups(store: Store, region: str = "CN") -> tuple[Agent, dict[str, int]]:
    store.agents.ensure_agent(1, first_name="小王", username=None, locale="zh-Hans")
    agent = store.agents.update_agent(1, region=region)
    ids = {}
    for name, premium in {**PREMIUMS, "未签约集团": 0}.items():
        client = save_client(store, 1, Draft(name=name, kind="group"), force=True).client
        assert client is not None
        if premium:
            records.add_policy(store, 1, client.id, {"product": "团体意外险",
                                                     "annual_premium": premium})
        ids[name] = client.id
    return agent, ids


def _type(store: Store, client_id: int, **typed: str) -> None:
    for field, text in typed.items():
        client = store.clients.get_client(1, client_id)
        assert group_clients.apply_typed(store, 1, client, field, text) is None, field


def _panel(store: Store, agent: Agent, renderer: Renderer, client_id: int,
           locale: str = "zh-Hans") -> str:
    values = group_clients.panel_values(store, agent, client_id, LIBRARY)
    assert values is not None
    html = renderer.render(locale, "group_clients/panel", region=agent.region, notice=None,
                           **values)
    return parse_html(html).text  # what the agent reads: Telegram shows the text, not the tags


def test_the_panel_classifies_a_key_client_and_checks_the_rules_of_thumb(
        store: Store, renderer: Renderer) -> None:
    agent, ids = _groups(store)
    big = ids["大成建设"]
    _type(store, big, sum_insured="1.5亿", loss="35%", expense="25%", compulsory="15%",
          group_motor="30%")
    client = store.clients.get_client(1, big)
    group_clients.update_profile(store, 1, client, source="tender")
    assert group_clients.set_profit(store, 1, store.clients.get_client(1, big), "good")
    text = _panel(store, agent, renderer, big)
    for line in ("年缴 ¥500,000，在你 4 家有保单的团体客户里排第 1，属前三成 ✅", "来源：招标",
                 "盈利水平：盈利好", "⭐ 重点客户：保费大、有利润，值得重点投入",
                 "非水险保额：¥150,000,000 ✅", "赔付率：35% ✅", "销售二率：25% ⚠️ 超过 23%",
                 "交强险占车险保费：15% ✅", "团体车险客户占比：30% ✅",
                 "找新客户：发改委的项目立项名单、土地和规划许可公示、商会和行业协会",
                 "摸清老客户：税务登记名单、银行的客户信息、企业信用评级"):
        assert line in text, line


def test_premium_scale_is_the_top_30_percent_of_the_group_book(
        store: Store, renderer: Renderer) -> None:
    agent, ids = _groups(store)
    assert "排第 2，属前三成 ✅" in _panel(store, agent, renderer, ids["华东物流"])
    third = _panel(store, agent, renderer, ids["新港制造"])
    assert "排第 3，不在前三成" in third and "目前不算重点客户" in third
    assert "还没有有效保单，排不出名次" in _panel(store, agent, renderer, ids["未签约集团"])
    group_clients.toggle_social(store, 1, store.clients.get_client(1, ids["新港制造"]))
    social = _panel(store, agent, renderer, ids["新港制造"])
    assert "行业里的标杆" in social and "重点客户：有品牌价值" in social


@pytest.mark.parametrize("locale", ["zh-Hant", "en"])
def test_the_panel_speaks_each_locale(store: Store, renderer: Renderer, locale: str) -> None:
    agent, ids = _groups(store, region="HK")
    _type(store, ids["大成建设"], compulsory="20%")
    text = _panel(store, agent, renderer, ids["大成建设"], locale)
    expected = {"zh-Hant": ("屬前三成 ✅", "強制險佔車險保費：20% ⚠️ 不低於 20%", "找新客戶"),
                "en": ("in the top 30% ✅", "20% ⚠️ 20% or more", "New ones:")}[locale]
    for phrase in expected:
        assert phrase in text, phrase


@pytest.mark.parametrize(("profile", "check", "ok"), [
    ({"loss_ratio": 0.40}, "loss_ratio", True), ({"loss_ratio": 0.401}, "loss_ratio", False),
    ({"expense_ratio": 0.23}, "expense_ratio", True),
    ({"expense_ratio": 0.231}, "expense_ratio", False),
    ({"compulsory_share": 0.199}, "compulsory_share", True),
    ({"compulsory_share": 0.20}, "compulsory_share", False),
    ({"group_motor_share": 0.30}, "group_motor_share", True),
    ({"group_motor_share": 0.299}, "group_motor_share", False),
    ({"sum_insured": 100_000_000}, "sum_insured", True),
    ({"sum_insured": 99_999_999}, "sum_insured", False),
])
def test_rules_of_thumb_edges(profile: dict[str, float], check: str, ok: bool) -> None:
    value = gv.group_value(profile, gv.premium_rank(1, {1: 10.0}))
    assert getattr(value, check).ok is ok


def test_a_share_above_100_percent_and_a_bad_amount_are_refused(store: Store) -> None:
    _, ids = _groups(store)
    client = store.clients.get_client(1, ids["大成建设"])
    assert group_clients.apply_typed(store, 1, client, "compulsory", "120%") == "bad_ratio"
    assert group_clients.apply_typed(store, 1, client, "sum_insured", "很多") == "bad_amount"


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "en"])
def test_the_group_playbook_starts_with_finding_and_classifying(
        renderer: Renderer, locale: str) -> None:
    playbook = LIBRARY.get(locale).playbooks["group_client"]
    expected = {
        "zh-Hans": (["发改委项目清单", "土地和规划许可", "商会", "税务名单", "银行", "信用评级"],
                    ["前三成", "好、一般还是差", "社会价值", "直接、经纪/代理，还是招标",
                     "一两亿", "赔付率≤40%", "销售二率≤23%", "交强险占比低于20%",
                     "团车客户占比至少30%"]),
        "zh-Hant": (["發改委項目清單", "稅務名單", "信用評等"],
                    ["前三成", "招標", "賠付率≤40%", "強制險佔比低於20%"]),
        "en": (["development-and-reform project lists", "tax rolls", "credit ratings"],
               ["top 30%", "tender", "loss ratio 40% at most", "fleet clients 30% at least"]),
    }[locale]
    for index, phrases in enumerate(expected):
        progress = pb.PlaybookProgress("group_client", index)
        text = renderer.render(locale, "coaching/playbook_step", client=None, playbook=playbook,
                               step=pb.current_step(progress, playbook), progress=progress,
                               index=index + 1, ratio=0.0)
        for phrase in phrases:
            assert phrase in text, (index, phrase)
