"""How to address a client in a greeting: salutation by language, tone, gender and age."""

from __future__ import annotations

from dataclasses import dataclass

from coachbot.domain.calendar import YearlyDate, age_on
from coachbot.domain.clients import CJK
from coachbot.domain.models import Agent
from coachbot.domain.phones import whatsapp_link
from coachbot.domain.reminders import ReminderItem
from coachbot.render.templates import Renderer, plain_text
from coachbot.store import Store

TONES = ("warm", "formal")

# two-character surnames: "欧阳娜娜" is Ms 欧阳, not Ms 欧
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 澹台 轩辕 "
    "歐陽 諸葛 東方 尉遲 長孫 軒轅".split()
)
# romanised Chinese surnames written first ("Tan Ah Kow"), common in SG, MY and HK
SURNAME_FIRST = frozenset(
    "tan lim lee ng wong chan goh teo ong chen li lau leung cheung ho yeung tay koh chua "
    "sim yeo low lai chong chin foo khoo liew yap".split()
)
ELDER_AGE = 50


@dataclass(frozen=True)
class Addressee:
    """Who a greeting speaks to."""

    name: str
    gender: str | None
    age: int | None


def surname(name: str) -> str:
    """The family name of a Chinese-script name."""
    return name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]


def salutation(person: Addressee, locale: str, tone: str) -> str:
    """"张先生", "张姐", "Mr Tan", "John": how the greeting opens."""
    name = person.name.strip()
    if CJK.search(name) and locale != "en":
        return _chinese(name, person, tone)
    return _latin(name, person, tone)


def _chinese(name: str, person: Addressee, tone: str) -> str:
    family = surname(name)
    if len(name) <= len(family) or person.gender not in ("m", "f"):
        return name
    elder = person.age is not None and person.age >= ELDER_AGE
    if tone == "formal":
        return family + ("先生" if person.gender == "m" else "女士")
    if person.gender == "m":
        return family + ("叔" if elder else "哥")
    return family + ("阿姨" if elder else "姐")


def _latin(name: str, person: Addressee, tone: str) -> str:
    words = name.split()
    if len(words) < 2:
        return name
    surname_first = words[0].lower() in SURNAME_FIRST
    family = words[0] if surname_first else words[-1]
    given = " ".join(words[1:]) if surname_first else words[0]
    if tone == "formal" and person.gender in ("m", "f"):
        return ("Mr " if person.gender == "m" else "Ms ") + family
    return given if tone != "formal" else name


@dataclass(frozen=True)
class Greeting:
    """A ready-to-forward greeting: which template, in which language, with what values."""

    locale: str
    template: str
    context: dict[str, object]


def build_greeting(store: Store, agent: Agent, item: ReminderItem,
                   festival_names: dict[str, str] | None = None) -> Greeting | None:
    """The greeting for a to-do item (None if the item is not a greeting or is gone)."""
    tone = agent.tone if agent.tone in TONES else "warm"
    base: dict[str, object] = {"tone": tone, "variant": item.variant,
                               "signature": agent.signature or agent.first_name}
    if item.kind == "festival":
        return Greeting(agent.locale, "greetings/festival",
                        {**base, "festival": item.ref, "names": festival_names or {},
                         "salutation": None, "tier": None})
    if item.client_id is None:
        return None
    client = store.clients.get_client(agent.id, item.client_id)
    if client is None:
        return None
    locale = client.locale or agent.locale
    yearly_age = None
    if client.birthday:
        yearly_age = age_on(YearlyDate.from_storage(client.birthday), item.occasion_date)
    values: dict[str, object] = {
        **base, "name": client.name, "tier": client_tier_of(store, agent.id, client.id),
        "salutation": salutation(Addressee(client.name, client.gender, yearly_age), locale, tone),
        "age": yearly_age,
    }
    if item.kind == "family_birthday":
        member = next((m for m in store.clients.family_of(agent.id, client.id)
                       if str(m.id) == item.ref), None)
        if member is None:
            return None
        member_age = age_on(YearlyDate.from_storage(member.birthday), item.occasion_date) \
            if member.birthday else None
        values.update(member=member.name, relation=member.relation, member_age=member_age)
    elif item.kind in ("wedding", "custom"):
        found = next((d for d in store.clients.dates_of(agent.id,
                                                        client.id) if str(d.id) == item.ref),
                     None)
        if found is None:
            return None
        values.update(years=age_on(YearlyDate.from_storage(found.date), item.occasion_date),
                      label=found.label)
    elif item.kind == "policy_anniversary":
        policy = store.clients.get_policy(agent.id, int(item.ref)) if item.ref.isdigit() else None
        if policy is None:
            return None
        years = item.occasion_date.year - policy.start_date.year if policy.start_date else None
        values.update(product=policy.product, years=years)
    elif item.kind != "birthday":
        return None
    return Greeting(locale, f"greetings/{item.kind}", values)


def client_tier_of(store: Store, agent_id: int, client_id: int) -> str | None:
    return store.schedule.client_tier(agent_id, client_id)


COPY_LIMIT = 256  # Telegram's CopyTextButton copies at most 256 characters


def copy_text(renderer: Renderer, greeting: Greeting, region: str | None = None,
              limit: int = COPY_LIMIT) -> str:
    """The greeting as plain text for a "copy" button: whole sentences that fit in `limit`
    characters (the full text stays in the message above it)."""
    text = plain_text(renderer.render(greeting.locale, greeting.template, region=region,
                                      **greeting.context)).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = [cut.rfind(mark) for mark in ("。", "！", "？", "!", "?", ". ", "\n")]
    end = max(ends)
    if end >= limit // 2:
        return cut[:end + 1].strip()
    return cut[:limit - 1].rstrip() + "…"


def share_link(greeting_text: str, phone: str | None) -> str | None:
    """A wa.me link with the greeting typed in, for clients in Hong Kong, Singapore or
    Malaysia with a mobile; None otherwise."""
    return whatsapp_link(phone, greeting_text)
