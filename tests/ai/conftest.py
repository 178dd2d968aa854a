"""The AI coach against the local fake model server: real HTTP, real openai client, real DB."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from coachbot.config import Settings, load_settings
from coachbot.domain.clock import ManualClock
from coachbot.fakellm import FakeLLM
from coachbot.render.templates import Renderer
from coachbot.services.ai.gateway import Limits
from coachbot.services.ai.setup import AiServices, build_ai
from coachbot.store import Store

AGENT = 42
FAST = Limits(retries=2, daily_calls=50, daily_tokens=0, backoff=0.0, max_wait=0.05)


@pytest.fixture
async def llm() -> AsyncIterator[FakeLLM]:
    async with FakeLLM() as server:
        yield server


@pytest.fixture
def agent(store: Store) -> int:
    store.agents.ensure_agent(AGENT, first_name="小王", username=None, locale="zh-Hans")
    return AGENT


def model_settings(llm: FakeLLM, **env: str) -> Settings:
    return load_settings({"COACHBOT_LLM_BASE_URL": llm.base_url,
                          "COACHBOT_LLM_MODEL": "fake-model", "COACHBOT_LLM_API_KEY": "sk-test",
                          "COACHBOT_LLM_TRANSCRIBE_MODEL": "whisper-1",
                          "COACHBOT_LLM_TIMEOUT": "1", **env})


@pytest.fixture
async def make_ai(store: Store, renderer: Renderer, clock: ManualClock,
                  llm: FakeLLM) -> AsyncIterator[Callable[..., AiServices]]:
    """AI services talking to the fake server (limits and other parts may be passed)."""
    made: list[AiServices] = []

    def make(limits: Limits = FAST, env: dict[str, str] | None = None,
             **parts: Any) -> AiServices:
        ai = build_ai(model_settings(llm, **(env or {})), store, renderer, clock,
                      limits=limits, **parts)
        made.append(ai)
        return ai

    yield make
    for ai in made:
        await ai.close()


@pytest.fixture
def offline_ai(store: Store, renderer: Renderer, clock: ManualClock) -> AiServices:
    """No model configured: what every deployment gets by default."""
    return build_ai(load_settings({}), store, renderer, clock)
