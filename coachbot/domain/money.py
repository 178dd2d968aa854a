"""The money arithmetic of the methodology (section 1): what the month's sales are worth to the
agent, where the business came from, and what renewals are waiting to be collected.

"2 policies a month x 1,500 average premium x 35% commission = 1,050 a month": the premium
written is the first year's (annualised: a monthly-paid policy counts its annual premium), the
income estimate applies the agent's own first-year commission rate (an agent setting, 35% by
default). Amounts stay in their own currency: nothing is added across currencies here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from coachbot.domain.models import ORIGINS, POLICY_SOURCES, Policy

PERIODS_PER_YEAR = {"annual": 1, "semiannual": 2, "quarterly": 4, "monthly": 12}
MAX_SOURCE_TARGET = 100


def income_estimate(premium: float, rate: float) -> float:
    """First-year commission on a premium: 3,000 x 35% = 1,050."""
    return round(premium * rate, 2)


def installment(annual_premium: float, frequency: str) -> float:
    """One payment of a policy: the annual premium split by its payment frequency (缴别)."""
    return round(annual_premium / PERIODS_PER_YEAR.get(frequency, 1), 2)


@dataclass(frozen=True)
class Renewal:
    """A renewal premium (续期) falling due this month: whose, what, how much, when."""

    client_id: int
    client_name: str
    product: str
    amount: float  # this payment (the annual premium split by frequency)
    currency: str
    due: date


@dataclass(frozen=True)
class SourceLine:
    """Policies of one business source this month against its target (新增 / 加保 / 转介绍)."""

    source: str  # new | upsell | referral
    count: int
    target: int | None  # None until the agent sets per-source targets

    @property
    def hit(self) -> bool:
        return self.target is not None and self.count >= self.target


@dataclass(frozen=True)
class MoneyView:
    """The month in money: premium written, policies, income estimate, renewals to collect,
    and sources against their targets. Amounts are by currency (the agent's own first)."""

    currency: str
    commission_rate: float
    policies: int
    premium: dict[str, float]  # first-year (annualised) premium written, by currency
    renewals: tuple[Renewal, ...] = ()
    renewal_count: int = 0
    renewal_totals: dict[str, float] = field(default_factory=dict)
    sources: tuple[SourceLine, ...] = ()

    @property
    def income(self) -> dict[str, float]:
        """The income estimate by currency: premium x the agent's commission rate."""
        return {cur: income_estimate(amount, self.commission_rate)
                for cur, amount in self.premium.items()}

    @property
    def rate_percent(self) -> float:
        return round(self.commission_rate * 100, 1)

    @property
    def has_targets(self) -> bool:
        return any(line.target is not None for line in self.sources)

    def without_names(self) -> MoneyView:
        """The same totals with no client in them (for records that must hold counts only)."""
        return MoneyView(self.currency, self.commission_rate, self.policies,
                         dict(self.premium), (), self.renewal_count,
                         dict(self.renewal_totals), self.sources)


def money_view(currency: str, commission_rate: float, month_policies: Sequence[Policy],
               renewals: Sequence[Renewal], targets: Mapping[str, int] | None) -> MoneyView:
    """The month's money from its policies (sold this month) and renewals (due this month)."""
    premium = _by_currency(((p.currency or currency, p.annual_premium)
                            for p in month_policies), currency)
    totals = _by_currency(((r.currency, r.amount) for r in renewals), currency)
    counts = {source: 0 for source in POLICY_SOURCES}
    for policy in month_policies:
        counts[policy.source if policy.source in counts else "new"] += 1
    sources = tuple(SourceLine(source, counts[source],
                               None if targets is None else int(targets.get(source, 0)))
                    for source in POLICY_SOURCES)
    ordered = tuple(sorted(renewals, key=lambda r: (r.due, r.client_name)))
    return MoneyView(currency, commission_rate, len(month_policies), premium, ordered,
                     len(ordered), totals, sources)


def _by_currency(amounts: Iterable[tuple[str, float]], first: str) -> dict[str, float]:
    """Sums per currency, the agent's own currency first; {first: 0} when there is nothing."""
    sums: dict[str, float] = {first: 0.0}
    for currency, amount in amounts:
        sums[currency] = round(sums.get(currency, 0.0) + float(amount or 0), 2)
    kept = {currency: amount for currency, amount in sums.items() if amount}
    return kept or {first: 0.0}


# -- what agents type ---------------------------------------------------------------------
_RATE = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,2})?)\s*(%|％|个点|個點|percent)?\s*$", re.IGNORECASE)


def parse_rate(text: str) -> float | None:
    """A commission rate as typed: "35", "35%", "0.35", "３５％", "35个点" -> 0.35 (1%-100%)."""
    match = _RATE.match(unicodedata.normalize("NFKC", text).replace("％", "%"))
    if match is None:
        return None
    value = float(match.group(1))
    if match.group(2) is None and 0 < value < 1:  # "0.35"
        value *= 100
    return round(value / 100, 4) if 1 <= value <= 100 else None


_SOURCE_WORDS = {
    "new": ("新增", "新客户", "新客戶", "新单", "新單", "new"),
    "upsell": ("加保", "老客户", "老客戶", "upsell", "top-up", "topup"),
    "referral": ("转介绍", "轉介紹", "介绍", "介紹", "referral", "referrals"),
}


def parse_source_targets(text: str) -> dict[str, int] | None:
    """Monthly targets per source as typed: "1 1 0" (新增 加保 转介绍, in that order) or
    "新增1 加保1 转介绍1" / "new 1 upsell 1 referral 0"; None if it can't be read."""
    cleaned = unicodedata.normalize("NFKC", text).lower().replace(",", " ").replace("/", " ")
    numbers = re.findall(r"\d+", cleaned)
    if not numbers:
        return None
    named: dict[str, int] = {}
    for source, words in _SOURCE_WORDS.items():
        for word in words:
            found = re.search(re.escape(word) + r"\s*[:：]?\s*(\d+)", cleaned)
            if found:
                named[source] = int(found.group(1))
                break
    if named:
        targets = {source: named.get(source, 0) for source in POLICY_SOURCES}
    elif len(numbers) == len(POLICY_SOURCES):
        targets = dict(zip(POLICY_SOURCES, (int(n) for n in numbers), strict=True))
    else:
        return None
    if any(not 0 <= n <= MAX_SOURCE_TARGET for n in targets.values()):
        return None
    return targets


# -- where a client came from (客户来源) -------------------------------------------------------
_ORIGIN_WORDS: dict[str, tuple[str, ...]] = {
    # 缘故: people the agent knows (family, friends, classmates, colleagues, neighbours)
    "warm": ("缘故", "緣故", "亲友", "親友", "亲戚", "親戚", "朋友", "同学", "同學", "同事",
             "邻居", "鄰居", "熟人", "家人", "warm", "friend", "family", "natural market"),
    # 转介绍: introduced by an existing client or contact
    "referral": ("转介绍", "轉介紹", "转介", "轉介", "介绍", "介紹", "推荐", "推薦", "referral",
                 "referred", "introduced", "introduction"),
    # 陌生: cold - door-to-door, street, events, online leads, calls
    "cold": ("陌生", "陌拜", "陌生拜访", "陌生拜訪", "扫街", "掃街", "摆摊", "擺攤", "网络", "網絡",
             "網路", "电话", "電話", "展会", "展會", "路演", "cold", "stranger", "walk-in",
             "online", "lead", "roadshow"),
}


def source_from_text(text: str | None) -> str | None:
    """A client's origin from a 客户来源 cell or a typed word: "转介绍" -> "referral",
    "缘故"/"朋友" -> "warm", "陌拜"/"网络" -> "cold"; None when nothing matches."""
    if not text:
        return None
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()
    if cleaned in ORIGINS:
        return cleaned
    for origin in ("referral", "warm", "cold"):  # 转介绍 before 介绍-like warm words
        if any(word in cleaned for word in _ORIGIN_WORDS[origin]):
            return origin
    return None


_BUSINESS_WORDS: dict[str, tuple[str, ...]] = {
    "upsell": ("加保", "追加", "老客户", "老客戶", "upsell", "top-up", "top up", "existing"),
    "referral": ("转介绍", "轉介紹", "介绍", "介紹", "referral", "referred"),
    "new": ("新增", "新客户", "新客戶", "新单", "新單", "new"),
}


def business_source_from_text(text: str | None) -> str | None:
    """A policy's business source from a typed word or an import cell: "加保" -> "upsell",
    "转介绍" -> "referral", "新增" -> "new"; None when nothing matches."""
    if not text:
        return None
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()
    if cleaned in POLICY_SOURCES:
        return cleaned
    for source, words in _BUSINESS_WORDS.items():
        if any(word in cleaned for word in words):
            return source
    return None


# -- currencies and the team's exchange rates ---------------------------------------------------
_CURRENCY_WORDS = {
    "人民币": "CNY", "人民幣": "CNY", "rmb": "CNY", "元": "CNY", "¥": "CNY", "cn¥": "CNY",
    "港币": "HKD", "港幣": "HKD", "港元": "HKD", "港纸": "HKD", "港紙": "HKD", "hk$": "HKD",
    "新台币": "TWD", "新台幣": "TWD", "台币": "TWD", "台幣": "TWD", "nt$": "TWD",
    "新币": "SGD", "新幣": "SGD", "新加坡元": "SGD", "坡币": "SGD", "s$": "SGD",
    "马币": "MYR", "馬幣": "MYR", "令吉": "MYR", "rm": "MYR",
    "美元": "USD", "美金": "USD", "us$": "USD", "澳门币": "MOP", "澳門幣": "MOP",
    "澳元": "AUD", "欧元": "EUR", "歐元": "EUR", "英镑": "GBP", "英鎊": "GBP", "日元": "JPY",
}
_ISO = re.compile(r"^[A-Za-z]{3}$")
MAX_RATE = 100_000.0


def currency_code(text: str) -> str | None:
    """An ISO 4217 code from what was typed: "hkd", "港币", "HK$" -> "HKD"."""
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()
    if cleaned in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[cleaned]
    return cleaned.upper() if _ISO.match(cleaned) else None


_RATE_LINE = re.compile(
    r"^\s*(?:1\s*)?(?P<cur>[^\d\s=:：]+?)\s*(?:=|:|：|兑|兌|to|\s)\s*(?P<rate>\d+(?:\.\d+)?)"
    r"\s*(?P<into>[^\d\s]+)?\s*$", re.IGNORECASE)


def parse_exchange_rate(text: str) -> tuple[str, float] | None:
    """A leader's rate as typed: "HKD 0.92", "1 HKD = 0.92", "港币 0.92" -> ("HKD", 0.92)
    (team-currency units for one unit of that currency); None if it can't be read."""
    match = _RATE_LINE.match(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    code = currency_code(match["cur"])
    rate = float(match["rate"])
    if code is None or not 0 < rate <= MAX_RATE:
        return None
    return code, rate
