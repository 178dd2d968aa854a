"""Opening the SQLite file: WAL, foreign keys, migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from coachbot.store.migrations import migrations


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the bot's database with the pragmas it relies on."""
    # check_same_thread=False lets a dedicated worker thread reuse the connection for heavy jobs;
    # the bot itself only touches it from the event loop's thread.
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    db = Database(conn)
    if str(path) != ":memory:":
        db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA busy_timeout = 30000")
    if migrate:
        migrations.apply(db)
    return db


def schema_version(db: Database) -> list[str]:
    """Names of the migrations applied, in order."""
    return [m.name for m in migrations.applied(db)]
