"""Voice notes to text: local faster-whisper when configured, else the model server's
/audio/transcriptions, else a clear "not configured" for the agent."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from coachbot.domain.locales import LOCALES
from coachbot.render.templates import Renderer
from coachbot.runtime.model_client import ModelError, Transcriber
from coachbot.services.ai.gateway import NOT_CONFIGURED, ModelGateway, ModelUnavailable
from coachbot.services.ai.notices import render_notice

logger = logging.getLogger(__name__)
LOCAL, MODEL = "local", "model"
MAX_BYTES = 20 * 1024 * 1024  # a bot may download 20 MB from Telegram; the API takes 25
LANGUAGE = {"zh-Hans": "zh", "zh-Hant": "zh", "en": "en"}
assert set(LANGUAGE) == set(LOCALES)


@dataclass(frozen=True)
class VoiceText:
    """The words of a voice note, or None with the notice to show (and why)."""

    text: str | None
    source: str | None  # local | model | None
    notice: str | None = None
    failure: str | None = None


class VoiceNotes:
    """Transcribes voice notes the agent sends (to log a visit by voice)."""

    def __init__(self, renderer: Renderer, *, local: Transcriber | None = None,
                 gateway: ModelGateway | None = None) -> None:
        self.renderer = renderer
        self.local = local
        self.gateway = gateway if gateway is not None and gateway.transcriber else None

    @property
    def configured(self) -> bool:
        return self.local is not None or self.gateway is not None

    async def transcribe(self, *, agent_id: int | None, audio: bytes, locale: str,
                         filename: str = "voice.ogg") -> VoiceText:
        """Local Whisper first (the audio stays here), then the model server."""
        if not self.configured:
            return self._failed(locale, NOT_CONFIGURED)
        if len(audio) > MAX_BYTES:
            return self._failed(locale, "too_big")
        language = LANGUAGE.get(locale)
        failure = "failed"
        if self.local is not None:
            try:
                text = await self.local.transcribe(audio, filename, language)
            except ModelError as exc:
                logger.warning("local transcription failed: %s", exc)
            else:
                return VoiceText(text.strip(), LOCAL)
        if self.gateway is not None:
            try:
                text = await self.gateway.transcribe(agent_id=agent_id, feature="voice",
                                                     audio=audio, filename=filename,
                                                     language=language)
            except ModelUnavailable as exc:
                failure = exc.reason
            else:
                return VoiceText(text, MODEL)
        return self._failed(locale, failure)

    def _failed(self, locale: str, reason: str) -> VoiceText:
        return VoiceText(None, None, render_notice(self.renderer, locale, "voice", reason),
                         reason)
