"""Each client's derived schedule (occasions, tier, contact and review due dates): the domain
rules compute it from the client's records, the store keeps it. Every write about a client
calls refresh_clients after it, as an explicit step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from coachbot.domain import reminders
from coachbot.domain.models import Client
from coachbot.store import Store


def refresh_clients(store: Store, agent_id: int, client_ids: Sequence[int]) -> None:
    """Re-derive these clients' schedules (a fixed number of statements for any number)."""
    inputs = store.schedule.derivation_inputs(agent_id, client_ids)
    if inputs is not None:
        _derive(store, agent_id, inputs)


def refresh_new_client(store: Store, agent_id: int, client: Client) -> None:
    """refresh_clients for a client inserted in this transaction: no family, key date, policy
    or review refers to it yet, so its schedule is derived from the client alone (a quick add
    reads nothing else)."""
    zone = store.schedule.agent_zone(agent_id)
    if zone is not None:
        _derive(store, agent_id, reminders.DerivationInputs(*zone, [client], {}, {}, {}, {}))


def _derive(store: Store, agent_id: int, inputs: reminders.DerivationInputs) -> None:
    now = store.clock.now()
    schedules = reminders.derive_schedules(inputs, now, store.tier_thresholds)
    store.schedule.save_derived(agent_id, schedules,
                                reminders.catch_up_from(now, inputs.timezone))


def refresh_client(store: Store, agent_id: int, client_id: int | None) -> None:
    """refresh_clients for one client (nothing when there is none)."""
    if client_id is not None:
        refresh_clients(store, agent_id, [client_id])


def roll_occasions_forward(store: Store, before: date, *, batch: int = 50_000) -> int:
    """Move occasions whose date passed more than a catch-up window ago to next year's."""
    passed = store.schedule.occasions_passed(before, batch=batch)
    store.schedule.move_occasions(reminders.rolled_forward(passed, before))
    return len(passed)
