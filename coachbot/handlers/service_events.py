"""Service that moves a client: gatherings (invited, attended) and claims, servicing, renewals.

The card's button opens a menu of kinds; the agent types a title; the reply says what the event
sets in motion (a stage to accept, a referral to ask for) and offers the next status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update

from coachbot.domain.models import SERVICE_STATUSES, Agent, Client, Dialog
from coachbot.handlers.coaching import suggest_referral
from coachbot.handlers.common import CoachContext, label, reply, typed_answer
from coachbot.handlers.dispatch import Action, Buttons, Feature, Press
from coachbot.render.buttons import CARD, SERVICE, open_card
from coachbot.runtime.messages import Button, inline_keyboard
from coachbot.services import clients, dialogs, service_events
from coachbot.services.service_events import ServiceOutcome

FLOW = "service"
# the next statuses an event can move to, by its current status
NEXT: dict[str, tuple[str, ...]] = {"invited": ("attended", "missed"),
                                    "filed": ("paid", "declined"), "open": ("done",)}

ClientStep = Callable[[Press, Client], Awaitable[None]]


def _on_client(step: ClientStep) -> Action:
    """se:<action>:<client>[:<kind>]: only a client of the presser's."""
    async def run(press: Press) -> None:
        client_id = press.int_arg(0)
        client = clients.get_client(press.store, press.agent.id, client_id) \
            if client_id is not None else None
        if client is None:
            await press.reply("clients/not_found")
            return
        await step(press, client)
    return run


async def _menu(press: Press, client: Client) -> None:
    """se:m:<client>: one button per kind of service, the history, back to the card."""
    kinds = [(press.label(f"service.kind_{kind}"), SERVICE.data("kind", client.id, kind))
             for kind in SERVICE_STATUSES]
    rows = [kinds[i:i + 2] for i in range(0, len(kinds), 2)]
    rows.append([(press.label("service.history"), SERVICE.data("history", client.id)),
                 (press.label("buttons.back"), open_card(client.id))])
    await press.edit("service_events/menu", client=client, keyboard=inline_keyboard(rows))


async def _kind(press: Press, client: Client) -> None:
    """se:k:<client>:<kind>: ask what the gathering or the claim is called."""
    kind = press.arg(1)
    if kind not in SERVICE_STATUSES:
        await press.stale()
        return
    press.set_dialog(Dialog(FLOW, "title", {"client": client.id, "kind": kind}))
    await press.reply("service_events/ask_title", kind=kind, client=client,
                      keyboard=press.typed_answer(f"service.{kind}"))


async def _history(press: Press, client: Client) -> None:
    """se:h:<client>: the client's gatherings and claims, newest first."""
    events = service_events.events_of(press.store, press.agent.id, client.id)
    # what is still under way can be moved on from here (a gathering once it is over)
    rows = [[(f"{press.label(f'service.to_{status}')} · {(e.title or '')[:16]}",
              SERVICE.data("status", e.id, status)) for status in NEXT[e.status]]
            for e in events if e.status in NEXT][:5]
    rows.append([(press.label("service.record"), SERVICE.data("menu", client.id)),
                 (press.label("buttons.back"), open_card(client.id))])
    await press.edit("service_events/list", client=client, events=events,
                     keyboard=inline_keyboard(rows))


async def _status(press: Press) -> None:
    """se:st:<event>:<status>: move an event on (attended, paid, done...)."""
    event_id = press.int_arg(0)
    outcome = service_events.update_status(press.store, press.agent, event_id, press.arg(1),
                                           press.services.clock.now()) \
        if event_id is not None else None
    if outcome is None:
        await press.stale()
        return
    await _recorded(press.update, press.context, press.agent, outcome)


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """The title typed for a new event: record it and say what it sets in motion."""
    message = update.effective_message
    assert message is not None and message.text is not None
    services = context.services
    title = service_events.clean_title(message.text)
    if not title:
        await reply(update, context, agent, "clients/field_error", error="empty",
                    keyboard=typed_answer(context, agent, f"service.{dialog.data['kind']}"))
        return
    dialogs.clear_dialog(services.store, agent.id, message.chat_id)
    outcome = service_events.record_event(services.store, agent, int(dialog.data["client"]),
                                          str(dialog.data["kind"]), services.clock.now(),
                                          title=title)
    if outcome is None:
        await reply(update, context, agent, "clients/not_found")
        return
    await _recorded(update, context, agent, outcome)


async def _recorded(update: Update, context: CoachContext, agent: Agent,
                    outcome: ServiceOutcome) -> None:
    """service_events/recorded.j2, the next statuses as buttons, then a referral prompt when
    the event opened a referral moment."""
    client_id = outcome.event.client_id
    client = clients.get_client(context.services.store, agent.id, client_id)
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    await reply(update, context, agent, "service_events/recorded", client=client,
                outcome=outcome, keyboard=_recorded_keyboard(context, agent, outcome))
    if outcome.referral_moment:
        await suggest_referral(update, context, agent, client_id, outcome.referral_moment)


def _recorded_keyboard(context: CoachContext, agent: Agent,
                       outcome: ServiceOutcome) -> InlineKeyboardMarkup:
    event = outcome.event
    rows: list[list[Button]] = [[
        (label(context, agent, f"service.to_{status}"), SERVICE.data("status", event.id, status))
        for status in NEXT.get(event.status, ())]]
    if outcome.suggested_stage:
        rows.append([(label(context, agent, "card.accept_stage", stage=outcome.suggested_stage),
                      CARD.data("set_stage", event.client_id, outcome.suggested_stage))])
    rows.append([(label(context, agent, "service.history"),
                  SERVICE.data("history", event.client_id)),
                 (label(context, agent, "buttons.back"), open_card(event.client_id))])
    return inline_keyboard([row for row in rows if row])


FEATURE = Feature(
    buttons=(Buttons(SERVICE, {
        "menu": _on_client(_menu), "kind": _on_client(_kind), "history": _on_client(_history),
        "status": _status,
    }),),
    text_steps={FLOW: on_text},
)
