"""A client's card and everything its buttons do: edit, grade, stage, tags, consent, delete."""

from __future__ import annotations

import json

from telegram import InlineKeyboardMarkup, Update

from coachbot.domain.locales import LOCALES
from coachbot.domain.models import GRADES, STAGES, TRAITS, Agent, Dialog
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

PREFIX = "cl"
FLOW = "edit"
CHOICE_FIELDS = ("gender", "locale")  # picked with buttons, not typed
CONSENT_SCOPES = ("service", "marketing")


def card_keyboard(context: CoachContext, agent: Agent, view: book.CardView) -> \
        InlineKeyboardMarkup:
    """The card's main buttons."""
    cid = view.client.id

    def b(key: str, action: str) -> Button:
        return label(context, agent, f"card.{key}"), f"{PREFIX}:{action}:{cid}"

    rows = [[b("visit", "v"), b("edit", "e")],
            [b("grade", "g"), b("stage", "s")],
            [b("family", "fam"), b("policies", "pol"), b("dates", "dat")],
            [b("coach", "co"), b("more", "m")]]
    if view.client.is_group:
        rows.insert(0, [(label(context, agent, "group.panel"), f"gc:o:{cid}")])
    if view.suggested_stage:
        rows.insert(0, [(label(context, agent, "card.accept_stage", stage=view.suggested_stage),
                         f"{PREFIX}:ss:{cid}:{view.suggested_stage}")])
    return inline_keyboard(rows)


async def show_card(update: Update, context: CoachContext, agent: Agent, client_id: int, *,
                    fresh: bool = False, notice: str | None = None) -> None:
    """Show a client's card (edit the pressed message unless `fresh`)."""
    services = context.services
    view = book.card_view(services.store, agent, client_id, services.clock.now(),
                          services.settings.tier_thresholds)
    if view is None:
        await reply(update, context, agent, "clients/not_found")
        return
    keyboard = card_keyboard(context, agent, view)
    stages = services.library.get(agent.locale).stages
    values = {"view": view, "client": view.client, "notice": notice,
              "tier_plan": stages.closed_tiers.get(view.tier) if view.tier else None,
              "channels": stages.channels}
    if fresh:
        await reply(update, context, agent, "clients/card", keyboard=keyboard, **values)
    else:
        await edit_or_reply(update, context, agent, "clients/card", keyboard=keyboard, **values)


async def on_callback(update: Update, context: CoachContext) -> None:
    """cl:<action>:<client id>[:<argument>]"""
    query = update.callback_query
    assert query is not None
    agent = current_agent(update, context)
    parts = callback_parts(update, PREFIX)
    if len(parts) < 2 or not parts[1].isdigit():
        await query.answer()
        await reply(update, context, agent, "general/stale_button")
        return
    action, client_id, arg = parts[0], int(parts[1]), (parts[2] if len(parts) > 2 else "")
    store = context.services.store
    client = store.clients.get_client(agent.id, client_id, include_deleted=action == "undo")
    if client is None:
        await query.answer()
        await reply(update, context, agent, "clients/not_found")
        return
    handler = ACTIONS.get(action)
    if handler is None:
        await query.answer()
        await reply(update, context, agent, "general/stale_button")
        return
    await handler(update, context, agent, client_id, arg)


async def _open(update: Update, context: CoachContext, agent: Agent, cid: int, arg: str) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    await show_card(update, context, agent, cid, fresh=arg == "new")


async def _edit_menu(update: Update, context: CoachContext, agent: Agent, cid: int,
                     arg: str) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    names = book.EDITABLE_FIELDS
    buttons = [(label(context, agent, f"fields.{name}"), f"{PREFIX}:f:{cid}:{name}")
               for name in names]
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    rows.append([(label(context, agent, "buttons.back"), f"{PREFIX}:o:{cid}")])
    client = context.services.store.clients.get_client(agent.id, cid)
    await edit_or_reply(update, context, agent, "clients/edit_menu", client=client,
                        keyboard=inline_keyboard(rows))


async def _edit_field(update: Update, context: CoachContext, agent: Agent, cid: int,
                      field_name: str) -> None:
    """Ask for a new value of one field (buttons for gender and language)."""
    await update.callback_query.answer()  # type: ignore[union-attr]
    if field_name not in book.EDITABLE_FIELDS:
        await reply(update, context, agent, "general/stale_button")
        return
    client = context.services.store.clients.get_client(agent.id, cid)
    back = [(label(context, agent, "buttons.back"), f"{PREFIX}:e:{cid}")]
    if field_name in CHOICE_FIELDS:
        options = ("m", "f") if field_name == "gender" else LOCALES
        key = "gender" if field_name == "gender" else "languages"
        buttons = [(label(context, agent, f"{key}.{o}"), f"{PREFIX}:set:{cid}:{field_name}={o}")
                   for o in options]
        buttons.append((label(context, agent, "buttons.clear"),
                        f"{PREFIX}:set:{cid}:{field_name}="))
        await edit_or_reply(update, context, agent, "clients/ask_field", client=client,
                            field=field_name, typed_answer=False,
                            keyboard=inline_keyboard([buttons, back]))
        return
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    context.services.store.dialogs.set_dialog(agent.id, chat_id,
                                              Dialog(FLOW, field_name, {"client_id": cid}))
    await edit_or_reply(update, context, agent, "clients/ask_field", client=client,
                        field=field_name, typed_answer=True, keyboard=inline_keyboard([back]))


async def _set_choice(update: Update, context: CoachContext, agent: Agent, cid: int,
                      arg: str) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    field_name, _, value = arg.partition("=")
    if field_name not in CHOICE_FIELDS:
        await reply(update, context, agent, "general/stale_button")
        return
    updated = book.update_field(context.services.store, agent, cid, field_name, value or None)
    if updated is None:
        await reply(update, context, agent, "general/stale_button")
        return
    await show_card(update, context, agent, cid, notice="saved")


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A typed value for the field being edited."""
    message = update.effective_message
    assert message is not None and message.text is not None
    cid = int(dialog.data["client_id"])
    store = context.services.store
    if dialog.step == "tag":
        tag = book.add_tag(store, agent.id, cid, message.text)
        if tag is None:
            await reply(update, context, agent, "clients/field_error", error="bad_tag")
            return
        store.dialogs.clear_dialog(agent.id, message.chat_id)
        await show_card(update, context, agent, cid, fresh=True, notice="saved")
        return
    parsed = book.parse_field(store, agent, dialog.step, message.text)
    if parsed.error:
        await reply(update, context, agent, "clients/field_error", error=parsed.error)
        return
    updated = book.update_field(store, agent, cid, dialog.step, parsed.value)
    store.dialogs.clear_dialog(agent.id, message.chat_id)
    if updated is None:
        await reply(update, context, agent, "clients/not_found")
        return
    await show_card(update, context, agent, cid, fresh=True, notice="saved")


async def _grade_menu(update: Update, context: CoachContext, agent: Agent, cid: int,
                      arg: str) -> None:
    """Tick the four traits; or set the grade by hand."""
    store = context.services.store
    client = store.clients.get_client(agent.id, cid)
    assert client is not None
    if arg in TRAITS:
        client = book.toggle_trait(store, agent.id, client, arg) or client
    elif arg.startswith("="):
        grade = arg[1:] or None
        if grade is not None and grade not in GRADES:
            await update.callback_query.answer()  # type: ignore[union-attr]
            await reply(update, context, agent, "general/stale_button")
            return
        client = book.set_grade_override(store, agent.id, cid, grade) or client
    await update.callback_query.answer()  # type: ignore[union-attr]
    traits = [(("✅ " if t in client.traits else "▫️ ") + label(context, agent, f"traits.{t}"),
               f"{PREFIX}:g:{cid}:{t}") for t in TRAITS]
    grades = [(("✓" if client.grade_override == g else "") + g, f"{PREFIX}:g:{cid}:={g}")
              for g in GRADES]
    grades.append((label(context, agent, "card.auto_grade"), f"{PREFIX}:g:{cid}:="))
    rows = [traits[:2], traits[2:], grades,
            [(label(context, agent, "buttons.done"), f"{PREFIX}:o:{cid}")]]
    from coachbot.domain.classify import grade_of

    await edit_or_reply(update, context, agent, "clients/grade_menu", client=client,
                        grade=grade_of(client), keyboard=inline_keyboard(rows))


async def _stage_menu(update: Update, context: CoachContext, agent: Agent, cid: int,
                      arg: str) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    client = context.services.store.clients.get_client(agent.id, cid)
    assert client is not None
    buttons = [((("✓ " if client.stage == s else "") + label(context, agent, f"stages.{s}")),
                f"{PREFIX}:ss:{cid}:{s}") for s in STAGES]
    rows = [buttons[:2], buttons[2:],
            [(label(context, agent, "card.no_stage"), f"{PREFIX}:ss:{cid}:-")],
            [(label(context, agent, "buttons.back"), f"{PREFIX}:o:{cid}")]]
    await edit_or_reply(update, context, agent, "clients/stage_menu", client=client,
                        keyboard=inline_keyboard(rows))


async def _set_stage(update: Update, context: CoachContext, agent: Agent, cid: int,
                     arg: str) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    stage = None if arg == "-" else arg
    if book.set_stage(context.services.store, agent.id, cid, stage) is None:
        await reply(update, context, agent, "general/stale_button")
        return
    await show_card(update, context, agent, cid, notice="stage")


async def _more_menu(update: Update, context: CoachContext, agent: Agent, cid: int,
                     arg: str) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    client = context.services.store.clients.get_client(agent.id, cid)
    assert client is not None

    def b(key: str, action: str) -> Button:
        return label(context, agent, f"card.{key}"), f"{PREFIX}:{action}:{cid}"

    rows = [[b("add_tag", "tag"), b("consent", "cs")],
            [b("group" if not client.is_group else "person", "kind"), b("export_one", "x")],
            [b("unarchive" if client.archived_at else "archive", "ar"), b("delete", "del")],
            [b("erase", "er")],
            [(label(context, agent, "buttons.back"), f"{PREFIX}:o:{cid}")]]
    if client.tags:
        rows.insert(1, [(f"✖ #{tag}", f"{PREFIX}:ut:{cid}:{i}")
                        for i, tag in enumerate(client.tags[:4])])
    await edit_or_reply(update, context, agent, "clients/more_menu", client=client,
                        keyboard=inline_keyboard(rows))


async def _ask_tag(update: Update, context: CoachContext, agent: Agent, cid: int,
                   arg: str) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    context.services.store.dialogs.set_dialog(agent.id, chat_id, Dialog(FLOW, "tag",
                                                                        {"client_id": cid}))
    await reply(update, context, agent, "clients/ask_tag",
                tags=context.services.store.clients.tags_in_use(agent.id)[:8])


async def _remove_tag(update: Update, context: CoachContext, agent: Agent, cid: int,
                      arg: str) -> None:
    # no query.answer() here: _more_menu answers it, and a second answer is refused
    client = context.services.store.clients.get_client(agent.id, cid)
    assert client is not None
    if arg.isdigit() and int(arg) < len(client.tags):
        context.services.store.clients.remove_tag(agent.id, cid, client.tags[int(arg)])
    await _more_menu(update, context, agent, cid, "")


async def _toggle_kind(update: Update, context: CoachContext, agent: Agent, cid: int,
                       arg: str) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    store = context.services.store
    client = store.clients.get_client(agent.id, cid)
    assert client is not None
    records.update_client(store, agent.id, cid, {"kind": "person" if client.is_group else "group"})
    await show_card(update, context, agent, cid, notice="saved")


async def _consent(update: Update, context: CoachContext, agent: Agent, cid: int,
                   arg: str) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    store = context.services.store
    if arg in CONSENT_SCOPES or arg == "-":
        store.clients.set_consent(agent.id, cid, None if arg == "-" else arg)
        await show_card(update, context, agent, cid, notice="saved")
        return
    client = store.clients.get_client(agent.id, cid)
    rows = [[(label(context, agent, f"consent.{s}"), f"{PREFIX}:cs:{cid}:{s}")]
            for s in CONSENT_SCOPES]
    rows.append([(label(context, agent, "consent.withdraw"), f"{PREFIX}:cs:{cid}:-")])
    rows.append([(label(context, agent, "buttons.back"), f"{PREFIX}:m:{cid}")])
    await edit_or_reply(update, context, agent, "clients/consent_menu", client=client,
                        keyboard=inline_keyboard(rows))


async def _archive(update: Update, context: CoachContext, agent: Agent, cid: int,
                   arg: str) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    store = context.services.store
    client = store.clients.get_client(agent.id, cid)
    assert client is not None
    store.clients.set_archived(agent.id, cid, client.archived_at is None)
    await show_card(update, context, agent, cid,
                    notice="archived" if client.archived_at is None else "unarchived")


async def _delete(update: Update, context: CoachContext, agent: Agent, cid: int,
                  arg: str) -> None:
    """Delete with confirmation; an undo button follows."""
    await update.callback_query.answer()  # type: ignore[union-attr]
    store = context.services.store
    client = store.clients.get_client(agent.id, cid)
    if arg != "ok":
        rows = [[(label(context, agent, "card.confirm_delete"), f"{PREFIX}:del:{cid}:ok"),
                 (label(context, agent, "buttons.cancel"), f"{PREFIX}:o:{cid}")]]
        await edit_or_reply(update, context, agent, "clients/delete_confirm", client=client,
                            keyboard=inline_keyboard(rows))
        return
    store.clients.soft_delete(agent.id, cid)
    rows = [[(label(context, agent, "card.undo"), f"{PREFIX}:undo:{cid}")]]
    await edit_or_reply(update, context, agent, "clients/deleted", client=client,
                        keyboard=inline_keyboard(rows))


async def _undo(update: Update, context: CoachContext, agent: Agent, cid: int,
                arg: str) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    if not context.services.store.clients.undo_delete(agent.id, cid):
        await reply(update, context, agent, "clients/undo_too_late")
        return
    await show_card(update, context, agent, cid, notice="restored")


async def _erase(update: Update, context: CoachContext, agent: Agent, cid: int,
                 arg: str) -> None:
    """Erase everything about a client now (privacy request), after a clear warning."""
    await update.callback_query.answer()  # type: ignore[union-attr]
    store = context.services.store
    client = store.clients.get_client(agent.id, cid)
    if arg != "ok":
        rows = [[(label(context, agent, "card.confirm_erase"), f"{PREFIX}:er:{cid}:ok")],
                [(label(context, agent, "buttons.cancel"), f"{PREFIX}:o:{cid}")]]
        await edit_or_reply(update, context, agent, "clients/erase_confirm", client=client,
                            keyboard=inline_keyboard(rows))
        return
    store.clients.erase_client(agent.id, cid)
    await edit_or_reply(update, context, agent, "clients/erased", client=client)


async def _export_one(update: Update, context: CoachContext, agent: Agent, cid: int,
                      arg: str) -> None:
    """Send one client's data as a JSON file (a data-access request)."""
    await update.callback_query.answer()  # type: ignore[union-attr]
    from coachbot.services.clientio import client_export_json

    card = context.services.store.clients.client_card(agent.id, cid, contacts=10_000)
    assert card is not None
    payload = client_export_json(card)
    await context.bot.send_document(
        update.effective_chat.id,  # type: ignore[union-attr]
        document=payload.encode("utf-8"), filename=f"client-{cid}.json",
        caption=label(context, agent, "card.export_caption", name=card.client.name[:40]),
    )
    json.loads(payload)  # the file we sent is valid JSON


async def _coach(update: Update, context: CoachContext, agent: Agent, cid: int,
                 arg: str) -> None:
    from coachbot.handlers.coaching import menu  # coaching imports this module

    await update.callback_query.answer()  # type: ignore[union-attr]
    await menu(update, context, agent, cid)


async def _visit(update: Update, context: CoachContext, agent: Agent, cid: int,
                 arg: str) -> None:
    from coachbot.handlers.visits import ask_channel

    await update.callback_query.answer()  # type: ignore[union-attr]
    await ask_channel(update, context, agent, cid)


async def _records(update: Update, context: CoachContext, agent: Agent, cid: int,
                   arg: str) -> None:
    from coachbot.handlers.records import show_records

    await update.callback_query.answer()  # type: ignore[union-attr]
    kind = (update.callback_query.data or "").split(":")[1]  # type: ignore[union-attr]
    await show_records(update, context, agent, cid, kind)


ACTIONS = {
    "o": _open, "e": _edit_menu, "f": _edit_field, "set": _set_choice,
    "g": _grade_menu, "s": _stage_menu, "ss": _set_stage, "m": _more_menu,
    "tag": _ask_tag, "ut": _remove_tag, "kind": _toggle_kind, "cs": _consent,
    "ar": _archive, "del": _delete, "undo": _undo, "er": _erase, "x": _export_one,
    "co": _coach, "v": _visit, "fam": _records, "pol": _records, "dat": _records,
}
