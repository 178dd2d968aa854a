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
    from coachbot.store.lock import InstanceLock


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
    # held by `coachbot run`: no other CoachBot can be using the database (None in tests)
    instance_lock: InstanceLock | None = None
    stop_reason: str | None = None  # why the bot stopped by itself ("conflict"), if it did
