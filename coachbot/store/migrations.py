"""Ordered, named schema migrations. Never edit one that has landed: add a new one."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("coachbot")


@migrations(name="0001_agents_and_dialogs")
def agents_and_dialogs(db: Database) -> None:
    """Agents (Telegram users who keep a book) and multi-step dialog state."""
    db.execute(
        """
        CREATE TABLE agents (
            id INTEGER PRIMARY KEY,            -- Telegram user id
            first_name TEXT NOT NULL DEFAULT '',
            username TEXT,
            locale TEXT NOT NULL DEFAULT 'zh-Hans',
            region TEXT NOT NULL DEFAULT 'CN',
            timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
            digest_time TEXT NOT NULL DEFAULT '08:00',
            monthly_target INTEGER NOT NULL DEFAULT 2,
            onboarded_at TEXT,
            blocked_at TEXT,                   -- set when Telegram says the user blocked the bot
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE dialogs (
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL,
            flow TEXT NOT NULL,
            step TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}',
            updated_at TEXT NOT NULL,
            PRIMARY KEY (agent_id, chat_id)
        )
        """
    )
