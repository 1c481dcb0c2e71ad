"""The sink against real requests on 127.0.0.1: recording, stats, fault injection."""

from __future__ import annotations

import socket
import sqlite3
import time

import pytest
import requests

from framework.sink import Recorder, Sink, SinkApp, message_ids

STATS_KEYS = {"requests", "bytes", "unique_message_ids", "accepted_unique_message_ids",
              "accepted_duplicates"}


@pytest.fixture
def sink():
    with Sink() as running:
        yield running


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def test_records_requests_and_message_ids(sink, http):
    assert sink.url.startswith("http://127.0.0.1:")
    response = http.post(sink.url + "/v1/track?x=1", json={"messageId": "m1", "type": "track"},
                         headers={"Authorization": "Basic abc"})
    assert response.status_code == 200 and response.json() == {"ok": True}
    http.post(sink.url + "/v1/batch", json={"batch": [{"messageId": "m2"}, {"messageId": "m3"}]})
    http.post(sink.url + "/bulk", json=[{"messageId": "m1"}, {"no": "id"}, 7])
    http.put(sink.url + "/form", data="a=b")
    stats = http.get(sink.url + "/_stats").json()
    assert set(stats) == STATS_KEYS
    assert stats["requests"] == 4
    assert stats["unique_message_ids"] == 3 and stats["accepted_unique_message_ids"] == 3
    assert stats == sink.stats()
    first = sink.requests()[0]
    assert first["method"] == "POST" and first["path"] == "/v1/track" and first["query"] == "x=1"
    assert first["headers"]["authorization"] == "Basic abc"
    assert first["message_ids"] == ["m1"] and first["status"] == 200
    assert sink.requests()[-1]["body"] == "a=b" and sink.requests()[-1]["message_ids"] == []
    assert sink.message_ids() == {"m1", "m2", "m3"}


def test_bytes_count_bodies_and_control_routes_are_not_counted(sink, http):
    http.post(sink.url + "/a", data=b"12345")
    http.get(sink.url + "/_stats")
    http.get(sink.url + "/_requests")
    assert sink.stats() == {"requests": 1, "bytes": 5, "unique_message_ids": 0,
                            "accepted_unique_message_ids": 0, "accepted_duplicates": 0}


def test_requests_route_limit_reset_and_unknown_control_route(sink, http):
    for n in range(5):
        http.post(sink.url + "/e", json={"messageId": f"m{n}"})
    listed = http.get(sink.url + "/_requests?limit=2").json()
    assert [r["message_ids"] for r in listed] == [["m3"], ["m4"]]
    assert len(http.get(sink.url + "/_requests").json()) == 5
    bad = http.get(sink.url + "/_requests?limit=two")
    assert bad.status_code == 400 and "limit must be a non-negative integer" in bad.text
    missing = http.get(sink.url + "/_nothing")
    assert missing.status_code == 404 and "GET /_stats" in missing.json()["error"]
    assert http.post(sink.url + "/_reset").json() == {"ok": True}
    assert sink.stats()["requests"] == 0 and sink.requests() == []


def test_every_request_fails_with_retry_after_zero_on_429(http):
    with Sink(fail_rate=1.0, statuses=[429]) as sink:
        response = http.post(sink.url + "/e", json={"messageId": "m1"})
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "0"
        assert "injected failure: 429" in response.json()["error"]
        assert sink.stats()["unique_message_ids"] == 1
        assert sink.stats()["accepted_unique_message_ids"] == 0


def test_fault_share_is_reproducible_with_a_seed_and_accepted_counts_2xx_only(http):
    def statuses(sink):
        return [http.post(sink.url + "/e", json={"messageId": f"m{n}"}).status_code
                for n in range(200)]

    with Sink(fail_rate=0.3, statuses=(500, 503), seed=7) as sink:
        first = statuses(sink)
        accepted = sink.stats()["accepted_unique_message_ids"]
        sink.reset()
        assert statuses(sink) == first
    failures = [status for status in first if status != 200]
    assert set(failures) == {500, 503}
    assert 30 <= len(failures) <= 90
    assert accepted == first.count(200)
    # a retried message that finally gets a 2xx counts as accepted once
    with Sink(fail_rate=0.5, seed=1) as sink:
        for _ in range(20):
            http.post(sink.url + "/e", json={"messageId": "same"})
        assert sink.stats()["unique_message_ids"] == 1
        assert sink.stats()["accepted_unique_message_ids"] == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"fail_rate": 1.5}, "fail_rate must be between 0 and 1, got 1.5"),
    ({"fail_rate": -0.1}, "fail_rate must be between 0 and 1"),
    ({"statuses": []}, "statuses must name at least one HTTP status"),
    ({"statuses": [200]}, "statuses must be HTTP error statuses \\(400-599\\), got 200"),
])
def test_invalid_settings_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Sink(**kwargs)


def test_database_records_every_request(tmp_path, http):
    db = tmp_path / "sink" / "requests.sqlite3"
    with Sink(db=str(db), keep=0) as sink:
        for n in range(3):
            http.post(sink.url + "/e", json={"messageId": f"m{n}"})
        assert [r["message_ids"] for r in sink.requests(limit=2)] == [["m1"], ["m2"]]
        http.post(sink.url + "/e", json={"messageId": "m3"})
    rows = sqlite3.connect(db).execute("SELECT path, status, message_ids FROM requests").fetchall()
    assert rows == [("/e", 200, f'["m{n}"]') for n in range(4)]


def test_memory_keeps_only_recent_requests_but_counts_all(http):
    with Sink(keep=3) as sink:
        for n in range(5):
            http.post(sink.url + "/e", json={"messageId": f"m{n}"})
        assert [r["message_ids"][0] for r in sink.requests()] == ["m2", "m3", "m4"]
        assert sink.stats()["requests"] == 5


def test_lifecycle_errors(sink):
    with pytest.raises(RuntimeError, match="already started"):
        sink.start()
    idle = Sink()
    with pytest.raises(RuntimeError, match="not started"):
        idle.url
    with pytest.raises(OSError):
        Sink(port=sink.port).start()


def test_the_port_is_closed_after_stop():
    sink = Sink().start()
    port = sink.port
    sink.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


@pytest.mark.parametrize("body, expected", [
    (b'{"messageId": "a"}', ["a"]),
    (b'{"messageId": 12}', ["12"]),
    (b'{"messageId": true}', []),
    (b'  [{"messageId": "a"}, {"messageId": "b"}, "x"]', ["a", "b"]),
    (b'{"batch": [{"messageId": "a"}], "sentAt": "now"}', ["a"]),
    (b'{"batch": "nope"}', []),
    (b"not json", []),
    (b"{broken", []),
    (b"", []),
])
def test_message_ids(body, expected):
    assert message_ids(body) == expected


def test_app_and_recorder_are_usable_directly():
    recorder = Recorder()
    app = SinkApp(recorder, fail_rate=0.0)
    assert app.statuses == (500, 429)
    recorder.record("POST", "/e", "", {}, b'{"messageId": "a"}', 500)
    assert recorder.stats()["accepted_unique_message_ids"] == 0
    assert recorder.message_ids(accepted=True) == set()


def test_repeated_accepted_deliveries_are_counted_as_duplicates(sink, http):
    for _ in range(3):
        http.post(sink.url + "/hook", json={"messageId": "m1"})
    http.post(sink.url + "/hook", json={"messageId": "m2"})
    assert sink.stats()["accepted_duplicates"] == 2
    assert sink.duplicate_ids() == {"m1": 2}


def test_latency_delays_each_answer_without_queueing_requests_behind_each_other():
    from concurrent.futures import ThreadPoolExecutor

    with Sink(latency=0.3) as slow:
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda n: requests.post(slow.url + "/h", json={
                "messageId": f"m{n}"}, timeout=10).status_code, range(8)))
        elapsed = time.monotonic() - started
    assert codes == [200] * 8
    # each waits its 0.3 s; one after another they would take 2.4 s
    assert 0.3 <= elapsed < 2.0


def test_a_negative_latency_is_refused():
    with pytest.raises(ValueError, match="latency"):
        Sink(latency=-1)
