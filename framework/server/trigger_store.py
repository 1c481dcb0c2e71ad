"""Where LaunchDarkly-style triggers live: :class:`TriggerStore`, one SQLite file.

A trigger joins a trigger manifest (how to read a monitoring tool's alert body) to an installed
integration and its settings (where the alert goes). ``framework triggers create`` stores one and
prints its URL, ``/triggers/<token>``; the token (``secrets.token_urlsafe(32)``, 256 random bits)
is shown once and only its SHA-256 is kept, so the database alone cannot be used to fire a
trigger. A salt would add nothing against guessing: the token is random, not chosen by a person.
The same holds for the optional shared secret of manifests with ``auth: sharedSecret``.

Every firing is recorded: when, the event name, whether it was a test event, and the outcome.
The file uses WAL with ``synchronous=NORMAL`` like the queue: a commit survives ``kill -9``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

__all__ = ["Trigger", "Firing", "CreatedTrigger", "TriggerStore", "DEFAULT_TRIGGER_STORE_PATH",
           "hash_secret"]

#: Where the server keeps triggers unless its config says otherwise.
DEFAULT_TRIGGER_STORE_PATH = os.path.join(".framework", "triggers.sqlite3")

_TOKEN_BYTES = 32

_SCHEMA = """
CREATE TABLE IF NOT EXISTS triggers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    secret_hash TEXT,
    manifest TEXT NOT NULL,
    integration TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE IF NOT EXISTS firings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trigger_id INTEGER NOT NULL REFERENCES triggers (id),
    fired_at REAL NOT NULL,
    event_name TEXT NOT NULL,
    test INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS firings_trigger ON firings (trigger_id, id);
CREATE TABLE IF NOT EXISTS trigger_store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO trigger_store_meta (key, value) VALUES ('schema', 1);
"""


def hash_secret(secret: str) -> str:
    """The hex SHA-256 of ``secret`` (what the store keeps of tokens and shared secrets)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Trigger:
    """A stored trigger.

    Attributes:
        id: Its number (``framework triggers revoke ID``).
        manifest: The trigger manifest's key (``generic-trigger``, ``datadog``...).
        integration: The installed integration's slug its messages go to.
        settings: That integration's settings.
        created_at: Epoch seconds.
        revoked_at: Epoch seconds, or None while it is active.
        has_secret: Whether firing it needs the shared secret in ``Authorization``.
        firings: How many times it was fired.
        last_fired_at: When it was last fired (epoch seconds), or None.
    """

    id: int
    manifest: str
    integration: str
    settings: Mapping[str, Any]
    created_at: float
    revoked_at: float | None
    has_secret: bool
    firings: int = 0
    last_fired_at: float | None = None

    @property
    def destination(self) -> str:
        """The destination name its messages are queued for: ``trigger/<id>``."""
        return f"trigger/{self.id}"


@dataclass(frozen=True)
class CreatedTrigger:
    """What :meth:`TriggerStore.create` returns: the trigger, and the secrets shown only once.

    Attributes:
        trigger: The stored trigger.
        token: The token of its URL, ``/triggers/<token>``.
        secret: The shared secret to send in ``Authorization``, when the manifest asks for one.
    """

    trigger: Trigger
    token: str
    secret: str | None

    @property
    def url(self) -> str:
        """The trigger's path on the server."""
        return f"/triggers/{self.token}"


@dataclass(frozen=True)
class Firing:
    """One recorded firing.

    Attributes:
        trigger_id: The trigger fired.
        fired_at: Epoch seconds.
        event_name: The parsed (or default) event name.
        test: Whether the event name matched the manifest's test pattern.
        outcome: ``test``, ``queued``, ``unauthorized`` or ``failed``.
        detail: More about the outcome (the error of a failure), or None.
    """

    trigger_id: int
    fired_at: float
    event_name: str
    test: bool
    outcome: str
    detail: str | None = None


class TriggerStore:
    """Triggers and their firings in one SQLite file; safe to share between threads.

    Args:
        path: The database file (its directory is created); ``":memory:"`` for tests.
        clock: Epoch seconds now.
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_TRIGGER_STORE_PATH, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = os.fspath(path)
        if self.path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)

    def create(self, manifest: str, integration: str, settings: Mapping[str, Any], *,
               shared_secret: bool = False) -> CreatedTrigger:
        """Store a new trigger with a fresh token (and a fresh shared secret when asked)."""
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        secret = secrets.token_urlsafe(_TOKEN_BYTES) if shared_secret else None
        now = self._clock()
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO triggers (token_hash, secret_hash, manifest, integration, settings, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (hash_secret(token), hash_secret(secret) if secret else None, manifest,
                 integration, json.dumps(dict(settings)), now))
            trigger_id = int(cursor.lastrowid or 0)
        trigger = Trigger(trigger_id, manifest, integration, dict(settings), now, None,
                          secret is not None)
        return CreatedTrigger(trigger, token, secret)

    def find(self, token: str) -> Trigger | None:
        """The active trigger whose token is ``token``; None when unknown or revoked."""
        with self._lock:
            row = self._db.execute(_SELECT + " WHERE t.token_hash = ? AND t.revoked_at IS NULL "
                                   "GROUP BY t.id", (hash_secret(token),)).fetchone()
        return _trigger(row) if row else None

    def check_secret(self, trigger: Trigger, secret: str | None) -> bool:
        """Whether ``secret`` is the trigger's shared secret (True when it needs none)."""
        with self._lock:
            row = self._db.execute("SELECT secret_hash FROM triggers WHERE id = ?",
                                   (trigger.id,)).fetchone()
        expected = row[0] if row else None
        if expected is None:
            return True
        return secret is not None and hmac.compare_digest(hash_secret(secret), expected)

    def get(self, trigger_id: int) -> Trigger | None:
        """The trigger numbered ``trigger_id`` (revoked or not), or None."""
        with self._lock:
            row = self._db.execute(_SELECT + " WHERE t.id = ? GROUP BY t.id",
                                   (trigger_id,)).fetchone()
        return _trigger(row) if row else None

    def triggers(self) -> list[Trigger]:
        """Every trigger, revoked ones included, by id."""
        with self._lock:
            rows = self._db.execute(_SELECT + " GROUP BY t.id ORDER BY t.id").fetchall()
        return [_trigger(row) for row in rows]

    def revoke(self, trigger_id: int) -> bool:
        """Revoke a trigger: its URL answers 404 from now on. False when there is no such
        active trigger."""
        with self._lock:
            cursor = self._db.execute("UPDATE triggers SET revoked_at = ? WHERE id = ? AND "
                                      "revoked_at IS NULL", (self._clock(), trigger_id))
        return cursor.rowcount == 1

    def record(self, firing: Firing) -> None:
        """Keep a firing."""
        with self._lock:
            self._db.execute("INSERT INTO firings (trigger_id, fired_at, event_name, test, "
                             "outcome, detail) VALUES (?, ?, ?, ?, ?, ?)",
                             (firing.trigger_id, firing.fired_at, firing.event_name,
                              int(firing.test), firing.outcome, firing.detail))

    def firings(self, trigger_id: int | None = None, limit: int = 100) -> list[Firing]:
        """The latest ``limit`` firings (of one trigger when given), oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT trigger_id, fired_at, event_name, test, outcome, detail FROM firings "
                "WHERE ? IS NULL OR trigger_id = ? ORDER BY id DESC LIMIT ?",
                (trigger_id, trigger_id, limit)).fetchall()
        return [Firing(row[0], row[1], row[2], bool(row[3]), row[4], row[5])
                for row in reversed(rows)]

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> "TriggerStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_SELECT = ("SELECT t.id, t.manifest, t.integration, t.settings, t.created_at, t.revoked_at, "
           "t.secret_hash IS NOT NULL, COUNT(f.id), MAX(f.fired_at) FROM triggers t "
           "LEFT JOIN firings f ON f.trigger_id = t.id")


def _trigger(row: Any) -> Trigger:
    return Trigger(id=row[0], manifest=row[1], integration=row[2], settings=json.loads(row[3]),
                   created_at=row[4], revoked_at=row[5], has_secret=bool(row[6]),
                   firings=row[7], last_fired_at=row[8])
