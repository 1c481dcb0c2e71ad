"""POST /triggers/<token>: test events, queued track messages, shared secrets, 404s, firings."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.testclient import TestClient

from framework.server.app import create_app
from framework.server.config import parse_config
from framework.server.trigger_store import TriggerStore

from server_helpers import jobs

MANIFESTS = str(pathlib.Path(__file__).parent / "ld_manifests")


def trigger_config(tmp_path, extra=""):
    text = f"""
[server]
max_queue_depth = 1000
retry_after = 7

[triggers]
store = "triggers.sqlite3"
manifests = [{MANIFESTS!r}]
{extra}
"""
    return parse_config(text, str(tmp_path / "serve.toml"), environ={})


@pytest.fixture
def triggers(tmp_path):
    with TriggerStore(tmp_path / "triggers.sqlite3") as store:
        yield store


@pytest.fixture
def client(tmp_path, queue, clock):
    app = create_app(trigger_config(tmp_path), queue, clock=clock)
    with TestClient(app) as client:
        yield client


def test_an_alert_is_queued_as_a_track_for_the_trigger(client, triggers, queue, clock):
    created = triggers.create("generic-trigger", "webhooks", {"hooks": ["http://127.0.0.1:9/"]})
    response = client.post(created.url, json={"eventName": "CPU above 90%", "value": 97.5,
                                              "url": "https://monitor.example/alerts/1"})
    assert (response.status_code, response.json()) == (202, {"status": "queued"})
    [(destination, message)] = jobs(queue)
    assert destination == f"trigger/{created.trigger.id}"
    assert message["type"] == "track" and message["event"] == "CPU above 90%"
    assert message["properties"] == {"value": 97.5, "url": "https://monitor.example/alerts/1"}
    assert message["timestamp"] == "2026-01-01T00:00:00.000Z"
    assert message["messageId"].startswith("trigger-")
    [firing] = triggers.firings(created.trigger.id)
    assert (firing.event_name, firing.test, firing.outcome, firing.fired_at) == \
        ("CPU above 90%", False, "queued", clock.now)


def test_a_test_event_is_recorded_and_nothing_else_happens(client, triggers, queue):
    created = triggers.create("generic-trigger", "webhooks", {"hooks": ["http://127.0.0.1:9/"]})
    response = client.post(created.url, json={"eventName": "This is a TEST notification"})
    assert response.status_code == 200
    # the default pattern is case-sensitive on T/t only per letter: .*[Tt][Ee][Ss][Tt].*
    assert response.json() == {"status": "test"}
    assert jobs(queue) == []
    [firing] = triggers.firings()
    assert (firing.test, firing.outcome) == (True, "test")


def test_without_an_event_name_the_default_is_used(client, triggers, queue):
    created = triggers.create("generic-trigger", "webhooks", {"hooks": ["http://127.0.0.1:9/"]})
    for body in ({}, {"eventName": ""}, {"eventName": {"nested": 1}}):
        assert client.post(created.url, json=body).status_code == 202
    assert client.post(created.url, content=b"").status_code == 202, "an empty body is {}"
    assert [m["event"] for _, m in jobs(queue)] == ["An event"] * 4


def test_unknown_and_revoked_tokens_are_the_same_404(client, triggers):
    created = triggers.create("generic-trigger", "webhooks", {"hooks": ["http://127.0.0.1:9/"]})
    unknown = client.post("/triggers/not-a-token", json={})
    triggers.revoke(created.trigger.id)
    revoked = client.post(created.url, json={})
    assert unknown.status_code == revoked.status_code == 404
    assert unknown.content == revoked.content
    assert triggers.firings() == []


def test_shared_secret_must_be_sent_in_authorization(client, triggers, queue):
    created = triggers.create("secret-trigger", "webhooks", {"hooks": ["http://127.0.0.1:9/"]},
                              shared_secret=True)
    body = {"title": "Disk full", "link": "https://mon/2"}
    assert client.post(created.url, json=body).status_code == 401
    assert client.post(created.url, json=body,
                       headers={"Authorization": "wrong"}).status_code == 401
    assert jobs(queue) == []
    ok = client.post(created.url, json=body, headers={"Authorization": created.secret})
    assert ok.status_code == 202
    # this manifest's own test pattern, anchored: "Test run" only
    test = client.post(created.url, json={"title": "Test run"},
                       headers={"Authorization": created.secret})
    assert test.json() == {"status": "test"}
    [(_, message)] = jobs(queue)
    assert message["event"] == "Disk full" and message["properties"] == {"url": "https://mon/2"}
    assert [f.outcome for f in triggers.firings()] == \
        ["unauthorized", "unauthorized", "queued", "test"]


def test_a_body_that_is_not_json_is_a_400_and_recorded(client, triggers, queue):
    created = triggers.create("generic-trigger", "webhooks", {"hooks": ["http://127.0.0.1:9/"]})
    response = client.post(created.url, content=b"{not json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]
    assert [f.outcome for f in triggers.firings()] == ["rejected"]
    assert jobs(queue) == []


def test_a_failing_queue_is_a_503_with_retry_after(client, triggers, queue, monkeypatch):
    created = triggers.create("generic-trigger", "webhooks", {"hooks": ["http://127.0.0.1:9/"]})

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(queue, "fan_out", broken)
    response = client.post(created.url, json={"eventName": "CPU"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"
    assert [f.outcome for f in triggers.firings()] == ["unavailable"]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=64) | st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(
        st.sampled_from(["eventName", "value", "url", "x"]), c, max_size=4),
    max_leaves=10).map(lambda v: __import__("json").dumps(v).encode()),
       content_type=st.sampled_from(["application/json", "text/plain", ""]))
def test_fuzz_a_trigger_never_answers_500(client, triggers, body, content_type):
    token = getattr(test_fuzz_a_trigger_never_answers_500, "token", None)
    if token is None or triggers.find(token) is None:
        created = triggers.create("generic-trigger", "webhooks",
                                  {"hooks": ["http://127.0.0.1:9/"]})
        token = test_fuzz_a_trigger_never_answers_500.token = created.token
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(f"/triggers/{token}", content=body, headers=headers)
    assert response.status_code in (200, 202, 400), response.text
    assert "Traceback" not in response.text


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=50))
def test_fuzz_any_unknown_token_is_the_same_404(client, token):
    from urllib.parse import quote

    response = client.post(f"/triggers/{quote(token, safe='')}", json={"eventName": "x"})
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "message": "not found"}
