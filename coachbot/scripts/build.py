"""Turn validated script data into the library's typed values."""

from __future__ import annotations

from typing import Any

from coachbot.scripts.model import (
    ClientTier,
    Conditions,
    GroupAdvice,
    HiddenNeed,
    LocaleScripts,
    NameGrade,
    Need,
    Objection,
    Persona,
    Playbook,
    PlaybookStep,
    PrepEntry,
    Product,
    Profile,
    ProspectStage,
    Question,
    ReferralMoment,
    Response,
    Scenario,
    ServicePlan,
    Snippet,
    Stages,
)
from coachbot.scripts.schema import QUESTION_TYPES, SPIN_STEPS

Data = dict[str, Any]


def locale_scripts(locale: str, files: dict[str, Data]) -> LocaleScripts:
    """All the typed scripts of one locale from its validated files."""
    spin = files["spin"]
    profiles = {pid: _profile(pid, raw) for pid, raw in spin["profiles"].items()}
    return LocaleScripts(
        locale=locale,
        explicit_markers=tuple(spin["explicit_markers"]),
        affirmations=tuple(spin["affirmations"]),
        products={pid: Product(pid, raw["label"]) for pid, raw in spin["products"].items()},
        needs={nid: _need(nid, raw) for nid, raw in spin["needs"].items()},
        profiles=profiles,
        questions={q.id: q for p in profiles.values() for qs in p.questions.values() for q in qs},
        prep={pid: _prep(pid, raw) for pid, raw in files["prep"]["profiles"].items()},
        playbooks={
            pid: _playbook(pid, raw) for pid, raw in files["playbooks"]["playbooks"].items()
        },
        objections={
            oid: _objection(oid, raw) for oid, raw in files["objections"]["objections"].items()
        },
        referrals={mid: _moment(mid, raw) for mid, raw in files["referrals"]["moments"].items()},
        stages=_stages(files["stages"]),
        scenarios={sid: _scenario(sid, raw) for sid, raw in files["practice"]["scenarios"].items()},
    )


def _conditions(raw: Data | None) -> Conditions:
    raw = raw or {}
    return Conditions(
        has_children=raw.get("has_children"),
        has_spouse=raw.get("has_spouse"),
        has_policies=raw.get("has_policies"),
        stage=tuple(raw.get("stage", ())),
        tier=tuple(raw.get("tier", ())),
        age_min=raw.get("age_min"),
        age_max=raw.get("age_max"),
        has_product=tuple(raw.get("has_product", ())),
        lacks_product=tuple(raw.get("lacks_product", ())),
        has_mortgage=raw.get("has_mortgage"),
        sole_earner=raw.get("sole_earner"),
        unknown=tuple(raw.get("unknown", ())),
    )


def _profile(pid: str, raw: Data) -> Profile:
    questions = {
        step: tuple(
            Question(qid, pid, step, q["text"], _conditions(q.get("when")), tuple(q["probes"]))
            for qid, q in raw["questions"][step].items()
        )
        for step in SPIN_STEPS
    }
    return Profile(pid, raw["label"], raw["description"], dict(raw["needs"]), questions)


def _need(nid: str, raw: Data) -> Need:
    return Need(nid, raw["label"], raw["priority"], tuple(raw["keywords"]),
                tuple(raw["explicit"]), tuple(raw["products"]))


def _prep(pid: str, raw: Data) -> PrepEntry:
    return PrepEntry(pid, raw["opening"], tuple(raw["predict"]), tuple(raw["listen_for"]),
                     tuple(raw["dont_assume"]), tuple(raw["questions"]))


def _playbook(pid: str, raw: Data) -> Playbook:
    steps = tuple(
        PlaybookStep(sid, phase_id, step["title"], step["goal"], dict(step["checklist"]),
                     tuple(step["tips"]))
        for phase_id, phase in raw["phases"].items()
        for sid, step in phase["steps"].items()
    )
    phases = {phase_id: phase["title"] for phase_id, phase in raw["phases"].items()}
    return Playbook(pid, raw["title"], raw["summary"], phases, steps)


def _objection(oid: str, raw: Data) -> Objection:
    responses = tuple(Response(rid, r["name"], r["say"]) for rid, r in raw["responses"].items())
    return Objection(oid, raw["label"], tuple(raw["keywords"]), raw["behind"], responses)


def _moment(mid: str, raw: Data) -> ReferralMoment:
    return ReferralMoment(mid, raw["label"], raw["when"], tuple(raw["ask"]), tuple(raw["tips"]))


def _stages(raw: Data) -> Stages:
    group = raw["group_clients"]
    return Stages(
        channels={cid: c["label"] for cid, c in raw["channels"].items()},
        name_grades={
            g: NameGrade(g, r["label"], r["traits"], r["action"], tuple(r["tips"]))
            for g, r in raw["name_grades"].items()
        },
        prospect_stages={
            s: ProspectStage(s, r["label"], r["meaning"], r["next_action"], r["meet_every_days"],
                             tuple(r["talk_about"]))
            for s, r in raw["prospect_stages"].items()
        },
        closed_tiers={
            t: ClientTier(
                t, r["label"],
                ServicePlan(tuple(r["service"]["how"]), r["service"]["every_days"],
                            tuple(r["service"]["what"])),
            )
            for t, r in raw["closed_tiers"].items()
        },
        group=GroupAdvice(
            value=tuple(group["value"]),
            classify_by={k: (v["label"], v["how"]) for k, v in group["classify_by"].items()},
            find_new=tuple(group["find_new"]),
            know_existing=tuple(group["know_existing"]),
            value_rules=tuple(group["value_rules"]),
            service=tuple(group["service"]),
        ),
    )


def _scenario(sid: str, raw: Data) -> Scenario:
    persona = raw["persona"]
    return Scenario(
        id=sid,
        title=raw["title"],
        profile=raw["profile"],
        persona=Persona(persona["name"], persona["age"], persona["summary"],
                        tuple(persona["facts"])),
        opening=raw["opening"],
        hidden_needs=tuple(
            HiddenNeed(nid, tuple(h["triggers"]), h["reveal"], h["payoff"])
            for nid, h in raw["hidden_needs"].items()
        ),
        answers={
            qtype: tuple(
                Snippet(snid, tuple(s.get("keywords", ())), s["say"], s.get("asks"),
                        s.get("after"))
                for snid, s in raw["answers"].get(qtype, {}).items()
            )
            for qtype in QUESTION_TYPES
        },
        fallbacks=dict(raw["fallbacks"]),
    )
