"""Sample contexts for the reminders' templates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from coachbot.domain.coaching.proposals import Proposal
from coachbot.domain.plan import activity_plan
from coachbot.domain.reminders import OneOff, ReminderItem
from coachbot.services.digest import Digest, Entry, RestPage, rank_entry
from tests.meta.samples.clients import CLIENT, VIEW
from tests.meta.samples.coaching import SCRIPTS
from tests.meta.samples.general import HOSTILE, SAMPLE_AGENT

DAY = date(2026, 11, 23)
AT = datetime(2026, 11, 24, 15, 0, tzinfo=ZoneInfo("Asia/Hong_Kong"))
DIGEST = Digest(
    day=DAY, late=True,
    greetings=[Entry(1, "birthday", 7, HOSTILE, DAY, {"yearly": "L--08-15", "ref_id": 0,
                                                      "days_ago": 2}),
               Entry(2, "policy_anniversary", 7, HOSTILE, DAY, {"yearly": "2024-11-23",
                                                                "ref_id": 3, "days_ago": 0})],
    festivals=[Entry(3, "festival", None, "mid_autumn", DAY,
                     {"festival": {"key": "mid_autumn", "names": {}, "kind": "lunar"}}),
               Entry(9, "festival", None, "some_holiday", DAY,
                     {"festival": {"key": "some_holiday", "names": {"en": HOSTILE},
                                   "kind": "public"}})],
    follow_ups=[Entry(4, "follow_up", 7, HOSTILE, DAY, {"next_step": HOSTILE,
                                                        "summary": HOSTILE})],
    proposals=[Entry(11, "proposal", 7, HOSTILE, DAY, {"title": HOSTILE, "products": (),
                                                       "days": 6, "since": DAY}, "4"),
               Entry(None, "proposal", 7, HOSTILE, DAY, {"title": "", "products": (
                   "critical_illness", HOSTILE), "days": 12, "since": DAY}, "5")],
    premiums=[Entry(5, "premium", 7, HOSTILE, DAY, {"product": HOSTILE, "premium": 12000.0,
                                                    "currency": "HKD", "due": DAY, "days": 7})],
    callbacks=[Entry(6, "callback", 7, HOSTILE, DAY, {"product": HOSTILE,
                                                      "cooling_off_ends": DAY,
                                                      "cooling_off_days": 21})],
    reviews=[Entry(7, "review", 7, HOSTILE, DAY, {"tier": "hnw"})],
    overdue=[Entry(8, "stay_in_touch", 7, HOSTILE, DAY, {"days": 120})],
    visits_target=4, yesterday={"phone": 1}, plan=activity_plan(2), month_visits=8,
    more={"greetings": 4, "follow_ups": 0, "proposals": 0, "premiums": 0, "callbacks": 0,
          "reviews": 0, "overdue": 0},
)
OVERDUE = Entry(10, "follow_up", 7, HOSTILE, DAY, {"next_step": None, "summary": HOSTILE,
                                                  "overdue_days": 5})
DIGEST.top = [rank_entry(OVERDUE, "B"), *(rank_entry(e, "A") for e in DIGEST.all_entries[:4])]
DIGEST.rest = [rank_entry(e, None) for e in DIGEST.all_entries[4:]]
REST = RestPage(DAY, DIGEST.rest, 0, 2, 14, 6)
ITEM = ReminderItem(1, 1, 7, "birthday", "0", DAY, "open", None, 0, None)
PROPOSAL_ITEM = ReminderItem(2, 1, 7, "proposal", "4", DAY, "open", None, 0, None)
WAITING = Proposal(id=4, client_id=7, title=HOSTILE, products=("term_life",), sent_on=DAY)
ONE_OFF = OneOff(1, 1, 7, HOSTILE, datetime(2026, 11, 24, 7, 0, tzinfo=UTC), "pending")

SAMPLES: dict[str, dict[str, Any]] = {
    "reminders/digest": {"agent": SAMPLE_AGENT, "digest": DIGEST, "currency": "SGD",
                         "scripts": SCRIPTS},
    "reminders/digest_rest": {"agent": SAMPLE_AGENT, "page": REST, "currency": "SGD",
                              "scripts": SCRIPTS},
    "reminders/entry": {"r": rank_entry(OVERDUE, "A"), "number": 1, "currency": "HKD",
                        "scripts": SCRIPTS},
    "reminders/item": {"agent": SAMPLE_AGENT, "item": PROPOSAL_ITEM, "view": VIEW,
                       "name": HOSTILE, "proposal": WAITING, "waiting": 6, "scripts": SCRIPTS},
    "reminders/item_done": {"item": ITEM, "name": HOSTILE},
    "reminders/item_skipped": {"item": ITEM, "name": HOSTILE},
    "reminders/item_snoozed": {"item": ITEM, "name": HOSTILE, "until": AT},
    "reminders/remind_usage": {},
    "reminders/remind_bad_time": {"typed": HOSTILE, "past": True},
    "reminders/remind_set": {"reminder": ONE_OFF, "client": CLIENT, "at": AT},
    "reminders/list": {"items": [(ONE_OFF, AT)] * 12},
    "reminders/ask_new_time": {"reminder": ONE_OFF},
    "reminders/one_off": {"reminder": ONE_OFF, "client": CLIENT},
    "reminders/one_off_snoozed": {"reminder": ONE_OFF},
    "reminders/one_off_done": {"reminder": ONE_OFF},
    "reminders/eod": {"agent": SAMPLE_AGENT, "visits": 1, "contacts": 3, "target": 4},
    "reminders/eod_find": {},
    "reminders/eod_results": {"count": 2},
    "reminders/eod_closed": {},
}
GREETING_BASE = {"tone": "warm", "variant": 2, "signature": HOSTILE, "salutation": HOSTILE,
                 "tier": "hnw", "name": HOSTILE, "age": 60}
SAMPLES.update({
    "greetings/birthday": GREETING_BASE,
    "greetings/family_birthday": {**GREETING_BASE, "member": HOSTILE, "relation": "child",
                                  "member_age": 6},
    "greetings/wedding": {**GREETING_BASE, "years": 10, "label": None},
    "greetings/custom": {**GREETING_BASE, "years": None, "label": HOSTILE},
    "greetings/policy_anniversary": {**GREETING_BASE, "product": HOSTILE, "years": 3},
    "greetings/festival": {"tone": "formal", "variant": 1, "signature": HOSTILE,
                           "salutation": None, "tier": None, "festival": "mid_autumn",
                           "names": {}},
})
