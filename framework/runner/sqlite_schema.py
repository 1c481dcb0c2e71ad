"""The SQLite queue's file format: its tables, its schema version, and upgrading older files.

:func:`create_or_migrate` runs when :class:`~framework.runner.sqlite_queue.SQLiteQueue` opens
a file: it creates what is missing and brings a file of an older version up to
:data:`SCHEMA_VERSION` in one transaction, keeping its jobs.
"""

from __future__ import annotations

import sqlite3

__all__ = ["SCHEMA_VERSION", "create_or_migrate"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_seen REAL NOT NULL,
    available_at REAL NOT NULL,
    lease_until REAL,
    last_error TEXT,
    destination TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (available_at, id) WHERE state = 0;
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
CREATE TABLE IF NOT EXISTS inputs (
    path TEXT PRIMARY KEY,
    "offset" INTEGER NOT NULL,
    line INTEGER NOT NULL,
    skip INTEGER NOT NULL,
    done INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('acked', 0), ('schema', 2);
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

#: The schema version this module writes. Version 1 (``framework send`` before the server)
#: had no ``destination`` column and no ``seen`` table; :func:`create_or_migrate` upgrades
#: such files in place when they are opened.
SCHEMA_VERSION = 2

_V2 = """
CREATE INDEX IF NOT EXISTS jobs_ready_by_destination ON jobs (destination, available_at, id)
    WHERE state = 0;
CREATE TABLE IF NOT EXISTS seen (
    source TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (source, message_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_by_age ON seen (seen_at);
"""


def create_or_migrate(db: sqlite3.Connection, path: str) -> None:
    """Create the tables of a new file, or bring an older one up to :data:`SCHEMA_VERSION`.

    Args:
        db: An open connection in autocommit mode (``isolation_level=None``).
        path: The file's path, for the error message.

    Raises:
        RuntimeError: The file was written by a newer framework (a higher schema version).
    """
    db.executescript(_SCHEMA)
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"queue {path!r} has schema version {version}; this version of the "
                f"framework reads up to {SCHEMA_VERSION} (upgrade the framework)")
        columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
        if "destination" not in columns:  # version 1
            db.execute("ALTER TABLE jobs ADD COLUMN destination TEXT NOT NULL DEFAULT ''")
        for statement in _V2.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (SCHEMA_VERSION,))
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
