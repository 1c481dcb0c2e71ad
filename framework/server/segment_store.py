"""Where synced-segment memberships live: :class:`SegmentStore`, and its SQLite engine.

A synced-segment request becomes one :meth:`SegmentStore.apply` call: every membership change
of the request, applied in one transaction, so a request is stored whole or not at all. The
server answers 2xx only after ``apply`` returns.

Segments are identified by environment and key (``<integrationKey>-<cohortId>``), hold a name, a
context kind, their included members and a version. Applying is idempotent: a request that
changes nothing (sent again after a timeout, say) leaves every segment, version included, as it
was. The version counts the requests that changed the segment (its members or its name),
starting at 1 when it is created.

:class:`SQLiteSegmentStore` keeps everything in one SQLite file in WAL mode with
``synchronous=NORMAL``, like the queue (see :mod:`framework.runner.sqlite_queue`): a commit
survives the process being killed.
"""

from __future__ import annotations

import abc
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from ..errors import SegmentConflictError

__all__ = ["MembershipChange", "Segment", "AppliedChange", "SegmentStore", "SQLiteSegmentStore",
           "DEFAULT_SEGMENT_STORE_PATH"]

#: Where the server keeps memberships unless its config says otherwise.
DEFAULT_SEGMENT_STORE_PATH = os.path.join(".framework", "segments.sqlite3")


@dataclass(frozen=True)
class MembershipChange:
    """One member added to (``included``) or removed from one segment.

    Attributes:
        segment_key: The segment's key, ``<integrationKey>-<cohortId>``.
        segment_name: The cohort's name as the request gives it.
        member_id: The context key of the member.
        included: True adds the member, False removes it.
    """

    segment_key: str
    segment_name: str
    member_id: str
    included: bool


@dataclass(frozen=True)
class Segment:
    """A stored segment.

    Attributes:
        environment_id: The LaunchDarkly environment it belongs to.
        key: ``<integrationKey>-<cohortId>``.
        name: The cohort's name (the latest a request gave).
        context_kind: The kind of context its members are (``user`` unless the request said).
        included: The member ids, sorted.
        version: How many requests changed it (1 once created).
    """

    environment_id: str
    key: str
    name: str
    context_kind: str
    included: tuple[str, ...] = field(default_factory=tuple)
    version: int = 1

    def to_dict(self) -> dict[str, object]:
        """The segment as the GET route answers it: key, name, contextKind, included, version."""
        return {"key": self.key, "name": self.name, "contextKind": self.context_kind,
                "included": list(self.included), "version": self.version}


@dataclass(frozen=True)
class AppliedChange:
    """What one request did to one segment.

    Attributes:
        key: The segment's key.
        version: Its version afterwards.
        added: Members that were not in it and now are.
        removed: Members that were in it and now are not.
        created: Whether the request created the segment.
    """

    key: str
    version: int
    added: int = 0
    removed: int = 0
    created: bool = False


class SegmentStore(abc.ABC):
    """Durable synced-segment memberships. Implementations are safe to share between threads."""

    @abc.abstractmethod
    def apply(self, environment_id: str, context_kind: str,
              changes: Sequence[MembershipChange]) -> list[AppliedChange]:
        """Apply every change of one request, in order, all or nothing.

        Each distinct segment key among ``changes`` is created when missing (even when its only
        changes are removals). A member both added and removed by one request ends as the last
        change says.

        Returns:
            What happened to each touched segment, in order of first appearance (members are
            not read back: a segment may hold millions).

        Raises:
            SegmentConflictError: a segment exists in ``environment_id`` with a context kind
                other than ``context_kind``; nothing is applied.
        """

    @abc.abstractmethod
    def get(self, environment_id: str, key: str) -> Segment | None:
        """The segment ``key`` of ``environment_id``, or None."""

    def close(self) -> None:
        """Release the store's resources."""

    def __enter__(self) -> "SegmentStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS segments (
    environment_id TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    context_kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (environment_id, key)
);
CREATE TABLE IF NOT EXISTS members (
    environment_id TEXT NOT NULL,
    segment_key TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (environment_id, segment_key, member_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS segment_store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO segment_store_meta (key, value) VALUES ('schema', 1);
"""


class _Plan:
    """One segment's target state within a request."""

    def __init__(self, key: str, name: str) -> None:
        self.key = key
        self.name = name
        self.final: dict[str, bool] = {}


class SQLiteSegmentStore(SegmentStore):
    """A :class:`SegmentStore` in one SQLite file.

    Args:
        path: The database file (its directory is created); ``":memory:"`` for tests.
        clock: Returns the time recorded with changes (epoch seconds).
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_SEGMENT_STORE_PATH, *,
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

    def apply(self, environment_id: str, context_kind: str,
              changes: Sequence[MembershipChange]) -> list[AppliedChange]:
        plans: dict[str, _Plan] = {}
        for change in changes:
            plan = plans.get(change.segment_key)
            if plan is None:
                plan = plans[change.segment_key] = _Plan(change.segment_key, change.segment_name)
            plan.final[change.member_id] = change.included
        now = self._clock()
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                touched = [self._apply_one(environment_id, context_kind, plan, now)
                           for plan in plans.values()]
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        return touched

    def _apply_one(self, environment_id: str, context_kind: str, plan: _Plan,
                   now: float) -> AppliedChange:
        db = self._db
        row = db.execute("SELECT name, context_kind, version FROM segments "
                         "WHERE environment_id = ? AND key = ?",
                         (environment_id, plan.key)).fetchone()
        if row is not None and row[1] != context_kind:
            raise SegmentConflictError(
                f"segment {plan.key} already exists in environment {environment_id} with "
                f"context kind {row[1]!r}, not {context_kind!r}")
        adds = [m for m, included in plan.final.items() if included]
        removes = [m for m, included in plan.final.items() if not included]
        before = db.total_changes
        db.executemany("INSERT OR IGNORE INTO members (environment_id, segment_key, member_id) "
                       "VALUES (?, ?, ?)", [(environment_id, plan.key, m) for m in adds])
        added = db.total_changes - before
        db.executemany("DELETE FROM members WHERE environment_id = ? AND segment_key = ? "
                       "AND member_id = ?", [(environment_id, plan.key, m) for m in removes])
        removed = db.total_changes - before - added
        changed = bool(added or removed)
        if row is None:
            version = 1
            db.execute("INSERT INTO segments (environment_id, key, name, context_kind, version, "
                       "created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
                       (environment_id, plan.key, plan.name, context_kind, now, now))
        else:
            version = row[2]
            if changed or row[0] != plan.name:
                version += 1
                db.execute("UPDATE segments SET name = ?, version = ?, updated_at = ? "
                           "WHERE environment_id = ? AND key = ?",
                           (plan.name, version, now, environment_id, plan.key))
        return AppliedChange(plan.key, version, added, removed, created=row is None)

    def _members(self, environment_id: str, key: str) -> tuple[str, ...]:
        rows = self._db.execute("SELECT member_id FROM members WHERE environment_id = ? AND "
                                "segment_key = ? ORDER BY member_id", (environment_id, key))
        return tuple(row[0] for row in rows)

    def get(self, environment_id: str, key: str) -> Segment | None:
        with self._lock:
            row = self._db.execute("SELECT name, context_kind, version FROM segments "
                                   "WHERE environment_id = ? AND key = ?",
                                   (environment_id, key)).fetchone()
            if row is None:
                return None
            return Segment(environment_id, key, row[0], row[1],
                           self._members(environment_id, key), row[2])

    def segments(self, environment_id: str | None = None) -> Iterable[Segment]:
        """Every stored segment (of ``environment_id`` when given), by environment and key."""
        with self._lock:
            rows = self._db.execute(
                "SELECT environment_id, key FROM segments WHERE ? IS NULL OR environment_id = ? "
                "ORDER BY environment_id, key", (environment_id, environment_id)).fetchall()
        found = [self.get(env, key) for env, key in rows]
        return [segment for segment in found if segment is not None]

    def close(self) -> None:
        with self._lock:
            self._db.close()
