"""What a plan for a client has to cover at their tier, for proposals and policy reviews."""

from __future__ import annotations

from collections.abc import Mapping

from coachbot.domain.classify import total_premium
from coachbot.domain.models import Agent
from coachbot.domain.regions import currency_for
from coachbot.domain.tiers import TierDesign, design_for_premium
from coachbot.store import Store


def client_design(store: Store, agent: Agent, client_id: int,
                  thresholds: Mapping[str, tuple[int, int]], *,
                  planned_premium: float = 0.0) -> TierDesign | None:
    """The design focus for a client, counting a proposal's planned annual premium.

    With a planned premium the tier is the one the client will be in once the plan is bought
    (a prospect's first plan, or an upsell that crosses a band), and `current` says where they
    are now. Render it with templates/<locale>/common/tier_design.j2 (`design`). None for a
    client who is not this agent's, or who has no premium and none planned.
    """
    if store.clients.get_client(agent.id, client_id) is None:
        return None
    premium = total_premium(store.clients.policies_of(agent.id, client_id))
    return design_for_premium(premium, max(planned_premium, 0.0), currency_for(agent.region),
                              thresholds)
