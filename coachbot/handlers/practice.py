"""/practice: role-play a prospect; the agent asks, the prospect answers, the bot scores.

With a model configured the prospect's reply streams in (the message is edited as it
arrives); without one, or when the model fails, the scripted prospect answers (with a one-line
notice when a configured model failed).
"""

from __future__ import annotations

import time

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest

from coachbot.domain.clients import clean_text
from coachbot.domain.coaching import practice
from coachbot.domain.models import Agent, Dialog
from coachbot.handlers.common import CoachContext, chat_id_of, current_agent, label, reply, text
from coachbot.handlers.dispatch import Buttons, Command, Feature, Press
from coachbot.render.buttons import PRACTICE
from coachbot.render.templates import split_message
from coachbot.runtime.messages import NO_PREVIEW, inline_keyboard
from coachbot.scripts.model import Scenario
from coachbot.services import coach, dialogs
from coachbot.services.ai.practice import PracticeTurn, TurnStream

FLOW = "practice"
EDIT_EVERY = 0.7  # seconds between edits of a streaming reply (Telegram's edit limits)
MAX_QUESTION = 500


async def practice_command(update: Update, context: CoachContext) -> None:
    """/practice: pick a scenario to role-play."""
    agent = current_agent(update, context)
    scripts = context.services.library.get(agent.locale)
    rows = [[(scenario.title[:40], PRACTICE.data("start", scenario_id))]
            for scenario_id, scenario in scripts.scenarios.items()]
    await reply(update, context, agent, "coaching/practice_pick",
                scenarios=list(scripts.scenarios.values()), keyboard=inline_keyboard(rows))


async def _start(press: Press) -> None:
    scenario_id = press.rest(0)
    services = press.services
    record = coach.open_practice(press.store, press.agent, scenario_id, services.library,
                                 services.clock.now())
    if record is None:
        await press.stale()
        return
    press.set_dialog(Dialog(FLOW, "ask", {"record": record.id}))
    scenario = services.library.get(press.agent.locale).scenarios[scenario_id]
    await press.reply("coaching/practice_start", scenario=scenario,
                      keyboard=_keyboard(press.context, press.agent, record.id))


def _keyboard(context: CoachContext, agent: Agent, record_id: int) -> InlineKeyboardMarkup:
    return inline_keyboard([[(label(context, agent, "coaching.practice_end"),
                              PRACTICE.data("end", record_id))]])


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """The agent's question to the prospect: the prospect's reply, streamed when it can be."""
    message = update.effective_message
    assert message is not None and message.text is not None
    services = context.services
    record = coach.get_session(services.store, agent.id, int(dialog.data["record"]))
    scenario = services.library.get(agent.locale).scenarios.get(record.ref) if record else None
    if record is None or record.status == "done" or scenario is None:
        dialogs.clear_dialog(services.store, agent.id, chat_id_of(update))
        await reply(update, context, agent, "coaching/spin_closed")
        return
    session = practice.PracticeSession.from_dict(record.state)
    question = clean_text(message.text, MAX_QUESTION)
    keyboard = _keyboard(context, agent, record.id)
    ai = services.ai
    if ai is None:  # no AI services at all: the scripted prospect, as before
        session, answer = practice.ask(session, question, scenario, services.clock.now(),
                                       prospect=services.prospect)
        coach.save_session(services.store, agent.id, record.id, session.to_dict(), "active")
        await reply(update, context, agent, "coaching/practice_turn", turn=session.turns[-1],
                    scenario=scenario, answer=answer, keyboard=keyboard)
        return
    await context.bot.send_chat_action(chat_id_of(update), ChatAction.TYPING)
    stream = await ai.practice.start_turn(agent_id=agent.id, session=session,
                                          scenario=scenario, question=question,
                                          now=services.clock.now())
    shown = await _stream(update, context, agent, stream, scenario) if ai.model_on else None
    if not ai.model_on:
        async for _ in stream:
            pass
    turn = stream.turn
    coach.save_session(services.store, agent.id, record.id, turn.session.to_dict(), "active")
    await _final(update, context, agent, shown, turn, scenario, keyboard)


async def _stream(update: Update, context: CoachContext, agent: Agent, stream: TurnStream,
                  scenario: Scenario) -> Message | None:
    """Show the reply as it arrives: one message, edited at most every EDIT_EVERY seconds."""
    shown: Message | None = None
    last = 0.0
    async for _ in stream:
        if time.monotonic() - last < EDIT_EVERY or not stream.text.strip():
            continue
        html = text(context, agent, "coaching/practice_typing", scenario=scenario,
                    answer=stream.text.strip())
        if shown is None:
            shown = await reply(update, context, agent, "coaching/practice_typing",
                                scenario=scenario, answer=stream.text.strip())
        else:
            await _edit(shown, html, None)
        last = time.monotonic()
    return shown


async def _final(update: Update, context: CoachContext, agent: Agent, shown: Message | None,
                 turn: PracticeTurn, scenario: Scenario, keyboard: InlineKeyboardMarkup) -> None:
    """The whole reply, with the question's type (and the notice when the rules stood in)."""
    values = {"turn": turn.session.turns[-1], "scenario": scenario, "answer": turn.reply,
              "notice": turn.notice}
    html = text(context, agent, "coaching/practice_turn", **values)
    if shown is not None and len(split_message(html)) == 1 and await _edit(shown, html,
                                                                           keyboard):
        return
    await reply(update, context, agent, "coaching/practice_turn", keyboard=keyboard, **values)


async def _edit(message: Message, html: str, keyboard: InlineKeyboardMarkup | None) -> bool:
    """Edit a message we sent; False when it can't take the edit (then send a new one)."""
    try:
        await message.edit_text(html, parse_mode=ParseMode.HTML, reply_markup=keyboard,
                                link_preview_options=NO_PREVIEW)
    except BadRequest as exc:
        return "not modified" in str(exc).lower()
    return True


async def _end(press: Press) -> None:
    record_id = press.int_arg(0)
    record = coach.get_session(press.store, press.agent.id, record_id) \
        if record_id is not None else None
    if record is None or record.kind != coach.PRACTICE:
        await press.stale()
        return
    session = practice.PracticeSession.from_dict(record.state)
    ai = press.services.ai
    result = ai.practice.score(session) if ai is not None else practice.score(session)
    coach.save_session(press.store, press.agent.id, record.id, session.to_dict(), "done")
    press.clear_dialog()
    scripts = press.services.library.get(press.agent.locale)
    await press.reply("coaching/practice_score", score=result, scripts=scripts,
                      turns=len(session.turns))


FEATURE = Feature(
    commands=(Command("practice", practice_command, section="coach"),),
    buttons=(Buttons(PRACTICE, {"start": _start, "end": _end}),),
    text_steps={FLOW: on_text},
)
