"""State of multi-step dialogs, kept in SQLite so a restart never loses a half-done flow."""

from __future__ import annotations

import json

from coachbot.domain.models import Dialog
from coachbot.store.base import Repository


class DialogStore(Repository):
    """SQL for dialog state, one row per agent and chat."""

    def get_dialog(self, agent_id: int, chat_id: int) -> Dialog | None:
        row = self.db.execute(
            "SELECT flow, step, data FROM dialogs WHERE agent_id = ? AND chat_id = ?",
            [agent_id, chat_id],
        ).fetchone()
        return Dialog(row[0], row[1], json.loads(row[2])) if row else None

    def set_dialog(self, agent_id: int, chat_id: int, dialog: Dialog) -> None:
        self.db.execute(
            "INSERT INTO dialogs (agent_id, chat_id, flow, step, data, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(agent_id, chat_id) DO UPDATE SET "
            "flow = excluded.flow, step = excluded.step, data = excluded.data, "
            "updated_at = excluded.updated_at",
            [agent_id, chat_id, dialog.flow, dialog.step,
             json.dumps(dialog.data, ensure_ascii=False), self._stamp()],
        )

    def clear_dialog(self, agent_id: int, chat_id: int) -> None:
        # every command clears the chat's dialog and most find none: a read costs a fraction
        # of the write transaction an empty DELETE still opens and commits
        if self.db.execute("SELECT 1 FROM dialogs WHERE agent_id = ? AND chat_id = ?",
                           [agent_id, chat_id]).fetchone() is None:
            return
        self.db.execute(
            "DELETE FROM dialogs WHERE agent_id = ? AND chat_id = ?", [agent_id, chat_id]
        )
