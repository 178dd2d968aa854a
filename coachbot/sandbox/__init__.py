"""A local Telegram Bot API sandbox for running and testing the bot without Telegram.

See `coachbot.sandbox.server.Sandbox` for the server and its Python control API, and
`coachbot.sandbox.terminal` for the interactive terminal chat.
"""

from coachbot.sandbox.objects import SandboxUser
from coachbot.sandbox.server import RecordedRequest, Rejection, Sandbox

__all__ = ["RecordedRequest", "Rejection", "Sandbox", "SandboxUser"]
