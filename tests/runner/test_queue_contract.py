"""The queue contract the runner relies on, run against both engines (SQLite and Redis)."""

from __future__ import annotations

import pytest

from framework import errors
from framework.runner import InputOffset
from framework.runner.queue import Queue


@pytest.fixture
def queue(either_queue: Queue) -> Queue:
    return either_queue


def bodies(jobs):
    return [job.message()["n"] for job in jobs]


def test_put_then_reserve_hands_out_every_message_once_in_order(queue):
    ids = queue.put([{"n": 1}, {"n": 2}, '{"n":3}'], now=100.0)
    assert len(set(ids)) == 3
    assert queue.put([]) == []
    assert queue.stats().ready == 3
    first = queue.reserve(2, now=100.0)
    assert bodies(first) == [1, 2]
    assert [job.id for job in first] == ids[:2]
    assert all(job.attempts == 0 and job.first_seen == 100.0 for job in first)
    assert bodies(queue.reserve(10, now=100.0)) == [3]
    assert queue.reserve(10, now=100.0) == []
    assert queue.reserve(0) == []
    stats = queue.stats()
    assert (stats.ready, stats.in_flight, stats.pending) == (0, 3, 3)


def test_the_body_is_kept_byte_for_byte(queue):
    text = '{"n":1,"name":"Zoë","x":[1.5e-07,{"a":null}]}'
    queue.put([text])
    assert queue.reserve(1)[0].body == text


def test_ack_forgets_jobs_counts_them_and_is_idempotent(queue):
    queue.put([{"n": 1}, {"n": 2}])
    jobs = queue.reserve(2)
    queue.ack([job.id for job in jobs])
    queue.ack([])
    queue.ack([job.id for job in jobs])
    stats = queue.stats()
    assert (stats.ready, stats.in_flight, stats.acked) == (0, 0, 2)


def test_nack_brings_the_job_back_after_its_delay_with_attempt_and_error(queue):
    queue.put([{"n": 1}, {"n": 2}], now=100.0)
    job = queue.reserve(1, now=100.0)[0]
    error = errors.HTTPError("Acme answered 503", status=503, retryable=True,
                             integration="Acme")
    queue.nack(job.id, delay=30, error=error, now=100.0)
    assert queue.stats().pending == 2
    assert bodies(queue.reserve(5, now=120.0)) == [2]
    assert queue.next_available_at() == pytest.approx(130.0)
    again = queue.reserve(5, now=130.0)
    assert bodies(again) == [1]
    assert again[0].attempts == 1 and again[0].first_seen == 100.0
    assert again[0].available_at == pytest.approx(130.0)
    assert again[0].last_error["class"] == "HTTPError"
    assert again[0].last_error["status"] == 503


def test_nack_without_delay_is_ready_at_once(queue):
    queue.put([{"n": 1}], now=100.0)
    job = queue.reserve(1, now=100.0)[0]
    queue.nack(job.id, 0.0, "boom", now=100.0)
    assert bodies(queue.reserve(1, now=100.0)) == [1]


def test_a_negative_delay_is_refused(queue):
    queue.put([{"n": 1}])
    job = queue.reserve(1)[0]
    with pytest.raises(ValueError, match="delay"):
        queue.nack(job.id, -1)


def test_dead_letters_keep_body_attempts_and_error_and_leave_the_queue(queue):
    queue.put([{"n": 1}, {"n": 2}], now=50.0)
    job = queue.reserve(1, now=50.0)[0]
    queue.dead(job.id, errors.HTTPError("bad request", status=400, integration="Acme"))
    stats = queue.stats()
    assert (stats.dead, stats.pending) == (1, 1)
    letters = list(queue.dead_letters())
    assert len(letters) == 1
    letter = letters[0]
    assert letter.body == job.body and letter.attempts == 1 and letter.first_seen == 50.0
    assert letter.error["class"] == "HTTPError" and letter.error["status"] == 400
    assert letter.to_dict()["message"] == {"n": 1}


def test_redrive_moves_matching_dead_letters_back(queue):
    queue.put([{"n": n} for n in range(3)], now=10.0)
    jobs = queue.reserve(3, now=10.0)
    queue.dead(jobs[0].id, errors.HTTPError("x", status=400))
    queue.dead(jobs[1].id, errors.HTTPError("y", status=500))
    queue.dead(jobs[2].id, errors.ValidationError("z"))
    assert queue.redrive(error_class="HTTPError", status=500, now=20.0) == 1
    again = queue.reserve(5, now=20.0)
    assert bodies(again) == [1] and again[0].attempts == 0
    assert queue.stats().dead == 2
    assert queue.redrive(now=20.0) == 2
    assert sorted(bodies(queue.reserve(5, now=20.0))) == [0, 2]
    assert queue.stats().dead == 0


def test_input_offsets_are_recorded_with_the_put(queue):
    queue.put([{"n": 1}], source=InputOffset("a.ndjson", offset=120, line=3, skip=1))
    queue.set_input_offset("b.ndjson", 10, line=2, done=True)
    offsets = queue.input_offsets()
    assert offsets["a.ndjson"] == InputOffset("a.ndjson", 120, 3, 1, False)
    assert offsets["b.ndjson"].done
    with pytest.raises(ValueError):
        queue.set_input_offset("c", -1)


def test_info_values_are_kept(queue):
    queue.set_info("integration", "webhooks")
    assert queue.get_info("integration") == "webhooks"
    queue.set_info("integration", None)
    assert queue.get_info("integration") is None


def test_next_available_at_is_none_when_empty(queue):
    assert queue.next_available_at() is None


def test_an_input_is_recorded_with_its_info_before_any_message(queue):
    queue.add_input("a.ndjson", '{"from": "segment"}')
    assert queue.input_offsets()["a.ndjson"] == InputOffset("a.ndjson", 0, 1, 0, False)
    assert queue.get_info("input:a.ndjson") == '{"from": "segment"}'
    queue.set_input_offset("a.ndjson", 50, line=4)
    queue.add_input("a.ndjson", '{"from": "segment"}')  # recorded already: the offset stays
    assert queue.input_offsets()["a.ndjson"].offset == 50
