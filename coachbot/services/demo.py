"""A realistic demo book for one agent, to try the bot without typing a book in first.

About 40 clients: name-list grades A-D (from the four traits), prospects at every stage D-C-B-A,
closed clients in all three tiers (普客/贵宾/高客, thresholds scaled to the agent's currency),
families, solar and lunar birthdays (some without a year, a few in the coming week), policies
with everyday products, tags, a contact log over the last 60 days with next steps (some due,
some overdue), and two group clients with their four key roles. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from coachbot.domain import classify
from coachbot.domain.calendar import YearlyDate
from coachbot.domain.clients import search_key
from coachbot.domain.phones import normalize_phone
from coachbot.domain.regions import REGIONS, currency_for
from coachbot.domain.tiers import DEFAULT_TIER_THRESHOLDS
from coachbot.services import records

if TYPE_CHECKING:
    from coachbot.store import Store

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶"
GIVEN_NAMES = {
    "m": tuple("伟 强 磊 军 洋 勇 杰 涛 明 超 志强 建国 俊杰 浩然 子轩 宇航 国华 文博 家豪 思远"
               .split()),
    "f": tuple("芳 娜 敏 静 丽 艳 娟 霞 婷 秀英 美玲 晓燕 欣怡 佳慧 雪梅 思琪 嘉欣 丽娟 雅婷 慧敏"
               .split()),
}
ENGLISH_NAMES = (("David Tan", "m"), ("Michelle Lim", "f"), ("Jason Wong", "m"),
                 ("Emily Chen", "f"))
OCCUPATIONS = ("中学教师", "外企财务经理", "餐饮店老板", "私营企业主", "三甲医院护士", "程序员",
               "公务员", "牙科医生", "销售总监", "全职妈妈", "律师", "建筑设计师", "物流公司老板",
               "银行客户经理", "健身教练", "会计师")
INCOMES = ("10-20万/年", "20-50万/年", "50-100万/年", "100万以上/年")
TAGS = ("老乡", "同学", "宝妈", "企业主", "车友会", "羽毛球", "前同事", "家长会")
ADDRESSES = {
    "CN": ("上海市浦东新区张杨路", "杭州市西湖区文三路", "深圳市南山区科技园",
           "广州市天河区体育西路"),
    "HK": ("九龙塘窝打老道", "沙田第一城", "将军澳日出康城", "鲗鱼涌太古城"),
    "TW": ("台北市大安区敦化南路", "新北市板桥区文化路", "台中市西屯区市政路",
           "高雄市苓雅区四维路"),
    "SG": ("Tampines Street 21", "Bishan Street 13", "Jurong West Avenue 1", "Punggol Drive"),
    "MY": ("Jalan Ampang, Kuala Lumpur", "Taman Desa, Kuala Lumpur", "Bayan Lepas, Penang",
           "Johor Bahru, Taman Molek"),
}
# national mobile number prefixes per region, and how many digits follow
MOBILE_FORMATS = {
    "CN": (("138", "139", "136", "137", "150", "158", "186", "188", "135", "159"), 8),
    "HK": (("5", "6", "9"), 7),
    "TW": (("09",), 8),
    "SG": (("8", "9"), 7),
    "MY": (("012", "013", "016", "017", "019"), 7),
}
# product, type, premium range in CNY-equivalent, sum insured as a multiple of the premium
CI = ("守护终身重疾险", "critical_illness", (4_000, 12_000), 40)
MEDICAL = ("百万医疗险", "medical", (300, 1_500), 2_000)
ACCIDENT = ("综合意外险", "accident", (200, 600), 1_000)
TERM_LIFE = ("安心定期寿险", "life", (1_500, 4_000), 300)
EDUCATION = ("学子教育金", "education", (10_000, 50_000), 8)
ANNUITY = ("金福年金险", "annuity", (30_000, 100_000), 10)
WHOLE_LIFE = ("传世终身寿险", "life", (150_000, 400_000), 12)
SAVINGS = ("增额终身寿", "savings", (80_000, 300_000), 10)
GROUP_ACCIDENT = ("员工团体意外险", "group", (60_000, 90_000), 300)
GROUP_MEDICAL = ("员工团体医疗险", "group", (80_000, 120_000), 50)
# premium totals per tier (CNY-equivalent), kept clear of the 20,000 / 200,000 thresholds
TIER_PLANS: dict[str, tuple[tuple[Any, ...], ...]] = {
    "regular": ((CI, MEDICAL, ACCIDENT), (CI, MEDICAL), (TERM_LIFE, MEDICAL, ACCIDENT)),
    "vip": ((EDUCATION, CI, MEDICAL), (ANNUITY, CI), (EDUCATION, TERM_LIFE, MEDICAL)),
    "hnw": ((WHOLE_LIFE, ANNUITY, CI), (SAVINGS, ANNUITY, MEDICAL)),
}
TIER_BOUNDS = {"regular": (0, 19_000), "vip": (21_000, 190_000), "hnw": (210_000, 10**9)}

CONTACT_NOTES = {
    "D": ("喝茶聊了聊近况，孩子刚上小学",
          "一起打羽毛球，聊到公司最近在裁员",
          "朋友圈互动，约了下次吃饭"),
    "C": ("介绍了公司和我自己，对方挺认可",
          "邀请参加周六的健康讲座，说考虑一下",
          "聊到身边朋友生病住院的事"),
    "B": ("做了需求分析：担心收入中断和孩子教育",
          "讲解计划书初稿，要和家人商量",
          "对保额有疑问，下次带对比方案"),
    "A": ("计划书讲完，主要顾虑是预算",
          "家人都同意了，约签单时间",
          "处理异议：担心以后理赔难"),
    "closed": ("保单年检，顺便聊了家里情况",
               "生日送了蛋糕，客户很开心",
               "协助办理理赔资料",
               "续期提醒，已确认扣款"),
    "group": ("拜访人事经理，了解员工福利现状",
              "和采购部对接报价流程",
              "给行政部送了节日礼品"),
}
CLIENT_NOTES = ("喜欢喝茶，周末常去爬山", "对理财型产品感兴趣", "孩子明年上小学",
                "父母身体不太好，比较关注医疗", "不喜欢电话，微信联系最好")
NEXT_STEPS = {
    "D": "约出来喝茶，聊聊行业", "C": "邀请参加下周客户活动", "B": "送修改后的计划书",
    "A": "约时间签单", "closed": "做一次保单检视，问问转介绍", "group": "约总经理见面汇报方案",
}
CHANNELS = ("face", "face", "phone", "message", "event")


@dataclass
class DemoResult:
    """What seeding did, for the CLI to print."""

    clients: int
    removed: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)
    tiers: dict[str, int] = field(default_factory=dict)
    groups: int = 0


@dataclass(frozen=True)
class _Person:
    """One person client before it is saved."""

    role: str  # regular | vip | hnw | D | C | B | A | name
    traits: int  # how many of the four traits are ticked (grade A=4 .. D=1)


# who the 38 person clients are: closed by tier, prospects by stage, names only
ROSTER: tuple[_Person, ...] = (
    *(_Person("regular", t) for t in (4, 3, 3, 2, 4, 3, 2, 3, 4, 1)),
    *(_Person("vip", t) for t in (4, 4, 3, 4, 3, 4)),
    *(_Person("hnw", t) for t in (4, 4, 3)),
    *(_Person("D", t) for t in (3, 2, 4, 2, 3)),
    *(_Person("C", t) for t in (4, 3, 3, 2)),
    *(_Person("B", t) for t in (4, 3, 4)),
    *(_Person("A", t) for t in (4, 4, 3)),
    *(_Person("name", t) for t in (2, 1, 1, 2)),
)
TRAIT_ORDER = ("financial", "accepts", "health", "decision")


def install_demo(store: Store, agent_id: int, *, today: date, reset: bool = False,
                 rng_seed: int = 7) -> DemoResult:
    """Make sure the agent exists, optionally clear their book, seed it, and count the result.
    Refuses (LookupError) to add a demo book on top of clients the agent already has."""
    store.agents.ensure_agent(agent_id, first_name="Demo", username=None, locale="zh-Hans")
    removed = 0
    existing = store.transfer.count_book(agent_id)
    if existing and not reset:
        raise LookupError(existing)
    if reset:
        removed = store.transfer.erase_book(agent_id)
    created = seed_demo_book(store, agent_id, today=today, rng_seed=rng_seed)
    summary = book_counts(store, agent_id)
    return DemoResult(created, removed, summary.grades, summary.stages, summary.tiers,
                      summary.groups)


def book_counts(store: Store, agent_id: int) -> classify.BookSummary:
    """Grades, stages and tiers of an agent's book (tiers in the agent's currency)."""
    agent = store.agents.get_agent(agent_id)
    assert agent is not None
    currency = currency_for(agent.region)
    clients = store.transfer.book_clients(agent_id)
    policies = store.transfer.book_policies(agent_id)
    tiers = {c.id: classify.client_tier([p for p in policies if p.client_id == c.id], currency,
                                        store.tier_thresholds) for c in clients}
    return classify.summarize_book(clients, tiers, [])


def seed_demo_book(store: Store, agent_id: int, *, today: date, rng_seed: int = 7) -> int:
    """Create the demo clients for an existing agent; returns how many clients were made."""
    agent = store.agents.get_agent(agent_id)
    if agent is None:
        raise LookupError(agent_id)
    seeder = _Seeder(store, agent_id, agent.region, agent.timezone, agent.locale, today,
                     random.Random(rng_seed))
    return seeder.run()


class _Seeder:
    def __init__(self, store: Store, agent_id: int, region: str, timezone: str, locale: str,
                 today: date, rng: random.Random) -> None:
        self.store, self.agent_id, self.today, self.rng = store, agent_id, today, rng
        self.region = region if region in REGIONS else "CN"
        self.currency = currency_for(self.region)
        self.factor = DEFAULT_TIER_THRESHOLDS[self.currency][0] / 20_000
        self.zone = ZoneInfo(timezone)
        self.text: Callable[[str], str] = _hant if locale == "zh-Hant" else (lambda s: s)
        self.phones: set[str] = set()
        self.names: set[str] = set()
        self.policy_serial = 0

    def run(self) -> int:
        english = {5: ENGLISH_NAMES[0], 12: ENGLISH_NAMES[1], 20: ENGLISH_NAMES[2],
                   30: ENGLISH_NAMES[3]}
        soon = {3, 17, 24}  # birthdays in the coming week: something to greet today
        created: list[int] = []
        for index, person in enumerate(ROSTER):
            created.append(self._person(index, person, english.get(index), index in soon))
        # referrals: some clients came from earlier happy clients
        for referred, referrer in ((7, 0), (14, 10), (22, 11), (27, 16), (28, 1)):
            records.update_client(self.store, self.agent_id, created[referred],
                                  {"referred_by": created[referrer]})
        created.append(self._group_closed())
        created.append(self._group_prospect())
        return len(created)

    # -- people ---------------------------------------------------------------------------
    def _person(self, index: int, person: _Person, english: tuple[str, str] | None,
                birthday_soon: bool) -> int:
        rng = self.rng
        gender = english[1] if english else rng.choice(("m", "f"))
        name = english[0] if english else self._chinese_name(gender)
        age = rng.randint(26, 62)
        closed = person.role in TIER_PLANS
        values: dict[str, Any] = {
            "name": name, "gender": gender, "phone": self._phone(),
            "birthday": self._birthday(age, soon=birthday_soon).to_storage(),
            "occupation": self.text(rng.choice(OCCUPATIONS)),
        }
        if rng.random() < 0.6:
            values["address"] = self.text(rng.choice(ADDRESSES[self.region]))
        if person.traits >= 3 or rng.random() < 0.3:
            values["income_band"] = self.text(rng.choice(INCOMES))
        if person.role in ("D", "C", "B", "A"):
            values["stage"] = person.role
        if index % 4 == 0:
            values["notes"] = self.text(rng.choice(CLIENT_NOTES))
        tags = sorted(set(rng.sample(TAGS, rng.randint(0, 2))))
        if person.role == "hnw":
            tags.append("vip")
        client = records.add_client(self.store, self.agent_id, values,
                                    search_key=search_key(name),
                                    traits=TRAIT_ORDER[:person.traits],
                                    tags=[self.text(t) for t in tags])
        if age > 30 and rng.random() < 0.45:
            self._family(client.id, name, gender, age)
        if closed:
            self._policies(client.id, name, person.role)
            self.store.clients.set_consent(self.agent_id, client.id,
                                           "marketing" if rng.random() < 0.5 else "service")
        if person.role != "name":
            # the first D prospect has met the agent three times: the card suggests moving on
            first_d = next(i for i, p in enumerate(ROSTER) if p.role == "D")
            self._contacts(client.id, person.role if not closed else "closed",
                           meetings=3 if index == first_d else None)
        return client.id

    def _chinese_name(self, gender: str) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES[gender])
            if name not in self.names:
                self.names.add(name)
                return self.text(name)

    def _phone(self) -> str:
        prefixes, length = MOBILE_FORMATS[self.region]
        while True:
            national = self.rng.choice(prefixes) + "".join(
                str(self.rng.randint(0, 9)) for _ in range(length))
            phone = normalize_phone(national, self.region)
            if phone and phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _birthday(self, age: int, *, soon: bool = False) -> YearlyDate:
        """Solar with a year mostly; some lunar (农历), some without a year."""
        rng = self.rng
        if soon:
            near = self.today + timedelta(days=rng.randint(1, 6))
            return YearlyDate(near.month, 28 if (near.month, near.day) == (2, 29) else near.day,
                              year=self.today.year - age)
        kind = rng.random()
        year = self.today.year - age
        while True:
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            try:
                if kind < 0.6:
                    return YearlyDate(month, day, year=year)
                if kind < 0.75:
                    return YearlyDate(month, day)
                if kind < 0.9:
                    return YearlyDate(month, day, lunar=True, year=year)
                return YearlyDate(month, day, lunar=True)
            except ValueError:
                continue

    def _family(self, client_id: int, name: str, gender: str, age: int) -> None:
        rng = self.rng
        spouse_gender = "f" if gender == "m" else "m"
        spouse = self._relative(name, spouse_gender, own_surname=False)
        records.add_family_member(self.store, self.agent_id, client_id, relation="spouse",
                                  name=spouse, gender=spouse_gender,
                                  birthday=self._birthday(age + rng.randint(-3, 3)).to_storage())
        wedding = YearlyDate(rng.randint(1, 12), rng.randint(1, 28),
                             year=self.today.year - rng.randint(2, max(3, age - 25)))
        records.add_date(self.store, self.agent_id, client_id, kind="wedding", label=None,
                         yearly=wedding.to_storage())
        for _ in range(rng.randint(0, 2) if age < 50 else 0):
            child_gender = rng.choice(("m", "f"))
            child_age = rng.randint(1, max(1, age - 27))
            # children carry the father's surname: the client's, or the husband's
            surname_from = name if gender == "m" else spouse
            child = self._relative(surname_from, child_gender, own_surname=True)
            records.add_family_member(self.store, self.agent_id, client_id, relation="child",
                                      name=child, gender=child_gender,
                                      birthday=self._birthday(child_age).to_storage())

    def _relative(self, name: str, gender: str, *, own_surname: bool) -> str:
        """A family member's name: sharing `name`'s surname, or with one of their own."""
        if name.isascii():
            first = {"m": ("Kevin", "Marcus", "Ryan"), "f": ("Grace", "Sarah", "Chloe")}
            return f"{self.rng.choice(first[gender])} {name.split()[-1]}"
        surname = name[0] if own_surname else self.text(self.rng.choice(SURNAMES))
        return surname + self.text(self.rng.choice(GIVEN_NAMES[gender]))

    # -- policies ---------------------------------------------------------------------------
    def _policies(self, client_id: int, name: str, tier: str) -> None:
        rng = self.rng
        plan = rng.choice(TIER_PLANS[tier])
        low, high = TIER_BOUNDS[tier]
        premiums = [self._premium(product) for product in plan]
        while sum(premiums) > high * self.factor:  # keep the tier what the roster says
            premiums = [_round_money(p * 0.8) for p in premiums]
        if sum(premiums) < low * self.factor:
            premiums[0] += round((low * self.factor - sum(premiums)) / 100 + 1) * 100
        for position, (product, premium) in enumerate(zip(plan, premiums, strict=True)):
            title, product_type, _range, multiple = product
            this_month = tier == "regular" and position == 0 and rng.random() < 0.3
            start = self._start_date(this_month)
            term = 1 if product_type in ("medical", "accident") else rng.choice((10, 20))
            insured = name
            if product_type == "education":
                children = [m for m in self.store.clients.family_of(self.agent_id, client_id)
                            if m.relation == "child"]
                insured = children[0].name if children else name
            records.add_policy(self.store, self.agent_id, client_id, {
                "policy_no": self._policy_no(), "product": self.text(title),
                "product_type": product_type, "insured": insured, "holder": name,
                "sum_insured": float(premium * multiple), "annual_premium": float(premium),
                "currency": self.currency, "start_date": start, "payment_term_years": term,
                "payment_frequency": "monthly" if rng.random() < 0.15 else "annual",
                "status": "active",
                "next_due_date": _next_anniversary(start, self.today),
                "delivered_date": None if this_month else start + timedelta(days=10),
                "source": "new" if position == 0 else rng.choice(("upsell", "upsell", "referral")),
            })
        if tier == "regular" and rng.random() < 0.25:  # an old policy that lapsed
            start = self.today - timedelta(days=rng.randint(900, 2000))
            records.add_policy(self.store, self.agent_id, client_id, {
                "policy_no": self._policy_no(), "product": self.text(ACCIDENT[0]),
                "product_type": "accident", "insured": name, "holder": name,
                "annual_premium": float(self._premium(ACCIDENT)), "currency": self.currency,
                "start_date": start, "payment_term_years": 1, "status": "lapsed"})

    def _premium(self, product: Sequence[Any]) -> int:
        low, high = product[2]
        return _round_money(self.rng.randint(low, high) * self.factor)

    def _start_date(self, this_month: bool) -> date:
        if this_month:
            return self.today.replace(day=self.rng.randint(1, self.today.day))
        return self.today - timedelta(days=self.rng.randint(60, 365 * 8))

    def _policy_no(self) -> str:
        self.policy_serial += 1
        return f"P{self.today.year % 100:02d}{self.rng.randint(1000, 9999)}{self.policy_serial:04d}"

    # -- contact log ----------------------------------------------------------------------
    def _contacts(self, client_id: int, kind: str, *, meetings: int | None = None) -> None:
        rng = self.rng
        count = meetings or rng.randint(1, 4)
        days = sorted((rng.randint(1, 60) for _ in range(count)), reverse=True)
        for position, days_ago in enumerate(days):
            at = datetime.combine(self.today - timedelta(days=days_ago),
                                  time(rng.randint(9, 19), rng.choice((0, 15, 30, 45))),
                                  tzinfo=self.zone)
            latest = position == len(days) - 1
            next_step = next_date = None
            if latest:
                next_step = self.text(NEXT_STEPS[kind])
                next_date = self.today + timedelta(days=rng.randint(-5, 14))
            records.log_contact(self.store,
                                self.agent_id, client_id, at=at,
                                channel="face" if meetings else rng.choice(CHANNELS),
                                summary=self.text(rng.choice(CONTACT_NOTES[kind])),
                                next_step=next_step,
                                next_step_date=next_date)

    # -- group clients ----------------------------------------------------------------------
    def _group_closed(self) -> int:
        name = self.text("华盛精密制造有限公司")
        client = records.add_client(self.store, self.agent_id, {
            "kind": "group", "name": name, "phone": self._phone(),
            "address": self.text(ADDRESSES[self.region][2]),
            "occupation": self.text("制造业 · 员工约 320 人"),
            "notes": self.text("老板是客户王总的大学同学，转介绍来的"),
            "group_profile": {
                "industry": self.text("制造业"), "employees": 320, "source": "direct",
                "credit": {"potential": 85, "negative": 90, "reputation": 75, "operations": 80},
                "loss_ratio": 0.32, "expense_ratio": 0.18, "profitability": "good",
                "guide": self.text("行政部 李姐"),
            },
        }, search_key=search_key(name), tags=[self.text("企业主")])
        for role, person, won in (("user", "人事经理 刘敏", True),
                                  ("purchaser", "采购部 王经理", True),
                                  ("gatekeeper", "财务总监 陈总", False),
                                  ("decider", "总经理 赵总", True)):
            self.store.clients.set_group_role(self.agent_id, client.id, role,
                                              person=self.text(person),
                                              won=won)
        for product in (GROUP_ACCIDENT, GROUP_MEDICAL):
            start = self.today - timedelta(days=self.rng.randint(100, 700))
            premium = self._premium(product)
            records.add_policy(self.store, self.agent_id, client.id, {
                "policy_no": self._policy_no(), "product": self.text(product[0]),
                "product_type": "group", "holder": name, "insured": self.text("全体员工"),
                "sum_insured": float(premium * product[3]), "annual_premium": float(premium),
                "currency": self.currency, "start_date": start, "payment_term_years": 1,
                "next_due_date": _next_anniversary(start, self.today), "source": "referral"})
        records.add_date(self.store, self.agent_id, client.id, kind="custom",
                         label=self.text("公司周年庆"), yearly=YearlyDate(9, 18).to_storage())
        self._contacts(client.id, "group")
        return client.id

    def _group_prospect(self) -> int:
        name = self.text("城东物流集团")
        client = records.add_client(self.store, self.agent_id, {
            "kind": "group", "name": name,
            "occupation": self.text("物流 · 员工约 1,200 人"),
            "notes": self.text("今年团险要招标，竞争对手是现在的承保公司"),
            "group_profile": {
                "industry": self.text("物流"), "employees": 1200, "source": "tender",
                "credit": {"potential": 70, "negative": 60, "reputation": 80, "operations": 65},
                "loss_ratio": 0.46, "expense_ratio": 0.21, "profitability": "average",
            },
        }, search_key=search_key(name), tags=[self.text("招标")])
        for role, person, won in (("user", "人事部 周主管", False),
                                  ("decider", "副总裁 孙总", False)):
            self.store.clients.set_group_role(self.agent_id, client.id, role,
                                              person=self.text(person),
                                              won=won)
        self._contacts(client.id, "group")
        return client.id


def _round_money(value: float) -> int:
    """A premium as people quote it: to the hundred, or to the ten below 2,000."""
    step = 100 if value >= 2_000 else 10
    return max(step, round(value / step) * step)


def _next_anniversary(start: date, today: date) -> date:
    """The next policy anniversary on or after today (28 Feb for a 29 Feb start)."""
    for year in (today.year, today.year + 1):
        day = min(start.day, 28) if start.month == 2 else start.day
        candidate = date(year, start.month, day)
        if candidate >= today and candidate > start:
            return candidate
    return date(today.year + 1, start.month, min(start.day, 28))


_converter: Any = None


def _hant(text: str) -> str:
    """Traditional characters for a zh-Hant agent's demo book."""
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("s2twp")
    return str(_converter.convert(text))
