"""Feed destination credentials: fetched when a request names a destination, cached, stored
by the authentication route, checked by test_authentication; the OAuth redirect URL check."""

import pytest
from feed_toys import FileFeed

SEGMENT = {"feed_id": "1", "datamart_id": "1", "segment_id": "1"}
UPDATE = {**SEGMENT, "session_id": "s1", "ts": 1, "operation": "UPSERT", "user_profiles": [],
          "user_identifiers": [{"type": "USER_POINT", "user_point_id": "u1"}]}
STORED = {"scheme": "API_TOKEN", "credentials": {"api_token": "partner-token"}}
CREDENTIALS = "/v1/feed_destinations/42/credentials"


@pytest.mark.parametrize("route,body,key", [
    ("user_segment_update", UPDATE, "update"),
    ("troubleshoot", {**SEGMENT, "action": "FETCH_DESTINATION_AUDIENCE"}, "troubleshoot"),
    ("dynamic_property_values_queries", {"datamart_id": "1", "user_id": "u"}, "dynamic"),
])
def test_credentials_reach_handlers_when_a_destination_is_named(client_for, gateway, route,
                                                                body, key):
    gateway.credentials["42"] = STORED
    client = client_for(FileFeed)
    assert client.post(route, {**body, "feed_destination_id": "42"}).status_code == 200
    assert client.connector.seen[-1][0] == key and client.connector.seen[-1][3] == STORED
    # Absent destination: nothing fetched, None passed.
    assert client.post(route, body).status_code == 200
    assert client.connector.seen[-1][3] is None
    assert len(gateway.calls_to(CREDENTIALS)) == 1


def test_missing_credentials_are_none(client_for, gateway):
    client = client_for(FileFeed)
    assert client.post("user_segment_update", {**UPDATE, "feed_destination_id": "42"}) \
        .status_code == 200
    assert client.connector.seen[-1][3] is None
    assert len(gateway.calls_to(CREDENTIALS)) == 1


def test_credentials_reach_the_instance_context_builder(client_for, gateway):
    gateway.credentials["42"] = STORED
    received = []

    class Recording(FileFeed):
        async def instance_context_builder(self, feed_id, credentials=None):
            received.append(credentials)
            return await super().instance_context_builder(feed_id, credentials)

    client = client_for(Recording)
    client.create_segment(feed_destination_id="42")
    assert received == [STORED]


def test_credentials_are_cached_per_destination(client_for, gateway):
    gateway.credentials["42"] = STORED
    gateway.credentials["43"] = {"scheme": "API_TOKEN", "credentials": {"api_token": "other"}}
    client = client_for(FileFeed)
    for destination in ("42", "42", "43", "42"):
        client.post("user_segment_update", {**UPDATE, "feed_destination_id": destination})
    assert len(gateway.calls_to(CREDENTIALS)) == 1
    assert len(gateway.calls_to("/v1/feed_destinations/43/credentials")) == 1
    assert client.connector.seen[-2][3]["credentials"]["api_token"] == "other"


def test_a_credentials_failure_answers_500(client_for, gateway):
    gateway.answer("GET", CREDENTIALS, 500)
    client = client_for(FileFeed)
    response = client.post("user_segment_update", {**UPDATE, "feed_destination_id": "42"})
    assert response.status_code == 500 and response.json()["status"] == "error"
    assert client.connector.seen == []


def test_authentication_stores_the_refresh_token_and_never_echoes_it(client_for, gateway):
    client = client_for(FileFeed)
    client.connector.script["authentication"] = {"status": "ok", "refresh_token": "rt-1",
                                                 "message": "signed in"}
    response = client.post("authentication", {"user_id": "u", "plugin_version_id": "1",
                                              "feed_destination_id": "42"})
    assert (response.status_code, response.json()) == (200, {"status": "ok",
                                                             "message": "signed in"})
    [upsert] = gateway.calls_to(CREDENTIALS, "POST")
    assert upsert.body == {"scheme": "OAUTH2", "credentials": {"refresh_token": "rt-1"}}
    assert gateway.credentials["42"] == upsert.body
    # The next request with that destination uses the stored token without a fetch.
    client.post("user_segment_update", {**UPDATE, "feed_destination_id": "42"})
    assert client.connector.seen[-1][3] == upsert.body
    assert gateway.calls_to(CREDENTIALS, "GET") == []


def test_authentication_without_a_destination_skips_the_upsert(client_for, gateway):
    client = client_for(FileFeed)
    client.connector.script["authentication"] = {
        "status": "ok", "refresh_token": "rt", "credentials": {"scheme": "OAUTH2"}}
    response = client.post("authentication", {"user_id": "u", "plugin_version_id": "1"})
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert gateway.calls == []


def test_authentication_requires_a_refresh_token_with_a_destination(client_for, gateway):
    client = client_for(FileFeed)
    client.connector.script["authentication"] = {"status": "ok"}
    response = client.post("authentication", {"user_id": "u", "feed_destination_id": "42"})
    assert (response.status_code, response.json()) == (500, {
        "status": "error",
        "message": "Plugin must return a refresh_token when feed_destination_id is present"})
    assert gateway.calls == []


def test_authentication_error_does_not_upsert(client_for, gateway):
    client = client_for(FileFeed)
    client.connector.script["authentication"] = {"status": "error", "refresh_token": "rt"}
    response = client.post("authentication", {"user_id": "u", "feed_destination_id": "42"})
    assert (response.status_code, response.json()) == (500, {"status": "error"})
    assert gateway.calls == []


def test_authentication_upsert_failure_is_500(client_for, gateway):
    gateway.answer("POST", CREDENTIALS, 503)
    client = client_for(FileFeed)
    client.connector.script["authentication"] = {"status": "ok", "refresh_token": "rt-1"}
    response = client.post("authentication", {"user_id": "u", "feed_destination_id": "42"})
    assert response.status_code == 500 and "rt-1" not in response.text


@pytest.mark.parametrize("stored,answer,http", [
    (STORED, {"status": "ok"}, 200),
    (STORED, {"status": "invalid_credentials"}, 401),
    (STORED, {"status": "error"}, 500),
    (STORED, {"status": "not_implemented"}, 400),
    (None, {"status": "ok"}, 500),
])
def test_test_authentication_matrix(client_for, gateway, stored, answer, http):
    if stored is not None:
        gateway.credentials["42"] = stored
    client = client_for(FileFeed)
    client.connector.script["test_authentication"] = answer
    response = client.post("test_authentication", {"feed_destination_id": "42"})
    assert response.status_code == http
    if stored is None:
        assert response.json() == {"status": "error",
                                   "message": "Could not fetch feed destination credentials"}
        assert client.connector.seen == []
    else:
        assert client.connector.seen[-1][3] == stored
    assert [c.path for c in gateway.calls] == [CREDENTIALS]


def test_test_authentication_fetches_fresh_credentials_every_time(client_for, gateway):
    gateway.credentials["42"] = STORED
    client = client_for(FileFeed)
    client.post("test_authentication", {"feed_destination_id": "42"})
    client.post("test_authentication", {"feed_destination_id": "42"})
    assert len(gateway.calls_to(CREDENTIALS)) == 2


def test_test_authentication_gateway_failure_is_500(client_for, gateway):
    gateway.answer("GET", CREDENTIALS, 502)
    response = client_for(FileFeed).post("test_authentication", {"feed_destination_id": "42"})
    assert response.status_code == 500
    assert response.json()["message"] == "Could not fetch feed destination credentials"


def test_oauth_redirect_url_carries_the_destination(client_for):
    client = client_for(FileFeed)
    response = client.post("oauth_redirect_url", {"feed_destination_id": "42",
                                                  "plugin_version_id": "1"})
    assert (response.status_code, response.json()) == (200, {
        "login_url": "https://partner.example/login?feed_destination_id=42&state=x"})


@pytest.mark.parametrize("login_url", [
    "https://partner.example/login?feed_destination_id=41",
    "https://partner.example/login", "https://partner.example/login?x=42", None, 42])
def test_oauth_redirect_url_mismatch_is_500(client_for, login_url):
    client = client_for(FileFeed)
    client.connector.script["oauth"] = {"login_url": login_url}
    response = client.post("oauth_redirect_url", {"feed_destination_id": "42"})
    assert (response.status_code, response.json()) == (500, {
        "status": "error",
        "message": "login_url must carry the query parameter feed_destination_id=42"})


def test_oauth_redirect_url_requires_the_destination(client_for):
    client = client_for(FileFeed)
    response = client.post("oauth_redirect_url", {"plugin_version_id": "1"})
    assert (response.status_code, response.json()) == (
        500, {"status": "error", "message": "feed_destination_id is required"})
    assert client.connector.seen == []
