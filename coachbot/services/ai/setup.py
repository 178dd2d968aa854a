"""The AI coach's services, built once from the settings (everything off when unset)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlparse

from coachbot.config import Settings
from coachbot.domain.clock import Clock
from coachbot.render.templates import Renderer
from coachbot.runtime.model_client import (
    ChatModel,
    LocalWhisper,
    OpenAICompatibleModel,
    OpenAITranscriber,
    Transcriber,
    faster_whisper_installed,
)
from coachbot.services.ai.classifier import ModelQuestionClassifier
from coachbot.services.ai.facts import FactReader, FactRules, rule_facts
from coachbot.services.ai.gateway import Limits, ModelGateway
from coachbot.services.ai.practice import PracticeCoach
from coachbot.services.ai.voice import VoiceNotes
from coachbot.store import Store

logger = logging.getLogger(__name__)


@dataclass
class AiServices:
    """What handlers call: question types, role-play turns, facts from text, voice notes."""

    gateway: ModelGateway | None
    classifier: ModelQuestionClassifier
    practice: PracticeCoach
    facts: FactReader
    voice: VoiceNotes
    client: OpenAICompatibleModel | None = None

    @property
    def model_on(self) -> bool:
        return self.gateway is not None and self.gateway.chat is not None

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


def build_ai(settings: Settings, store: Store | None, renderer: Renderer, clock: Clock, *,
             fact_rules: FactRules = rule_facts, chat: ChatModel | None = None,
             transcriber: Transcriber | None = None,
             local_transcriber: Transcriber | None = None,
             limits: Limits | None = None) -> AiServices:
    """The services for these settings; tests may pass their own model doubles or limits."""
    client = None
    if chat is None and transcriber is None and (settings.llm_model
                                                  or settings.llm_transcribe_model):
        client = OpenAICompatibleModel(
            base_url=settings.llm_base_url, api_key=settings.llm_api_key,
            model=settings.llm_model or "", transcribe_model=settings.llm_transcribe_model,
            json_mode=settings.llm_json_mode, timeout=settings.llm_timeout)
        chat = client if settings.llm_model else None
        transcriber = OpenAITranscriber(client) if settings.llm_transcribe_model else None
    gateway = None
    if chat is not None or transcriber is not None:
        gateway = ModelGateway(
            store=store, clock=clock, host=model_host(settings), chat=chat,
            transcriber=transcriber,
            limits=limits or Limits(retries=settings.llm_retries,
                                    daily_calls=settings.llm_daily_calls,
                                    daily_tokens=settings.llm_daily_tokens))
    if local_transcriber is None and settings.whisper_model_path is not None:
        local_transcriber = LocalWhisper(str(settings.whisper_model_path))
    classifier = ModelQuestionClassifier(gateway)
    return AiServices(
        gateway=gateway, classifier=classifier,
        practice=PracticeCoach(gateway, classifier, renderer),
        facts=FactReader(gateway, renderer, fact_rules),
        voice=VoiceNotes(renderer, local=local_transcriber, gateway=gateway),
        client=client)


def model_host(settings: Settings) -> str:
    """Where requests go, as logged: the base URL's host and port."""
    return urlparse(settings.llm_base_url).netloc or settings.llm_base_url


def features_line(settings: Settings) -> str:
    """One line for start-up: which AI features are on, where requests go, the budget."""
    if not settings.llm_enabled and not settings.transcription_enabled:
        return ("AI coach: off (rules only; set COACHBOT_LLM_MODEL and COACHBOT_LLM_API_KEY "
                "to turn it on)")
    parts = []
    if settings.llm_enabled:
        parts.append(f"role-play, facts from notes and question types with {settings.llm_model}"
                     f" at {model_host(settings)}")
    voice = []
    if settings.whisper_model_path is not None:
        installed = "" if faster_whisper_installed() else " (faster-whisper NOT installed)"
        voice.append(f"local faster-whisper{installed}")
    if settings.llm_transcribe_model:
        voice.append(f"{settings.llm_transcribe_model} at {model_host(settings)}")
    parts.append("voice notes via " + " then ".join(voice) if voice else "voice notes off")
    calls = settings.llm_daily_calls or "unlimited"
    tokens = settings.llm_daily_tokens or "unlimited"
    return (f"AI coach: on: {'; '.join(parts)}; budget per agent per day: {calls} requests, "
            f"{tokens} tokens; timeout {settings.llm_timeout:g}s, {settings.llm_retries} "
            "retries; rules when it fails")
