"""The agent's money view for /stats and /book, and the settings it depends on: the commission
rate, monthly targets per business source, and each client's origin."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachbot.domain.models import ORIGINS, Agent, Client
from coachbot.domain.money import (
    MoneyView,
    Renewal,
    installment,
    money_view,
    parse_rate,
    parse_source_targets,
    source_from_text,
)
from coachbot.domain.regions import currency_for
from coachbot.domain.stats import month_bounds
from coachbot.services import records
from coachbot.store import Store


def month_money(store: Store, agent: Agent, now: datetime) -> MoneyView:
    """This month so far: premium written (first-year, annualised), policies, the income
    estimate at the agent's rate, renewals to collect this month, sources against targets."""
    zone = ZoneInfo(agent.timezone)
    today = now.astimezone(zone).date()
    first, last = month_bounds(today)
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone)
    currency = currency_for(agent.region)
    sold = store.clients.policies_sold_between(agent.id, first, last, start, end)
    renewals = [Renewal(p.client_id, name, p.product,
                        installment(p.annual_premium, p.payment_frequency),
                        p.currency or currency, p.next_due_date)
                for p, name in store.clients.renewals_due_between(agent.id, first, last)
                if p.next_due_date is not None]
    return money_view(currency, agent.commission_rate, sold, renewals, agent.source_targets)


def set_commission_rate(store: Store, agent: Agent, typed: str) -> Agent | None:
    """The agent's first-year commission rate from what they typed ("35%"); None if unreadable
    (the template bad_commission says how to write it)."""
    rate = parse_rate(typed)
    if rate is None:
        return None
    return store.agents.update_agent(agent.id, commission_rate=rate)


def set_source_targets(store: Store, agent: Agent, typed: str) -> Agent | None:
    """Monthly policy targets per source (新增 加保 转介绍) from "1 1 0"; None if unreadable."""
    targets = parse_source_targets(typed)
    if targets is None:
        return None
    return store.agents.update_agent(agent.id, source_targets=targets)


def set_client_origin(store: Store, agent: Agent, client_id: int,
                      origin: str | None) -> Client | None:
    """Where a client came from: warm (缘故), referral (转介绍), cold (陌生), or None."""
    if origin is not None and origin not in ORIGINS:
        origin = source_from_text(origin)
        if origin is None:
            return None
    return records.update_client(store, agent.id, client_id, {"origin": origin})
