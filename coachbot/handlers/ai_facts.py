"""Client facts the AI coach read from free text: shown to the agent, saved with one tap.

Every free text about a client comes here after its own reply: a quick add's note, a note typed
on the card, a visit log, a SPIN answer, a forwarded message (and any of them spoken: a voice
note's transcript). Only a model's reading waits for the tap; the rules' facts are kept as
before (the text is their source), and when the model fails the agent gets the one-line
notice. Without a model nothing is sent and nothing more is said.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, timedelta

from telegram import Update
from telegram.constants import ChatAction

from coachbot.domain.models import Agent, Client
from coachbot.handlers.common import CoachContext, chat_id_of, label, reply
from coachbot.handlers.dispatch import Buttons, Feature, Press
from coachbot.render.buttons import FOUND_FACTS, open_card
from coachbot.runtime.messages import inline_keyboard
from coachbot.services import book, clients, knowledge

TRANSCRIPT = "transcript"
# set while a voice note's transcript is handled as if typed (handlers/voice.py)
_SPOKEN: ContextVar[bool] = ContextVar("spoken", default=False)


@contextlib.contextmanager
def spoken() -> Iterator[None]:
    """Texts offered inside this block are a voice note's transcript (kind "transcript")."""
    token = _SPOKEN.set(True)
    try:
        yield
    finally:
        _SPOKEN.reset(token)


async def offer(update: Update, context: CoachContext, agent: Agent, client_id: int,
                note: str, kind: str = "note") -> None:
    """Read the text with the model (when one is configured) and offer what it found.
    kind: note, visit_log, spin_answer, forwarded (transcript when it was spoken). Call it
    after the text's own reply, which stays first."""
    ai = context.services.ai
    if ai is None or not ai.model_on or not note.strip():
        return
    client = clients.get_client(context.services.store, agent.id, client_id)
    if client is None:
        return
    # the model may take seconds: read in the background, so the agent's next message in this
    # chat is not held behind it (the found facts name the client, so they stand alone)
    context.application.create_task(
        _read_and_offer(update, context, agent, client, note,
                        TRANSCRIPT if _SPOKEN.get() else kind), update=update)


async def _read_and_offer(update: Update, context: CoachContext, agent: Agent, client: Client,
                          note: str, kind: str) -> None:
    ai = context.services.ai
    assert ai is not None
    client_id = client.id
    # one read at a time per agent: a burst of forwards neither floods the model nor slips
    # past the daily budget (counted after each call)
    async with _reading_lock(context, agent.id):
        await context.bot.send_chat_action(chat_id_of(update), ChatAction.TYPING)
        found = await ai.facts.read(agent_id=agent.id, text=note, locale=agent.locale,
                                    names=(client.name,), kind=kind, region=agent.region)
    if found.notice is not None:
        if _first_notice_today(context, agent, found.failure or "failed"):
            await reply(update, context, agent, "ai/notice", feature="facts",
                        reason=found.failure or "failed")
        return
    if found.source != "model" or not found.facts:
        return
    held = knowledge.hold_found(context.services.store, agent.id, client_id, found.facts)
    rows = [[(label(context, agent, "fact_found.save"),
              FOUND_FACTS.data("save", held))]]
    await reply(update, context, agent, "ai/facts_found", client=client, facts=found.facts,
                keyboard=inline_keyboard(rows))


def _reading_lock(context: CoachContext, agent_id: int) -> asyncio.Lock:
    # held weakly: an agent's lock lives while one of their readings holds or awaits it, so
    # the table never keeps an entry for every agent who ever used the model
    locks: weakref.WeakValueDictionary[int, asyncio.Lock] = context.bot_data.setdefault(
        "facts_locks", weakref.WeakValueDictionary())
    lock = locks.get(agent_id)
    if lock is None:
        lock = locks[agent_id] = asyncio.Lock()
    return lock


def _first_notice_today(context: CoachContext, agent: Agent, reason: str) -> bool:
    """Reading facts is a background extra the agent didn't ask for: when the model can't
    help, say so once a day per reason, not under every note (kept in memory: a restart
    may say it once more)."""
    today = book.agent_today(agent, context.services.clock.now()).isoformat()
    told: dict[tuple[int, str], str] = context.bot_data.setdefault("facts_notices", {})
    if told.get((agent.id, reason)) == today:
        return False
    # days before yesterday are over in every time zone: their entries go
    over = (date.fromisoformat(today) - timedelta(days=2)).isoformat()
    for key in [key for key, day in told.items() if day <= over]:
        del told[key]
    told[(agent.id, reason)] = today
    return True


async def _save(press: Press) -> None:
    record_id = press.int_arg(0)
    today = book.agent_today(press.agent, press.services.clock.now())
    client_id = knowledge.confirm_found(press.store, press.agent.id, record_id, today) \
        if record_id is not None else None
    if client_id is None:
        await press.stale()
        return
    rows = [[(press.label("coaching.to_card"), open_card(client_id, new=True))]]
    await press.edit("ai/facts_saved", keyboard=inline_keyboard(rows))


FEATURE = Feature(buttons=(Buttons(FOUND_FACTS, {"save": _save}),))
