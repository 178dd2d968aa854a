"""The one line an agent sees when the model could not help and the rules answered instead."""

from __future__ import annotations

from coachbot.render.templates import Renderer

FEATURES = ("practice", "facts", "classify", "voice")
REASONS = ("budget", "failed", "not_configured", "too_big")


def render_notice(renderer: Renderer, locale: str, feature: str, reason: str) -> str:
    """templates/<locale>/ai/notice.j2 for a feature and a reason (see REASONS)."""
    return renderer.render(locale, "ai/notice", feature=feature,
                           reason=reason if reason in REASONS else "failed")
