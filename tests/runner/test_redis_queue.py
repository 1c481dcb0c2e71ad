"""What only the Redis engine has: many consumers, leases, reclaiming, reconnecting."""

from __future__ import annotations

import time

import pytest

from framework import errors
from framework.runner.redis_queue import (QueueUnavailableError, RedisQueue, parse_redis_url)
from framework.testing.redis_server import RedisServer, free_port


def consumers(url, n, destination="acme", visibility=30.0):
    return [RedisQueue(url, destination, visibility_timeout=visibility, consumer=f"c{i}")
            for i in range(n)]


def close(*queues):
    for q in queues:
        q.close()


def test_the_url_names_the_stream():
    assert parse_redis_url("redis://127.0.0.1:6379/2?stream=events") == (
        "redis://127.0.0.1:6379/2", "events")
    assert parse_redis_url("redis://h/0")[1] == "framework"
    for bad in ("http://h/0?stream=x", "redis://h/0?stream=", "redis://h/0?stream=a:b"):
        with pytest.raises(ValueError):
            parse_redis_url(bad)


def test_an_unreachable_redis_is_a_clear_error_at_start():
    url = f"redis://127.0.0.1:{free_port()}/0?stream=x"
    with pytest.raises(QueueUnavailableError, match="cannot reach Redis at redis://127.0.0"):
        RedisQueue(url)


def test_the_password_never_appears_in_errors_or_reprs():
    url = f"redis://user:s3cretpass@127.0.0.1:{free_port()}/0?stream=x"
    with pytest.raises(QueueUnavailableError) as caught:
        RedisQueue(url)
    assert "s3cretpass" not in str(caught.value)


def test_consumers_of_one_group_share_the_work_without_overlap(redis_url):
    a, b = consumers(redis_url, 2)
    try:
        a.put([{"n": n} for n in range(10)])
        first, second = a.reserve(6), b.reserve(6)
        assert len(first) == 6 and len(second) == 4
        assert {j.message()["n"] for j in first} | {j.message()["n"] for j in second} == \
            set(range(10))
        assert a.stats().in_flight == 10
    finally:
        close(a, b)


def test_destinations_are_isolated(redis_url):
    acme, beta = (RedisQueue(redis_url, d, consumer=d) for d in ("acme", "beta"))
    try:
        acme.put([{"n": 1}])
        assert beta.reserve(5) == []
        job = acme.reserve(5)[0]
        acme.dead(job.id, errors.HTTPError("no", status=400))
        assert list(beta.dead_letters()) == [] and beta.stats().dead == 0
        assert len(list(acme.dead_letters())) == 1
    finally:
        close(acme, beta)


def test_a_dead_consumers_entries_are_reclaimed_after_the_visibility_timeout(redis_url):
    dead, alive = consumers(redis_url, 2, visibility=0.3)
    try:
        dead.put([{"n": 1}, {"n": 2}])
        held = dead.reserve(2)
        dead._closed.set()  # the process died: no more lease renewals
        assert alive.reserve(5) == []  # leases still valid: never taken from a live one
        time.sleep(0.45)
        assert alive.recover() == 2
        taken = alive.reserve(5)
        assert sorted(j.message()["n"] for j in taken) == [1, 2]
        assert {j.id for j in taken} == {j.id for j in held}
        alive.ack([j.id for j in taken])
        dead.ack([j.id for j in held])  # a late ack of the dead one changes nothing
        assert alive.stats().acked == 2 and alive.stats().pending == 0
    finally:
        close(dead, alive)


def test_a_live_consumer_keeps_its_claim_during_a_long_delivery(redis_url):
    slow, other = consumers(redis_url, 2, visibility=0.3)
    try:
        slow.put([{"n": 1}])
        job = slow.reserve(1)[0]
        time.sleep(0.6)  # two visibility timeouts, renewed every 0.1 s
        other._last_claim.clear()
        assert other.reserve(5) == []
        slow.ack([job.id])
        assert other.stats().acked == 1
    finally:
        close(slow, other)


def test_a_retry_waits_in_the_delayed_set_and_any_consumer_moves_it_back(redis_url):
    a, b = consumers(redis_url, 2)
    try:
        a.put([{"n": 1}], now=100.0)
        job = a.reserve(1, now=100.0)[0]
        a.nack(job.id, 60, errors.RetryableError("later"), now=100.0)
        assert a.stats().ready == 1 and a.stats().in_flight == 0
        assert b.reserve(1, now=159.0) == []
        again = b.reserve(1, now=160.0)
        assert [j.attempts for j in again] == [1]
    finally:
        close(a, b)


def test_settling_twice_changes_nothing(redis_url):
    (q,) = consumers(redis_url, 1)
    try:
        q.put([{"n": 1}])
        job = q.reserve(1)[0]
        q.nack(job.id, 0, "x")
        q.nack(job.id, 0, "x")  # a repeated script after a lost reply
        q.dead(job.id, "x")
        assert q.stats().ready == 1 and q.stats().dead == 0
    finally:
        close(q)


def test_durability_is_reported(redis_url, redis_server):
    (q,) = consumers(redis_url, 1)
    try:
        assert "appendonly is off" in q.durability()
    finally:
        close(q)


def test_workers_pause_while_redis_restarts_and_nothing_is_lost(tmp_path):
    server = RedisServer(str(tmp_path / "redis"), appendonly=True).start()
    url = server.queue_url("restart")
    q = RedisQueue(url, "acme", reconnect_for=20)
    try:
        assert q.durability() is None
        q.put([{"n": n} for n in range(5)])
        held = q.reserve(2)
        server.shutdown()
        server.start()
        rest = q.reserve(10)  # retried until the server is back
        assert sorted(j.message()["n"] for j in rest) == [2, 3, 4]
        q.ack([j.id for j in held + rest])
        assert q.stats().acked == 5 and q.stats().pending == 0
    finally:
        q.close()
        server.stop()


def test_redis_gone_for_longer_than_reconnect_for_raises(tmp_path):
    server = RedisServer(str(tmp_path / "redis")).start()
    q = RedisQueue(server.queue_url(), "acme", reconnect_for=0.3)
    try:
        server.stop()
        with pytest.raises(QueueUnavailableError, match="unreachable"):
            q.put([{"n": 1}])
    finally:
        q.close()
