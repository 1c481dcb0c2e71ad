"""/healthz, /metrics, and the 503 + Retry-After of every inbound route when the queue is full
or failing (a 2xx is never sent for what was not committed)."""

from __future__ import annotations

import sqlite3

import pytest
from starlette.testclient import TestClient

from framework.runner import SQLiteQueue
from framework.server.app import create_app
from framework.server.config import parse_config

from server_helpers import CONFIG, basic, jobs

ROUTES = [
    ("/v1/track", {"userId": "u", "event": "E"}, basic("wk-web")),
    ("/v1/batch", {"batch": [{"type": "track", "userId": "u", "event": "E"}]},
     basic("wk-web")),
    ("/hooks/segment-to-fme", {"type": "track", "userId": "u", "event": "E"},
     {"Authorization": "fme-secret"}),
]


class BrokenQueue(SQLiteQueue):
    """A queue whose commits fail (a full disk, a locked file)."""

    def fan_out(self, *args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    def set_info(self, key, value):
        raise sqlite3.OperationalError("database or disk is full")


def test_healthz_writes_to_the_queue(client, queue):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert queue.get_info("healthz") is not None


def test_metrics_count_requests_messages_and_depth(client):
    client.post("/v1/track", json={"userId": "u", "event": "E", "messageId": "a"},
                headers=basic("wk-web"))
    client.post("/v1/track", json={"userId": "u", "event": "E", "messageId": "a"},
                headers=basic("wk-web"))
    client.post("/v1/track", json={}, headers=basic("nope"))
    text = client.get("/metrics").text
    assert 'framework_http_requests_total{route="/v1/track",status="200"} 2' in text
    assert 'framework_http_requests_total{route="/v1/track",status="401"} 1' in text
    assert 'framework_messages_accepted_total{source="web"} 1' in text
    assert 'framework_messages_duplicate_total{source="web"} 1' in text
    assert "framework_queue_depth 2" in text  # one message, two destinations
    assert "# TYPE framework_queue_depth gauge" in text


@pytest.mark.parametrize("path,body,headers", ROUTES)
def test_a_failing_queue_answers_503_with_retry_after(tmp_path, config, path, body, headers):
    with BrokenQueue(tmp_path / "q.sqlite3") as queue, \
            TestClient(create_app(config, queue)) as client:
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 503 and response.headers["Retry-After"] == "7"
        assert response.json()["code"] == "QUEUE_UNAVAILABLE"
        assert "Traceback" not in response.text
        assert client.get("/healthz").status_code == 503


@pytest.mark.parametrize("path,body,headers", ROUTES)
def test_past_the_depth_limit_inbound_routes_answer_503(tmp_path, path, body, headers):
    config = parse_config(CONFIG.replace("max_queue_depth = 1000", "max_queue_depth = 2"),
                          str(tmp_path / "c.toml"), environ={})
    with SQLiteQueue(tmp_path / "q.sqlite3") as queue, \
            TestClient(create_app(config, queue)) as client:
        queue.fan_out([{"messageId": "x"}, {"messageId": "y"}], ["web/webhooks"])
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 503 and response.headers["Retry-After"] == "7"
        assert response.json()["code"] == "QUEUE_FULL"
        assert len(jobs(queue)) == 2
