"""Receivers for Segment's Webhooks destination (the Harness FME "via webhook" flow)."""

from __future__ import annotations

import json

from framework.server.hooks import signature

from server_helpers import jobs

MESSAGE = {"type": "track", "event": "Order Completed", "userId": "u1", "messageId": "m1",
           "properties": {"revenue": 10}}


def test_the_secret_must_equal_the_authorization_header(client, queue):
    assert client.post("/hooks/segment-to-fme", json=MESSAGE).status_code == 401
    wrong = client.post("/hooks/segment-to-fme", json=MESSAGE,
                        headers={"Authorization": "nope"})
    assert wrong.status_code == 403 and wrong.json()["code"] == "forbidden"
    assert jobs(queue) == []
    ok = client.post("/hooks/segment-to-fme", json=MESSAGE,
                     headers={"Authorization": "fme-secret"})
    assert ok.status_code == 200 and ok.json() == {"success": True}
    assert jobs(queue) == [("segment-to-fme/harness-fme", MESSAGE)]


def test_an_unknown_hook_is_a_404(client):
    response = client.post("/hooks/nope", json=MESSAGE, headers={"Authorization": "x"})
    assert response.status_code == 404 and response.json()["success"] is False


def test_x_signature_is_checked_when_a_shared_secret_is_set(client, queue):
    body = json.dumps(MESSAGE).encode()
    headers = {"Authorization": "s2", "Content-Type": "application/json"}
    assert client.post("/hooks/signed", content=body, headers=headers).status_code == 403
    bad = {**headers, "X-Signature": signature(body + b" ", "signing-secret")}
    assert client.post("/hooks/signed", content=body, headers=bad).status_code == 403
    good = {**headers, "X-Signature": signature(body, "signing-secret")}
    assert client.post("/hooks/signed", content=body, headers=good).status_code == 200
    assert [d for d, _ in jobs(queue)] == ["signed/webhooks"]


def test_bad_bodies_are_400s_and_retries_are_deduplicated(client, queue):
    headers = {"Authorization": "fme-secret"}
    assert client.post("/hooks/segment-to-fme", content=b"[]", headers=headers).status_code \
        == 400
    response = client.post("/hooks/segment-to-fme", json={"type": "x"}, headers=headers)
    assert response.status_code == 400 and "type must be" in response.json()["message"]
    for _ in range(3):  # Segment retries a webhook it thinks timed out
        assert client.post("/hooks/segment-to-fme", json=MESSAGE, headers=headers) \
            .status_code == 200
    assert len(jobs(queue)) == 1


def test_the_signature_is_hex_hmac_sha1():  # RFC 2202, test case 2
    assert signature(b"what do ya want for nothing?", "Jefe") == \
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
