"""The needs-mining preparation sheet (备课) for a meeting with one client."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from coachbot.domain.coaching.facts import ClientFacts, fits
from coachbot.domain.tiers import TierDesign, design_for
from coachbot.scripts.model import Question, ScriptLibrary


@dataclass(frozen=True)
class PrepSheet:
    """What to predict, listen for and not assume, the questions to bring, likely gaps."""

    profile: str
    label: str
    opening: str
    predict: tuple[str, ...]
    listen_for: tuple[str, ...]
    dont_assume: tuple[str, ...]
    questions: tuple[Question, ...]
    likely_gaps: tuple[str, ...]  # the profile's must-have needs the client's policies miss
    covered: tuple[str, ...]  # the profile's needs their policies already touch
    # what a plan needs at the client's tier: the meeting prepares the plan, so it shows here
    design: TierDesign | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)


def prepare(profile: str, facts: ClientFacts, library: ScriptLibrary, locale: str) -> PrepSheet:
    """The sheet for a profile, with questions that don't fit the facts swapped for ones that do."""
    scripts = library.get(locale)
    entry = scripts.prep[profile]
    chosen = [scripts.questions[qid] for qid in entry.questions]
    kept = [q for q in chosen if fits(q.when, facts)]
    for dropped in (q for q in chosen if q not in kept):
        spare = next(
            (q for q in scripts.profiles[profile].questions[dropped.step]
             if q not in kept and fits(q.when, facts)),
            None,
        )
        if spare is not None:
            kept.append(spare)
    order = {step: i for i, step in enumerate("SPIN")}
    kept.sort(key=lambda q: order[q.step])
    owned = set(facts.policy_products)
    needs = scripts.profiles[profile].needs
    covered = tuple(n for n in needs if owned.intersection(scripts.needs[n].products))
    return PrepSheet(
        profile=profile,
        label=scripts.profiles[profile].label,
        opening=entry.opening,
        predict=entry.predict,
        listen_for=entry.listen_for,
        dont_assume=entry.dont_assume,
        questions=tuple(kept),
        likely_gaps=tuple(n for n, p in needs.items() if p == "must" and n not in covered),
        covered=covered,
        design=design_for(facts.tier),
    )
