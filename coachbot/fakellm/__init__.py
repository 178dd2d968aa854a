"""A local fake of an OpenAI-compatible model server, for tests and offline development.

Like coachbot.sandbox for Telegram: it imports nothing of the bot. Scripted answers, bad JSON,
slow answers (timeouts), 429 and 500, streamed answers that may break off, and
/audio/transcriptions; every request is recorded so tests can check what reached it.
"""

from coachbot.fakellm.server import FakeLLM, Reply, SeenRequest

__all__ = ["FakeLLM", "Reply", "SeenRequest"]
