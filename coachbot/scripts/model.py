"""The script library as typed, read-only values, one set per locale."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from coachbot.scripts.regional import filled, region_values


@dataclass(frozen=True)
class Conditions:
    """When a question fits: every condition given must hold for the client's facts."""

    has_children: bool | None = None
    has_spouse: bool | None = None
    has_policies: bool | None = None
    stage: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    has_product: tuple[str, ...] = ()
    lacks_product: tuple[str, ...] = ()
    has_mortgage: bool | None = None
    sole_earner: bool | None = None
    unknown: tuple[str, ...] = ()  # fact keys the question asks about: skip once known

    def count(self) -> int:
        """How many conditions are set (a rough measure of how tailored a question is)."""
        flags = (self.has_children, self.has_spouse, self.has_policies, self.age_min,
                 self.age_max, self.has_mortgage, self.sole_earner)
        lists = (self.stage, self.tier, self.has_product, self.lacks_product)
        return sum(v is not None for v in flags) + sum(bool(v) for v in lists)


@dataclass(frozen=True)
class Question:
    """A SPIN question for one profile and step."""

    id: str
    profile: str
    step: str
    text: str
    when: Conditions = field(default_factory=Conditions)
    probes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Product:
    """A kind of policy (term life, critical illness...)."""

    id: str
    label: str


@dataclass(frozen=True)
class Need:
    """A protection need, the words that signal it, and the products that cover it."""

    id: str
    label: str
    priority: str
    keywords: tuple[str, ...]
    explicit: tuple[str, ...]
    products: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """A client profile, its typical needs (need id -> must/nice) and its SPIN questions."""

    id: str
    label: str
    description: str
    needs: dict[str, str]
    questions: dict[str, tuple[Question, ...]]


@dataclass(frozen=True)
class PrepEntry:
    """The needs-mining preparation (备课) for one profile."""

    profile: str
    opening: str
    predict: tuple[str, ...]
    listen_for: tuple[str, ...]
    dont_assume: tuple[str, ...]
    questions: tuple[str, ...]


@dataclass(frozen=True)
class PlaybookStep:
    """One step of a playbook: goal, checklist (item id -> text) and tips."""

    id: str
    phase: str
    title: str
    goal: str
    checklist: dict[str, str]
    tips: tuple[str, ...]


@dataclass(frozen=True)
class Playbook:
    """A selling process: steps in order, grouped in phases (phase id -> title)."""

    id: str
    title: str
    summary: str
    phases: dict[str, str]
    steps: tuple[PlaybookStep, ...]


@dataclass(frozen=True)
class Response:
    """One way to answer an objection: a short name and the words to say."""

    id: str
    name: str
    say: str


@dataclass(frozen=True)
class Objection:
    """A client objection, the words that give it away, and responses."""

    id: str
    label: str
    keywords: tuple[str, ...]
    behind: str
    responses: tuple[Response, ...]


@dataclass(frozen=True)
class ReferralMoment:
    """A high point at which to ask for a referral, and how to ask."""

    id: str
    label: str
    when: str
    ask: tuple[str, ...]
    tips: tuple[str, ...]


@dataclass(frozen=True)
class NameGrade:
    """A name-list grade A-D by how many of the four buyer traits a name shows."""

    grade: str
    label: str
    traits: int
    action: str
    tips: tuple[str, ...]


@dataclass(frozen=True)
class ProspectStage:
    """A prospect stage D-A: what it means, the next action, how often to meet."""

    stage: str
    label: str
    meaning: str
    next_action: str
    meet_every_days: int
    talk_about: tuple[str, ...]


@dataclass(frozen=True)
class ServicePlan:
    """How, how often and with what a closed client is served."""

    how: tuple[str, ...]
    every_days: int
    what: tuple[str, ...]


@dataclass(frozen=True)
class ClientTier:
    """How a closed-client tier is served (its premium band is domain.tiers' rule, not data)."""

    tier: str
    label: str
    service: ServicePlan


@dataclass(frozen=True)
class GroupAdvice:
    """How to value, classify, find and serve group clients."""

    value: tuple[str, ...]
    classify_by: dict[str, tuple[str, str]]
    find_new: tuple[str, ...]
    know_existing: tuple[str, ...]
    value_rules: tuple[str, ...]
    service: tuple[str, ...]


@dataclass(frozen=True)
class Stages:
    """Stage advice: name grades, prospect stages, closed tiers, group clients."""

    channels: dict[str, str]
    name_grades: dict[str, NameGrade]
    prospect_stages: dict[str, ProspectStage]
    closed_tiers: dict[str, ClientTier]
    group: GroupAdvice


@dataclass(frozen=True)
class Snippet:
    """An in-character answer, chosen when the agent's words contain its keywords."""

    id: str
    keywords: tuple[str, ...]
    say: str
    asks: str | None = None  # a topic this line asks the agent about (never once told)
    after: str | None = None  # a topic this line reacts to (only right after it was told)


@dataclass(frozen=True)
class HiddenNeed:
    """A need the role-play client reveals only to a good P or I question on its topic."""

    need: str
    triggers: tuple[str, ...]
    reveal: str
    payoff: str


@dataclass(frozen=True)
class Persona:
    """Who the role-play client is."""

    name: str
    age: int
    summary: str
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    """A role-play scenario for practising SPIN."""

    id: str
    title: str
    profile: str
    persona: Persona
    opening: str
    hidden_needs: tuple[HiddenNeed, ...]
    answers: dict[str, tuple[Snippet, ...]]
    fallbacks: dict[str, str]


@dataclass(frozen=True)
class LocaleScripts:
    """Everything the coach says in one locale."""

    locale: str
    explicit_markers: tuple[str, ...]
    affirmations: tuple[str, ...]
    products: dict[str, Product]
    needs: dict[str, Need]
    profiles: dict[str, Profile]
    questions: dict[str, Question]
    prep: dict[str, PrepEntry]
    playbooks: dict[str, Playbook]
    objections: dict[str, Objection]
    referrals: dict[str, ReferralMoment]
    stages: Stages
    scenarios: dict[str, Scenario]


@dataclass(frozen=True)
class ScriptLibrary:
    """The validated scripts of every locale."""

    locales: dict[str, LocaleScripts]
    default_locale: str = "zh-Hans"
    _regional: dict[tuple[str, str | None], LocaleScripts] = field(
        default_factory=dict, compare=False, repr=False)

    def get(self, locale: str, region: str | None = None) -> LocaleScripts:
        """The scripts of a locale (or of the default locale when it has none), with what
        differs by market (the cooling-off period) said for the agent's region; without a
        region, in words that name no number."""
        key = (locale, region)
        found = self._regional.get(key)
        if found is None:
            scripts = self.locales.get(locale) or self.locales[self.default_locale]
            values = region_values(scripts.locale, region)
            found = replace(scripts, playbooks=filled(scripts.playbooks, values))
            self._regional[key] = found
        return found
