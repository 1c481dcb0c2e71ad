"""The gateway client: URL, Basic auth, URIs of every helper, envelopes, retries."""

import base64

import pytest
import requests
import responses

from framework import errors
from framework.audience.gateway import GatewayClient, PluginCredentials, gateway_url
from framework.audience.testing import FakeGateway

BASE = "http://plugin-gateway.platform:8080"


def client(**options):
    return GatewayClient(PluginCredentials("Calavera", "Manny"), BASE,
                         sleep=lambda s: None, **options)


def test_gateway_url_from_the_environment():
    assert gateway_url({}) == BASE
    assert gateway_url({"GATEWAY_HOST": "", "GATEWAY_PORT": ""}) == BASE
    assert gateway_url({"GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": "9000"}) == \
        "http://127.0.0.1:9000"


def test_credentials_from_the_environment():
    assert PluginCredentials.from_environ(
        {"PLUGIN_WORKER_ID": "w", "PLUGIN_AUTHENTICATION_TOKEN": "t"}) == \
        PluginCredentials("w", "t")
    with pytest.raises(errors.ConfigError) as caught:
        PluginCredentials.from_environ({"PLUGIN_WORKER_ID": " "})
    assert [p.pointer for p in caught.value.problems] == [
        "PLUGIN_WORKER_ID", "PLUGIN_AUTHENTICATION_TOKEN"]
    assert "PLUGIN_WORKER_ID is not set" in str(caught.value)
    assert "secret-token" not in repr(PluginCredentials("w", "secret-token"))


@responses.activate
def test_basic_auth_header_and_envelope_data():
    responses.get(f"{BASE}/v1/audience_segment_external_feeds/42",
                  json={"status": "ok", "data": {"id": "42"}})
    assert client().fetch_audience_feed("42") == {"id": "42"}
    sent = responses.calls[0].request
    expected = base64.b64encode(b"Calavera:Manny").decode()
    assert sent.headers["Authorization"] == f"Basic {expected}"
    assert sent.headers["Accept"] == "application/json"


@pytest.mark.parametrize("call,method,path", [
    (lambda c: c.fetch_audience_feed("42"), "GET", "/v1/audience_segment_external_feeds/42"),
    (lambda c: c.fetch_audience_feed_properties("42"), "GET",
     "/v1/audience_segment_external_feeds/42/properties"),
    (lambda c: c.fetch_audience_segment("42"), "GET",
     "/v1/audience_segment_external_feeds/42/audience_segment"),
    (lambda c: c.fetch_user_agent_identifier_realms("7"), "GET",
     "/v1/datamarts/7/user_agent_identifier_realm_selections"),
    (lambda c: c.fetch_feed_destination_credentials("42"), "GET",
     "/v1/feed_destinations/42/credentials"),
    (lambda c: c.upsert_feed_destination_credentials(
        "42", {"scheme": "OAUTH2", "credentials": {"refresh_token": "r"}}), "POST",
     "/v1/feed_destinations/42/credentials"),
    (lambda c: c.create_audience_feed_properties(
        "42", {"technical_name": "x", "property_type": "STRING", "value": {"value": "v"}}),
     "POST", "/v1/audience_segment_external_feeds/42/properties"),
    (lambda c: c.update_audience_feed_properties(
        "42", {"technical_name": "x", "property_type": "STRING", "value": {"value": "v"}}),
     "PUT", "/v1/audience_segment_external_feeds/42/properties/technical_name=x"),
])
@responses.activate
def test_helper_uris(call, method, path):
    responses.add(method, BASE + path, json={"status": "ok", "data": []})
    call(client())
    assert [(c.request.method, c.request.url) for c in responses.calls] == [(method,
                                                                             BASE + path)]


@responses.activate
def test_ids_are_escaped_in_paths():
    responses.get(f"{BASE}/v1/audience_segment_external_feeds/a%2F..%2Fb",
                  json={"status": "ok", "data": {"id": "x"}})
    assert client().fetch_audience_feed("a/../b") == {"id": "x"}


@responses.activate
def test_upsert_sends_scheme_and_credentials():
    responses.post(f"{BASE}/v1/feed_destinations/42/credentials",
                   json={"status": "ok", "data": {}})
    client().upsert_feed_destination_credentials(
        "42", {"scheme": "OAUTH2", "credentials": {"refresh_token": "r"}, "extra": 1})
    assert responses.calls[0].request.body == \
        b'{"scheme":"OAUTH2","credentials":{"refresh_token":"r"}}'


@responses.activate
def test_missing_credentials_are_none_other_errors_raise():
    url = f"{BASE}/v1/feed_destinations/42/credentials"
    responses.get(url, status=404, json={"status": "error"})
    assert client().fetch_feed_destination_credentials("42") is None
    responses.replace(responses.GET, url, status=403, json={"status": "error"})
    with pytest.raises(errors.HTTPError) as caught:
        client().fetch_feed_destination_credentials("42")
    assert caught.value.status == 403


@responses.activate
def test_5xx_and_network_errors_are_retried():
    url = f"{BASE}/v1/audience_segment_external_feeds/1"
    responses.get(url, status=503)
    responses.get(url, body=requests.ConnectionError("reset"))
    responses.get(url, json={"status": "ok", "data": {"id": "1"}})
    assert client(retries=2).fetch_audience_feed("1") == {"id": "1"}
    assert len(responses.calls) == 3


@responses.activate
def test_retries_give_up_with_a_retryable_error_and_no_token_in_it():
    url = f"{BASE}/v1/audience_segment_external_feeds/1"
    responses.get(url, status=502, body="upstream Manny down")
    with pytest.raises(errors.HTTPError) as caught:
        client(retries=1).fetch_audience_feed("1")
    assert caught.value.retryable and len(responses.calls) == 2
    assert "Manny" not in str(caught.value)


@responses.activate
def test_4xx_is_not_retried():
    url = f"{BASE}/v1/audience_segment_external_feeds/1"
    responses.get(url, status=401)
    with pytest.raises(errors.HTTPError):
        client(retries=3).fetch_audience_feed("1")
    assert len(responses.calls) == 1


@pytest.mark.parametrize("body", [b"not json", b'{"status": "error", "data": 1}',
                                  b'{"status": "ok"}', b"[]"])
@responses.activate
def test_answers_that_are_not_envelopes_raise(body):
    responses.get(f"{BASE}/v1/audience_segment_external_feeds/1", body=body)
    with pytest.raises(errors.HTTPError, match="without an .* envelope") as caught:
        client().fetch_audience_feed("1")
    assert caught.value.code == "GATEWAY_ANSWER"


@responses.activate
def test_a_timeout_is_the_frameworks_timeout_error():
    responses.get(f"{BASE}/v1/audience_segment_external_feeds/1",
                  body=requests.ReadTimeout("slow"))
    with pytest.raises(errors.TimeoutError, match="timed out after 2s"):
        client(timeout=2, retries=0).fetch_audience_feed("1")


def test_no_proxies_even_when_the_environment_sets_them(monkeypatch):
    fake = FakeGateway()
    fake.add_feed("1")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    # The request builder sends through the adapter directly: environment proxies are unused.
    assert fake.client().fetch_audience_feed("1")["id"] == "1"


def test_realm_check():
    fake = FakeGateway()
    fake.realms["7"] = [{"realm_name": "web", "id": "1"}]
    gateway = fake.client()
    gateway.check_user_agent_identifier_realm("7", "web")
    with pytest.raises(errors.MissingRealmError, match="no user agent identifier realm"):
        gateway.check_user_agent_identifier_realm("7", "mobile")


def test_fake_gateway_checks_credentials_and_records_calls():
    fake = FakeGateway()
    fake.add_feed("1")
    wrong = fake.client(credentials=PluginCredentials("Calavera", "wrong"))
    with pytest.raises(errors.HTTPError) as caught:
        wrong.fetch_audience_feed("1")
    assert caught.value.status == 401
    assert fake.calls[0].user == "Calavera" and fake.calls[0].password == "wrong"
    fake.client().update_audience_feed_properties(
        "1", {"technical_name": "x", "property_type": "STRING", "value": {"value": "2"}})
    assert fake.properties["1"][-1]["value"] == {"value": "2"}
