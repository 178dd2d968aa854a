"""Voice notes from the agent: transcribed, then treated exactly as if the words were typed.

The transcript goes through the same path typed text takes (the open dialog's step, e.g. a
SPIN answer, a visit log or a note on the card; outside any flow, a search of the book); the
agent sees what was heard first and can type a correction. Where the model reads it for
facts, it is sent as a transcript (ai_facts.spoken). Without transcription (or when it fails)
a voice note during a SPIN talk is kept as the client's answer, and the agent is told why it
wasn't turned into text.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction

from coachbot.domain.models import Agent
from coachbot.handlers import ai_facts
from coachbot.handlers.common import CoachContext, chat_id_of, current_agent, reply
from coachbot.handlers.dispatch import Callback, Dispatcher, Feature, Press
from coachbot.render.buttons import COACH
from coachbot.services import coach, dialogs
from coachbot.services.ai.gateway import NOT_CONFIGURED
from coachbot.services.ai.voice import MAX_BYTES, VoiceText

SPIN_FLOW, SPIN_STEP = "coach", "spin"
MAX_HEARD = 4000


def handler(dispatcher: Dispatcher) -> Callback:
    """The voice-note handler, handing transcripts to the features' typed steps."""
    async def on_voice(update: Update, context: CoachContext) -> None:
        await _on_voice(update, context, dispatcher)
    return on_voice


async def _on_voice(update: Update, context: CoachContext, dispatcher: Dispatcher) -> None:
    agent = current_agent(update, context)
    message = update.effective_message
    assert message is not None and message.voice is not None
    heard = await _transcribe(update, context, agent)
    if heard.text:
        await reply(update, context, agent, "voice/heard", heard=heard.text[:MAX_HEARD])
        with ai_facts.spoken():  # a note or answer it becomes is read as a transcript
            await dispatcher.on_text(_as_typed(update, context, heard.text[:MAX_HEARD]),
                                     context)
        return
    services = context.services
    dialog = dialogs.get_dialog(services.store, agent.id, chat_id_of(update))
    reason = heard.failure or NOT_CONFIGURED
    if dialog is None or (dialog.flow, dialog.step) != (SPIN_FLOW, SPIN_STEP):
        await reply(update, context, agent, "ai/notice", feature="voice", reason=reason)
        return
    view = coach.spin_voice(services.store, agent, int(dialog.data["record"]),
                            message.voice.file_id, message.caption or "", services.library,
                            services.clock.now())
    if view is None:
        await reply(update, context, agent, "coaching/spin_closed")
        return
    await reply(update, context, agent, "voice/kept", reason=reason)
    # the talk's step again, as the coaching feature shows it
    await dispatcher.follow(Press(update, context, agent, "", (), dispatcher),
                            COACH.data("spin", view.client.id))


async def _transcribe(update: Update, context: CoachContext, agent: Agent) -> VoiceText:
    """The words of the voice note (text None: not configured, too big or failed)."""
    ai = context.services.ai
    message = update.effective_message
    assert message is not None and message.voice is not None
    if ai is None or not ai.voice.configured:
        return VoiceText(None, None, None, NOT_CONFIGURED)
    if (message.voice.file_size or 0) > MAX_BYTES:
        return VoiceText(None, None, None, "too_big")
    await context.bot.send_chat_action(chat_id_of(update), ChatAction.TYPING)
    file = await message.voice.get_file()
    audio = bytes(await file.download_as_bytearray())
    return await ai.voice.transcribe(agent_id=agent.id, audio=audio, locale=agent.locale)


def _as_typed(update: Update, context: CoachContext, words: str) -> Update:
    """The same update with the transcript as the message's text (and no voice)."""
    data = update.to_dict()
    message = data["message"]
    for key in ("voice", "caption", "caption_entities"):
        message.pop(key, None)
    message["text"] = words
    typed = Update.de_json(data, context.bot)
    assert typed is not None
    return typed


FEATURE = Feature()  # no commands or buttons: voice notes arrive through handler()
