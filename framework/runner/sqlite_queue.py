"""The default queue engine: one SQLite file in WAL mode.

Why these settings:

* ``journal_mode=WAL``: readers never block the writer, and a commit is one append to the
  write-ahead log instead of a rollback-journal dance, which is what makes small frequent
  transactions (one per ``reserve``/``ack`` batch) cheap.
* ``synchronous=NORMAL``: in WAL mode a commit is written to the log (so it survives the
  process being killed, ``kill -9`` included, because the data is in the OS page cache) but the
  log is only fsynced at checkpoints. A power cut or OS crash can lose the last few commits but
  never corrupts the file. The runner's guarantee is against process crashes, and ``FULL``
  (an fsync per commit) would cost an order of magnitude in throughput.
* One connection shared by all threads behind a lock: SQLite admits one writer at a time
  anyway, and a Python lock hands the connection over in microseconds, where separate
  connections would contend through ``SQLITE_BUSY`` and the busy handler's sleeps.

Acked jobs are deleted (a counter remembers how many); dead letters stay in the file.

The file's tables and their migration live in :mod:`framework.runner.sqlite_schema`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

from .queue import DEDUPE_WINDOW, DeadLetter, FanOut, InputOffset, Job, JobId, MessageLike, \
    Queue, QueueStats, encode, error_dict
from .sqlite_schema import SCHEMA_VERSION, create_or_migrate

__all__ = ["SQLiteQueue", "DEFAULT_QUEUE_PATH", "SCHEMA_VERSION"]

#: Where ``framework send`` keeps its queue unless told otherwise (relative to the working dir).
DEFAULT_QUEUE_PATH = os.path.join(".framework", "queue.sqlite3")

READY, IN_FLIGHT, DEAD = 0, 1, 3

#: How often (seconds) :meth:`SQLiteQueue.fan_out` deletes expired ``seen`` rows.
_PRUNE_EVERY = 60.0

_SET_INPUT = ('INSERT INTO inputs (path, "offset", line, skip, done, updated_at) '
              'VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET '
              '"offset" = excluded."offset", line = excluded.line, skip = excluded.skip, '
              'done = excluded.done, updated_at = excluded.updated_at')

_SET_INFO = ("INSERT INTO info (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
             "value = excluded.value")


T = TypeVar("T")


def _chunks(ids: list[JobId], size: int = 500) -> Iterator[list[JobId]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


class SQLiteQueue(Queue):
    """A :class:`~framework.runner.queue.Queue` in a SQLite file.

    Args:
        path: The database file; its directory is created if missing. ``":memory:"`` gives a
            throwaway queue (tests).
        timeout: Seconds to wait for another process's lock on the file.

    Example::

        with SQLiteQueue(".framework/queue.sqlite3") as queue:
            queue.put([{"type": "track", "event": "Signed Up"}])
            for job in queue.reserve(100):
                queue.ack([job.id])
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_QUEUE_PATH,
                 timeout: float = 30.0) -> None:
        self.path = os.fspath(path)
        if self.path != ":memory:":
            directory = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(directory, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        create_or_migrate(self._db, self.path)
        self._closed = False
        self._pruned_at = 0.0

    # -- helpers ---------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"queue {self.path!r} is closed")

    def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(db)`` in one immediate (write) transaction under the lock."""
        with self._lock:
            self._check_open()
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                result = fn(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    # -- Queue API -------------------------------------------------------------------------

    def put(self, messages: Iterable[MessageLike], source: InputOffset | None = None,
            now: float | None = None, *, destination: str = "") -> list[JobId]:
        now = time.time() if now is None else now
        bodies = [encode(message) for message in messages]

        def insert(db: sqlite3.Connection) -> list[JobId]:
            row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'").fetchone()
            first = (row[0] if row else 0) + 1
            ids: list[JobId] = list(range(first, first + len(bodies)))
            db.executemany(
                "INSERT INTO jobs (id, body, first_seen, available_at, destination) "
                "VALUES (?, ?, ?, ?, ?)",
                [(job_id, body, now, now, destination) for job_id, body in zip(ids, bodies)])
            if source is not None:
                db.execute(_SET_INPUT, (source.path, source.offset, source.line, source.skip,
                                        int(source.done), now))
            return ids

        if not bodies and source is None:
            return []
        return self._write(insert)

    def reserve(self, n: int, now: float | None = None, lease: float = 300.0, *,
                destination: str | None = None) -> list[Job]:
        if n <= 0:
            return []
        now = time.time() if now is None else now
        args: tuple[Any, ...]
        if destination is None:
            query, args = (
                "SELECT id, body, attempts, first_seen, available_at, last_error, destination "
                "FROM jobs INDEXED BY jobs_ready "
                "WHERE state = 0 AND available_at <= ? ORDER BY available_at, id LIMIT ?",
                (now, n))
        else:
            query, args = (
                "SELECT id, body, attempts, first_seen, available_at, last_error, destination "
                "FROM jobs INDEXED BY jobs_ready_by_destination WHERE destination = ? AND "
                "state = 0 AND available_at <= ? ORDER BY available_at, id LIMIT ?",
                (destination, now, n))

        def take(db: sqlite3.Connection) -> list[Job]:
            rows = db.execute(query, args).fetchall()
            if not rows:
                return []
            ids = [row[0] for row in rows]
            for chunk in _chunks(ids):
                db.execute(f"UPDATE jobs SET state = 1, lease_until = ? WHERE id IN "
                           f"({','.join('?' * len(chunk))})", (now + lease, *chunk))
            return [Job(id=row[0], body=row[1], attempts=row[2], first_seen=row[3],
                        available_at=row[4], last_error=json.loads(row[5]) if row[5] else None,
                        destination=row[6])
                    for row in rows]

        return self._write(take)

    def ack(self, ids: Iterable[JobId]) -> None:
        ids = list(ids)
        if not ids:
            return

        def delete(db: sqlite3.Connection) -> None:
            done = 0
            for chunk in _chunks(ids):
                done += db.execute(f"DELETE FROM jobs WHERE state = 1 AND id IN "
                                   f"({','.join('?' * len(chunk))})", chunk).rowcount
            db.execute("UPDATE meta SET value = value + ? WHERE key = 'acked'", (done,))

        self._write(delete)

    def nack(self, id: JobId, delay: float = 0.0, error: Any = None,
             now: float | None = None, count: bool = True) -> None:
        if delay < 0:
            raise ValueError(f"delay must be >= 0 seconds, got {delay!r}")
        now = time.time() if now is None else now
        text = json.dumps(error_dict(error), default=str)
        self._write(lambda db: db.execute(
            "UPDATE jobs SET state = 0, attempts = attempts + ?, available_at = ?, "
            "lease_until = NULL, last_error = ? WHERE id = ? AND state = 1",
            (int(count), now + delay, text, id)))

    def dead(self, id: JobId, error: Any = None) -> None:
        text = json.dumps(error_dict(error), default=str)
        self._write(lambda db: db.execute(
            "UPDATE jobs SET state = 3, attempts = attempts + 1, lease_until = NULL, "
            "last_error = ? WHERE id = ? AND state IN (0, 1)", (text, id)))

    def redrive(self, error_class: str | None = None, status: int | None = None,
                now: float | None = None, limit: int | None = None) -> int:
        now = time.time() if now is None else now
        where: list[str] = ["state = 3"]
        params: list[Any] = []
        if error_class is not None:
            where.append("json_extract(last_error, '$.class') = ?")
            params.append(error_class)
        if status is not None:
            where.append("json_extract(last_error, '$.status') = ?")
            params.append(status)
        chosen = (f"SELECT id FROM jobs WHERE {' AND '.join(where)} ORDER BY id"
                  + ("" if limit is None else f" LIMIT {int(limit)}"))
        return self._write(lambda db: db.execute(
            f"UPDATE jobs SET state = 0, attempts = 0, first_seen = ?, available_at = ?, "
            f"lease_until = NULL WHERE id IN ({chosen})", (now, now, *params)).rowcount)

    def recover(self) -> int:
        return self._write(lambda db: db.execute(
            "UPDATE jobs SET state = 0, lease_until = NULL WHERE state = 1").rowcount)

    def stats(self) -> QueueStats:
        with self._lock:
            self._check_open()
            counts = dict(self._db.execute(
                "SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall())
            acked = int(self._db.execute(
                "SELECT value FROM meta WHERE key = 'acked'").fetchone()[0])
        return QueueStats(ready=counts.get(READY, 0), in_flight=counts.get(IN_FLIGHT, 0),
                          dead=counts.get(DEAD, 0), acked=acked)

    def next_available_at(self, destination: str | None = None) -> float | None:
        with self._lock:
            self._check_open()
            if destination is None:
                row = self._db.execute("SELECT MIN(available_at) FROM jobs WHERE state = 0")
            else:
                row = self._db.execute(
                    "SELECT MIN(available_at) FROM jobs INDEXED BY jobs_ready_by_destination "
                    "WHERE destination = ? AND state = 0", (destination,))
            earliest: float | None = row.fetchone()[0]
            return earliest

    def fan_out(self, messages: Sequence[Mapping[str, Any]], destinations: Sequence[str], *,
                dedupe: str | None = None, window: float = DEDUPE_WINDOW,
                now: float | None = None) -> FanOut:
        now = time.time() if now is None else now
        destinations = list(destinations)

        def insert(db: sqlite3.Connection) -> FanOut:
            fresh = list(messages)
            duplicates = 0
            if dedupe is not None:
                fresh, duplicates = self._first_sightings(db, fresh, dedupe, window, now)
            rows = [(encode(message), now, now, name)
                    for message in fresh for name in destinations]
            db.executemany("INSERT INTO jobs (body, first_seen, available_at, destination) "
                           "VALUES (?, ?, ?, ?)", rows)
            return FanOut(accepted=len(fresh), duplicates=duplicates, jobs=len(rows))

        return self._write(insert)

    def _first_sightings(self, db: sqlite3.Connection, messages: list[Mapping[str, Any]],
                         source: str, window: float,
                         now: float) -> tuple[list[Mapping[str, Any]], int]:
        """The messages whose ``messageId`` ``source`` has not sent within ``window`` seconds
        (recording them as seen), and how many were left out."""
        if now - self._pruned_at >= _PRUNE_EVERY:
            db.execute("DELETE FROM seen WHERE seen_at < ?", (now - window,))
            self._pruned_at = now
        fresh, duplicates, batch = [], 0, set()
        for message in messages:
            message_id = str(message.get("messageId", ""))
            if message_id in batch:
                duplicates += 1
                continue
            row = db.execute("SELECT seen_at FROM seen WHERE source = ? AND message_id = ?",
                             (source, message_id)).fetchone()
            if row is not None and row[0] >= now - window:
                duplicates += 1
                continue
            batch.add(message_id)
            fresh.append(message)
        db.executemany("INSERT OR REPLACE INTO seen (source, message_id, seen_at) "
                       "VALUES (?, ?, ?)", [(source, message_id, now) for message_id in batch])
        return fresh, duplicates

    def add_input(self, path: str, info: str) -> None:
        now = time.time()

        def record(db: sqlite3.Connection) -> None:
            db.execute('INSERT OR IGNORE INTO inputs (path, "offset", line, skip, done, '
                       'updated_at) VALUES (?, 0, 1, 0, 0, ?)', (path, now))
            db.execute(_SET_INFO, (f"input:{path}", info))

        self._write(record)

    def set_info(self, key: str, value: str | None) -> None:
        if value is None:
            self._write(lambda db: db.execute("DELETE FROM info WHERE key = ?", (key,)))
        else:
            self._write(lambda db: db.execute(_SET_INFO, (key, str(value))))

    def get_info(self, key: str) -> str | None:
        with self._lock:
            self._check_open()
            row = self._db.execute("SELECT value FROM info WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def dead_letters(self) -> Iterator[DeadLetter]:
        last = 0
        while True:
            with self._lock:
                self._check_open()
                rows = self._db.execute(
                    "SELECT id, body, attempts, first_seen, last_error FROM jobs "
                    "WHERE state = 3 AND id > ? ORDER BY id LIMIT 500", (last,)).fetchall()
            if not rows:
                return
            for row in rows:
                yield DeadLetter(id=row[0], body=row[1], attempts=row[2], first_seen=row[3],
                                 error=error_dict(json.loads(row[4]) if row[4] else None))
            last = rows[-1][0]

    def set_input_offset(self, path: str, offset: int, line: int = 1, skip: int = 0,
                         done: bool = False) -> None:
        if offset < 0:
            raise ValueError(f"offset must be >= 0, got {offset!r}")
        now = time.time()
        self._write(lambda db: db.execute(_SET_INPUT, (path, offset, line, skip, int(done),
                                                       now)))

    def input_offsets(self) -> dict[str, InputOffset]:
        with self._lock:
            self._check_open()
            rows = self._db.execute(
                'SELECT path, "offset", line, skip, done FROM inputs ORDER BY rowid').fetchall()
        return {row[0]: InputOffset(path=row[0], offset=row[1], line=row[2], skip=row[3],
                                    done=bool(row[4])) for row in rows}

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    def __repr__(self) -> str:
        return f"SQLiteQueue({self.path!r})"
