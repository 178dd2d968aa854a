"""Every request to a language model passes here: redacted, budgeted, retried, logged.

Safe by construction: a feature hands over its own instructions (the system prompt, ours) and
the agent's words; the gateway redacts the agent's words (identifiers out, the client names the
feature lists swapped for placeholders), checks the agent's daily budget, sends with a timeout,
retries a bounded number of times, checks a structured answer against its validator, restores
the names, and logs each attempt's sizes (never its text) in model_calls. Any failure ends in
ModelUnavailable, on which the feature falls back to its rules.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from coachbot.domain.clock import Clock
from coachbot.domain.model_calls import ModelCall, ModelUsage
from coachbot.domain.privacy import Redactor
from coachbot.runtime.model_client import (
    ChatModel,
    Completion,
    Message,
    ModelError,
    StreamStats,
    Transcriber,
)
from coachbot.store import Store

logger = logging.getLogger(__name__)

T = TypeVar("T")
BUDGET, FAILED, NOT_CONFIGURED = "budget", "failed", "not_configured"
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


class ModelUnavailable(Exception):
    """The model could not help this time; reason: budget, failed or not_configured."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Limits:
    """Bounds on every call: retries, the per-agent daily budget (0: none), back-off."""

    retries: int = 2
    daily_calls: int = 200
    daily_tokens: int = 200_000
    backoff: float = 0.5  # seconds before the first retry, doubled after each
    max_wait: float = 8.0  # the longest wait, also for a server's Retry-After


class ModelGateway:
    """The one way to a model: redaction, budget, timeout (the client's), retries, log."""

    def __init__(self, *, store: Store | None, clock: Clock, limits: Limits, host: str,
                 chat: ChatModel | None = None, transcriber: Transcriber | None = None,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.store = store
        self.clock = clock
        self.limits = limits
        self.host = host
        self.chat = chat
        self.transcriber = transcriber
        self._sleep = sleep

    # -- structured and plain answers ------------------------------------------------------
    async def ask_json(self, *, agent_id: int | None, feature: str, system: str,
                       messages: Sequence[Message], validate: Callable[[Any], T],
                       schema: dict[str, Any], names: Iterable[str] = (), region: str = "CN",
                       max_tokens: int = 400) -> T:
        """A JSON answer, parsed, names restored, then checked by `validate` (which raises
        ValueError on a wrong answer: that attempt counts as failed and is retried)."""
        chat = self._chat()
        redactor = Redactor(names, region)
        sent = self._messages(system, messages, redactor)

        async def attempt() -> tuple[T, Completion]:
            completion = await chat.complete(sent, schema=schema, schema_name=feature,
                                             max_tokens=max_tokens, temperature=0.0)
            try:
                value = redactor.restore_json(_parse_json(completion.text))
                return validate(value), completion
            except (ValueError, TypeError, KeyError) as exc:
                raise ModelError("invalid_output", str(exc)[:200], None) from exc

        return await self._with_retries(agent_id, feature, "chat", sent, redactor, attempt)

    async def ask_text(self, *, agent_id: int | None, feature: str, system: str,
                       messages: Sequence[Message], names: Iterable[str] = (),
                       region: str = "CN", max_tokens: int = 300,
                       temperature: float = 0.7) -> str:
        """A plain answer, names restored."""
        chat = self._chat()
        redactor = Redactor(names, region)
        sent = self._messages(system, messages, redactor)

        async def attempt() -> tuple[str, Completion]:
            completion = await chat.complete(sent, max_tokens=max_tokens,
                                             temperature=temperature)
            if not completion.text.strip():
                raise ModelError("invalid_output", "empty answer")
            return redactor.restore(completion.text), completion

        return await self._with_retries(agent_id, feature, "chat", sent, redactor, attempt)

    async def stream_text(self, *, agent_id: int | None, feature: str, system: str,
                          messages: Sequence[Message], names: Iterable[str] = (),
                          region: str = "CN", max_tokens: int = 300,
                          temperature: float = 0.7) -> AsyncIterator[str]:
        """A plain answer piece by piece, names restored as they complete. A failure before
        the first piece is retried; after it, the stream ends in ModelUnavailable."""
        chat = self._chat()
        redactor = Redactor(names, region)
        sent = self._messages(system, messages, redactor)
        for attempt_no in range(1, self.limits.retries + 2):
            self._check_budget(agent_id)
            restorer, stats = redactor.stream(), StreamStats()
            started, received, began = False, 0, time.monotonic()
            outcome = "cancelled"
            try:
                async for piece in chat.stream(sent, stats=stats, max_tokens=max_tokens,
                                               temperature=temperature):
                    started = True
                    received += len(piece)
                    shown = restorer.feed(piece)
                    if shown:
                        yield shown
                tail = restorer.flush()
                if tail:
                    yield tail
                if not started:
                    raise ModelError("invalid_output", "empty answer")
                outcome = "ok"
                return
            except ModelError as exc:
                outcome = exc.kind
                if started or not exc.retryable or attempt_no > self.limits.retries:
                    raise ModelUnavailable(FAILED, str(exc)) from exc
                wait = self._wait(exc, attempt_no)
            finally:
                self._log(agent_id, feature, "chat_stream", sent, redactor, outcome,
                          attempt_no, began, received, stats.prompt_tokens,
                          stats.completion_tokens)
            await self._sleep(wait)

    async def transcribe(self, *, agent_id: int | None, feature: str, audio: bytes,
                         filename: str, language: str | None) -> str:
        """Speech to text through the server's transcription model."""
        transcriber = self.transcriber
        if transcriber is None:
            raise ModelUnavailable(NOT_CONFIGURED, "no transcription model")
        redactor = Redactor()

        async def attempt() -> tuple[str, Completion]:
            text = await transcriber.transcribe(audio, filename, language)
            return text.strip(), Completion(text)

        return await self._with_retries(agent_id, feature, "transcription", [], redactor,
                                        attempt, audio_bytes=len(audio),
                                        model=transcriber.model)

    # -- budget -----------------------------------------------------------------------------
    def usage_today(self, agent_id: int) -> ModelUsage:
        """The agent's requests and tokens since midnight in their time zone."""
        if self.store is None:
            return ModelUsage(0, 0)
        return self.store.model_calls.usage_since(agent_id, self._day_start(agent_id))

    def _check_budget(self, agent_id: int | None) -> None:
        if agent_id is None or self.store is None:
            return
        limits, used = self.limits, self.usage_today(agent_id)
        if (limits.daily_calls and used.calls >= limits.daily_calls) or \
                (limits.daily_tokens and used.tokens >= limits.daily_tokens):
            raise ModelUnavailable(BUDGET, f"{used.calls} calls, {used.tokens} tokens today")

    def _day_start(self, agent_id: int) -> datetime:
        assert self.store is not None
        agent = self.store.agents.get_agent(agent_id)
        zone = ZoneInfo(agent.timezone) if agent is not None else UTC
        local = self.clock.now().astimezone(zone)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)

    # -- the attempt loop ---------------------------------------------------------------------
    async def _with_retries(self, agent_id: int | None, feature: str, endpoint: str,
                            sent: Sequence[Message], redactor: Redactor,
                            attempt: Callable[[], Awaitable[tuple[T, Completion]]], *,
                            audio_bytes: int = 0, model: str | None = None) -> T:
        for attempt_no in range(1, self.limits.retries + 2):
            self._check_budget(agent_id)
            began = time.monotonic()
            try:
                value, completion = await attempt()
            except ModelError as exc:
                self._log(agent_id, feature, endpoint, sent, redactor, exc.kind, attempt_no,
                          began, 0, None, None, audio_bytes=audio_bytes, model=model)
                logger.info("model %s for %s failed (attempt %d): %s", endpoint, feature,
                            attempt_no, exc)
                if not exc.retryable or attempt_no > self.limits.retries:
                    raise ModelUnavailable(FAILED, str(exc)) from exc
                await self._sleep(self._wait(exc, attempt_no))
                continue
            self._log(agent_id, feature, endpoint, sent, redactor, "ok", attempt_no, began,
                      len(completion.text), completion.prompt_tokens,
                      completion.completion_tokens, audio_bytes=audio_bytes, model=model)
            return value
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, exc: ModelError, attempt_no: int) -> float:
        if exc.retry_after is not None:
            return min(max(exc.retry_after, 0.0), self.limits.max_wait)
        return min(self.limits.backoff * 2 ** (attempt_no - 1), self.limits.max_wait)

    def _chat(self) -> ChatModel:
        if self.chat is None:
            raise ModelUnavailable(NOT_CONFIGURED, "no chat model")
        return self.chat

    @staticmethod
    def _messages(system: str, messages: Sequence[Message],
                  redactor: Redactor) -> list[Message]:
        """Our instructions as they are; every other message redacted."""
        sent = [{"role": "system", "content": system}] if system else []
        sent += [{"role": m["role"], "content": redactor.redact(m["content"])}
                 for m in messages]
        return sent

    def _log(self, agent_id: int | None, feature: str, endpoint: str, sent: Sequence[Message],
             redactor: Redactor, outcome: str, attempt: int, began: float, received: int,
             prompt_tokens: int | None, completion_tokens: int | None, *, audio_bytes: int = 0,
             model: str | None = None) -> None:
        if self.store is None:
            return
        sent_chars = sum(len(m["content"]) for m in sent)
        estimated = prompt_tokens is None and outcome == "ok"
        if prompt_tokens is None:
            prompt_tokens = sum(estimate_tokens(m["content"]) for m in sent) \
                if outcome == "ok" else 0
        if completion_tokens is None:
            completion_tokens = (received + 2) // 3 if outcome == "ok" else 0
        chat_model = self.chat.model if self.chat is not None else ""
        try:
            self.store.model_calls.record(ModelCall(
                at=self.clock.now(),
                agent_id=agent_id, feature=feature, endpoint=endpoint, host=self.host,
                model=model or chat_model, outcome=outcome, attempt=attempt,
                sent_chars=sent_chars, sent_bytes=audio_bytes,
                redacted=sum(redactor.removed.values()), names_masked=len(redactor.names),
                received_chars=received, prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens, tokens_estimated=estimated,
                duration_ms=int((time.monotonic() - began) * 1000)))
        except Exception:  # the log must never break the feature
            logger.exception("could not log a model call")


def estimate_tokens(text: str) -> int:
    """Roughly what a tokenizer counts: a CJK character is about one token, and about four
    other characters make one (used when a server does not report usage)."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4


def _parse_json(text: str) -> Any:
    """The JSON in a model's answer, tolerating a ``` fence or words around one object."""
    text = _FENCE.sub("", text.strip()).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if start == -1 or end <= start:
            raise ValueError("the answer is not JSON") from None
        try:
            return json.loads(text[start:end + 1])
        except json.JSONDecodeError as exc:
            raise ValueError("the answer is not JSON") from exc
