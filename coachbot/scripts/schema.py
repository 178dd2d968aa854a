"""What each script file may contain, and the checks that span entries or files."""

from __future__ import annotations

from typing import Any

from coachbot.scripts.fields import (
    PLACEHOLDER,
    Bool,
    Context,
    Enum,
    EnumList,
    FixedMap,
    IdMap,
    Int,
    Lines,
    Opt,
    Record,
    RefMap,
    Refs,
    Template,
    Text,
    Validator,
    Words,
)

# The languages the scripts are written in (the bot's own list is domain.locales.LOCALES; a
# meta test keeps the two equal: scripts sit below the domain and may not import it).
LOCALES = ("zh-Hans", "zh-Hant", "en")
DEFAULT_LOCALE = "zh-Hans"
SPIN_STEPS = ("S", "P", "I", "N")
QUESTION_TYPES = ("S", "P", "I", "N", "pitch", "closed", "other")
GRADES = ("A", "B", "C", "D")
STAGES = ("D", "C", "B", "A")  # prospect stages in the order a client moves through them
TIERS = ("regular", "vip", "hnw")
PRIORITIES = ("must", "nice")
CHANNELS = ("face", "message", "email", "card", "letter", "phone", "flowers")
# The profiles the code infers (coaching.profiles); the spin file must define all of them.
PROFILE_IDS = (
    "young_family", "young_single", "business_owner", "pre_retiree", "high_net_worth",
    "group_corporate", "car_dealer",
)
# Facts the coach reads from notes (the domain's extract.FACT_KEYS; a meta test keeps them
# equal): a question's `unknown` lists the facts it asks about, so it is skipped once known.
FACT_KEYS = (
    "spouse", "spouse_works", "children", "children_ages", "child_stage", "mortgage",
    "mortgage_monthly", "loans", "business_owner", "industry", "employees", "occupation",
    "income_monthly", "age", "retire_in_years", "retired", "health_event", "existing_cover",
    "sole_breadwinner", "high_net_worth",
)
# Placeholders a referral script may use; the caller fills them in.
REFERRAL_PLACEHOLDERS = ("client_name", "person", "agent_name")
# Placeholders a playbook step may use; filled for the agent's region (scripts.regional).
REGION_PLACEHOLDERS = ("cooling_off", "cooling_off_term", "cooling_off_rule")

CONDITIONS = Record({
    "has_children": Opt(Bool()),
    "has_spouse": Opt(Bool()),
    "has_policies": Opt(Bool()),
    "stage": Opt(EnumList(STAGES)),
    "tier": Opt(EnumList(TIERS)),
    "age_min": Opt(Int(0, 120)),
    "age_max": Opt(Int(0, 120)),
    "has_product": Opt(Refs("product", min=1)),
    "lacks_product": Opt(Refs("product", min=1)),
    "has_mortgage": Opt(Bool()),
    "sole_earner": Opt(Bool()),
    "unknown": Opt(EnumList(FACT_KEYS)),
})

QUESTION = Record({"text": Text(max_len=200), "when": Opt(CONDITIONS), "probes": Refs("need")})

SPIN = Record({
    "explicit_markers": Words(),
    "affirmations": Words(),
    "products": IdMap(Record({"label": Text(max_len=40)}), kind="product"),
    "needs": IdMap(Record({
        "label": Text(max_len=40),
        "priority": Enum(PRIORITIES),
        "keywords": Words(),
        "explicit": Words(),
        "products": Refs("product", min=1),
    }), kind="need"),
    "profiles": IdMap(Record({
        "label": Text(max_len=40),
        "description": Text(max_len=200),
        "needs": RefMap("need", Enum(PRIORITIES)),
        "questions": FixedMap(SPIN_STEPS, IdMap(QUESTION, kind="question", min=4, max=8)),
    }), kind="profile"),
})

PREP = Record({
    "profiles": RefMap("profile", Record({
        "opening": Text(max_len=300),
        "predict": Lines(min=2, max=6),
        "listen_for": Lines(min=2, max=6),
        "dont_assume": Lines(min=1, max=5),
        "questions": Refs("question", min=3),
    })),
})

STEP = Record({
    "title": Template(max_len=60, allowed=REGION_PLACEHOLDERS),
    "goal": Template(max_len=300, allowed=REGION_PLACEHOLDERS),
    "checklist": IdMap(Template(max_len=200, allowed=REGION_PLACEHOLDERS), min=2, max=6),
    "tips": Lines(min=1, max=3, item=Template(max_len=300, allowed=REGION_PLACEHOLDERS)),
})

PLAYBOOKS = Record({
    "playbooks": IdMap(Record({
        "title": Text(max_len=60),
        "summary": Text(max_len=300),
        "phases": IdMap(Record({"title": Text(max_len=60), "steps": IdMap(STEP)})),
    }), kind="playbook"),
})

OBJECTIONS = Record({
    "objections": IdMap(Record({
        "label": Text(max_len=60),
        "keywords": Words(),
        "behind": Text(max_len=300),
        "responses": IdMap(Record({"name": Text(max_len=30), "say": Text(max_len=400)}),
                           min=2, max=3),
    }), kind="objection"),
})

REFERRALS = Record({
    "moments": IdMap(Record({
        "label": Text(max_len=60),
        "when": Text(max_len=300),
        "ask": Lines(min=1, max=3, item=Template(max_len=400, allowed=REFERRAL_PLACEHOLDERS)),
        "tips": Lines(min=1, max=3),
    }), kind="moment"),
})

STAGES_FILE = Record({
    "channels": FixedMap(CHANNELS, Record({"label": Text(max_len=30)})),
    "name_grades": FixedMap(GRADES, Record({
        "label": Text(max_len=40),
        "traits": Int(1, 4),
        "action": Text(max_len=300),
        "tips": Lines(min=1, max=3),
    })),
    "prospect_stages": FixedMap(STAGES, Record({
        "label": Text(max_len=40),
        "meaning": Text(max_len=200),
        "next_action": Text(max_len=300),
        "meet_every_days": Int(1, 365),
        "talk_about": Lines(min=1, max=4),
    })),
    "closed_tiers": FixedMap(TIERS, Record({
        "label": Text(max_len=40),
        "service": Record({
            "how": EnumList(CHANNELS),
            "every_days": Int(1, 365),
            "what": Lines(min=2, max=6),
        }),
    })),
    "group_clients": Record({
        "value": Lines(min=2, max=4),
        "classify_by": IdMap(Record({"label": Text(max_len=40), "how": Text(max_len=300)})),
        "find_new": Lines(min=1, max=5),
        "know_existing": Lines(min=1, max=5),
        "value_rules": Lines(min=1, max=6),
        "service": Lines(min=1, max=5),
    }),
})

# What an agent can tell the role-play client, so that it never asks back what it was just
# told (coaching.practice.told_topics reads them from the agent's words).
TOPICS = ("premium", "cover")
SNIPPET = Record({"keywords": Opt(Words()), "say": Text(max_len=300),
                  "asks": Opt(Enum(TOPICS)), "after": Opt(Enum(TOPICS))})

PRACTICE = Record({
    "scenarios": IdMap(Record({
        "title": Text(max_len=60),
        "profile": Enum(PROFILE_IDS),
        "persona": Record({
            "name": Text(max_len=30),
            "age": Int(18, 90),
            "summary": Text(max_len=200),
            "facts": Lines(min=2, max=8),
        }),
        "opening": Text(max_len=300),
        "hidden_needs": RefMap("need", Record({
            "triggers": Words(),
            "reveal": Text(max_len=300),
            "payoff": Text(max_len=300),
        })),
        "answers": FixedMap(QUESTION_TYPES, IdMap(SNIPPET), required=False),
        "fallbacks": FixedMap(QUESTION_TYPES, Text(max_len=300)),
    }), kind="scenario"),
})

FILES: dict[str, Record] = {
    "spin": SPIN,
    "prep": PREP,
    "playbooks": PLAYBOOKS,
    "objections": OBJECTIONS,
    "referrals": REFERRALS,
    "stages": STAGES_FILE,
    "practice": PRACTICE,
}


def _spin_profiles(files: dict[str, Any], ctx: Context) -> None:
    for profile in PROFILE_IDS:
        if profile not in files["spin"]["profiles"]:
            ctx.fail(("profiles",), f"profile '{profile}' is missing (the code infers it)")


def _prep_covers_profiles(files: dict[str, Any], ctx: Context) -> None:
    owner = {
        qid: pid
        for pid, profile in files["spin"]["profiles"].items()
        for step in profile["questions"].values()
        for qid in step
    }
    prep = files["prep"]["profiles"]
    for pid in files["spin"]["profiles"]:
        if pid not in prep:
            ctx.fail(("profiles",), f"no preparation sheet for profile '{pid}'")
    for pid, sheet in prep.items():
        for index, qid in enumerate(sheet["questions"]):
            if qid in owner and owner[qid] != pid:
                ctx.fail(("profiles", pid, "questions", index),
                         f"question '{qid}' belongs to profile '{owner[qid]}', not '{pid}'")


def _hidden_needs_fit_the_profile(files: dict[str, Any], ctx: Context) -> None:
    """A role-play client's hidden needs are its profile's needs, at least one a must-have."""
    profiles = files["spin"]["profiles"]
    for sid, scenario in files["practice"]["scenarios"].items():
        needs = profiles.get(scenario["profile"], {}).get("needs", {})
        for need in scenario["hidden_needs"]:
            if need not in needs:
                ctx.fail(("scenarios", sid, "hidden_needs", need),
                         f"'{need}' is not a need of profile '{scenario['profile']}'")
        if not any(needs.get(need) == "must" for need in scenario["hidden_needs"]):
            ctx.fail(("scenarios", sid, "hidden_needs"),
                     f"scenario '{sid}' hides none of its profile's must-have needs")


def _snippets_ask_and_react(files: dict[str, Any], ctx: Context) -> None:
    """A line that asks about a topic needs a line that reacts once it was told."""
    for sid, scenario in files["practice"]["scenarios"].items():
        lines = [s for kind in scenario.get("answers", {}).values() for s in kind.values()]
        asked = {s["asks"] for s in lines if s.get("asks")}
        reacted = {s["after"] for s in lines if s.get("after")}
        for topic in sorted(asked - reacted):
            ctx.fail(("scenarios", sid, "answers"),
                     f"scenario '{sid}' asks about {topic} but never reacts once told")


def _playbook_ids_unique(files: dict[str, Any], ctx: Context) -> None:
    for pid, book in files["playbooks"]["playbooks"].items():
        seen: set[str] = set()
        for phase_id, phase in book["phases"].items():
            for step_id, step in phase["steps"].items():
                path = ("playbooks", pid, "phases", phase_id, "steps", step_id)
                for key in (step_id, *step["checklist"]):
                    if key in seen:
                        ctx.fail(path, f"id '{key}' is used twice in playbook '{pid}'")
                    seen.add(key)


def _responses_ask_back(files: dict[str, Any], ctx: Context) -> None:
    for oid, objection in files["objections"]["objections"].items():
        for rid, response in objection["responses"].items():
            if "?" not in response["say"] and "？" not in response["say"]:
                ctx.fail(("objections", oid, "responses", rid, "say"),
                         f"response '{rid}' should ask the client a question back")


def _referrals_name_someone(files: dict[str, Any], ctx: Context) -> None:
    for mid, moment in files["referrals"]["moments"].items():
        if not any("person" in PLACEHOLDER.findall(line) for line in moment["ask"]):
            ctx.fail(("moments", mid, "ask"),
                     f"moment '{mid}' should name a specific person with {{{{ person }}}}")


def _grades_match_traits(files: dict[str, Any], ctx: Context) -> None:
    grades = files["stages"]["name_grades"]
    for grade, traits in zip(GRADES, (4, 3, 2, 1), strict=True):
        if grades[grade]["traits"] != traits:
            ctx.fail(("name_grades", grade, "traits"), f"grade {grade} means {traits} traits")


# Checks across entries, per file they report on.
VALIDATORS: dict[str, list[Validator]] = {
    "spin": [_spin_profiles],
    "prep": [_prep_covers_profiles],
    "playbooks": [_playbook_ids_unique],
    "objections": [_responses_ask_back],
    "referrals": [_referrals_name_someone],
    "stages": [_grades_match_traits],
    "practice": [_hidden_needs_fit_the_profile, _snippets_ask_and_react],
}
