"""A client's proposals (plans put to the client): the list, a short typed flow for a new one,
and each step of its life (sent, explanation booked, explained with the client's reaction,
accepted, declined).

The stage a change suggests is offered as the card's one-tap "accept stage" button.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from telegram import Update

from coachbot.domain.coaching.proposals import DECLINE_REASONS, FREQUENCIES, Proposal
from coachbot.domain.models import Agent, Client, Dialog
from coachbot.domain.regions import currency_for
from coachbot.handlers.common import (
    CoachContext,
    chat_id_of,
    edit_or_reply,
    label,
    reply,
    typed_answer,
)
from coachbot.handlers.dispatch import Action, Buttons, Feature, Press, on_client
from coachbot.render.buttons import CARD, PROPOSAL, open_card
from coachbot.runtime.messages import Button, inline_keyboard
from coachbot.scripts.model import LocaleScripts
from coachbot.services import book, clients, dialogs, proposals
from coachbot.services.proposals import POLICY_TYPES, ProposalError

FLOW = "proposal"
# the products offered when a proposal is made (the script library's ids)
PRODUCTS = ("critical_illness", "term_life", "whole_life", "medical", "accident", "annuity",
            "education", "endowment")
# the typed steps of a new proposal, in order; then the frequency is picked
NEW_STEPS = ("sum_insured", "premium")
ProposalStep = Callable[[Press, Proposal, Client], Awaitable[None]]


def _today(context: CoachContext, agent: Agent) -> date:
    return book.agent_today(agent, context.services.clock.now())


def _scripts(context: CoachContext, agent: Agent) -> LocaleScripts:
    return context.services.library.get(agent.locale)


def _on_proposal(step: ProposalStep) -> Action:
    """pp:<action>:<proposal id>[:<choice>]: the presser's proposal, or nothing."""
    async def run(press: Press) -> None:
        proposal_id = press.int_arg(0)
        proposal = proposals.get_proposal(press.store, press.agent.id, proposal_id) \
            if proposal_id is not None else None
        client = clients.get_client(press.store, press.agent.id, proposal.client_id) \
            if proposal is not None else None
        if proposal is None or client is None:
            await press.stale()
            return
        try:
            await step(press, proposal, client)
        except ProposalError:  # already accepted or declined: show it as it is
            await _show(press.update, press.context, press.agent, proposal, client)
    return run


# -- the list and one proposal ------------------------------------------------------------------
async def _list(press: Press, client: Client) -> None:
    found = proposals.proposals_of(press.store, press.agent.id, client.id)
    rows: list[list[Button]] = [
        [(f"{i + 1}. " + press.label(f"proposal_status.{p.status}"),
          PROPOSAL.data("open", p.id))] for i, p in enumerate(found[:8])]
    rows.append([(press.label("proposal_buttons.new"), PROPOSAL.data("new", client.id)),
                 (press.label("buttons.back"), open_card(client.id))])
    await press.edit("coaching/proposals", client=client, proposals=found,
                     scripts=_scripts(press.context, press.agent),
                     currency=currency_for(press.agent.region), keyboard=inline_keyboard(rows))


def _actions(context: CoachContext, agent: Agent, proposal: Proposal) -> list[list[Button]]:
    """What can happen next to the proposal, by where it stands."""
    def b(key: str, action: str) -> Button:
        return label(context, agent, f"proposal_buttons.{key}"), PROPOSAL.data(action, proposal.id)

    if not proposal.open:
        return []
    rows = []
    if proposal.sent_on is None and proposal.explained_on is None:
        rows.append([b("sent", "sent"), b("book", "book")])
    elif proposal.explained_on is None:
        rows.append([b("book", "book")])
    rows.append([b("explained", "explained")] if proposal.explained_on is None else [])
    if proposal.objection_open:
        rows.append([b("resolved", "resolve")])
    rows.append([b("accept", "accept"), b("decline", "decline")])
    return [r for r in rows if r]


async def _show(update: Update, context: CoachContext, agent: Agent, proposal: Proposal,
                client: Client, *, notice: str | None = None, fresh: bool = False,
                suggested: str | None = None) -> None:
    """The proposal, its next steps, and the stage it suggests as a one-tap change."""
    rows = _actions(context, agent, proposal)
    if suggested:
        rows.insert(0, [(label(context, agent, "card.accept_stage", stage=suggested),
                         CARD.data("set_stage", client.id, suggested))])
    rows.append([(label(context, agent, "proposal_buttons.list"),
                  PROPOSAL.data("list", client.id)),
                 (label(context, agent, "coaching.to_card"), open_card(client.id, new=True))])
    values: dict[str, Any] = {
        "proposal": proposal, "client": client, "scripts": _scripts(context, agent),
        "currency": currency_for(agent.region), "notice": notice, "suggested_stage": suggested}
    if fresh:
        await reply(update, context, agent, "coaching/proposal",
                    keyboard=inline_keyboard(rows), **values)
        return
    await edit_or_reply(update, context, agent, "coaching/proposal",
                        keyboard=inline_keyboard(rows), **values)


async def _open(press: Press, proposal: Proposal, client: Client) -> None:
    """pp:o:<proposal>[:new]: in place, or (from a digest's follow-up) as a new message."""
    await _show(press.update, press.context, press.agent, proposal, client,
                fresh=press.arg(1) == "new")


# -- a new proposal: product, sum insured, premium, frequency -----------------------------------
async def _new(press: Press, client: Client) -> None:
    scripts = _scripts(press.context, press.agent)
    buttons = [(scripts.products[p].label[:30], PROPOSAL.data("product", client.id, p))
               for p in PRODUCTS if p in scripts.products and p in POLICY_TYPES]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(press.label("buttons.back"), PROPOSAL.data("list", client.id))])
    await press.edit("coaching/proposal_ask", client=client, field="products",
                     keyboard=inline_keyboard(rows))


async def _product(press: Press, client: Client) -> None:
    product = press.arg(1)
    if product not in POLICY_TYPES:
        await press.stale()
        return
    made = proposals.create_proposal(press.store, press.agent.id, client.id,
                                     {"products": (product,)},
                                     _today(press.context, press.agent))
    if made is None:
        await press.stale()
        return
    await _ask(press, made.proposal, client, NEW_STEPS[0])


async def _ask(press: Press, proposal: Proposal, client: Client, field: str, *,
               error: str | None = None) -> None:
    press.set_dialog(Dialog(FLOW, field, {"proposal": proposal.id}))
    await press.reply("coaching/proposal_ask", client=client, field=field, error=error,
                      keyboard=press.typed_answer(f"proposal.{field}"))


async def _frequency(press: Press, proposal: Proposal, client: Client) -> None:
    choice = press.arg(1)
    if choice not in FREQUENCIES:
        rows = [[(press.label(f"frequencies.{f}"), PROPOSAL.data("frequency", proposal.id, f))
                 for f in FREQUENCIES]]
        await press.reply("coaching/proposal_ask", client=client, field="frequency",
                          keyboard=inline_keyboard(rows))
        return
    done = proposals.update_proposal(press.store, press.agent.id, proposal.id,
                                     {"frequency": choice})
    if done is None:
        await press.stale()
        return
    await _show(press.update, press.context, press.agent, done.proposal, client,
                notice="saved", suggested=done.suggested_stage)


# -- its life: sent, booked, explained, objection handled, accepted, declined -------------------
async def _sent(press: Press, proposal: Proposal, client: Client) -> None:
    done = proposals.mark_sent(press.store, press.agent.id, proposal.id,
                               _today(press.context, press.agent))
    if done is not None:
        await _show(press.update, press.context, press.agent, done.proposal, client,
                    notice="sent", suggested=done.suggested_stage)


async def _book(press: Press, proposal: Proposal, client: Client) -> None:
    await _ask(press, proposal, client, "explain_on")


async def _explained(press: Press, proposal: Proposal, client: Client) -> None:
    await _ask(press, proposal, client, "reaction")


async def _resolve(press: Press, proposal: Proposal, client: Client) -> None:
    done = proposals.resolve_objection(press.store, press.agent.id, proposal.id)
    if done is not None:
        await _show(press.update, press.context, press.agent, done.proposal, client,
                    notice="resolved", suggested=done.suggested_stage)


async def _accept(press: Press, proposal: Proposal, client: Client) -> None:
    scripts = _scripts(press.context, press.agent)
    labels = {pid: product.label for pid, product in scripts.products.items()}
    accepted = proposals.accept_proposal(press.store, press.agent.id, proposal.id,
                                         _today(press.context, press.agent),
                                         product_labels=labels)
    if accepted is None:
        await press.stale()
        return
    rows = [[(press.label("coaching.to_card"), open_card(client.id, new=True))]]
    await press.edit("coaching/proposal_accepted", client=client, accepted=accepted,
                     currency=currency_for(press.agent.region), keyboard=inline_keyboard(rows))


async def _decline(press: Press, proposal: Proposal, client: Client) -> None:
    buttons = [(press.label(f"decline_reasons.{r}"), PROPOSAL.data("reason", proposal.id, r))
               for r in DECLINE_REASONS]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(press.label("buttons.back"), PROPOSAL.data("open", proposal.id))])
    await press.edit("coaching/proposal", proposal=proposal, client=client,
                     scripts=_scripts(press.context, press.agent),
                     currency=currency_for(press.agent.region), keyboard=inline_keyboard(rows))


async def _reason(press: Press, proposal: Proposal, client: Client) -> None:
    reason = press.arg(1)
    if reason not in DECLINE_REASONS:
        await press.stale()
        return
    done = proposals.decline_proposal(press.store, press.agent.id, proposal.id,
                                      _today(press.context, press.agent), reason=reason)
    if done is None:
        await press.stale()
        return
    rows = [[(press.label("coaching.to_card"), open_card(client.id, new=True))]]
    await press.edit("coaching/proposal_declined", client=client, proposal=done.proposal,
                     keyboard=inline_keyboard(rows))


# -- typed values -------------------------------------------------------------------------------
async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A typed sum insured, premium, explanation date or the client's reaction."""
    message = update.effective_message
    assert message is not None and message.text is not None
    store, field = context.services.store, dialog.step
    proposal = proposals.get_proposal(store, agent.id, int(dialog.data["proposal"]))
    client = clients.get_client(store, agent.id, proposal.client_id) if proposal else None
    if proposal is None or client is None or not proposal.open:
        dialogs.clear_dialog(store, agent.id, message.chat_id)
        await reply(update, context, agent, "general/stale_button")
        return
    today = _today(context, agent)
    value, error = proposals.parse_field(field, message.text, today)
    if error:
        await reply(update, context, agent, "coaching/proposal_ask", client=client,
                    field=field, error=error,
                    keyboard=typed_answer(context, agent, f"proposal.{field}"))
        return
    dialogs.clear_dialog(store, agent.id, message.chat_id)
    await _typed(update, context, agent, proposal, client, field, value)


async def _typed(update: Update, context: CoachContext, agent: Agent, proposal: Proposal,
                 client: Client, field: str, value: Any) -> None:
    store, pid = context.services.store, proposal.id
    if field == "explain_on":
        done, notice = proposals.book_explanation(store, agent.id, pid, value), "booked"
    elif field == "reaction":
        done = proposals.mark_explained(store, agent.id, pid, _today(context, agent),
                                        reaction=value, library=context.services.library,
                                        locale=agent.locale)
        notice = "explained"
    else:
        done, notice = proposals.update_proposal(store, agent.id, pid, {field: value}), "saved"
    if done is None:
        await reply(update, context, agent, "general/stale_button")
        return
    if field in NEW_STEPS and field != NEW_STEPS[-1]:
        following = NEW_STEPS[NEW_STEPS.index(field) + 1]
        dialogs.set_dialog(store, agent.id, chat_id_of(update), Dialog(
            FLOW, following, {"proposal": pid}))
        await reply(update, context, agent, "coaching/proposal_ask", client=client,
                    field=following, keyboard=typed_answer(context, agent, f"proposal.{following}"))
        return
    if field == NEW_STEPS[-1]:
        rows = [[(label(context, agent, f"frequencies.{f}"), PROPOSAL.data("frequency", pid, f))
                 for f in FREQUENCIES]]
        await reply(update, context, agent, "coaching/proposal_ask", client=client,
                    field="frequency", keyboard=inline_keyboard(rows))
        return
    await _show(update, context, agent, done.proposal, client, notice=notice, fresh=True,
                suggested=done.suggested_stage)


FEATURE = Feature(
    buttons=(Buttons(PROPOSAL, {
        "list": on_client(_list), "new": on_client(_new), "product": on_client(_product),
        "open": _on_proposal(_open), "frequency": _on_proposal(_frequency),
        "sent": _on_proposal(_sent), "book": _on_proposal(_book),
        "explained": _on_proposal(_explained), "resolve": _on_proposal(_resolve),
        "accept": _on_proposal(_accept), "decline": _on_proposal(_decline),
        "reason": _on_proposal(_reason),
    }),),
    text_steps={FLOW: on_text},
)
