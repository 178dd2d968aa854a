"""A client's card and everything its buttons do: edit, grade, stage, tags, consent, delete."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update

from coachbot.domain.classify import grade_of
from coachbot.domain.locales import LOCALES
from coachbot.domain.models import CHANNELS, GRADES, STAGES, TRAITS, Agent, Client, Dialog
from coachbot.handlers import ai_facts
from coachbot.handlers.common import CoachContext, label, reply, show, typed_answer
from coachbot.handlers.dispatch import Action, Buttons, Feature, Press
from coachbot.render.buttons import (
    CARD,
    COACH,
    FACTS,
    GROUP_CLIENT,
    PROPOSAL,
    RECORDS,
    SERVICE,
    VISITS,
    open_card,
)
from coachbot.runtime.messages import Button, inline_keyboard
from coachbot.services import book, clients, coach, dialogs, knowledge, money, records

FLOW = "edit"
CHOICE_FIELDS = ("gender", "locale")  # picked with buttons, not typed
CONSENT_SCOPES = ("service", "marketing")

ClientStep = Callable[[Press, Client], Awaitable[None]]


def card_keyboard(context: CoachContext, agent: Agent, view: book.CardView) -> \
        InlineKeyboardMarkup:
    """The card's main buttons."""
    cid = view.client.id

    def b(key: str, action: str) -> Button:
        return label(context, agent, f"card.{key}"), CARD.data(action, cid)

    rows = [[b("visit", "visit"), b("edit", "edit")],
            [b("grade", "grade"), b("stage", "stages")],
            [b("family", "family"), b("policies", "policies"), b("dates", "dates")],
            [b("coach", "coach"), (label(context, agent, "proposal_buttons.list"),
                                   PROPOSAL.data("list", cid)), b("more", "more")],
            [(label(context, agent, "service.record"), SERVICE.data("menu", cid)),
             (label(context, agent, "fact_buttons.all"), FACTS.data("list", cid))]]
    if view.client.is_group:
        rows.insert(0, [(label(context, agent, "group.panel"), GROUP_CLIENT.data("open", cid))])
    if view.suggested_stage:
        rows.insert(0, [(label(context, agent, "card.accept_stage", stage=view.suggested_stage),
                         CARD.data("set_stage", cid, view.suggested_stage))])
    return inline_keyboard(rows)


async def show_card(update: Update, context: CoachContext, agent: Agent, client_id: int, *,
                    fresh: bool = False, notice: str | None = None,
                    client: Client | None = None, just_added: bool = False) -> None:
    """Show a client's card (edit the pressed message unless `fresh`; `client`: as this
    update just read it; `just_added`: saved by this update, nothing refers to it yet)."""
    services = context.services
    view = book.card_view(services.store, agent, client_id, services.clock.now(),
                          services.settings.tier_thresholds, client=client,
                          just_added=just_added)
    if view is None:
        await reply(update, context, agent, "clients/not_found")
        return
    scripts = services.library.get(agent.locale)
    stages = scripts.stages
    await show(update, context, agent, "clients/card", fresh=fresh,
               keyboard=card_keyboard(context, agent, view), view=view, client=view.client,
               notice=notice, tier_plan=stages.closed_tiers.get(view.tier) if view.tier else None,
               channels=stages.channels, scripts=scripts,
               facts=knowledge.card_facts(services.store, agent.id, client_id),
               next_action=coach.action_for(
                   services.store, agent, view.client, services.clock.now(),
                   proposals={client_id: view.proposal} if view.proposal else {}))


async def _card(press: Press, client_id: int, *, notice: str | None = None) -> None:
    await show_card(press.update, press.context, press.agent, client_id, notice=notice)


def _on_client(step: ClientStep) -> Action:
    """cl:<action>:<client id>[:<argument>]: run the step with the client, if it is the
    presser's (a deleted one too, for undo)."""
    async def run(press: Press) -> None:
        client_id = press.int_arg(0)
        if client_id is None:
            await press.stale()
            return
        client = clients.get_client(press.store, press.agent.id, client_id,
                                    include_deleted=press.action == "undo")
        if client is None:
            await press.reply("clients/not_found")
            return
        await step(press, client)
    return run


def _back(press: Press, client: Client, action: str = "open") -> list[Button]:
    return [(press.label("buttons.back"), CARD.data(action, client.id))]


# -- view and edit ----------------------------------------------------------------------------
async def _open(press: Press, client: Client) -> None:
    await show_card(press.update, press.context, press.agent, client.id,
                    fresh=press.arg(1) == "new", client=client)


async def _edit_menu(press: Press, client: Client) -> None:
    buttons = [(press.label(f"fields.{name}"), CARD.data("field", client.id, name))
               for name in book.EDITABLE_FIELDS]
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    rows.append(_back(press, client))
    await press.edit("clients/edit_menu", client=client, keyboard=inline_keyboard(rows))


async def _edit_field(press: Press, client: Client) -> None:
    """Ask for a new value of one field (buttons for gender and language)."""
    field_name = press.arg(1)
    if field_name not in book.EDITABLE_FIELDS:
        await press.stale()
        return
    if field_name in CHOICE_FIELDS:
        options = ("m", "f") if field_name == "gender" else LOCALES
        key = "gender" if field_name == "gender" else "languages"
        buttons = [(press.label(f"{key}.{o}"), CARD.data("choose", client.id, f"{field_name}={o}"))
                   for o in options]
        buttons.append((press.label("buttons.clear"),
                        CARD.data("choose", client.id, f"{field_name}=")))
        await press.edit("clients/ask_field", client=client, field=field_name,
                         typed_answer=False,
                         keyboard=inline_keyboard([buttons, _back(press, client, "edit")]))
        return
    press.set_dialog(Dialog(FLOW, field_name, {"client_id": client.id}))
    # a new message under the edit menu, which stays with its buttons (another field, back to
    # the card): so the prompt needs no button and can open the reply field with an example
    await press.reply("clients/ask_field", client=client, field=field_name, typed_answer=True,
                      keyboard=press.typed_answer(_example(field_name)))


async def _set_choice(press: Press, client: Client) -> None:
    field_name, _, value = press.arg(1).partition("=")
    if field_name not in CHOICE_FIELDS or \
            book.update_field(press.store, press.agent, client.id, field_name,
                              value or None) is None:
        await press.stale()
        return
    await _card(press, client.id, notice="saved")


def _example(step: str) -> str:
    """The placeholder of a typed field's (or the tag's) reply field."""
    return "tag" if step == "tag" else f"fields.{step}"


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A typed value for the field being edited (or a tag to add)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    cid = int(dialog.data["client_id"])
    store = context.services.store
    again = typed_answer(context, agent, _example(dialog.step))  # with what was wrong
    if dialog.step == "tag":
        if book.add_tag(store, agent.id, cid, message.text) is None:
            await reply(update, context, agent, "clients/field_error", error="bad_tag",
                        keyboard=again)
            return
        dialogs.clear_dialog(store, agent.id, message.chat_id)
        await show_card(update, context, agent, cid, fresh=True, notice="saved")
        return
    parsed = book.parse_field(store, agent, dialog.step, message.text)
    if parsed.error:
        await reply(update, context, agent, "clients/field_error", error=parsed.error,
                    keyboard=again)
        return
    updated = book.update_field(store, agent, cid, dialog.step, parsed.value)
    dialogs.clear_dialog(store, agent.id, message.chat_id)
    if updated is None:
        await reply(update, context, agent, "clients/not_found")
        return
    await show_card(update, context, agent, cid, fresh=True, notice="saved")
    if dialog.step in knowledge.READ_FIELDS:  # a note about the client: the model reads it too
        await ai_facts.offer(update, context, agent, cid, str(parsed.value), "note")


# -- grade and stage --------------------------------------------------------------------------
async def _grade_menu(press: Press, client: Client) -> None:
    """Tick the four traits; or set the grade by hand."""
    arg = press.arg(1)
    if arg in TRAITS:
        client = book.toggle_trait(press.store, press.agent.id, client, arg) or client
    elif arg.startswith("="):
        grade = arg[1:] or None
        if grade is not None and grade not in GRADES:
            await press.stale()
            return
        client = book.set_grade_override(press.store, press.agent.id, client.id, grade) or client
    cid = client.id
    traits = [(("✅ " if t in client.traits else "▫️ ") + press.label(f"traits.{t}"),
               CARD.data("grade", cid, t)) for t in TRAITS]
    grades = [(("✓" if client.grade_override == g else "") + g, CARD.data("grade", cid, f"={g}"))
              for g in GRADES]
    grades.append((press.label("card.auto_grade"), CARD.data("grade", cid, "=")))
    rows = [traits[:2], traits[2:], grades,
            [(press.label("buttons.done"), CARD.data("open", cid))]]
    await press.edit("clients/grade_menu", client=client, grade=grade_of(client),
                     keyboard=inline_keyboard(rows))


async def _stage_menu(press: Press, client: Client) -> None:
    cid = client.id
    buttons = [((("✓ " if client.stage == s else "") + press.label(f"stages.{s}")),
                CARD.data("set_stage", cid, s)) for s in STAGES]
    rows = [buttons[:2], buttons[2:],
            [(press.label("card.no_stage"), CARD.data("set_stage", cid, "-"))],
            _back(press, client)]
    await press.edit("clients/stage_menu", client=client, keyboard=inline_keyboard(rows))


async def _set_stage(press: Press, client: Client) -> None:
    stage = None if press.arg(1) == "-" else press.arg(1)
    if book.set_stage(press.store, press.agent.id, client.id, stage) is None:
        await press.stale()
        return
    await _card(press, client.id, notice="stage")


# -- more: tags, kind, consent, archive, delete, erase, export ---------------------------------
async def _more_menu(press: Press, client: Client) -> None:
    def b(key: str, action: str) -> Button:
        return press.label(f"card.{key}"), CARD.data(action, client.id)

    rows = [[b("add_tag", "ask_tag"), b("consent", "consent")],
            [b("group" if not client.is_group else "person", "kind"), b("export_one", "export")],
            [b("unarchive" if client.archived_at else "archive", "archive"),
             b("delete", "delete")],
            [b("erase", "erase")],
            _origin_row(press, client),
            _back(press, client)]
    if client.tags:
        rows.insert(1, [(f"✖ #{tag}", CARD.data("remove_tag", client.id, i))
                        for i, tag in enumerate(client.tags[:4])])
    await press.edit("clients/more_menu", client=client, keyboard=inline_keyboard(rows))


def _origin_row(press: Press, client: Client) -> list[Button]:
    """Where the client came from (people the agent knows, referrals, strangers), the current
    one ticked."""
    return [(("✓ " if client.origin == origin else "") + press.label(f"origins.{origin}"),
             CARD.data("origin", client.id, origin)) for origin in money.ORIGINS]


async def _set_origin(press: Press, client: Client) -> None:
    if money.set_client_origin(press.store, press.agent, client.id, press.arg(1)) is None:
        await press.stale()
        return
    await _card(press, client.id, notice="saved")


async def _ask_tag(press: Press, client: Client) -> None:
    press.set_dialog(Dialog(FLOW, "tag", {"client_id": client.id}))
    await press.reply("clients/ask_tag",
                      tags=clients.tags_in_use(press.store, press.agent.id)[:8],
                      keyboard=press.typed_answer(_example("tag")))


async def _remove_tag(press: Press, client: Client) -> None:
    index = press.int_arg(1)
    if index is not None:
        clients.remove_tag_at(press.store, press.agent.id, client, index)
    updated = clients.get_client(press.store, press.agent.id, client.id)
    assert updated is not None
    await _more_menu(press, updated)


async def _toggle_kind(press: Press, client: Client) -> None:
    records.update_client(press.store, press.agent.id, client.id,
                          {"kind": "person" if client.is_group else "group"})
    await _card(press, client.id, notice="saved")


async def _consent(press: Press, client: Client) -> None:
    arg, cid = press.arg(1), client.id
    if arg in CONSENT_SCOPES or arg == "-":
        clients.set_consent(press.store, press.agent.id, cid, None if arg == "-" else arg)
        await _card(press, cid, notice="saved")
        return
    rows = [[(press.label(f"consent.{s}"), CARD.data("consent", cid, s))]
            for s in CONSENT_SCOPES]
    rows.append([(press.label("consent.withdraw"), CARD.data("consent", cid, "-"))])
    rows.append(_back(press, client, "more"))
    await press.edit("clients/consent_menu", client=client, keyboard=inline_keyboard(rows))


async def _archive(press: Press, client: Client) -> None:
    archived = clients.toggle_archived(press.store, press.agent.id, client)
    await _card(press, client.id, notice="archived" if archived else "unarchived")


async def _delete(press: Press, client: Client) -> None:
    """Delete with confirmation; an undo button follows."""
    cid = client.id
    if press.arg(1) != "ok":
        rows = [[(press.label("card.confirm_delete"), CARD.data("delete", cid, "ok")),
                 (press.label("buttons.cancel"), CARD.data("open", cid))]]
        await press.edit("clients/delete_confirm", client=client,
                         keyboard=inline_keyboard(rows))
        return
    clients.delete_client(press.store, press.agent.id, cid)
    rows = [[(press.label("card.undo"), CARD.data("undo", cid))]]
    await press.edit("clients/deleted", client=client, keyboard=inline_keyboard(rows))


async def _undo(press: Press, client: Client) -> None:
    if not clients.undo_delete(press.store, press.agent.id, client.id):
        await press.reply("clients/undo_too_late")
        return
    await _card(press, client.id, notice="restored")


async def _erase(press: Press, client: Client) -> None:
    """Erase everything about a client now (privacy request), after a clear warning."""
    if press.arg(1) != "ok":
        rows = [[(press.label("card.confirm_erase"), CARD.data("erase", client.id, "ok"))],
                [(press.label("buttons.cancel"), CARD.data("open", client.id))]]
        await press.edit("clients/erase_confirm", client=client, keyboard=inline_keyboard(rows))
        return
    clients.erase_client(press.store, press.agent.id, client.id)
    await press.edit("clients/erased", client=client)


async def _export_one(press: Press, client: Client) -> None:
    """Send one client's data as a JSON file (a data-access request)."""
    payload = clients.export_client(press.store, press.agent.id, client.id)
    assert payload is not None
    await press.context.bot.send_document(
        press.chat_id, document=payload.encode("utf-8"), filename=f"client-{client.id}.json",
        caption=press.label("card.export_caption", name=client.name[:40]),
    )
    json.loads(payload)  # the file we sent is valid JSON


# -- to the other features of a client ----------------------------------------------------------
async def _visit_menu(press: Press, client: Client) -> None:
    """First tap of "log a visit": how did you meet? (the visits feature takes it from there)"""
    buttons = [(press.label(f"channels.{ch}"), VISITS.data("channel", client.id, ch))
               for ch in CHANNELS]
    rows = [buttons[:3], buttons[3:], [(press.label("buttons.back"), open_card(client.id))]]
    await press.edit("visits/ask_channel", client=client, keyboard=inline_keyboard(rows))


async def _coach(press: Press, client: Client) -> None:
    await press.follow(COACH.data("menu", client.id))


async def _records(press: Press, client: Client) -> None:
    """The family, policies or dates (the records feature's list of that name)."""
    await press.follow(RECORDS.data(press.action, client.id))


FEATURE = Feature(
    buttons=(Buttons(CARD, {
        "open": _on_client(_open), "edit": _on_client(_edit_menu),
        "field": _on_client(_edit_field), "choose": _on_client(_set_choice),
        "grade": _on_client(_grade_menu), "stages": _on_client(_stage_menu),
        "set_stage": _on_client(_set_stage), "more": _on_client(_more_menu),
        "origin": _on_client(_set_origin),
        "ask_tag": _on_client(_ask_tag), "remove_tag": _on_client(_remove_tag),
        "kind": _on_client(_toggle_kind), "consent": _on_client(_consent),
        "archive": _on_client(_archive), "delete": _on_client(_delete),
        "undo": _on_client(_undo), "erase": _on_client(_erase),
        "export": _on_client(_export_one), "coach": _on_client(_coach),
        "visit": _on_client(_visit_menu), "family": _on_client(_records),
        "policies": _on_client(_records), "dates": _on_client(_records),
    }),),
    text_steps={FLOW: on_text},
)
