"""The synced-segment routes: status codes, stored membership, rate limit, failures, fuzzing."""

from __future__ import annotations

import json
import pathlib
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient

from framework.server.segment_store import SQLiteSegmentStore
from framework.server.synced_segments import SyncedSegments, SyncedSegmentsConfig, \
    load_manifests

MANIFESTS = str(pathlib.Path(__file__).parent / "ld_manifests")
TOKENS = {"amp": "amp-token", "rudder": "rudder-token", "hightouch": "ht-token",
          "templated": "tpl-token", "broken": "broken-token", "raw-templated": "raw-token"}
DOCS_BODY = {"environmentId": "abcd123", "batch": [
    {"userId": "user-1234", "cohortName": "Segment 1234", "cohortId": "segment-1234",
     "cohortUrl": "https://example.com", "value": True},
    {"userId": "user-5678", "cohortName": "Segment 1235", "cohortId": "segment-12345",
     "cohortUrl": "https://example.com", "value": False}]}


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


def make_surface(tmp_path, clock, **overrides):
    config = SyncedSegmentsConfig(**{"manifests": (MANIFESTS,), "tokens": TOKENS,
                                     "store": str(tmp_path / "segments.sqlite3"),
                                     "rate_limit_per_minute": 600, **overrides})
    store = SQLiteSegmentStore(config.store, clock=clock)
    return SyncedSegments(config, store, load_manifests(config.manifests), clock=clock)


@pytest.fixture
def surface(tmp_path, clock):
    surface = make_surface(tmp_path, clock)
    yield surface
    surface.store.close()


@pytest.fixture
def client(surface):
    with TestClient(Starlette(routes=surface.routes())) as client:
        yield client


def post(client, key, body, token=None, path="segment-targets", **kwargs):
    headers = {"Authorization": TOKENS.get(key, "x") if token is None else token}
    if not token and token is not None:
        headers = {}
    if isinstance(body, (bytes, str)):
        return client.post(f"/api/v2/{path}/{key}", content=body, headers=headers, **kwargs)
    return client.post(f"/api/v2/{path}/{key}", json=body, headers=headers, **kwargs)


def segment(client, key, env="abcd123", token="amp-token"):
    return client.get(f"/api/v2/segments/{env}/{key}", headers={"Authorization": token})


def test_boolean_body_updates_one_segment_per_cohort(client):
    response = post(client, "amp", DOCS_BODY)
    assert response.status_code == 204 and response.content == b""
    assert segment(client, "amp-segment-1234").json() == {
        "key": "amp-segment-1234", "name": "Segment 1234", "contextKind": "user",
        "included": ["user-1234"], "version": 1}
    # value false removes; the member-level cohort override is its own (empty) segment
    assert segment(client, "amp-segment-12345").json()["included"] == []


def test_both_paths_and_idempotency(client):
    assert post(client, "amp", DOCS_BODY, path="segment-target").status_code == 204
    assert post(client, "amp", DOCS_BODY).status_code == 204
    assert segment(client, "amp-segment-1234").json()["version"] == 1
    body = json.loads(json.dumps(DOCS_BODY))
    body["batch"][0]["value"] = False
    assert post(client, "amp", body).status_code == 204
    assert segment(client, "amp-segment-1234").json()["included"] == []
    assert segment(client, "amp-segment-1234").json()["version"] == 2


def test_add_remove_arrays(client):
    body = {"environmentId": "env", "cohortId": "aud", "cohortName": "Audience",
            "contextKind": "organization",
            "listData": {"add": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}}
    assert post(client, "rudder", body).status_code == 204
    body["listData"] = {"add": [{"id": "d"}], "remove": [{"id": "a"}, {"id": "zz"}]}
    assert post(client, "rudder", body).status_code == 204
    found = segment(client, "rudder-aud", env="env", token="rudder-token").json()
    assert found == {"key": "rudder-aud", "name": "Audience", "contextKind": "organization",
                     "included": ["b", "c", "d"], "version": 2}


def test_single_action_property(client):
    body = {"environmentId": "env", "cohortId": "c", "cohortName": "C", "action": "add",
            "members": [{"integration_distinct_id": "d1"}, {"integration_distinct_id": "d2"}]}
    assert post(client, "hightouch", body).status_code == 204
    body.update(action="remove", members=[{"integration_distinct_id": "d1"}])
    assert post(client, "hightouch", body).status_code == 204
    found = segment(client, "hightouch-c", env="env", token="ht-token").json()
    assert found["included"] == ["d2"]


def test_unknown_integration_key_is_a_404_json(client):
    response = post(client, "nope", DOCS_BODY)
    assert response.status_code == 404
    assert response.json() == {"status": 404, "message": "integration with key nope not found"}


@pytest.mark.parametrize("token", ["", "wrong", "rudder-token", "amp-token "])
def test_missing_or_wrong_token_is_a_403_and_nothing_changes(client, token):
    response = post(client, "amp", DOCS_BODY, token=token)
    assert response.status_code == 403
    assert response.json()["status"] == 403
    assert segment(client, "amp-segment-1234").status_code == 404


@pytest.mark.parametrize("body, message", [
    ({"batch": []}, "could not find path /environmentId in request payload"),
    ({"environmentId": "e", "batch": [{"userId": "u", "cohortId": "c", "cohortName": "n"}]},
     "could not find path /value in request payload"),
    ({"environmentId": "e", "batch": {"cohortId": "c"}},
     "could not find path /batch/0/cohortId in request payload"),
    ({"environmentId": "e", "batch": [{"userId": {"id": 1}, "cohortId": "c", "cohortName": "n",
                                       "value": True}]},
     "parsed value for batch[0].userId must be a string or a whole number, got an object"),
    ({"environmentId": ["e"], "batch": [{"userId": "u", "cohortId": "c", "cohortName": "n",
                                         "value": True}]},
     "parsed value for environmentId must be a string or a whole number, got an array"),
])
def test_parse_problems_are_400_with_the_reason(client, body, message):
    response = post(client, "amp", body)
    assert response.status_code == 400
    assert response.json() == {"status": 400, "message": message}


def test_a_non_array_member_array_is_a_400(client):
    body = {"environmentId": "e", "cohortId": "c", "cohortName": "C", "listData": {"add": "x"}}
    response = post(client, "rudder", body)
    assert (response.status_code, response.json()["message"]) == \
        (400, "parsed value for member array is not an array")


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff\xfe{}", b"[" * 5000 + b"]" * 5000,
                                 b'{"environmentId": "e"} trailing'])
def test_bodies_that_are_not_json_are_400(client, raw):
    response = post(client, "amp", raw)
    assert response.status_code == 400, response.text
    assert response.json()["status"] == 400


def test_too_large_is_413(tmp_path, clock):
    surface = make_surface(tmp_path, clock, max_body_bytes=2048)
    with TestClient(Starlette(routes=surface.routes())) as client:
        body = {"environmentId": "e", "batch": [{"userId": "u" * 3000}]}
        assert post(client, "amp", body).status_code == 413


def test_another_context_kind_is_a_409_and_nothing_is_applied(client):
    base = {"environmentId": "env", "cohortId": "aud", "cohortName": "A",
            "listData": {"add": [{"id": "a"}]}}
    assert post(client, "rudder", base).status_code == 204
    conflicting = dict(base, contextKind="device", listData={"add": [{"id": "b"}]})
    response = post(client, "rudder", conflicting)
    assert response.status_code == 409
    assert "context kind" in response.json()["message"]
    found = segment(client, "rudder-aud", env="env", token="rudder-token").json()
    assert (found["included"], found["contextKind"]) == (["a"], "user")


def test_rate_limit_per_key_with_reset_header(tmp_path, clock):
    surface = make_surface(tmp_path, clock, rate_limit_per_minute=2)
    with TestClient(Starlette(routes=surface.routes())) as client:
        assert post(client, "amp", DOCS_BODY, token="wrong").status_code == 403  # not counted
        assert post(client, "amp", DOCS_BODY).status_code == 204
        clock.now += 10
        assert post(client, "amp", {"bad": True}).status_code == 400  # counted
        limited = post(client, "amp", DOCS_BODY)
        assert limited.status_code == 429
        assert limited.headers["X-Ratelimit-Reset"] == str(int((1_700_000_000 + 60) * 1000))
        assert post(client, "rudder", {}).status_code == 400, "another key has its own budget"
        clock.now = 1_700_000_060.0
        assert post(client, "amp", DOCS_BODY).status_code == 204


def test_a_failing_store_is_a_500_with_nothing_half_applied(client, surface, monkeypatch):
    real = surface.store._apply_one
    seen = []

    def fail_on_second(environment_id, context_kind, plan, now):
        seen.append(plan.key)
        if len(seen) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real(environment_id, context_kind, plan, now)

    monkeypatch.setattr(surface.store, "_apply_one", fail_on_second)
    response = post(client, "amp", DOCS_BODY)
    assert response.status_code == 500
    assert response.json() == {"status": 500, "message": "error occurred while processing request"}
    assert "Traceback" not in response.text and "disk" not in response.text
    monkeypatch.undo()
    assert seen == ["amp-segment-1234", "amp-segment-12345"]
    assert segment(client, "amp-segment-1234").status_code == 404
    assert post(client, "amp", DOCS_BODY).status_code == 204, "a retry succeeds"


def test_a_broken_manifest_is_a_500_after_authentication(client):
    assert post(client, "broken", DOCS_BODY, token="wrong").status_code == 403
    response = post(client, "broken", DOCS_BODY)
    assert response.status_code == 500


def test_get_segment_needs_the_owning_keys_token(client):
    post(client, "amp", DOCS_BODY)
    assert segment(client, "amp-segment-1234", token="rudder-token").status_code == 403
    assert client.get("/api/v2/segments/abcd123/amp-segment-1234").status_code == 403
    assert segment(client, "amp-nope").status_code == 404
    assert segment(client, "amp-segment-1234", env="other").status_code == 404
    assert segment(client, "unknownkey-x").status_code == 404


def test_json_response_body_is_rendered_for_every_status(client):
    pytest.importorskip("framework.templating")
    ok = post(client, "templated", {"environmentId": "env", "cohortId": "c", "cohortName": "C",
                                    "add": [{"id": "a"}]})
    assert ok.status_code == 200
    assert ok.json() == {
        "environmentId": "env", "projectKey": "default", "envKey": "env",
        "segmentKey": "templated-c",
        "segmentUrl": "https://app.launchdarkly.com/default/production/segments/templated-c/"
                      "targeting",
        "status": "success"}
    bad = post(client, "templated", {"environmentId": "env", "add": []})
    assert bad.status_code == 400
    assert bad.json() == {
        "environmentId": "env", "projectKey": "default", "envKey": "", "segmentKey": "",
        "segmentUrl": "https://app.launchdarkly.com/default/production/segments//targeting",
        "status": "failure",
        "error": {"message": "could not find path /cohortId in request payload", "code": 400}}
    denied = post(client, "templated", {}, token="wrong")
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == 403


def test_a_rendering_that_is_not_json_falls_back(client):
    pytest.importorskip("framework.templating")
    # the manifest's triple-stash copies the client's quote into the JSON unescaped
    body = {"environmentId": 'a"b', "cohortId": "c", "cohortName": "C", "add": [{"id": "a"}]}
    response = post(client, "raw-templated", body, token="raw-token")
    assert response.status_code == 204, "committed: a success stays a success"
    found = segment(client, "raw-templated-c", env='a"b', token="raw-token").json()
    assert found["included"] == ["a"]
    body.pop("cohortId")
    response = post(client, "raw-templated", body, token="raw-token")
    assert response.status_code == 400
    assert response.json() == {"status": 400,
                               "message": "could not find path /cohortId in request payload"}
    plain = post(client, "raw-templated", {"environmentId": "e"}, token="raw-token")
    assert plain.json() == {"env": "e", "code": 400}


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["environmentId", "batch", "userId", "value", "cohortId",
                                       "cohortName", "contextKind", "listData", "add", "remove",
                                       "id", "action", "members"]), children, max_size=5),
    max_leaves=15)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["amp", "rudder", "hightouch"]),
       body=_json.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=64),
       content_type=st.sampled_from(["application/json", "text/plain", "", "application/xml"]))
def test_fuzz_never_a_500(client, key, body, content_type):
    headers = {"Authorization": TOKENS[key]}
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post(f"/api/v2/segment-targets/{key}", content=body, headers=headers)
    assert response.status_code in (204, 400, 409), response.text
    if response.status_code != 204:
        assert response.json()["status"] == response.status_code
        assert "Traceback" not in response.text


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(environment=st.text(min_size=1, max_size=12), key=st.text(min_size=1, max_size=12),
       token=st.sampled_from(["amp-token", "wrong", ""]))
def test_fuzz_get_never_a_500(client, environment, key, token):
    from urllib.parse import quote

    headers = {"Authorization": token} if token else {}
    response = client.get(f"/api/v2/segments/{quote(environment, safe='')}/amp-"
                          f"{quote(key, safe='')}", headers=headers)
    assert response.status_code in (200, 403, 404), response.text
    assert "Traceback" not in response.text
