"""Referral scripts for a moment, with the client's and the named person's names filled in."""

from __future__ import annotations

from coachbot.scripts.fields import PLACEHOLDER
from coachbot.scripts.model import ScriptLibrary


def fill(text: str, values: dict[str, str]) -> str:
    """Replace {{ name }} placeholders with plain values (the caller escapes for HTML)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def referral_lines(
    moment: str, library: ScriptLibrary, locale: str, client_name: str, person: str,
    agent_name: str = "",
) -> list[str]:
    """The ways to ask for a referral at a moment, naming the specific person."""
    values = {"client_name": client_name, "person": person, "agent_name": agent_name}
    return [fill(line, values) for line in library.get(locale).referrals[moment].ask]
