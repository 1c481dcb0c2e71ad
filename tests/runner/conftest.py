"""Fixtures of the runner tests."""

from __future__ import annotations

import pytest

from framework.runner import SQLiteQueue
from framework.runner.queue import Queue


@pytest.fixture
def queue(tmp_path):
    with SQLiteQueue(tmp_path / "queue.sqlite3") as q:
        yield q


@pytest.fixture(params=["sqlite", "redis"])
def either_queue(request, tmp_path):
    """A queue of each engine in turn: SQLite, then Redis (a redis-server of the session)."""
    if request.param == "sqlite":
        q: Queue = SQLiteQueue(tmp_path / "queue.sqlite3")
    else:
        from framework.runner.redis_queue import RedisQueue

        q = RedisQueue(request.getfixturevalue("redis_url"), "acme", visibility_timeout=30)
    with q:
        yield q
