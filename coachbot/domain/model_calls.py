"""Records of requests to a language model: what left the server (sizes, never content)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ModelCall:
    """One request to a model, as logged."""

    at: datetime
    agent_id: int | None
    feature: str
    endpoint: str
    host: str
    model: str
    outcome: str
    attempt: int = 1
    sent_chars: int = 0
    sent_bytes: int = 0
    redacted: int = 0
    names_masked: int = 0
    received_chars: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_estimated: bool = False
    duration_ms: int = 0
    id: int | None = None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class ModelUsage:
    """An agent's use of the model over a period: requests and tokens."""

    calls: int
    tokens: int


@dataclass(frozen=True)
class UsageLine:
    """One line of the log's summary: a day and feature, what was sent and spent."""

    day: str
    feature: str
    calls: int
    failed: int
    agents: int
    sent_chars: int
    sent_bytes: int
    redacted: int
    tokens: int
