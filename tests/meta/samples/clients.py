"""Sample contexts for the client book's templates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from coachbot.domain import classify, tiers
from coachbot.domain.calendar import YearlyDate
from coachbot.domain.group_value import group_value, premium_rank
from coachbot.domain.models import (
    Client,
    ClientCard,
    Contact,
    FamilyMember,
    GroupRole,
    ImportantDate,
    Policy,
    ServiceEvent,
)
from coachbot.domain.money import Renewal, money_view
from coachbot.domain.plan import activity_plan
from coachbot.scripts.loader import load_library
from coachbot.services.book import CardView, Draft, ListPage, date_view
from coachbot.services.coach import NextAction
from coachbot.services.knowledge import FactLine
from tests.meta.samples.general import HOSTILE

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

CLIENT = Client(
    id=7, agent_id=1, kind="person", name=HOSTILE, gender="f", phone="+8613800138000",
    birthday=YearlyDate(8, 15, lunar=True, year=1985).to_storage(), address=HOSTILE,
    occupation=HOSTILE, income_band="30-50万", family_situation=HOSTILE,
    financial_situation=HOSTILE, notes=HOSTILE * 20, traits=frozenset({"financial", "health"}),
    grade_override="A", stage="B", consent_at=NOW, consent_scope="service",
    needs_summary={"needs": []}, last_contact_at=datetime(2026, 6, 1, tzinfo=UTC),
    archived_at=NOW, tags=("老乡", HOSTILE[:20]), contact_every_days=30,
    raw_values={"phone": HOSTILE[:60], "lunar_birthday": "八月三十二"},
)
GROUP = Client(id=8, agent_id=1, kind="group", name="某某科技有限公司",
               group_profile={"credit": {"potential": 80, "negative": 90, "reputation": 70,
                                         "operations": 60}, "loss_ratio": 0.5,
                              "expense_ratio": 0.3, "guide": True})
POLICY = Policy(id=3, client_id=7, product=HOSTILE, annual_premium=25000.0, policy_no="P-001",
                product_type="critical_illness", insured=HOSTILE, holder="本人",
                sum_insured=500000.0, currency="CNY", start_date=date(2024, 3, 1),
                payment_term_years=20, next_due_date=date(2027, 3, 1),
                delivered_date=date(2024, 3, 10), source="referral")
CONTACT = Contact(id=5, client_id=7, at=NOW, channel="face", summary=HOSTILE * 5,
                  next_step=HOSTILE, next_step_date=date(2026, 11, 30))
CARD = ClientCard(
    client=CLIENT,
    family=[FamilyMember(1, 7, "child", HOSTILE, "m", "--06-01"),
            FamilyMember(2, 7, "spouse", "李四", None, None)],
    dates=[ImportantDate(1, 7, "wedding", None, "2010-10-01"),
           ImportantDate(2, 7, "custom", HOSTILE, "L--07-07")],
    policies=[POLICY] * 7, contacts=[CONTACT] * 3,
    roles=[GroupRole("decider", HOSTILE, True)],
    referrer=Client(id=9, agent_id=1, kind="person", name=HOSTILE),
)
VIEW = CardView(
    card=CARD, grade=classify.grade_of(CLIENT), tier="vip", premium=175000.0, currency="CNY",
    birthday=date_view(CLIENT.birthday, date(2026, 11, 23)), suggested_stage="A",
    contact_every=30, days_since_contact=175,
    group=classify.assess_group(GROUP.group_profile, CARD.roles),
    design=tiers.design_for("hnw", tiers.band_of("hnw", "CNY", tiers.DEFAULT_TIER_THRESHOLDS)),
    service=(ServiceEvent(1, 7, "claim", "paid", HOSTILE, date(2026, 11, 2), date(2026, 11, 20)),
             ServiceEvent(2, 7, "gathering", "invited", HOSTILE, date(2026, 12, 5))),
    referral=ServiceEvent(1, 7, "claim", "paid", HOSTILE, date(2026, 11, 2), date(2026, 11, 20)),
    referred=[Client(id=10 + n, agent_id=1, kind="person", name=HOSTILE) for n in range(3)],
    referred_count=12,
)
STAGES = load_library().get("zh-Hans").stages
RENEWALS = [Renewal(7, HOSTILE, HOSTILE, 1250.0, "HKD", date(2026, 11, 28)),
            Renewal(7, HOSTILE, HOSTILE, 800.0, "USD", date(2026, 11, 30))] * 4
MONEY = money_view("HKD", 0.35, [POLICY, replace(POLICY, currency="USD", source="upsell")],
                   RENEWALS, {"new": 1, "upsell": 1, "referral": 2})
SUMMARY = replace(classify.summarize_book([replace(CLIENT, origin="referral"), GROUP],
                                          {7: "vip"}, [POLICY]), money=MONEY)

FACT_VALUES = (
    ("spouse", True), ("spouse_works", False), ("children", 2), ("children_ages", [5, 2]),
    ("child_stage", ["preschool", "primary"]), ("mortgage", True), ("mortgage_monthly", 15000),
    ("loans", False), ("business_owner", True), ("industry", "garment"), ("employees", 23),
    ("occupation", "nurse"), ("income_monthly", 20000), ("age", 41), ("retire_in_years", 10),
    ("retired", False), ("health_event", [["father", "stroke"], ["mother", "chronic"]]),
    ("existing_cover", ["group", "medical"]), ("existing_cover", []),
    ("sole_breadwinner", True), ("high_net_worth", True), ("profile", "young_family"),
    ("children", 0), ("employees", 0), ("sole_breadwinner", False), ("high_net_worth", False),
)
FACTS = [FactLine(i, key, value, ("visit", "note", "spin", "agent")[i % 4],
                  date(2026, 12, 3) if i % 2 else None, HOSTILE, i % 4 == 3, i == 5)
         for i, (key, value) in enumerate(FACT_VALUES)]
LIBRARY = load_library()

SAMPLES: dict[str, dict[str, Any]] = {
    "clients/card": {"view": VIEW, "client": CLIENT, "notice": "added",
                     "tier_plan": STAGES.closed_tiers["vip"], "channels": STAGES.channels,
                     "facts": FACTS, "scripts": LIBRARY.get("zh-Hans"),
                     "next_action": NextAction(CLIENT, "close", {}, 0, 0, "A", None)},
    "clients/facts": {"facts": FACTS, "client": CLIENT, "currency": "CNY", "page": True,
                      "notice": "removed", "profile": "young_family", "sure": False},
    "clients/fact": {"client": CLIENT, "f": FACTS[5], "currency": "CNY"},
    "clients/fact_line": {"f": FACTS[0], "currency": "CNY"},
    "clients/fact_edit": {"client": CLIENT, "key": "health_event", "error": "bad_number",
                          "line": FACTS[0], "input": "pairs", "who": "father",
                          "currency": "CNY"},
    "clients/stage_advice": {"c": CLIENT},
    "clients/ask_name": {"draft": Draft(name="")},
    "clients/ask_phone": {"draft": Draft(name=HOSTILE)},
    "clients/ask_birthday": {"draft": Draft(name=HOSTILE)},
    "clients/duplicate": {"draft": Draft(name=HOSTILE), "duplicates": [CLIENT, GROUP]},
    "clients/duplicate_pending": {},
    "clients/add_cancelled": {},
    "clients/offer_add": {"name": HOSTILE, "phone": "+8613800138000", "note": HOSTILE,
                           "birthday": "L--08-15"},
    "clients/quick_add_problem": {"typed": HOSTILE, "problems": [
        "no_name", "bad_phone", "bad_date", "unsure_name", "unsure_phone", "other"]},
    "clients/contact_unusable": {},
    "clients/field_error": {"error": "bad_phone"},
    "clients/not_found": {},
    "clients/edit_menu": {"client": CLIENT},
    "clients/ask_field": {"client": CLIENT, "field": "birthday", "typed_answer": True},
    "clients/grade_menu": {"client": CLIENT, "grade": classify.grade_of(CLIENT)},
    "clients/stage_menu": {"client": CLIENT},
    "clients/more_menu": {"client": CLIENT},
    "clients/ask_tag": {"tags": ["老乡", HOSTILE[:20]]},
    "clients/consent_menu": {"client": CLIENT},
    "clients/delete_confirm": {"client": CLIENT},
    "clients/deleted": {"client": CLIENT},
    "clients/undo_too_late": {},
    "clients/erase_confirm": {"client": CLIENT},
    "clients/erased": {"client": CLIENT},
    "visits/ask_channel": {"client": CLIENT},
    "visits/logged": {"client": CLIENT},
    "visits/updated": {"client": CLIENT},
    "visits/ask_summary": {},
    "visits/ask_next_date": {},
    "visits/which_client": {"sender": HOSTILE, "clients": [CLIENT], "searched": False},
    "records/fam_list": {"client": CLIENT, "items": CARD.family, "currency": "CNY"},
    "records/dat_list": {"client": CLIENT, "items": CARD.dates, "currency": "CNY"},
    "records/pol_list": {"client": CLIENT, "items": CARD.policies, "currency": "HKD"},
    "records/ask_relation": {},
    "records/ask_family_name": {"relation": "spouse", "client": CLIENT},
    "records/ask_family_birthday": {"name": HOSTILE},
    "records/ask_date_kind": {},
    "records/ask_date_label": {},
    "records/ask_date_value": {},
    "records/ask_policy_field": {"field": "annual_premium", "new": True},
    "records/policy": {"policy": POLICY, "client": CLIENT, "notice": "saved", "currency": "HKD"},
    "browse/list": {"result": ListPage([CLIENT], 0, 3, 20), "filter_code": "sB", "tag": None,
                    "empty_book": False},
    "browse/filters": {},
    "browse/search_results": {"query": HOSTILE, "count": 3},
    "common/money": {"money": MONEY},
    "browse/book": {"summary": SUMMARY, "plan": activity_plan(2),
                    "gaps": classify.activity_needed(SUMMARY, activity_plan(2))},
}

SAMPLES.update({
    "group_clients/panel": {"client": GROUP, "roles": {"decider": GroupRole("decider", HOSTILE,
                                                                             True)},
                            "profile": GROUP.group_profile | {"source": "tender",
                                                              "industry": HOSTILE,
                                                              "employees": 300},
                            "notice": "saved",
                            "assessment": classify.assess_group(GROUP.group_profile, []),
                            # what services.group_clients.panel_values adds
                            "value": group_value(GROUP.group_profile | {
                                "sum_insured": 9e7, "compulsory_share": 0.25,
                                "group_motor_share": 0.4, "profit": "average", "social": True},
                                premium_rank(8, {8: 3e5, 9: 1e6, 10: 2e5})),
                            "advice": STAGES.group, "currency": "HKD"},
    "group_clients/role": {"client": GROUP, "role": "user",
                           "current": GroupRole("user", HOSTILE, True)},
    "group_clients/ask": {"field": "credit", "client": GROUP},
    "group_clients/bad_value": {"error": "bad_credit"},
})
