"""The open multi-step dialog of an agent in a chat (what typed text answers)."""

from __future__ import annotations

from coachbot.domain.models import Dialog
from coachbot.store import Store


def get_dialog(store: Store, agent_id: int, chat_id: int) -> Dialog | None:
    """The dialog open in this chat, if any."""
    return store.dialogs.get_dialog(agent_id, chat_id)


def set_dialog(store: Store, agent_id: int, chat_id: int, dialog: Dialog) -> None:
    """Open (or move on) a dialog: the next typed text goes to its step."""
    store.dialogs.set_dialog(agent_id, chat_id, dialog)


def clear_dialog(store: Store, agent_id: int, chat_id: int) -> None:
    """Close whatever dialog is open in this chat."""
    store.dialogs.clear_dialog(agent_id, chat_id)
