"""The request builder, error mapping and the retry policy."""

import json
import logging
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest
import requests
import responses

from framework import errors, integration
from framework.http import USER_AGENT, join_url
from framework.retry import RetryPolicy, retryable_status, server_delay


class FakeClock:
    def __init__(self, now=1_700_000_000.0):
        self.now = now
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def make(retries=0, endpoint="https://api.test/v1", settings=None, **kwargs):
    Api = integration("Api").endpoint(endpoint).retries(retries)
    clock = FakeClock()
    return Api(settings or {}, clock=clock, sleep=clock.sleep, **kwargs), clock


@pytest.mark.parametrize("endpoint, path, url", [
    ("https://x.test/v1", "track", "https://x.test/v1/track"),
    ("https://x.test/v1/", "/track", "https://x.test/v1/track"),
    ("https://x.test/v1", "", "https://x.test/v1"),
    ("https://x.test/v1", "http://other.test/a", "http://other.test/a"),
    ("https://x.test/v1", "https://other.test/a", "https://other.test/a"),
    (None, "https://other.test/a", "https://other.test/a"),
])
def test_join_url(endpoint, path, url):
    assert join_url(endpoint, path) == url


def test_relative_path_without_endpoint_is_an_error():
    with pytest.raises(ValueError, match="needs an endpoint"):
        join_url(None, "track")


@responses.activate
def test_json_body_headers_auth_and_query():
    responses.add(responses.POST, "https://api.test/v1/track", json={"ok": True})
    api, _ = make()
    response = (api.post("track").set("X-One", "1").set({"X-Two": 2}).auth("user", "pw")
                .query({"a": "b"}).send({"when": datetime(2014, 1, 1, tzinfo=timezone.utc)})
                .end())
    assert response.json() == {"ok": True}
    sent = responses.calls[0].request
    assert sent.url == "https://api.test/v1/track?a=b"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["X-One"] == "1" and sent.headers["X-Two"] == "2"
    assert sent.headers["Authorization"] == "Basic dXNlcjpwdw=="
    assert sent.headers["User-Agent"] == USER_AGENT
    assert json.loads(sent.body) == {"when": "2014-01-01T00:00:00.000Z"}


@responses.activate
def test_form_body_and_raw_bodies():
    for method in ("PUT", "PATCH", "GET", "DELETE", "POST"):
        responses.add(method, "https://api.test/v1/x")
    api, _ = make()
    api.put("x").type("form").send({"a": 1, "b": ["x", "y"]}).end()
    api.patch("x").send("raw text").end()
    api.post("x").type("text/csv").send(b"a,b").end()
    api.get("x").end()
    api.delete("x").end()
    bodies = [c.request.body for c in responses.calls]
    assert bodies[0] == b"a=1&b=x&b=y"
    assert responses.calls[0].request.headers["Content-Type"] == \
        "application/x-www-form-urlencoded"
    assert bodies[1] == b"raw text"
    assert bodies[2] == b"a,b" and responses.calls[2].request.headers["Content-Type"] == "text/csv"
    assert [c.request.method for c in responses.calls] == ["PUT", "PATCH", "POST", "GET",
                                                           "DELETE"]


@pytest.mark.parametrize("status, retryable", [
    (400, False), (401, False), (403, False), (404, False), (408, True), (409, False),
    (422, False), (429, True), (500, True), (501, False), (502, True), (503, True),
    (504, True), (599, True),
])
def test_retry_decision_per_status(status, retryable):
    assert retryable_status(status) is retryable


@responses.activate
@pytest.mark.parametrize("status, retryable", [(404, False), (429, True), (501, False),
                                               (503, True)])
def test_http_errors_carry_status_excerpt_and_retryable(status, retryable):
    responses.add(responses.POST, "https://api.test/v1/x", status=status, body="x" * 2000)
    api, _ = make()
    with pytest.raises(errors.HTTPError) as info:
        api.post("x").send({}).end()
    error = info.value
    assert error.status == status and error.retryable is retryable
    assert error.code == "HTTP_ERROR" and error.integration == "Api"
    assert len(error.body) == 512
    assert f"answered {status}" in str(error)


@responses.activate
def test_retries_then_succeeds_with_backoff():
    responses.add(responses.POST, "https://api.test/v1/x", status=503)
    responses.add(responses.POST, "https://api.test/v1/x", status=500)
    responses.add(responses.POST, "https://api.test/v1/x", status=200)
    api, clock = make(retries=2)
    assert api.post("x").send({}).end().status_code == 200
    assert len(responses.calls) == 3
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 0.5 and 0 <= clock.sleeps[1] <= 1.0


@responses.activate
def test_gives_up_after_the_declared_retries():
    responses.add(responses.POST, "https://api.test/v1/x", status=503)
    api, clock = make(retries=3)
    with pytest.raises(errors.HTTPError) as info:
        api.post("x").end()
    assert len(responses.calls) == 4 and len(clock.sleeps) == 3
    assert info.value.retryable


@responses.activate
def test_non_retryable_errors_are_not_retried():
    responses.add(responses.POST, "https://api.test/v1/x", status=400)
    api, clock = make(retries=3)
    with pytest.raises(errors.HTTPError):
        api.post("x").end()
    assert len(responses.calls) == 1 and clock.sleeps == []


@responses.activate
def test_retry_after_seconds_is_honoured():
    responses.add(responses.POST, "https://api.test/v1/x", status=429,
                  headers={"Retry-After": "7"})
    responses.add(responses.POST, "https://api.test/v1/x", status=200)
    api, clock = make(retries=1)
    api.post("x").end()
    assert clock.sleeps == [7.0]


@responses.activate
def test_retry_after_http_date_is_honoured():
    clock = FakeClock()
    moment = datetime.fromtimestamp(clock.now, timezone.utc) + timedelta(seconds=30)
    responses.add(responses.POST, "https://api.test/v1/x", status=503,
                  headers={"Retry-After": format_datetime(moment, usegmt=True)})
    responses.add(responses.POST, "https://api.test/v1/x", status=200)
    Api = integration("Api").endpoint("https://api.test/v1").retries(1)
    Api({}, clock=clock, sleep=clock.sleep).post("x").end()
    assert clock.sleeps == [pytest.approx(30.0)]


@responses.activate
def test_retry_after_is_capped_and_kept_on_the_final_error():
    responses.add(responses.POST, "https://api.test/v1/x", status=429,
                  headers={"Retry-After": "3600"})
    api, clock = make(retries=1)
    with pytest.raises(errors.HTTPError) as info:
        api.post("x").end()
    assert clock.sleeps == [60.0]
    assert info.value.retry_after == 60.0


@pytest.mark.parametrize("headers, expected", [
    ({"Retry-After": "12"}, 12.0), ({"Retry-After": "0"}, 0.0), ({"Retry-After": "-3"}, 0.0),
    ({"X-RateLimit-Reset": "5"}, 5.0), ({"X-RateLimit-Reset": "1700000020"}, 20.0),
    ({"X-RateLimit-Reset": "1600000000"}, 0.0), ({"Retry-After": "soon"}, None),
    ({"X-RateLimit-Reset": "later"}, None), ({}, None),
])
def test_server_delay(headers, expected):
    assert server_delay(headers, 1_700_000_000.0) == expected


@responses.activate
def test_connection_errors_and_timeouts_are_retryable():
    responses.add(responses.POST, "https://api.test/v1/c", body=requests.ConnectionError("x"))
    responses.add(responses.POST, "https://api.test/v1/t", body=requests.ReadTimeout("slow"))
    api, clock = make(retries=1)
    with pytest.raises(errors.ConnectionError) as info:
        api.post("c").end()
    assert info.value.retryable and info.value.code == "CONNECTION_ERROR"
    with pytest.raises(errors.TimeoutError) as info:
        api.post("t").end()
    assert info.value.retryable and "timed out after 10s" in str(info.value)
    assert len(responses.calls) == 4


@responses.activate
def test_custom_retry_rules_extend_the_policy():
    responses.add(responses.POST, "https://api.test/v1/x", status=409)
    responses.add(responses.POST, "https://api.test/v1/x", status=200)
    Api = (integration("Api").endpoint("https://api.test/v1").retries(1)
           .retry(lambda error: getattr(error, "status", None) == 409))
    clock = FakeClock()
    assert Api({}, clock=clock, sleep=clock.sleep).post("x").end().status_code == 200
    assert len(responses.calls) == 2


def test_policy_backoff_is_jittered_within_bounds():
    policy = RetryPolicy(retries=5, base=0.5, cap=4.0)
    for attempt in range(1, 8):
        for _ in range(20):
            assert 0 <= policy.backoff(attempt) <= min(4.0, 0.5 * 2 ** (attempt - 1))


@responses.activate
def test_callbacks_and_logging_see_every_attempt(caplog):
    responses.add(responses.POST, "https://api.test/v1/x", status=500)
    responses.add(responses.POST, "https://api.test/v1/x", status=201)
    seen = []
    api, _ = make(retries=1, on_request=lambda r: seen.append(("req", r.method)),
                  on_response=lambda r: seen.append(("res", r.status_code)))
    with caplog.at_level(logging.DEBUG, logger="framework.integrations.api"):
        api.post("x").end()
    assert seen == [("req", "POST"), ("res", 500), ("req", "POST"), ("res", 201)]
    lines = [r.getMessage() for r in caplog.records]
    assert any("-> 500" in line and "attempt 1/2" in line for line in lines)
    assert any("-> 201" in line and "attempt 2/2" in line for line in lines)


@responses.activate
def test_secrets_never_appear_in_errors_or_logs(caplog):
    secret = "sk_live_abcdef123456"
    responses.add(responses.POST, f"https://api.test/v1/x?token={secret}", status=401,
                  body=f'{{"error": "bad key {secret}"}}')
    api, _ = make(settings={"apiKey": secret})
    with caplog.at_level(logging.DEBUG), pytest.raises(errors.HTTPError) as info:
        api.post("x").query({"token": secret}).end()
    assert secret not in str(info.value) and secret not in info.value.body
    assert "[REDACTED]" in str(info.value)
    assert all(secret not in r.getMessage() for r in caplog.records)


@responses.activate
def test_the_class_timeout_is_used_on_connect_and_read(monkeypatch):
    seen = {}
    original = requests.adapters.HTTPAdapter.send

    def spy(self, request, **kwargs):
        seen.update(kwargs)
        return original(self, request, **kwargs)

    responses.add(responses.GET, "https://api.test/v1/x")
    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", spy)
    try:
        Api = integration("Api").endpoint("https://api.test/v1").timeout("3s")
        Api().get("x").end()
    finally:
        # undo before responses stops, or the teardown would restore responses' patched send
        monkeypatch.undo()
    assert seen["timeout"] == (3.0, 3.0)


def test_one_pooled_session_per_instance():
    api, _ = make()
    assert api.session is api.session
    other, _ = make()
    assert other.session is not api.session
    api.close()
