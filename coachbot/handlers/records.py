"""A client's family members, policies and important dates: list, add, edit, remove."""

from __future__ import annotations

from telegram import Update

from coachbot.domain.clients import clean_name, clean_text
from coachbot.domain.dates import parse_yearly_date
from coachbot.domain.models import DATE_KINDS, RELATIONS, Agent, Dialog
from coachbot.handlers.card import show_card
from coachbot.handlers.coaching import suggest_referral
from coachbot.handlers.common import (
    Button,
    CoachContext,
    callback_parts,
    current_agent,
    edit_or_reply,
    inline_keyboard,
    label,
    reply,
)
from coachbot.services import book, records
from coachbot.services.coach import guess_product_type

PREFIX = "rc"
FLOW = "record"


async def show_records(update: Update, context: CoachContext, agent: Agent, cid: int,
                       kind: str) -> None:
    """The family ("fam"), policies ("pol") or dates ("dat") of a client, with buttons."""
    store = context.services.store
    client = store.clients.get_client(agent.id, cid)
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    rows: list[list[Button]] = []
    items: list[object]
    if kind == "fam":
        items = list(store.clients.family_of(agent.id, cid))
        rows = [[(f"✖ {m.name[:20]}", f"{PREFIX}:fx:{cid}:{m.id}")] for m in items]  # type: ignore[attr-defined]
    elif kind == "pol":
        items = list(store.clients.policies_of(agent.id, cid))
        rows = [[(f"📄 {p.product[:24]}", f"{PREFIX}:po:{cid}:{p.id}")] for p in items]  # type: ignore[attr-defined]
    else:
        items = list(store.clients.dates_of(agent.id, cid))
        rows = [[(f"✖ {d.label or label(context, agent, 'date_kinds.' + d.kind)}"[:30],  # type: ignore[attr-defined]
                  f"{PREFIX}:dx:{cid}:{d.id}")] for d in items]  # type: ignore[attr-defined]
    rows.append([(label(context, agent, f"records.add_{kind}"), f"{PREFIX}:{kind}+:{cid}"),
                 (label(context, agent, "buttons.back"), f"cl:o:{cid}")])
    await edit_or_reply(update, context, agent, f"records/{kind}_list", client=client,
                        items=items, currency=book.currency_for(agent.region),
                        keyboard=inline_keyboard(rows))


async def on_callback(update: Update, context: CoachContext) -> None:
    """rc:<action>:<client>[:<arg>]"""
    query = update.callback_query
    assert query is not None
    await query.answer()
    agent = current_agent(update, context)
    parts = callback_parts(update, PREFIX)
    store = context.services.store
    if len(parts) < 2 or not parts[1].isdigit() or store.clients.get_client(agent.id,
                                                                            int(parts[1])) \
            is None:
        await reply(update, context, agent, "general/stale_button")
        return
    action, cid, arg = parts[0], int(parts[1]), (parts[2] if len(parts) > 2 else "")
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    if action in ("fam", "pol", "dat"):
        await show_records(update, context, agent, cid, action)
    elif action == "fam+":
        buttons = [(label(context, agent, f"relations.{r}"), f"{PREFIX}:rel:{cid}:{r}")
                   for r in RELATIONS]
        await edit_or_reply(update, context, agent, "records/ask_relation",
                            keyboard=inline_keyboard([buttons[:2], buttons[2:]]))
    elif action == "rel" and arg in RELATIONS:
        store.dialogs.set_dialog(agent.id, chat_id, Dialog(FLOW, "family_name",
                                                           {"client_id": cid, "relation": arg}))
        await reply(update, context, agent, "records/ask_family_name", relation=arg)
    elif action == "fx" and arg.isdigit():
        records.delete_family_member(store, agent.id, int(arg))
        await show_records(update, context, agent, cid, "fam")
    elif action == "dat+":
        buttons = [(label(context, agent, f"date_kinds.{k}"), f"{PREFIX}:dk:{cid}:{k}")
                   for k in DATE_KINDS]
        await edit_or_reply(update, context, agent, "records/ask_date_kind",
                            keyboard=inline_keyboard([buttons]))
    elif action == "dk" and arg in DATE_KINDS:
        step = "date_label" if arg == "custom" else "date_value"
        store.dialogs.set_dialog(agent.id, chat_id, Dialog(FLOW, step, {"client_id": cid,
                                                                        "kind": arg}))
        await reply(update, context, agent, f"records/ask_{step}")
    elif action == "dx" and arg.isdigit():
        records.delete_date(store, agent.id, int(arg))
        await show_records(update, context, agent, cid, "dat")
    elif action == "pol+":
        store.dialogs.set_dialog(agent.id, chat_id, Dialog(FLOW, "policy_new",
                                                           {"client_id": cid, "step": 0,
                                                            "values": {}}))
        await reply(update, context, agent, "records/ask_policy_field", field="product",
                    new=True)
    elif action == "po" and arg.isdigit():
        await _policy_view(update, context, agent, cid, int(arg))
    elif action == "pf" and ":" not in arg and len(parts) == 4 and parts[3].isdigit():
        await _policy_field(update, context, agent, cid, int(parts[3]), arg)
    elif action == "pc" and len(parts) == 5 and parts[3].isdigit():
        field_name, policy_id, value = arg, int(parts[3]), parts[4]
        if value not in book.POLICY_CHOICE_FIELDS.get(field_name, ()):
            await reply(update, context, agent, "general/stale_button")
            return
        records.update_policy(store, agent.id, policy_id, {field_name: value})
        await _policy_view(update, context, agent, cid, policy_id)
        if field_name == "status" and value == "claimed":
            await suggest_referral(update, context, agent, cid, "claim_paid")
    elif action == "px" and arg.isdigit():
        records.delete_policy(store, agent.id, int(arg))
        await show_records(update, context, agent, cid, "pol")
    elif action == "dskip":
        await _save_family(update, context, agent, chat_id, None)
    else:
        await reply(update, context, agent, "general/stale_button")


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """Typed answers while adding a family member, a date or a policy."""
    message = update.effective_message
    assert message is not None and message.text is not None
    store = context.services.store
    cid = int(dialog.data["client_id"])
    typed = message.text
    today = book.agent_today(agent, context.services.clock.now())
    if dialog.step == "family_name":
        name = clean_name(typed)
        if name is None:
            await reply(update, context, agent, "clients/field_error", error="bad_name")
            return
        store.dialogs.set_dialog(agent.id, message.chat_id,
                                 Dialog(FLOW, "family_birthday", {**dialog.data, "name": name}))
        skip = [[(label(context, agent, "buttons.skip"), f"{PREFIX}:dskip:{cid}")]]
        await reply(update, context, agent, "records/ask_family_birthday", name=name,
                    keyboard=inline_keyboard(skip))
    elif dialog.step == "family_birthday":
        yearly = parse_yearly_date(typed)
        if yearly is None:
            await reply(update, context, agent, "clients/field_error", error="bad_date")
            return
        await _save_family(update, context, agent, message.chat_id, yearly.to_storage())
    elif dialog.step == "date_label":
        text = clean_text(typed, 40)
        if not text:
            await reply(update, context, agent, "clients/field_error", error="empty")
            return
        store.dialogs.set_dialog(agent.id, message.chat_id,
                                 Dialog(FLOW, "date_value", {**dialog.data, "label": text}))
        await reply(update, context, agent, "records/ask_date_value")
    elif dialog.step == "date_value":
        yearly = parse_yearly_date(typed)
        if yearly is None:
            await reply(update, context, agent, "clients/field_error", error="bad_date")
            return
        records.add_date(store, agent.id, cid, kind=dialog.data["kind"],
                         label=dialog.data.get("label"),
                         yearly=yearly.to_storage())
        store.dialogs.clear_dialog(agent.id, message.chat_id)
        await show_card(update, context, agent, cid, fresh=True, notice="saved")
    elif dialog.step == "policy_new":
        await _policy_new_step(update, context, agent, dialog, typed, today)
    elif dialog.step == "policy_edit":
        parsed = book.parse_policy_field(dialog.data["field"], typed, today)
        if parsed.error:
            await reply(update, context, agent, "clients/field_error", error=parsed.error)
            return
        records.update_policy(store, agent.id, int(dialog.data["policy_id"]),
                              {dialog.data["field"]: parsed.value})
        store.dialogs.clear_dialog(agent.id, message.chat_id)
        await _policy_view(update, context, agent, cid, int(dialog.data["policy_id"]),
                           fresh=True)
        if dialog.data["field"] == "delivered_date":
            # the client now holds the policy: a high point to ask for a referral
            await suggest_referral(update, context, agent, cid, "policy_delivered")


async def _save_family(update: Update, context: CoachContext, agent: Agent, chat_id: int,
                       birthday: str | None) -> None:
    store = context.services.store
    dialog = store.dialogs.get_dialog(agent.id, chat_id)
    if dialog is None or dialog.step != "family_birthday":
        await reply(update, context, agent, "general/stale_button")
        return
    cid = int(dialog.data["client_id"])
    records.add_family_member(store, agent.id, cid, relation=dialog.data["relation"],
                              name=dialog.data["name"], birthday=birthday)
    store.dialogs.clear_dialog(agent.id, chat_id)
    await show_card(update, context, agent, cid, fresh=True, notice="saved")


async def _policy_new_step(update: Update, context: CoachContext, agent: Agent,
                           dialog: Dialog, typed: str, today: object) -> None:
    """Product, then annual premium, then start date; the rest is edited on the policy."""
    store = context.services.store
    step = int(dialog.data["step"])
    field_name = book.NEW_POLICY_STEPS[step]
    parsed = book.parse_policy_field(field_name, typed, today)  # type: ignore[arg-type]
    if parsed.error:
        await reply(update, context, agent, "clients/field_error", error=parsed.error)
        return
    values = {**dialog.data["values"], field_name: str(parsed.value)}
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    cid = int(dialog.data["client_id"])
    if step + 1 < len(book.NEW_POLICY_STEPS):
        store.dialogs.set_dialog(agent.id, chat_id, Dialog(FLOW, "policy_new",
                                                           {**dialog.data, "step": step + 1,
                                                            "values": values}))
        await reply(update, context, agent, "records/ask_policy_field",
                    field=book.NEW_POLICY_STEPS[step + 1], new=True)
        return
    values["annual_premium"] = float(values["annual_premium"])
    values["currency"] = book.currency_for(agent.region)
    values["product_type"] = guess_product_type(values["product"])
    policy = records.add_policy(store, agent.id, cid, values)
    store.dialogs.clear_dialog(agent.id, chat_id)
    if policy is None:
        await reply(update, context, agent, "clients/not_found")
        return
    await _policy_view(update, context, agent, cid, policy.id, fresh=True, notice="saved")


async def _policy_view(update: Update, context: CoachContext, agent: Agent, cid: int,
                       policy_id: int, *, fresh: bool = False, notice: str | None = None) -> None:
    store = context.services.store
    policy = store.clients.get_policy(agent.id, policy_id)
    if policy is None or policy.client_id != cid:
        await reply(update, context, agent, "general/stale_button")
        return
    fields = [*book.POLICY_TYPED_FIELDS, *book.POLICY_CHOICE_FIELDS]
    buttons = [(label(context, agent, f"policy_fields.{f}"), f"{PREFIX}:pf:{cid}:{f}:{policy_id}")
               for f in fields]
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    rows.append([(label(context, agent, "records.delete_policy"), f"{PREFIX}:px:{cid}:{policy_id}"),
                 (label(context, agent, "buttons.back"), f"{PREFIX}:pol:{cid}")])
    values = {"policy": policy, "client": store.clients.get_client(agent.id, cid), "notice": notice,
              "currency": book.currency_for(agent.region)}
    if fresh:
        await reply(update, context, agent, "records/policy", keyboard=inline_keyboard(rows),
                    **values)
    else:
        await edit_or_reply(update, context, agent, "records/policy",
                            keyboard=inline_keyboard(rows), **values)


async def _policy_field(update: Update, context: CoachContext, agent: Agent, cid: int,
                        policy_id: int, field_name: str) -> None:
    store = context.services.store
    if store.clients.get_policy(agent.id, policy_id) is None:
        await reply(update, context, agent, "general/stale_button")
        return
    if field_name in book.POLICY_CHOICE_FIELDS:
        buttons = [(label(context, agent, f"{field_name}.{v}"),
                    f"{PREFIX}:pc:{cid}:{field_name}:{policy_id}:{v}")
                   for v in book.POLICY_CHOICE_FIELDS[field_name]]
        rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
        await edit_or_reply(update, context, agent, "records/ask_policy_field",
                            field=field_name, new=False, keyboard=inline_keyboard(rows))
        return
    if field_name not in book.POLICY_TYPED_FIELDS:
        await reply(update, context, agent, "general/stale_button")
        return
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    store.dialogs.set_dialog(agent.id, chat_id, Dialog(FLOW, "policy_edit", {
        "client_id": cid, "policy_id": policy_id, "field": field_name}))
    await reply(update, context, agent, "records/ask_policy_field", field=field_name, new=False)
