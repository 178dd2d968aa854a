"""Adding clients: /add (guided or one line), shared contact cards, duplicate checks."""

from __future__ import annotations

from telegram import Update

from coachbot.domain.clients import clean_name
from coachbot.domain.dates import parse_yearly_date
from coachbot.domain.models import Agent, Dialog
from coachbot.domain.phones import normalize_phone
from coachbot.domain.quickadd import parse_quick_add
from coachbot.handlers import ai_facts
from coachbot.handlers.card import show_card
from coachbot.handlers.common import CoachContext, chat_id_of, current_agent, label, reply
from coachbot.handlers.dispatch import Buttons, Command, Feature, Press
from coachbot.render.buttons import ADD, open_card
from coachbot.runtime.messages import inline_keyboard
from coachbot.services import book, dialogs
from coachbot.services.book import Draft

FLOW = "add"
GUIDED_STEPS = ("name", "phone", "birthday")
OFFER = "offer"  # a client's line typed outside any flow, waiting for the agent's tap
MAX_OFFER_CHARS = 300


def _region(agent: Agent) -> str:
    return agent.region if agent.region != "XX" else "CN"


async def add(update: Update, context: CoachContext) -> None:
    """/add: one line (name, phone, birthday, in any order after the name) or a guided flow."""
    agent = current_agent(update, context)
    line = " ".join(context.args or [])
    if not line:
        await _ask(update, context, agent, "name", Draft(name=""))
        return
    await _add_line(update, context, agent, line)


async def _add_line(update: Update, context: CoachContext, agent: Agent, line: str) -> None:
    """A quick-add line: saved, or told what could not be read."""
    if len(line.split()) == 1 and clean_name(line):
        # one word is a name, however long: a company name or a full name
        await _save(update, context, agent, Draft(name=clean_name(line) or line))
        return
    today = book.agent_today(agent, context.services.clock.now())
    parsed = parse_quick_add(line, _region(agent), today)
    if parsed.problems or not parsed.name:
        await reply(update, context, agent, "clients/quick_add_problem", typed=line[:200],
                    problems=parsed.problems or ["no_name"])
        return
    draft = Draft(name=parsed.name, phone=parsed.phone,
                  birthday=parsed.birthday.to_storage() if parsed.birthday else None,
                  gender=parsed.gender, notes=parsed.note)
    await _save(update, context, agent, draft)


async def offer_to_add(update: Update, context: CoachContext, agent: Agent) -> bool:
    """Text outside any flow that reads as a new client's line (a name and a phone number):
    ask with one tap instead of guessing. False: it doesn't look like one."""
    message = update.effective_message
    line = (message.text or "").strip() if message is not None else ""
    if not line or line.startswith("/") or len(line) > MAX_OFFER_CHARS:
        return False
    today = book.agent_today(agent, context.services.clock.now())
    parsed = parse_quick_add(line, _region(agent), today)
    if parsed.problems or not parsed.name or not parsed.phone:
        return False
    dialogs.set_dialog(context.services.store, agent.id, chat_id_of(update),
                       Dialog(FLOW, OFFER, {"line": line}))
    rows = [[(label(context, agent, "clients.add_this", name=parsed.name[:30]),
              ADD.data("line")),
             (label(context, agent, "clients.not_a_client"), ADD.data("stop"))]]
    await reply(update, context, agent, "clients/offer_add", name=parsed.name,
                phone=parsed.phone, note=parsed.note,
                birthday=parsed.birthday.to_storage() if parsed.birthday else None,
                keyboard=inline_keyboard(rows))
    return True


async def _add_offered(press: Press) -> None:
    """ad:line: add the line the agent typed outside any flow (kept in the open dialog)."""
    dialog = _add_dialog(press)
    if dialog is None or dialog.step != OFFER or not dialog.data.get("line"):
        await press.stale()
        return
    await _add_line(press.update, press.context, press.agent, str(dialog.data["line"]))


async def on_contact(update: Update, context: CoachContext) -> None:
    """A shared Telegram contact card becomes a client."""
    agent = current_agent(update, context)
    message = update.effective_message
    assert message is not None and message.contact is not None
    contact = message.contact
    name = clean_name(" ".join(filter(None, [contact.first_name, contact.last_name])))
    phone = normalize_phone(contact.phone_number or "", _region(agent))
    if name is None:
        await reply(update, context, agent, "clients/contact_unusable")
        return
    await _save(update, context, agent, Draft(name=name, phone=phone))


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """An answer in the guided add flow."""
    message = update.effective_message
    assert message is not None and message.text is not None
    draft = Draft.from_dict(dialog.data.get("draft", {}))
    typed = message.text
    if dialog.step == OFFER:
        # the agent moved on without tapping: this text is read afresh
        dialogs.clear_dialog(context.services.store, agent.id, chat_id_of(update))
        if not await offer_to_add(update, context, agent):
            await reply(update, context, agent, "general/free_text")
        return
    if dialog.step == "name":
        name = clean_name(typed)
        if name is None:
            await reply(update, context, agent, "clients/field_error", error="bad_name")
            return
        await _ask(update, context, agent, "phone", Draft(name=name))
    elif dialog.step == "phone":
        phone = normalize_phone(typed, _region(agent))
        if phone is None:
            await reply(update, context, agent, "clients/field_error", error="bad_phone")
            return
        await _ask(update, context, agent, "birthday", _with(draft, phone=phone))
    elif dialog.step == "birthday":
        yearly = parse_yearly_date(typed)
        if yearly is None:
            await reply(update, context, agent, "clients/field_error", error="bad_date")
            return
        await _save(update, context, agent, _with(draft, birthday=yearly.to_storage()))
    else:
        await reply(update, context, agent, "clients/duplicate_pending")


async def _skip(press: Press) -> None:
    """ad:skip: no phone, or no birthday (then save)."""
    dialog = _add_dialog(press)
    if dialog is not None and dialog.step == "phone":
        await _ask(press.update, press.context, press.agent, "birthday", _draft(dialog))
    elif dialog is not None and dialog.step == "birthday":
        await _save(press.update, press.context, press.agent, _draft(dialog))
    else:
        await press.stale()


async def _force(press: Press) -> None:
    """ad:force: save despite a possible duplicate."""
    dialog = _add_dialog(press)
    if dialog is None or dialog.step != "duplicate":
        await press.stale()
        return
    await _save(press.update, press.context, press.agent, _draft(dialog), force=True)


async def _stop(press: Press) -> None:
    """ad:stop: leave the add flow."""
    if _add_dialog(press) is None:
        await press.stale()
        return
    press.clear_dialog()
    await press.reply("clients/add_cancelled")


def _add_dialog(press: Press) -> Dialog | None:
    """The add flow open in this chat (buttons of an older one are stale)."""
    dialog = press.dialog()
    return dialog if dialog is not None and dialog.flow == FLOW else None


def _draft(dialog: Dialog) -> Draft:
    return Draft.from_dict(dialog.data.get("draft", {}))


async def _ask(update: Update, context: CoachContext, agent: Agent, step: str,
               draft: Draft) -> None:
    dialogs.set_dialog(context.services.store, agent.id, chat_id_of(update),
                       Dialog(FLOW, step, {"draft": draft.to_dict()}))
    # skip and cancel answer the step: they matter more than a placeholder (a message carries
    # one markup), so these prompts keep their buttons and show their examples in the text
    buttons = []
    if step != "name":
        buttons.append((label(context, agent, "buttons.skip"), ADD.data("skip")))
    buttons.append((label(context, agent, "buttons.cancel"), ADD.data("stop")))
    await reply(update, context, agent, f"clients/ask_{step}", draft=draft,
                keyboard=inline_keyboard([buttons]))


async def _save(update: Update, context: CoachContext, agent: Agent, draft: Draft, *,
                force: bool = False) -> None:
    store = context.services.store
    chat_id = chat_id_of(update)
    result = book.save_client(store, agent.id, draft, force=force)
    if result.client is None:
        dialogs.set_dialog(store, agent.id, chat_id, Dialog(FLOW, "duplicate",
                                                           {"draft": draft.to_dict()}))
        rows = [[(label(context, agent, "clients.open_existing", name=c.name[:30]),
                  open_card(c.id))] for c in result.duplicates[:3]]
        rows.append([(label(context, agent, "clients.add_anyway"), ADD.data("force")),
                     (label(context, agent, "buttons.cancel"), ADD.data("stop"))])
        await reply(update, context, agent, "clients/duplicate", draft=draft,
                    duplicates=result.duplicates[:3], keyboard=inline_keyboard(rows))
        return
    dialogs.clear_dialog(store, agent.id, chat_id)
    await show_card(update, context, agent, result.client.id, fresh=True, notice="added",
                    client=result.client, just_added=True)
    if draft.notes:  # the quick add's leftovers, read by the model when there is one
        await ai_facts.offer(update, context, agent, result.client.id, draft.notes, "note")


def _with(draft: Draft, **changes: object) -> Draft:
    return Draft.from_dict({**draft.to_dict(), **changes})


FEATURE = Feature(
    commands=(Command("add", add, section="book"),),
    buttons=(Buttons(ADD, {"skip": _skip, "force": _force, "stop": _stop,
                           "line": _add_offered}),),
    text_steps={FLOW: on_text},
)
