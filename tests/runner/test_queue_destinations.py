"""Destinations and dedupe on both engines; the SQLite schema version 2 and v1 migration."""

from __future__ import annotations

import sqlite3

import pytest

from framework.runner import SQLiteQueue
from framework.runner.queue import FanOut
from framework.runner.sqlite_queue import SCHEMA_VERSION

# The schema framework send wrote before the server existed (version 1), verbatim.
V1 = """
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL,
    state INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
    first_seen REAL NOT NULL, available_at REAL NOT NULL, lease_until REAL, last_error TEXT);
CREATE INDEX jobs_ready ON jobs (available_at, id) WHERE state = 0;
CREATE INDEX jobs_state ON jobs (state);
CREATE TABLE inputs (path TEXT PRIMARY KEY, "offset" INTEGER NOT NULL, line INTEGER NOT NULL,
    skip INTEGER NOT NULL, done INTEGER NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) VALUES ('acked', 7), ('schema', 1);
CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO jobs (body, first_seen, available_at) VALUES ('{"n":1}', 5, 5), ('{"n":2}', 5, 5);
UPDATE jobs SET state = 1 WHERE id = 2;
"""


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, tmp_path):
    """Both engines: the server stores per-destination jobs in either."""
    if request.param == "sqlite":
        q = SQLiteQueue(tmp_path / "queue.sqlite3")
    else:
        from framework.runner.redis_queue import RedisQueue

        q = RedisQueue(request.getfixturevalue("redis_url"))
    with q:
        yield q


def msg(n, mid=None):
    return {"type": "track", "event": "E", "userId": "u", "messageId": mid or f"m{n}", "n": n}


def test_a_v1_file_is_migrated_on_open_keeping_its_jobs(tmp_path):
    path = tmp_path / "v1.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(V1)
    db.close()
    with SQLiteQueue(path) as queue:
        assert queue.stats().acked == 7 and queue.stats().ready == 1
        assert queue.recover() == 1
        jobs = queue.reserve(10, now=10.0)
        assert [j.message()["n"] for j in jobs] == [1, 2]
        assert {j.destination for j in jobs} == {""}
        queue.fan_out([msg(1)], ["a"], dedupe="web", now=10.0)
        assert [j.destination for j in queue.reserve(10, now=10.0, destination="a")] == ["a"]
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == 2
    db.close()
    with SQLiteQueue(path) as queue:  # opening a v2 file again changes nothing
        assert queue.stats().in_flight == 3


def test_a_file_of_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    SQLiteQueue(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(RuntimeError, match="schema version 3"):
        SQLiteQueue(path)


def test_fan_out_stores_one_job_per_destination_and_reserve_filters(queue):
    result = queue.fan_out([msg(1), msg(2)], ["hooks", "fme"], now=100.0)
    assert result == FanOut(accepted=2, duplicates=0, jobs=4)
    fme = queue.reserve(10, now=100.0, destination="fme")
    assert [(j.destination, j.message()["n"]) for j in fme] == [("fme", 1), ("fme", 2)]
    assert queue.reserve(10, now=100.0, destination="nope") == []
    assert len(queue.reserve(10, now=100.0, destination="hooks")) == 2


def test_next_available_at_per_destination(queue):
    queue.fan_out([msg(1)], ["a", "b"], now=100.0)
    job = queue.reserve(1, now=100.0, destination="a")[0]
    queue.nack(job.id, delay=30, now=100.0)
    assert queue.next_available_at("a") == 130.0
    assert queue.next_available_at("b") == 100.0
    assert queue.next_available_at("c") is None


def test_dedupe_by_message_id_per_source_within_the_window(queue):
    assert queue.fan_out([msg(1), msg(2)], ["d"], dedupe="web", now=0.0).accepted == 2
    again = queue.fan_out([msg(1), msg(3)], ["d"], dedupe="web", now=3600.0)
    assert (again.accepted, again.duplicates) == (1, 1)
    assert queue.fan_out([msg(1)], ["d"], dedupe="app", now=3600.0).accepted == 1
    inside = queue.fan_out([msg(4), msg(4, "m4")], ["d"], dedupe="web", now=3600.0)
    assert (inside.accepted, inside.duplicates) == (1, 1)
    later = queue.fan_out([msg(2)], ["d"], dedupe="web", now=24 * 3600.0 + 1)
    assert later.accepted == 1  # seen at 0 s: outside the 24 h window
    assert queue.stats().ready == 6
    assert {j.destination for j in queue.reserve(10, now=10**6, destination="d")} == {"d"}


def test_fan_out_is_all_or_nothing(queue):
    with pytest.raises(TypeError):
        queue.fan_out([msg(1), {"messageId": "x", "bad": object()}], ["d"], dedupe="web",
                      now=1.0)
    assert queue.stats().ready == 0
    assert queue.fan_out([msg(1)], ["d"], dedupe="web", now=2.0).accepted == 1  # not "seen"
