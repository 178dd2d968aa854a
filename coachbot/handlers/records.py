"""A client's family members, policies and important dates: list, add, edit, remove."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from telegram import Update

from coachbot.domain.clients import clean_text
from coachbot.domain.dates import parse_yearly_date
from coachbot.domain.models import DATE_KINDS, RELATIONS, Agent, Dialog
from coachbot.handlers.card import show_card
from coachbot.handlers.coaching import suggest_referral
from coachbot.handlers.common import (
    CoachContext,
    chat_id_of,
    label,
    reply,
    show,
    typed_answer,
)
from coachbot.handlers.dispatch import Action, Buttons, Feature, Press
from coachbot.render.buttons import RECORDS, open_card
from coachbot.runtime.messages import Button, inline_keyboard
from coachbot.services import book, clients, dialogs, records
from coachbot.services.coach import guess_product_type

FLOW = "record"
# the lists: action name -> kind ("fam", "pol", "dat" name their templates and labels)
LISTS = {"family": "fam", "policies": "pol", "dates": "dat"}
ADD_ACTIONS = {"fam": "add_family", "pol": "add_policy", "dat": "add_date"}

ClientStep = Callable[[Press, int], Awaitable[None]]
TypedStep = Callable[[Update, CoachContext, Agent, Dialog, str], Awaitable[None]]
YearlySave = Callable[[Update, CoachContext, Agent, Dialog, str], Awaitable[None]]


def _for_client(step: ClientStep) -> Action:
    """rc:<action>:<client>[:<arg>...]: only about a client of the presser's."""
    async def run(press: Press) -> None:
        client_id = press.int_arg(0)
        if client_id is None or clients.get_client(press.store, press.agent.id,
                                                   client_id) is None:
            await press.stale()
            return
        await step(press, client_id)
    return run


async def show_records(press: Press, cid: int, kind: str) -> None:
    """The family ("fam"), policies ("pol") or dates ("dat") of a client, with buttons."""
    client = clients.get_client(press.store, press.agent.id, cid)
    if client is None:
        await press.reply("clients/not_found")
        return
    rows: list[list[Button]]
    items: list[object]
    if kind == "fam":
        family = records.family_of(press.store, press.agent.id, cid)
        items = list(family)
        rows = [[(f"✖ {m.name[:20]}", RECORDS.data("delete_family", cid, m.id))] for m in family]
    elif kind == "pol":
        policies = records.policies_of(press.store, press.agent.id, cid)
        items = list(policies)
        rows = [[(f"📄 {p.product[:24]}", RECORDS.data("policy", cid, p.id))] for p in policies]
    else:
        dates = records.dates_of(press.store, press.agent.id, cid)
        items = list(dates)
        rows = [[(f"✖ {d.label or press.label('date_kinds.' + d.kind)}"[:30],
                  RECORDS.data("delete_date", cid, d.id))] for d in dates]
    rows.append([(press.label(f"records.add_{kind}"), RECORDS.data(ADD_ACTIONS[kind], cid)),
                 (press.label("buttons.back"), open_card(cid))])
    await press.edit(f"records/{kind}_list", client=client, items=items,
                     currency=book.currency_for(press.agent.region),
                     keyboard=inline_keyboard(rows))


async def _list(press: Press, cid: int) -> None:
    await show_records(press, cid, LISTS[press.action])


# -- family -----------------------------------------------------------------------------------
async def _add_family(press: Press, cid: int) -> None:
    buttons = [(press.label(f"relations.{r}"), RECORDS.data("relation", cid, r))
               for r in RELATIONS]
    await press.edit("records/ask_relation", keyboard=inline_keyboard([buttons[:2], buttons[2:]]))


async def _relation(press: Press, cid: int) -> None:
    relation = press.arg(1)
    if relation not in RELATIONS:
        await press.stale()
        return
    press.set_dialog(Dialog(FLOW, "family_name", {"client_id": cid, "relation": relation}))
    await press.reply("records/ask_family_name", relation=relation,
                      client=clients.get_client(press.store, press.agent.id, cid),
                      keyboard=press.typed_answer("records.family_line"))


async def _delete_family(press: Press, cid: int) -> None:
    member_id = press.int_arg(1)
    if member_id is None:
        await press.stale()
        return
    records.delete_family_member(press.store, press.agent.id, member_id)
    await show_records(press, cid, "fam")


async def _skip_birthday(press: Press, cid: int) -> None:
    await _save_family(press.update, press.context, press.agent, press.dialog(), None)


async def _save_family(update: Update, context: CoachContext, agent: Agent,
                       dialog: Dialog | None, birthday: str | None) -> None:
    """The member was saved from its line; a birthday asked afterwards is added to it."""
    if dialog is None or dialog.flow != FLOW or dialog.step != "family_birthday":
        await reply(update, context, agent, "general/stale_button")
        return
    store, cid = context.services.store, int(dialog.data["client_id"])
    if birthday is not None and dialog.data.get("member_id") is not None:
        records.set_family_birthday(store, agent.id, int(dialog.data["member_id"]), birthday)
    dialogs.clear_dialog(store, agent.id, chat_id_of(update))
    await show_card(update, context, agent, cid, fresh=True, notice="saved")


# -- dates ------------------------------------------------------------------------------------
async def _add_date(press: Press, cid: int) -> None:
    buttons = [(press.label(f"date_kinds.{k}"), RECORDS.data("date_kind", cid, k))
               for k in DATE_KINDS]
    await press.edit("records/ask_date_kind", keyboard=inline_keyboard([buttons]))


async def _date_kind(press: Press, cid: int) -> None:
    kind = press.arg(1)
    if kind not in DATE_KINDS:
        await press.stale()
        return
    step = "date_label" if kind == "custom" else "date_value"
    press.set_dialog(Dialog(FLOW, step, {"client_id": cid, "kind": kind}))
    example = "records.date_label" if step == "date_label" else "records.yearly_date"
    await press.reply(f"records/ask_{step}", keyboard=press.typed_answer(example))


async def _delete_date(press: Press, cid: int) -> None:
    date_id = press.int_arg(1)
    if date_id is None:
        await press.stale()
        return
    records.delete_date(press.store, press.agent.id, date_id)
    await show_records(press, cid, "dat")


# -- policies ---------------------------------------------------------------------------------
async def _add_policy(press: Press, cid: int) -> None:
    press.set_dialog(Dialog(FLOW, "policy_new", {"client_id": cid, "step": 0, "values": {}}))
    await press.reply("records/ask_policy_field", field="product", new=True,
                      keyboard=press.typed_answer("policy.product"))


async def _policy(press: Press, cid: int) -> None:
    policy_id = press.int_arg(1)
    if policy_id is None:
        await press.stale()
        return
    await _policy_view(press.update, press.context, press.agent, cid, policy_id)


async def _policy_field(press: Press, cid: int) -> None:
    """rc:pf:<client>:<field>:<policy>: buttons for a choice, else ask for a typed value."""
    field_name, policy_id = press.arg(1), press.int_arg(2)
    if len(press.args) != 3 or policy_id is None or \
            records.get_policy(press.store, press.agent.id, policy_id) is None:
        await press.stale()
        return
    if field_name in book.POLICY_CHOICE_FIELDS:
        buttons = [(press.label(f"{field_name}.{v}"),
                    RECORDS.data("policy_choice", cid, field_name, policy_id, v))
                   for v in book.POLICY_CHOICE_FIELDS[field_name]]
        rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
        await press.edit("records/ask_policy_field", field=field_name, new=False,
                         keyboard=inline_keyboard(rows))
        return
    if field_name not in book.POLICY_TYPED_FIELDS:
        await press.stale()
        return
    press.set_dialog(Dialog(FLOW, "policy_edit", {
        "client_id": cid, "policy_id": policy_id, "field": field_name}))
    await press.reply("records/ask_policy_field", field=field_name, new=False,
                      keyboard=press.typed_answer(f"policy.{field_name}"))


async def _policy_choice(press: Press, cid: int) -> None:
    """rc:pc:<client>:<field>:<policy>:<value>"""
    field_name, policy_id, value = press.arg(1), press.int_arg(2), press.arg(3)
    if len(press.args) != 4 or policy_id is None or \
            value not in book.POLICY_CHOICE_FIELDS.get(field_name, ()):
        await press.stale()
        return
    records.update_policy(press.store, press.agent.id, policy_id, {field_name: value})
    await _policy_view(press.update, press.context, press.agent, cid, policy_id)


async def _delete_policy(press: Press, cid: int) -> None:
    policy_id = press.int_arg(1)
    if policy_id is None:
        await press.stale()
        return
    records.delete_policy(press.store, press.agent.id, policy_id)
    await show_records(press, cid, "pol")


async def _policy_view(update: Update, context: CoachContext, agent: Agent, cid: int,
                       policy_id: int, *, fresh: bool = False, notice: str | None = None) -> None:
    store = context.services.store
    policy = records.get_policy(store, agent.id, policy_id)
    if policy is None or policy.client_id != cid:
        await reply(update, context, agent, "general/stale_button")
        return
    fields = [*book.POLICY_TYPED_FIELDS, *book.POLICY_CHOICE_FIELDS]
    buttons = [(label(context, agent, f"policy_fields.{f}"),
                RECORDS.data("policy_field", cid, f, policy_id)) for f in fields]
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    rows.append([(label(context, agent, "records.delete_policy"),
                  RECORDS.data("delete_policy", cid, policy_id)),
                 (label(context, agent, "buttons.back"), RECORDS.data("policies", cid))])
    await show(update, context, agent, "records/policy", fresh=fresh,
               keyboard=inline_keyboard(rows), policy=policy,
               client=clients.get_client(store, agent.id, cid), notice=notice,
               currency=book.currency_for(agent.region))


# -- typed answers ----------------------------------------------------------------------------
async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """Typed answers while adding a family member, a date or a policy."""
    message = update.effective_message
    assert message is not None and message.text is not None
    step = TYPED_STEPS.get(dialog.step)
    if step is not None:
        await step(update, context, agent, dialog, message.text)


async def _refuse(update: Update, context: CoachContext, agent: Agent, error: str,
                  example: str) -> None:
    """Say what was wrong with a typed answer, the reply field open again with the example."""
    await reply(update, context, agent, "clients/field_error", error=error,
                keyboard=typed_answer(context, agent, example))


async def _typed_family_name(update: Update, context: CoachContext, agent: Agent,
                             dialog: Dialog, typed: str) -> None:
    """A name, maybe with a birthday ("Mary 1987-05-20"): the member saved at once; the birthday
    asked only if not typed."""
    store, cid = context.services.store, int(dialog.data["client_id"])
    chat_id = chat_id_of(update)
    draft = book.add_family_from_line(store, agent, cid, dialog.data["relation"], typed,
                                      _today(context, agent))
    if draft.name is None or draft.problems:
        error = "bad_date" if "bad_date" in draft.problems else "bad_name"
        await _refuse(update, context, agent, error, "records.family_line")
        return
    if draft.birthday is not None:
        dialogs.clear_dialog(store, agent.id, chat_id)
        await show_card(update, context, agent, cid, fresh=True, notice="saved")
        return
    member = next((m for m in reversed(records.family_of(store, agent.id, cid))
                   if m.name == draft.name), None)
    dialogs.set_dialog(store, agent.id, chat_id, Dialog(FLOW, "family_birthday", {
        **dialog.data, "name": draft.name, "member_id": member.id if member else None}))
    # the skip button matters more than a placeholder (a message carries one markup): the
    # birthday's examples stay in the prompt's text
    skip = [[(label(context, agent, "buttons.skip"), RECORDS.data("skip_birthday", cid))]]
    await reply(update, context, agent, "records/ask_family_birthday", name=draft.name,
                keyboard=inline_keyboard(skip))


def _yearly_date(save: YearlySave, example: str) -> TypedStep:
    """A step answered with a yearly date (a month and day, a lunar date, "1985-03-02"): what
    can't be read is refused with the example; the date, as stored, goes to `save`."""
    async def step(update: Update, context: CoachContext, agent: Agent, dialog: Dialog,
                   typed: str) -> None:
        yearly = parse_yearly_date(typed)
        if yearly is None:
            await _refuse(update, context, agent, "bad_date", example)
            return
        await save(update, context, agent, dialog, yearly.to_storage())
    return step


async def _typed_date_label(update: Update, context: CoachContext, agent: Agent,
                            dialog: Dialog, typed: str) -> None:
    text = clean_text(typed, 40)
    if not text:
        await _refuse(update, context, agent, "empty", "records.date_label")
        return
    dialogs.set_dialog(context.services.store, agent.id, chat_id_of(update),
                       Dialog(FLOW, "date_value", {**dialog.data, "label": text}))
    await reply(update, context, agent, "records/ask_date_value",
                keyboard=typed_answer(context, agent, "records.yearly_date"))


async def _save_date(update: Update, context: CoachContext, agent: Agent, dialog: Dialog,
                     yearly: str) -> None:
    store, cid = context.services.store, int(dialog.data["client_id"])
    records.add_date(store, agent.id, cid, kind=dialog.data["kind"],
                     label=dialog.data.get("label"), yearly=yearly)
    dialogs.clear_dialog(store, agent.id, chat_id_of(update))
    await show_card(update, context, agent, cid, fresh=True, notice="saved")


def _today(context: CoachContext, agent: Agent) -> date:
    return book.agent_today(agent, context.services.clock.now())


async def _policy_value(update: Update, context: CoachContext, agent: Agent, field_name: str,
                        typed: str) -> book.FieldValue | None:
    """A policy field's typed value, or None once what was wrong with it is said."""
    parsed = book.parse_policy_field(field_name, typed, _today(context, agent))
    if parsed.error:
        await _refuse(update, context, agent, parsed.error, f"policy.{field_name}")
        return None
    return parsed


async def _typed_new_policy(update: Update, context: CoachContext, agent: Agent,
                            dialog: Dialog, typed: str) -> None:
    """Product, then annual premium, then start date; the rest is edited on the policy."""
    step = int(dialog.data["step"])
    field_name = book.NEW_POLICY_STEPS[step]
    parsed = await _policy_value(update, context, agent, field_name, typed)
    if parsed is None:
        return
    values = {**dialog.data["values"], field_name: str(parsed.value)}
    chat_id = chat_id_of(update)
    store = context.services.store
    if step + 1 < len(book.NEW_POLICY_STEPS):
        following = book.NEW_POLICY_STEPS[step + 1]
        dialogs.set_dialog(store, agent.id, chat_id, Dialog(
            FLOW, "policy_new", {**dialog.data, "step": step + 1, "values": values}))
        await reply(update, context, agent, "records/ask_policy_field", field=following,
                    new=True, keyboard=typed_answer(context, agent, f"policy.{following}"))
        return
    values["annual_premium"] = float(values["annual_premium"])
    values["currency"] = book.currency_for(agent.region)
    values["product_type"] = guess_product_type(values["product"])
    cid = int(dialog.data["client_id"])
    policy = records.add_policy(store, agent.id, cid, values)
    dialogs.clear_dialog(store, agent.id, chat_id)
    if policy is None:
        await reply(update, context, agent, "clients/not_found")
        return
    await _policy_view(update, context, agent, cid, policy.id, fresh=True, notice="saved")


async def _typed_policy_field(update: Update, context: CoachContext, agent: Agent,
                              dialog: Dialog, typed: str) -> None:
    field_name, policy_id = dialog.data["field"], int(dialog.data["policy_id"])
    parsed = await _policy_value(update, context, agent, field_name, typed)
    if parsed is None:
        return
    store, cid = context.services.store, int(dialog.data["client_id"])
    records.update_policy(store, agent.id, policy_id, {field_name: parsed.value})
    dialogs.clear_dialog(store, agent.id, chat_id_of(update))
    await _policy_view(update, context, agent, cid, policy_id, fresh=True)
    if field_name == "delivered_date":
        # the client now holds the policy: a high point to ask for a referral
        await suggest_referral(update, context, agent, cid, "policy_delivered")


TYPED_STEPS: dict[str, TypedStep] = {
    "family_name": _typed_family_name,
    "family_birthday": _yearly_date(_save_family, "fields.birthday"),
    "date_label": _typed_date_label, "date_value": _yearly_date(_save_date, "records.yearly_date"),
    "policy_new": _typed_new_policy, "policy_edit": _typed_policy_field,
}

FEATURE = Feature(
    buttons=(Buttons(RECORDS, {
        "family": _for_client(_list), "policies": _for_client(_list),
        "dates": _for_client(_list), "add_family": _for_client(_add_family),
        "relation": _for_client(_relation), "delete_family": _for_client(_delete_family),
        "skip_birthday": _for_client(_skip_birthday), "add_date": _for_client(_add_date),
        "date_kind": _for_client(_date_kind), "delete_date": _for_client(_delete_date),
        "add_policy": _for_client(_add_policy), "policy": _for_client(_policy),
        "policy_field": _for_client(_policy_field),
        "policy_choice": _for_client(_policy_choice),
        "delete_policy": _for_client(_delete_policy),
    }),),
    text_steps={FLOW: on_text},
)
