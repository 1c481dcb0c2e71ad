"""Every route under random input (hypothesis): random bytes, wrong types, huge and deep JSON,
bad UTF-8, wrong content types and encodings. Never a 500 or a traceback for a client's
mistake, and never an acknowledged message lost: a 2xx grows the queue by exactly the jobs
the server counted as queued, anything else leaves it as it was."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from framework.server.app import create_app
from framework.server.hooks import signature
from framework.testing.strategies import json_values, messages

from server_helpers import basic

FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

ROUTES = ["/v1/track", "/v1/identify", "/v1/page", "/v1/screen", "/v1/group", "/v1/alias",
          "/v1/batch", "/v1/import", "/hooks/segment-to-fme", "/hooks/signed", "/hooks/nope"]

deep = st.integers(1, 3000).map(lambda n: "[" * n + "]" * n)
huge = st.integers(30_000, 600_000).map(lambda n: json.dumps({"batch": [], "x": "a" * n}))
json_texts = st.one_of(
    json_values().map(json.dumps),
    messages().map(json.dumps),
    st.lists(messages(), max_size=5).map(lambda items: json.dumps({"batch": items})),
    deep, huge, st.text(max_size=200))
bodies = st.one_of(st.binary(max_size=2000), json_texts.map(lambda t: t.encode("utf-8")),
                   json_texts.map(lambda t: t.encode("utf-16")))
content_types = st.sampled_from(["application/json", "text/plain", "", "application/xml",
                                 "multipart/form-data; boundary=x", "application/json; x=\x7f"])
encodings = st.sampled_from([None, "gzip", "gzip-but-plain", "br", "identity"])
auths = st.sampled_from(["basic", "body-key", "none", "garbage", "hook", "signed"])


@pytest.fixture
def fuzz_client(config, queue, clock):
    with TestClient(create_app(config, queue, clock=clock),
                    raise_server_exceptions=False) as client:
        yield client


def _headers(auth, body, content_type, encoding):
    headers = {"Content-Type": content_type} if content_type else {}
    if encoding == "gzip":
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    elif encoding == "gzip-but-plain":
        headers["Content-Encoding"] = "gzip"
    elif encoding:
        headers["Content-Encoding"] = encoding
    if auth == "basic":
        headers.update(basic("wk-web"))
    elif auth == "garbage":
        headers["Authorization"] = "Basic \xff\x00"
    elif auth == "hook":
        headers["Authorization"] = "fme-secret"
    elif auth == "signed":
        headers["Authorization"] = "s2"
        headers["X-Signature"] = signature(body, "signing-secret")
    return body, headers


@FUZZ
@given(route=st.sampled_from(ROUTES), body=bodies, content_type=content_types,
       encoding=encodings, auth=auths)
def test_no_route_fails_or_loses_data_on_random_input(fuzz_client, queue, route, body,
                                                      content_type, encoding, auth):
    if auth == "body-key" and body.lstrip().startswith(b"{"):
        body = b'{"writeKey": "wk-app", ' + body.lstrip()[1:]
    raw, headers = _headers(auth, body, content_type, encoding)
    before = queue.stats().pending
    queued = fuzz_client.app.state.deps.metrics.value("framework_jobs_queued_total")
    try:
        response = fuzz_client.post(route, content=raw, headers=headers)
    except UnicodeEncodeError:  # the client itself cannot send such a header
        return
    assert response.status_code in (200, 400, 401, 403, 404), response.text
    assert "Traceback" not in response.text
    assert response.json()["success"] is (response.status_code == 200)
    added = fuzz_client.app.state.deps.metrics.value("framework_jobs_queued_total") - queued
    if response.status_code == 200:
        assert queue.stats().pending - before == added
    else:
        assert queue.stats().pending == before and added == 0


@FUZZ
@given(path=st.text(alphabet="abc/%?.~v1", max_size=30), method=st.sampled_from(
    ["GET", "PUT", "DELETE", "PATCH", "POST"]))
def test_unknown_paths_and_methods_are_4xx(fuzz_client, path, method):
    response = fuzz_client.request(method, "/" + path)
    assert response.status_code < 500 or response.status_code == 503
    assert "Traceback" not in response.text


def test_health_routes_answer_get(fuzz_client):
    assert fuzz_client.get("/healthz").status_code == 200
    assert fuzz_client.get("/metrics").status_code == 200
    assert fuzz_client.post("/healthz").status_code == 405
