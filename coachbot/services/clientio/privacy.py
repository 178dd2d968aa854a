"""Privacy: everything the book holds about one client, for a data-access request."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any

from coachbot.domain.models import ClientCard


def client_export_json(card: ClientCard) -> str:
    """Everything the book holds about one client, as readable JSON (keys in English)."""
    client = {f.name: _plain(getattr(card.client, f.name)) for f in fields(card.client)}
    data = {
        "client": client,
        "referred_by": ({"id": card.referrer.id, "name": card.referrer.name}
                        if card.referrer else None),
        "family": [_plain(asdict(m)) for m in card.family],
        "important_dates": [_plain(asdict(d)) for d in card.dates],
        "policies": [_plain(asdict(p)) for p in card.policies],
        "contacts": [_plain(asdict(k)) for k in card.contacts],
        "group_roles": [_plain(asdict(r)) for r in card.roles],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
