"""How the bot talks to a language model: one OpenAI-compatible client, and local Whisper.

The official `openai` package (AsyncOpenAI) speaks the chat-completions and audio-transcription
endpoints that OpenAI, DeepSeek, Qwen (DashScope compatible mode), Moonshot, Ollama and vLLM
all serve; only the base URL, key and model names differ. This module makes one attempt per
call and turns every failure into a ModelError with a kind; retries, budgets, the call log and
redaction are the caller's (services/ai/gateway.py), so that each attempt is counted and logged.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import io
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger(__name__)

Message = dict[str, str]
JSON_MODES = ("json_schema", "json_object", "off")
STREAM_TIME_FACTOR = 3  # a streamed reply may take this many timeouts in all


class ModelError(Exception):
    """One failed attempt. kind: timeout, rate_limited, server, connection, refused (a 4xx
    other than 429: wrong key, model or request), invalid_output, not_configured, error."""

    RETRYABLE = frozenset({"timeout", "rate_limited", "server", "connection", "invalid_output"})

    def __init__(self, kind: str, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.kind in self.RETRYABLE


@dataclass
class Completion:
    """A model's answer and the tokens it reports (None when the server does not say)."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass
class StreamStats:
    """Filled in while a stream runs: the tokens reported at its end, if any."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class ChatModel(Protocol):
    """What the services need from a chat model (the real client, or a test double)."""

    model: str

    async def complete(self, messages: Sequence[Message], *, schema: dict[str, Any] | None = None,
                       schema_name: str = "answer", max_tokens: int = 400,
                       temperature: float = 0.2) -> Completion: ...

    def stream(self, messages: Sequence[Message], *, stats: StreamStats, max_tokens: int = 300,
               temperature: float = 0.7) -> AsyncIterator[str]: ...


class Transcriber(Protocol):
    """Speech to text."""

    model: str

    async def transcribe(self, audio: bytes, filename: str, language: str | None) -> str: ...


class OpenAICompatibleModel:
    """Chat completions (plain, JSON, streamed) and transcription over one AsyncOpenAI client."""

    def __init__(self, *, base_url: str, api_key: str | None, model: str,
                 transcribe_model: str | None = None, json_mode: str = "json_object",
                 timeout: float = 20.0) -> None:
        from openai import AsyncOpenAI

        if json_mode not in JSON_MODES:
            raise ValueError(f"json_mode must be one of {JSON_MODES}")
        self.model = model
        self.transcribe_model = transcribe_model
        self.json_mode = json_mode
        self.timeout = timeout
        self._length_name = "max_tokens"
        self._temperature_ok = True
        # retries are the gateway's, so that every attempt is budgeted and logged
        self._client = AsyncOpenAI(api_key=api_key or "not-needed", base_url=base_url,
                                   timeout=timeout, max_retries=0)

    async def complete(self, messages: Sequence[Message], *, schema: dict[str, Any] | None = None,
                       schema_name: str = "answer", max_tokens: int = 400,
                       temperature: float = 0.2) -> Completion:
        """One non-streamed answer; with a schema, the server is asked for JSON."""
        extra: dict[str, Any] = {}
        if schema is not None and self.json_mode == "json_schema":
            extra["response_format"] = {"type": "json_schema", "json_schema": {
                "name": schema_name, "schema": schema, "strict": False}}
        elif schema is not None and self.json_mode == "json_object":
            extra["response_format"] = {"type": "json_object"}
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._create(messages, max_tokens, temperature, **extra)
        except Exception as exc:
            raise _model_error(exc) from exc
        if not response.choices:
            raise ModelError("invalid_output", "no choices in the answer")
        text = response.choices[0].message.content or ""
        usage = response.usage
        return Completion(text, usage.prompt_tokens if usage else None,
                          usage.completion_tokens if usage else None)

    async def stream(self, messages: Sequence[Message], *, stats: StreamStats,
                     max_tokens: int = 300, temperature: float = 0.7) -> AsyncIterator[str]:
        """The answer as it is generated, piece by piece."""
        try:
            async with asyncio.timeout(self.timeout * STREAM_TIME_FACTOR):
                response = await self._create(messages, max_tokens, temperature, stream=True)
                async for chunk in response:  # type: ignore[union-attr]
                    if chunk.usage is not None:
                        stats.prompt_tokens = chunk.usage.prompt_tokens
                        stats.completion_tokens = chunk.usage.completion_tokens
                    for choice in chunk.choices:
                        if choice.delta and choice.delta.content:
                            yield choice.delta.content
        except ModelError:
            raise
        except Exception as exc:
            raise _model_error(exc) from exc

    async def _create(self, messages: Sequence[Message], max_tokens: int, temperature: float,
                      **extra: Any) -> Any:
        """One chat-completions request; asked again (at most twice) when the server says
        which sampling parameter it wants differently."""
        for _ in range(2):
            try:
                return await self._client.chat.completions.create(
                    model=self.model, messages=list(messages),  # type: ignore[arg-type]
                    **self._sampling(max_tokens, temperature), **extra)
            except Exception as exc:
                if not self._adapt(exc):
                    raise
        return await self._client.chat.completions.create(
            model=self.model, messages=list(messages),  # type: ignore[arg-type]
            **self._sampling(max_tokens, temperature), **extra)

    def _sampling(self, max_tokens: int, temperature: float) -> dict[str, Any]:
        """The length cap and temperature, as this server accepts them."""
        found: dict[str, Any] = {self._length_name: max_tokens}
        if self._temperature_ok:
            found["temperature"] = temperature
        return found

    def _adapt(self, exc: Exception) -> bool:
        """Newer reasoning models refuse max_tokens (they want max_completion_tokens) and any
        temperature but the default: learn that from the 400 once and ask again."""
        import openai

        if not isinstance(exc, openai.BadRequestError):
            return False
        message = str(exc).lower()
        if "max_tokens" in message and self._length_name == "max_tokens":
            self._length_name = "max_completion_tokens"
            return True
        if "temperature" in message and self._temperature_ok:
            self._temperature_ok = False
            return True
        return False

    async def transcribe(self, audio: bytes, filename: str, language: str | None) -> str:
        """Text of a voice note through /audio/transcriptions."""
        if not self.transcribe_model:
            raise ModelError("not_configured", "no transcription model")
        extra: dict[str, Any] = {"language": language} if language else {}
        try:
            async with asyncio.timeout(self.timeout * STREAM_TIME_FACTOR):
                result = await self._client.audio.transcriptions.create(
                    model=self.transcribe_model, file=(filename, audio), **extra)
        except Exception as exc:
            raise _model_error(exc) from exc
        text = result if isinstance(result, str) else getattr(result, "text", None)
        if not isinstance(text, str):
            raise ModelError("invalid_output", "no text in the transcription")
        return text

    async def close(self) -> None:
        await self._client.close()


class OpenAITranscriber:
    """The transcription half of an OpenAICompatibleModel, as a Transcriber."""

    def __init__(self, client: OpenAICompatibleModel) -> None:
        self._client = client
        self.model = client.transcribe_model or ""

    async def transcribe(self, audio: bytes, filename: str, language: str | None) -> str:
        return await self._client.transcribe(audio, filename, language)


def faster_whisper_installed() -> bool:
    """Whether the optional `whisper` extra (faster-whisper) is installed."""
    return importlib.util.find_spec("faster_whisper") is not None


class LocalWhisper:
    """Transcription on this machine with faster-whisper: audio never leaves the server.

    The package is imported and the model loaded on first use (seconds, hundreds of MB), in a
    worker thread like every transcription, so the bot's event loop never waits on them.
    """

    def __init__(self, model_path: str, *, loader: Callable[[str], Any] | None = None,
                 timeout: float = 120.0) -> None:
        self.model = f"faster-whisper:{model_path}"
        self.model_path = model_path
        self.timeout = timeout
        self._loader = loader or _load_faster_whisper
        self._model: Any = None
        self._lock = threading.Lock()

    async def transcribe(self, audio: bytes, filename: str, language: str | None) -> str:
        try:
            async with asyncio.timeout(self.timeout):
                return await asyncio.to_thread(self._run, audio, language)
        except TimeoutError as exc:
            raise ModelError("timeout", "local transcription took too long") from exc
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError("error", f"local transcription failed: {exc!r}") from exc

    def _run(self, audio: bytes, language: str | None) -> str:
        with self._lock:
            if self._model is None:
                self._model = self._loader(self.model_path)
            segments, _info = self._model.transcribe(io.BytesIO(audio), language=language)
            return "".join(segment.text for segment in segments).strip()


def _load_faster_whisper(path: str) -> Any:
    try:
        module = importlib.import_module("faster_whisper")
    except ImportError as exc:
        raise ModelError("not_configured", "faster-whisper is not installed "
                         "(pip install 'coachbot[whisper]')") from exc
    return module.WhisperModel(path, device="cpu", compute_type="int8")


def _model_error(exc: Exception) -> ModelError:
    """Our kind of failure for whatever the openai package raised."""
    import openai

    if isinstance(exc, ModelError):
        return exc
    if isinstance(exc, TimeoutError | openai.APITimeoutError):
        return ModelError("timeout", "no answer in time")
    if isinstance(exc, openai.RateLimitError):
        return ModelError("rate_limited", "429", _retry_after(exc))
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status >= 500:
            return ModelError("server", str(status), _retry_after(exc))
        return ModelError("refused", f"{status} {str(exc.message)[:200]}")
    if isinstance(exc, openai.APIConnectionError):
        return ModelError("connection", type(exc).__name__)
    if isinstance(exc, ValueError):  # an answer that is not JSON, a broken stream event
        return ModelError("invalid_output", type(exc).__name__)
    return ModelError("error", repr(exc)[:200])


def _retry_after(exc: Any) -> float | None:
    try:
        value = exc.response.headers.get("retry-after")
        return float(value) if value is not None else None
    except (AttributeError, TypeError, ValueError):
        return None
