"""The agents themselves: first contact, preferences, onboarding, reachability."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from coachbot.domain import reminders
from coachbot.domain.models import Agent
from coachbot.store import Store


def ensure_agent(store: Store, user_id: int, *, first_name: str, username: str | None,
                 locale: str) -> Agent:
    """The agent of a Telegram user, created on first contact; reachable again if they wrote."""
    agent = store.agents.ensure_agent(user_id, first_name=first_name, username=username,
                                      locale=locale)
    if agent.blocked_at is not None:
        store.agents.mark_reachable(agent.id)
    return agent


def get_agent(store: Store, agent_id: int) -> Agent | None:
    """An agent by id, if the bot knows them."""
    return store.agents.get_agent(agent_id)


def update_preferences(store: Store, agent_id: int, **changes: Any) -> Agent:
    """Save preferences (language, region and zone, push times, target, tone, signature)."""
    return store.agents.update_agent(agent_id, **changes)


def finish_onboarding(store: Store, agent: Agent, now: datetime) -> None:
    """Onboarded; today's pushes already past their time wait for tomorrow."""
    store.agents.mark_onboarded(agent.id)
    local = reminders.local_now(now, agent.timezone)
    for kind in reminders.pushes_already_past(local, agent.digest_time, agent.eod_time):
        store.agents.mark_daily_done(agent.id, kind, local.date())


def mark_blocked(store: Store, agent_id: int) -> None:
    """The agent blocked the bot: no pushes until they write again."""
    store.agents.mark_blocked(agent_id)
