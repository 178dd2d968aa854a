"""Which objection an agent's note describes, from the objection keywords."""

from __future__ import annotations

from coachbot.domain.coaching.text import find as find_keyword
from coachbot.domain.coaching.text import normalize
from coachbot.scripts.model import Objection, ScriptLibrary


def match_objection(text: str, library: ScriptLibrary, locale: str) -> list[Objection]:
    """Objections whose keywords occur in the text, best first (longer, more matches)."""
    scripts = library.get(locale)
    norm = normalize(text)
    scored = []
    for order, objection in enumerate(scripts.objections.values()):
        hits = [kw for kw in objection.keywords if find_keyword(norm, kw, scripts.locale) >= 0]
        if hits:
            scored.append((-sum(len(normalize(kw)) for kw in hits), order, objection))
    return [objection for _, _, objection in sorted(scored, key=lambda item: item[:2])]
