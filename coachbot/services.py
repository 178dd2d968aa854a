"""The collaborators every handler and job needs, bundled once by the application builder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coachbot.clock import Clock
from coachbot.config import Settings
from coachbot.render import Renderer
from coachbot.store import Store

if TYPE_CHECKING:
    from coachbot.jobs.sender import OutboxSender


@dataclass
class Services:
    """Shared services, reached from handlers as `context.services`."""

    settings: Settings
    store: Store
    renderer: Renderer
    clock: Clock
    sender: OutboxSender | None = None
