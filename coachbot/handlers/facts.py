"""What the coach knows about a client, fact by fact, from the card's 🧠 button: confirm a fact
(the agent's word wins), correct it (one tap where the key has choices, typed otherwise, asked
again on a value that can't be read) or remove it. The client type and needs follow the facts.

    card -> kf:l (every fact, numbered) -> kf:o (one fact) -> kf:ok | kf:x | kf:e -> kf:c / typed
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from coachbot.domain.coaching.extract import HEALTH_WHAT, HEALTH_WHO
from coachbot.domain.models import Agent, Client, Dialog
from coachbot.domain.regions import currency_for
from coachbot.handlers.common import CoachContext, label, reply, show
from coachbot.handlers.dispatch import Buttons, Feature, Press, on_client
from coachbot.render.buttons import FACTS, open_card
from coachbot.runtime.messages import Button, inline_keyboard
from coachbot.services import book, clients, coach, dialogs, knowledge
from coachbot.services.knowledge import CHOICE, CHOICES, NO_COVER, PAIRS, TOGGLE, TYPED, YES_NO

FLOW = "fact"
# the value labels of each key's choices (templates/<locale>/labels/knowledge.yaml)
CHOICE_LABELS = {"child_stage": "child_stages", "existing_cover": "covers",
                 "occupation": "occupations", "industry": "industries",
                 "profile": "client_types"}


def _today(context: CoachContext, agent: Agent) -> date:
    return book.agent_today(agent, context.services.clock.now())


# -- every fact, one fact ---------------------------------------------------------------------
async def show_facts(update: Update, context: CoachContext, agent: Agent, client_id: int, *,
                     notice: str | None = None, fresh: bool = False) -> None:
    """The client's facts, numbered, one button each (the pressed message edited unless
    `fresh`)."""
    view = coach.facts_view(context.services.store, agent, client_id,
                            context.services.clock.now())
    if view is None:
        await reply(update, context, agent, "clients/not_found")
        return
    buttons: list[Button] = [
        (f"{n}. " + label(context, agent, f"fact_keys.{line.key}"),
         FACTS.data("open", client_id, line.fact_id)) for n, line in enumerate(view.lines, 1)]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(label(context, agent, "buttons.back"), open_card(client_id))])
    await show(update, context, agent, "clients/facts", fresh=fresh,
               keyboard=inline_keyboard(rows), page=True, facts=view.lines, client=view.client,
               currency=currency_for(agent.region), profile=view.profile, sure=view.sure,
               notice=notice)


async def _list(press: Press, client: Client) -> None:
    """kf:l:<client> (also "done" and "back" from a correction: no typed answer awaited)."""
    dialog = press.dialog()
    if dialog is not None and dialog.flow == FLOW:
        press.clear_dialog()
    await show_facts(press.update, press.context, press.agent, client.id)


def _shown_fact(press: Press, client: Client) -> knowledge.FactLine | None:
    """kf:<action>:<client>:<fact>: the fact as the card shows it now (None: forged, removed,
    or superseded since the button was drawn)."""
    fact_id = press.int_arg(1)
    if len(press.args) != 2 or fact_id is None:
        return None
    return knowledge.fact_line(press.store, press.agent.id, client.id, fact_id)


async def _open(press: Press, client: Client) -> None:
    """One fact: where it came from, and right / change / wrong."""
    line = _shown_fact(press, client)
    if line is None:
        await press.stale()
        return

    def b(key: str, action: str, arg: object) -> Button:
        return press.label(f"fact_buttons.{key}"), FACTS.data(action, client.id, arg)

    first = [b("correct", "correct", line.key)]
    if not line.confirmed:
        first.insert(0, b("confirm", "confirm", line.fact_id))
    rows = [first, [b("remove", "remove", line.fact_id)],
            [(press.label("buttons.back"), FACTS.data("list", client.id))]]
    await press.edit("clients/fact", client=client, f=line,
                     currency=currency_for(press.agent.region), keyboard=inline_keyboard(rows))


async def _confirm(press: Press, client: Client) -> None:
    line = _shown_fact(press, client)
    if line is None or line.fact_id is None:
        await press.stale()
        return
    knowledge.confirm_fact(press.store, press.agent.id, line.fact_id,
                           _today(press.context, press.agent))
    await _changed(press, client, "confirmed")


async def _remove(press: Press, client: Client) -> None:
    line = _shown_fact(press, client)
    if line is None or line.fact_id is None:
        await press.stale()
        return
    knowledge.remove_fact(press.store, press.agent.id, line.fact_id)
    await _changed(press, client, "removed")


async def _changed(press: Press, client: Client, notice: str) -> None:
    """A fact changed: an open SPIN talk follows the type, the facts page says what was done."""
    coach.follow_facts(press.store, press.agent, client.id, press.services.clock.now())
    await show_facts(press.update, press.context, press.agent, client.id, notice=notice)


# -- correcting ---------------------------------------------------------------------------------
async def _correct(press: Press, client: Client) -> None:
    """kf:e:<client>:<key>[:<who>]: ask for the value: buttons where the key has choices, a
    typed answer for numbers and ages (yes/no may be typed too)."""
    key, who = press.arg(1), press.arg(2)
    if key not in knowledge.KEYS or len(press.args) > 3 or \
            (who and (key != "health_event" or who not in HEALTH_WHO)):
        await press.stale()
        return
    if knowledge.fact_input(key) in (TYPED, YES_NO):  # a typed answer is read
        press.set_dialog(Dialog(FLOW, key, {"client_id": client.id}))
    await press.edit("clients/fact_edit", **_ask(press.context, press.agent, client, key, who))


def _ask(context: CoachContext, agent: Agent, client: Client, key: str, who: str = "",
         error: str | None = None) -> dict[str, Any]:
    """The fact_edit message's values and buttons for one key."""
    lines = knowledge.card_facts(context.services.store, agent.id, client.id)
    line = next((candidate for candidate in lines if candidate.key == key), None)
    return {"client": client, "key": key, "line": line, "who": who or None, "error": error,
            "input": knowledge.fact_input(key), "currency": currency_for(agent.region),
            "keyboard": _value_keyboard(context, agent, client.id, key, who, line)}


def _value_keyboard(context: CoachContext, agent: Agent, client_id: int, key: str, who: str,
                    line: knowledge.FactLine | None) -> InlineKeyboardMarkup:
    """The one-tap values of a key (none for a typed one), and the way back."""
    def b(text: str, choice: str) -> Button:
        return text, FACTS.data("choose", client_id, key, choice)

    kind = knowledge.fact_input(key)
    shown = {"-".join(v) if isinstance(v, list) else str(v) for v in line.value} \
        if line is not None and kind in (TOGGLE, PAIRS) else set()
    buttons: list[Button] = []
    if kind == YES_NO:
        buttons = [b(label(context, agent, "fact_buttons.answer_yes"), "y"),
                   b(label(context, agent, "fact_buttons.answer_no"), "n")]
    elif kind in (CHOICE, TOGGLE):
        names = CHOICE_LABELS.get(key, key)
        buttons = [b(("✅ " if choice in shown else "") +
                     label(context, agent, f"{names}.{choice}"), choice)
                   for choice in CHOICES[key]]
        if key == "existing_cover":
            buttons.append(b(label(context, agent, "fact_buttons.no_cover"), NO_COVER))
    elif kind == PAIRS:
        buttons = _pairs(context, agent, client_id, who, shown, b)
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    back = FACTS.data("list", client_id)
    rows.append([(label(context, agent, "buttons.done" if kind in (TOGGLE, PAIRS)
                        else "buttons.back"), back)])
    return inline_keyboard(rows)


def _pairs(context: CoachContext, agent: Agent, client_id: int, who: str, shown: set[str],
           b: Callable[[str, str], Button]) -> list[Button]:
    """Health events: the ones known (a tap takes one off) and who to add one for; after a
    who, what happened to them."""
    def name(kind: str, value: str) -> str:
        return label(context, agent, f"{kind}.{value}")

    if who:
        return [b(name("health_what", what), f"{who}-{what}") for what in HEALTH_WHAT]
    known = [b("✅ " + name("health_who", pair.split("-")[0]) +
               name("health_what", pair.split("-")[1]), pair) for pair in sorted(shown)]
    add = [(label(context, agent, "fact_buttons.add_who", who=name("health_who", person)),
            FACTS.data("correct", client_id, "health_event", person)) for person in HEALTH_WHO]
    return known + add


async def _choose(press: Press, client: Client) -> None:
    """kf:c:<client>:<key>:<choice>: a one-tap value; a set's toggle stays on the choices."""
    key, choice = press.arg(1), press.arg(2)
    if len(press.args) != 3 or not knowledge.choose_fact(
            press.store, press.agent.id, client.id, key, choice,
            _today(press.context, press.agent)):
        await press.stale()
        return
    coach.follow_facts(press.store, press.agent, client.id, press.services.clock.now())
    if knowledge.fact_input(key) in (TOGGLE, PAIRS):
        await press.edit("clients/fact_edit", **_ask(press.context, press.agent, client, key))
        return
    press.clear_dialog()
    await show_facts(press.update, press.context, press.agent, client.id, notice="saved")


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A typed value for the fact being corrected; asked again when it can't be read."""
    message = update.effective_message
    assert message is not None and message.text is not None
    store, key = context.services.store, dialog.step
    client = clients.get_client(store, agent.id, int(dialog.data["client_id"]))
    if client is None:
        dialogs.clear_dialog(store, agent.id, message.chat_id)
        await reply(update, context, agent, "clients/not_found")
        return
    value, error = knowledge.parse_fact_value(key, message.text)
    if error:
        await reply(update, context, agent, "clients/fact_edit",
                    **_ask(context, agent, client, key, error=error))
        return
    dialogs.clear_dialog(store, agent.id, message.chat_id)
    knowledge.correct_fact(store, agent.id, client.id, key, value, _today(context, agent))
    coach.follow_facts(store, agent, client.id, context.services.clock.now())
    await show_facts(update, context, agent, client.id, notice="saved", fresh=True)


FEATURE = Feature(
    buttons=(Buttons(FACTS, {
        "list": on_client(_list), "open": on_client(_open), "confirm": on_client(_confirm),
        "remove": on_client(_remove), "correct": on_client(_correct),
        "choose": on_client(_choose),
    }),),
    text_steps={FLOW: on_text},
)
