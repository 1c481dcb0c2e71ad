"""What the sink remembers: counters, message ids and the requests themselves.

:class:`Recorder` keeps everything in memory: exact counters and message-id sets, and the last
``keep`` requests for ``GET /_requests``. With a database path it also writes every request to
SQLite, in batches (one transaction per ``batch_size`` requests or per flush), so ``--db`` keeps
a complete record without a commit per request.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections import deque
from typing import Any, Iterable

__all__ = ["Recorder", "message_ids"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    headers TEXT NOT NULL,
    body TEXT NOT NULL,
    status INTEGER NOT NULL,
    message_ids TEXT NOT NULL
);
"""


def message_ids(body: bytes) -> list[str]:
    """The messageIds in a request body: of a JSON object, or of each item of a JSON array or
    of a ``{"batch": [...]}`` body. Anything else has none."""
    start = body.lstrip()[:1]
    if start not in (b"{", b"["):
        return []
    try:
        data = json.loads(body)
    except ValueError:
        return []
    if isinstance(data, dict) and isinstance(data.get("batch"), list):
        data = data["batch"]
    items: Iterable[Any] = data if isinstance(data, list) else [data]
    found = []
    for item in items:
        if isinstance(item, dict):
            value = item.get("messageId")
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                found.append(str(value))
    return found


class Recorder:
    """Thread-safe record of the requests a sink received.

    Args:
        keep: How many recent requests to keep in memory for :meth:`requests`.
        db: A SQLite file to write every request to, or ``None``.
        batch_size: Requests per SQLite transaction.
    """

    def __init__(self, keep: int = 10_000, db: str | None = None, batch_size: int = 500) -> None:
        self._lock = threading.Lock()
        self._keep = keep
        self._recent: deque[dict[str, Any]] = deque(maxlen=keep or None)
        self._batch_size = batch_size
        self._pending: list[tuple[Any, ...]] = []
        self._db: sqlite3.Connection | None = None
        if db:
            os.makedirs(os.path.dirname(os.path.abspath(db)), exist_ok=True)
            self._db = sqlite3.connect(db, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        self._reset_counters()

    def _reset_counters(self) -> None:
        self._requests = 0
        self._bytes = 0
        self._seen: set[str] = set()
        self._accepted: set[str] = set()
        self._repeats: dict[str, int] = {}
        self._next_id = 1
        if self._db is not None:
            row = self._db.execute("SELECT MAX(id) FROM requests").fetchone()
            self._next_id = (row[0] or 0) + 1

    def record(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes,
               status: int) -> list[str]:
        """Count and keep one request; returns the messageIds found in its body."""
        ids = message_ids(body)
        entry = {"time": time.time(), "method": method, "path": path, "query": query,
                 "headers": headers, "body": body.decode("utf-8", "replace"),
                 "status": status, "message_ids": ids}
        with self._lock:
            entry["id"] = self._next_id
            self._next_id += 1
            self._requests += 1
            self._bytes += len(body)
            self._seen.update(ids)
            if 200 <= status < 300:
                for message_id in ids:
                    if message_id in self._accepted:
                        self._repeats[message_id] = self._repeats.get(message_id, 0) + 1
                self._accepted.update(ids)
            if self._keep:
                self._recent.append(entry)
            if self._db is not None:
                self._pending.append((entry["id"], entry["time"], method, path, query,
                                      json.dumps(headers), entry["body"], status,
                                      json.dumps(ids)))
                if len(self._pending) >= self._batch_size:
                    self._flush()
        return ids

    def _flush(self) -> None:
        if self._db is not None and self._pending:
            with self._db:
                self._db.executemany("INSERT INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                     self._pending)
            self._pending = []

    def flush(self) -> None:
        """Write the requests not yet written to the database."""
        with self._lock:
            self._flush()

    def stats(self) -> dict[str, int]:
        """``requests``, ``bytes``, ``unique_message_ids``, ``accepted_unique_message_ids`` and
        ``accepted_duplicates`` (accepted deliveries of a message id accepted before)."""
        with self._lock:
            return {"requests": self._requests, "bytes": self._bytes,
                    "unique_message_ids": len(self._seen),
                    "accepted_unique_message_ids": len(self._accepted),
                    "accepted_duplicates": sum(self._repeats.values())}

    def duplicate_ids(self) -> dict[str, int]:
        """Message ids accepted more than once, with how many extra times."""
        with self._lock:
            return dict(self._repeats)

    def message_ids(self, accepted: bool = False) -> set[str]:
        """A copy of the messageIds seen (or only those that got a 2xx)."""
        with self._lock:
            return set(self._accepted if accepted else self._seen)

    def requests(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The most recent requests, oldest first (from the database when there is one)."""
        with self._lock:
            if self._db is None:
                items = list(self._recent)
                return items[-limit:] if limit else items
            self._flush()
            sql = "SELECT * FROM requests ORDER BY id DESC" + (" LIMIT ?" if limit else "")
            rows = self._db.execute(sql, (limit,) if limit else ()).fetchall()
        return [{"id": r[0], "time": r[1], "method": r[2], "path": r[3], "query": r[4],
                 "headers": json.loads(r[5]), "body": r[6], "status": r[7],
                 "message_ids": json.loads(r[8])} for r in reversed(rows)]

    def reset(self) -> None:
        """Forget every request and counter (and empty the database)."""
        with self._lock:
            self._pending = []
            self._recent.clear()
            if self._db is not None:
                with self._db:
                    self._db.execute("DELETE FROM requests")
            self._reset_counters()

    def close(self) -> None:
        """Flush and close the database, if any."""
        with self._lock:
            self._flush()
            if self._db is not None:
                self._db.close()
                self._db = None
