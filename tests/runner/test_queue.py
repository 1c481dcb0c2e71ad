"""The queue's contract, on the default SQLite engine."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading

import pytest

from framework import errors
from framework.runner import DEFAULT_QUEUE_PATH, InputOffset, Job, SQLiteQueue, error_dict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def queue(tmp_path):
    with SQLiteQueue(tmp_path / "queue.sqlite3") as q:
        yield q


def test_put_returns_increasing_ids_in_order(queue):
    ids = queue.put([{"n": 1}, {"n": 2}, '{"n":3}'])
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert queue.put([]) == []
    assert queue.stats().ready == 3


def test_reserve_hands_out_oldest_first_and_marks_in_flight(queue):
    queue.put([{"n": n} for n in range(5)], now=100.0)
    first = queue.reserve(3, now=100.0)
    assert [job.message()["n"] for job in first] == [0, 1, 2]
    assert all(isinstance(job, Job) and job.attempts == 0 for job in first)
    assert first[0].first_seen == 100.0
    second = queue.reserve(10, now=100.0)
    assert [job.message()["n"] for job in second] == [3, 4]
    assert queue.reserve(10, now=100.0) == []
    assert queue.reserve(0) == []
    stats = queue.stats()
    assert (stats.ready, stats.in_flight, stats.pending) == (0, 5, 5)


def test_reserve_skips_jobs_not_yet_available(queue):
    queue.put([{"n": 1}], now=100.0)
    assert queue.reserve(1, now=99.0) == []
    assert len(queue.reserve(1, now=100.0)) == 1


def test_ack_removes_jobs_and_counts_them(queue):
    ids = queue.put([{"n": 1}, {"n": 2}])
    jobs = queue.reserve(2)
    queue.ack([job.id for job in jobs])
    queue.ack([])
    stats = queue.stats()
    assert (stats.ready, stats.in_flight, stats.acked) == (0, 0, 2)
    queue.ack(ids)  # acking again is harmless
    assert queue.stats().acked == 2


def test_nack_returns_job_after_delay_with_attempt_and_error(queue):
    queue.put([{"n": 1}, {"n": 2}], now=100.0)
    job = queue.reserve(1, now=100.0)[0]
    error = errors.HTTPError("Acme answered 503", status=503, retryable=True,
                             integration="Acme")
    queue.nack(job.id, delay=30, error=error, now=100.0)
    # the other job comes first; the nacked one is not ready before its delay
    assert [j.message()["n"] for j in queue.reserve(5, now=120.0)] == [2]
    again = queue.reserve(5, now=130.0)
    assert [j.id for j in again] == [job.id]
    assert again[0].attempts == 1
    assert again[0].available_at == 130.0
    assert again[0].last_error == {"class": "HTTPError", "code": "HTTP_ERROR", "status": 503,
                                   "retryable": True, "integration": "Acme",
                                   "message": "Acme answered 503"}


def test_nack_rejects_a_negative_delay(queue):
    queue.put([{"n": 1}])
    job = queue.reserve(1)[0]
    with pytest.raises(ValueError, match="delay must be >= 0"):
        queue.nack(job.id, delay=-1)


def test_next_available_at(queue):
    assert queue.next_available_at() is None
    queue.put([{"n": 1}], now=100.0)
    job = queue.reserve(1, now=100.0)[0]
    assert queue.next_available_at() is None
    queue.nack(job.id, delay=5, now=100.0)
    assert queue.next_available_at() == 105.0


def test_dead_letters_keep_the_message_and_the_error(queue):
    queue.put([{"n": 1}, {"n": 2}])
    first, second = queue.reserve(2)
    queue.dead(first.id, errors.RejectedError("userId is required", integration="Acme"))
    queue.dead(second.id, KeyError("boom"))
    assert queue.stats().dead == 2 and queue.stats().in_flight == 0
    assert queue.reserve(5) == []
    letters = list(queue.dead_letters())
    assert [letter.id for letter in letters] == [first.id, second.id]
    assert letters[0].attempts == 1
    assert letters[0].error["class"] == "RejectedError"
    assert letters[0].error["code"] == "MESSAGE_REJECTED"
    assert letters[0].error["status"] == 400
    assert letters[0].error["message"] == "userId is required"
    assert letters[1].error["class"] == "KeyError"
    record = letters[0].to_dict()
    assert record["message"] == {"n": 1} and record["error"]["class"] == "RejectedError"


def test_dead_letters_are_paged(queue):
    queue.put([{"n": n} for n in range(1203)])
    for job in queue.reserve(2000):
        queue.dead(job.id, "nope")
    letters = list(queue.dead_letters())
    assert len(letters) == 1203
    assert [letter.id for letter in letters] == \
        sorted(letter.id for letter in letters)


def test_crash_between_reserve_and_ack_is_recovered(tmp_path):
    """A process killed after reserve: the jobs come back after recover() (at-least-once)."""
    path = tmp_path / "queue.sqlite3"
    child = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {ROOT!r})
        from framework.runner import SQLiteQueue
        q = SQLiteQueue({str(path)!r})
        q.put([{{"n": n}} for n in range(3)])
        jobs = q.reserve(2)
        q.ack([jobs[0].id])
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", child], timeout=30)
    assert result.returncode == -9
    with SQLiteQueue(path) as queue:
        stats = queue.stats()
        assert (stats.ready, stats.in_flight, stats.acked) == (1, 1, 1)
        assert queue.recover() == 1
        jobs = queue.reserve(10)
        assert [job.message()["n"] for job in jobs] == [1, 2]
        assert jobs[0].attempts == 0


def test_close_without_ack_then_recover_on_a_new_instance(tmp_path):
    path = tmp_path / "queue.sqlite3"
    first = SQLiteQueue(path)
    first.put([{"n": 1}, {"n": 2}])
    reserved = first.reserve(2)
    first.close()
    with SQLiteQueue(path) as second:
        assert second.reserve(2) == []
        assert second.recover() == 2
        assert [job.id for job in second.reserve(2)] == [job.id for job in reserved]


def test_ids_are_never_reused_after_acks(tmp_path):
    path = tmp_path / "queue.sqlite3"
    with SQLiteQueue(path) as queue:
        ids = queue.put([{"n": 1}, {"n": 2}])
        queue.ack([job.id for job in queue.reserve(2)])
    with SQLiteQueue(path) as queue:
        assert queue.put([{"n": 3}])[0] > max(ids)


def test_input_offsets_are_recorded_and_survive_reopening(tmp_path):
    path = tmp_path / "queue.sqlite3"
    with SQLiteQueue(path) as queue:
        assert queue.input_offsets() == {}
        queue.set_input_offset("a.ndjson", 10, line=2)
        queue.set_input_offset("a.ndjson", 25, line=3, skip=1)
        queue.put([{"n": 1}], source=InputOffset("b.json", 7, 1))
        queue.put([], source=InputOffset("b.json", 9, 1, done=True))
    with SQLiteQueue(path) as queue:
        offsets = queue.input_offsets()
        assert offsets["a.ndjson"] == InputOffset("a.ndjson", 25, 3, 1, False)
        assert offsets["b.json"] == InputOffset("b.json", 9, 1, 0, True)
        assert queue.stats().ready == 1


def test_put_and_its_input_offset_commit_together(queue):
    with pytest.raises(TypeError, match="message must be a dict or JSON text, got int"):
        queue.put([{"n": 1}, 5], source=InputOffset("a", 100))
    assert queue.input_offsets() == {} and queue.stats().ready == 0


def test_set_input_offset_rejects_a_negative_offset(queue):
    with pytest.raises(ValueError, match="offset must be >= 0"):
        queue.set_input_offset("a", -1)


def test_a_closed_queue_says_so(tmp_path):
    queue = SQLiteQueue(tmp_path / "q.sqlite3")
    queue.close()
    queue.close()
    with pytest.raises(RuntimeError, match="is closed"):
        queue.put([{"n": 1}])
    with pytest.raises(RuntimeError, match="is closed"):
        queue.stats()


def test_file_is_in_wal_mode_and_directory_is_created(tmp_path):
    path = tmp_path / "deep" / "dir" / "queue.sqlite3"
    with SQLiteQueue(path):
        pass
    assert path.exists()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert DEFAULT_QUEUE_PATH == os.path.join(".framework", "queue.sqlite3")


def test_threads_share_the_queue_without_losing_or_duplicating_jobs(queue):
    queue.put([{"n": n} for n in range(2000)])
    seen: list[int] = []
    lock = threading.Lock()

    def worker():
        while True:
            jobs = queue.reserve(7)
            if not jobs:
                return
            with lock:
                seen.extend(job.message()["n"] for job in jobs)
            queue.ack([job.id for job in jobs])

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(2000))
    assert queue.stats().acked == 2000


def test_batched_put_reserve_ack_hands_out_every_job_once(tmp_path):
    # Speed is measured by make bench; here only that big batches keep every job exactly once.
    with SQLiteQueue(tmp_path / "q.sqlite3") as queue:
        n = 20_000
        for start in range(0, n, 500):
            queue.put([f'{{"n":{i}}}' for i in range(start, start + 500)])
        seen = []
        while True:
            jobs = queue.reserve(100)
            if not jobs:
                break
            seen += [job.message()["n"] for job in jobs]
            queue.ack([job.id for job in jobs])
        assert sorted(seen) == list(range(n))
        assert queue.stats().acked == n and queue.stats().pending == 0


@pytest.mark.parametrize("error, expected", [
    (None, {"class": None, "code": None, "status": None, "message": ""}),
    ("plain text", {"class": None, "code": None, "status": None, "message": "plain text"}),
    (ValueError("bad"), {"class": "ValueError", "code": None, "status": None,
                         "message": "bad"}),
    ({"class": "X", "code": "Y"}, {"class": "X", "code": "Y", "status": None,
                                   "message": None}),
])
def test_error_dict_normalises_what_failed(error, expected):
    assert error_dict(error) == expected
