"""The collaborators every handler and job needs, bundled once by the application builder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from coachbot.config import Settings
from coachbot.domain.clock import Clock
from coachbot.domain.coaching.practice import ProspectModel
from coachbot.render.templates import Renderer
from coachbot.scripts.loader import ScriptLibrary
from coachbot.services.ai.setup import AiServices
from coachbot.store import Store
from coachbot.store.lock import InstanceLock


class Sender(Protocol):
    """What the bundle needs of the outbox sender (push/sender.py): to be woken when
    something was queued, and stopped with the application."""

    def wake(self) -> None: ...

    async def stop(self, timeout: float = ...) -> None: ...


@dataclass
class Services:
    """Shared services, reached from handlers as `context.services`."""

    settings: Settings
    store: Store
    renderer: Renderer
    clock: Clock
    library: ScriptLibrary
    sender: Sender | None = None  # set once the bot is up (app.on_startup)
    prospect: ProspectModel | None = None  # None: the offline scripted role-play prospect
    ai: AiServices | None = None  # the AI coach (every part falls back to the rules)
    # held by `coachbot run`: no other CoachBot can be using the database (None in tests)
    instance_lock: InstanceLock | None = None
    stop_reason: str | None = None  # why the bot stopped by itself ("conflict"), if it did

    def wake_sender(self) -> None:
        """Something was queued in the outbox: send it now rather than at the next sweep."""
        if self.sender is not None:
            self.sender.wake()
