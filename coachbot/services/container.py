"""The collaborators every handler and job needs, bundled once by the application builder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coachbot.config import Settings
from coachbot.domain.clock import Clock
from coachbot.render.templates import Renderer
from coachbot.store import Store

if TYPE_CHECKING:
    from coachbot.domain.coaching.practice import ProspectModel
    from coachbot.push.sender import OutboxSender
    from coachbot.scripts.loader import ScriptLibrary
    from coachbot.services.ai.setup import AiServices


@dataclass
class Services:
    """Shared services, reached from handlers as `context.services`."""

    settings: Settings
    store: Store
    renderer: Renderer
    clock: Clock
    library: ScriptLibrary
    sender: OutboxSender | None = None
    prospect: ProspectModel | None = None  # None: the offline scripted role-play prospect
    ai: AiServices | None = None  # the AI coach (every part falls back to the rules)
