"""The Segment HTTP Tracking API surface, in-process."""

from __future__ import annotations

import gzip
import json

import pytest

from framework.server.segment_api import BATCH_LIMIT, MESSAGE_LIMIT

from server_helpers import basic, jobs


def track(n=0, **extra):
    return {"userId": f"u{n}", "event": "Signed Up", "messageId": f"m{n}", **extra}


def test_track_with_basic_auth_is_committed_per_destination_and_enriched(client, queue):
    response = client.post("/v1/track", json=track(1, writeKey="ignored-when-basic"),
                           headers=basic("wk-web"))
    assert response.status_code == 200 and response.json() == {"success": True}
    stored = jobs(queue)
    assert sorted(d for d, _ in stored) == ["web-fme", "web/webhooks"]
    message = stored[0][1]
    assert message["type"] == "track" and message["messageId"] == "m1"
    assert message["receivedAt"] == "2026-01-01T00:00:00.000Z"
    assert message["timestamp"] == "2026-01-01T00:00:00.000Z"
    assert message["context"]["source"] == {"name": "web"}
    assert "writeKey" not in message


@pytest.mark.parametrize("kind,fields", [
    ("identify", {"traits": {"email": "a@b.c"}}), ("page", {"name": "Home"}),
    ("screen", {"name": "Home"}), ("group", {"groupId": "g1"}),
    ("alias", {"previousId": "anon-1"}), ("track", {"event": "E"})])
def test_every_type_endpoint_sets_the_type(client, queue, kind, fields):
    body = {"userId": "u1", "writeKey": "wk-app", **fields}
    assert client.post(f"/v1/{kind}", json=body).status_code == 200
    [(destination, message)] = jobs(queue)
    assert destination == "app/webhooks" and message["type"] == kind
    assert message["messageId"].startswith("srv-")


def test_write_key_in_the_body_and_unknown_or_missing_keys(client, queue):
    assert client.post("/v1/track", json=track(writeKey="wk-app")).status_code == 200
    missing = client.post("/v1/track", json=track())
    assert missing.status_code == 401 and missing.json()["code"] == "unauthorized"
    assert "missing write key" in missing.json()["message"]
    assert client.post("/v1/track", json=track(writeKey="nope")).status_code == 401
    assert client.post("/v1/track", json=track(), headers=basic("nope")).status_code == 401
    bad = client.post("/v1/track", json=track(), headers={"Authorization": "Basic !!!"})
    assert bad.status_code == 401 and "not valid HTTP Basic" in bad.json()["message"]
    assert client.post("/v1/track", json=track(writeKey=5)).status_code == 401
    assert len(jobs(queue)) == 1


def test_batch_merges_context_and_integrations_and_is_all_or_nothing(client, queue):
    body = {"writeKey": "wk-app", "context": {"ip": "1.2.3.4", "locale": "fr"},
            "integrations": {"All": False},
            "batch": [{"type": "track", **track(1), "context": {"locale": "en"}},
                      {"type": "identify", "userId": "u2", "messageId": "m2"}]}
    assert client.post("/v1/batch", json=body).json() == {"success": True}
    messages = [m for _, m in jobs(queue)]
    assert messages[0]["context"] == {"ip": "1.2.3.4", "locale": "en",
                                      "source": {"name": "app"}}
    assert messages[1]["integrations"] == {"All": False}
    body["batch"].append({"type": "track", "userId": "u3"})  # no event
    rejected = client.post("/v1/batch", json=body)
    assert rejected.status_code == 400
    assert rejected.json()["index"] == 2 and "needs event" in rejected.json()["message"]
    assert jobs(queue) == []


def test_import_is_a_batch(client, queue):
    body = {"batch": [{"type": "page", "userId": "u", "name": "Home"}]}
    assert client.post("/v1/import", json=body, headers=basic("wk-app")).status_code == 200
    assert [m["type"] for _, m in jobs(queue)] == ["page"]


def test_a_message_over_32_kb_is_refused_naming_the_limit(client, queue):
    big = track(properties={"x": "a" * MESSAGE_LIMIT})
    response = client.post("/v1/track", json=big, headers=basic("wk-web"))
    assert response.status_code == 400
    assert response.json()["limit"] == MESSAGE_LIMIT and "32 KB" in response.json()["message"]
    batch = {"batch": [{"type": "track", **track(0)}, {"type": "track", **big}]}
    response = client.post("/v1/batch", json=batch, headers=basic("wk-web"))
    assert response.status_code == 400
    assert (response.json()["index"], response.json()["limit"]) == (1, MESSAGE_LIMIT)
    assert response.json()["code"] == "message_too_large"
    assert jobs(queue) == []


def test_a_batch_over_500_kb_is_refused_even_gzipped(client, queue):
    messages = [{"type": "track", **track(n, properties={"p": "x" * 20_000})}
                for n in range(30)]
    raw = json.dumps({"batch": messages}).encode()
    assert len(raw) > BATCH_LIMIT
    response = client.post("/v1/batch", content=gzip.compress(raw), headers={
        **basic("wk-web"), "Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["limit"] == BATCH_LIMIT
    assert jobs(queue) == []


def test_gzip_bodies_are_accepted_and_bad_gzip_is_a_400(client, queue):
    headers = {**basic("wk-web"), "Content-Encoding": "gzip",
               "Content-Type": "application/json"}
    body = gzip.compress(json.dumps({"batch": [{"type": "track", **track(1)}]}).encode())
    assert client.post("/v1/batch", content=body, headers=headers).status_code == 200
    response = client.post("/v1/batch", content=b"not gzip", headers=headers)
    assert response.status_code == 400 and "gzip" in response.json()["message"]
    truncated = client.post("/v1/batch", content=body[:-12], headers=headers)
    assert truncated.status_code == 400
    assert len(jobs(queue)) == 2


@pytest.mark.parametrize("content,problem", [
    (b"{", "not valid JSON"), (b"[1, 2]", "must be a JSON object"),
    (b"\xff\xfe", "not valid UTF-8"), (b"", "empty"),
    (b"[" * 100 + b"]" * 100, "levels deep"), (b"[" * 30_000, "levels deep")])
def test_bad_json_is_a_400_naming_the_problem(client, queue, content, problem):
    response = client.post("/v1/track", content=content, headers={
        **basic("wk-web"), "Content-Type": "application/json"})
    assert response.status_code == 400 and problem in response.json()["message"]
    assert response.json()["success"] is False


@pytest.mark.parametrize("body,problem", [
    ({"writeKey": "wk-web"}, "batch must be an array"),
    ({"writeKey": "wk-web", "batch": {"a": 1}}, "batch must be an array"),
    ({"writeKey": "wk-web", "batch": [1]}, "batch[0]: must be a JSON object"),
    ({"writeKey": "wk-web", "batch": [{"type": "nope", "userId": "u"}]}, "type must be"),
    ({"writeKey": "wk-web", "batch": [{"type": "group", "userId": "u"}]}, "needs groupId"),
    ({"writeKey": "wk-web", "batch": [{"type": "alias", "previousId": "a"}]}, "userId"),
    ({"writeKey": "wk-web", "batch": [{"type": "page", "userId": "u", "messageId": 5}]},
     "messageId must be"),
    ({"writeKey": "wk-web", "batch": [{"type": "page", "userId": "u", "context": []}]},
     "context must be an object"),
    ({"writeKey": "wk-web", "context": 3, "batch": []}, "context must be an object"),
    ({"writeKey": "wk-web", "batch": [{"type": "page"}] * 2501}, "at most 2500")])
def test_bad_batches_are_rejected_whole(client, queue, body, problem):
    response = client.post("/v1/batch", json=body)
    assert response.status_code == 400 and problem in response.json()["message"]
    assert jobs(queue) == []


def test_wrong_content_type_and_method(client):
    response = client.post("/v1/track", content=b"a=b", headers={
        **basic("wk-web"), "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and "Content-Type" in response.json()["message"]
    assert client.post("/v1/track", content=json.dumps(track()), headers={
        **basic("wk-web"), "Content-Type": "text/plain"}).status_code == 200
    assert client.get("/v1/track").status_code == 405


def test_a_retried_batch_is_acknowledged_but_not_queued_twice(client, queue, clock):
    body = {"writeKey": "wk-web", "batch": [{"type": "track", **track(n)} for n in range(3)]}
    assert client.post("/v1/batch", json=body).status_code == 200
    assert client.post("/v1/batch", json=body).json() == {"success": True}
    assert len(jobs(queue, "web/webhooks")) == 3
    assert client.post("/v1/track", json=track(1), headers=basic("wk-app")).status_code == 200
    assert len(jobs(queue, "app/webhooks")) == 1  # another source: its own dedupe scope
    clock.now += 24 * 3600 + 1
    assert client.post("/v1/batch", json=body).status_code == 200
    assert len(jobs(queue, "web/webhooks")) == 3
