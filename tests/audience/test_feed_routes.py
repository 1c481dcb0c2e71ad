"""The feed routes: every status -> HTTP row, bodies, headers and error paths."""

import logging

import pytest
from feed_toys import BatchFeed, FileFeed, Minimal

from framework.audience.gateway import PluginCredentials
from framework.audience.routes import FEED_ROUTES, STATUS_CODES

SEGMENT = {"feed_id": "1", "datamart_id": "1", "segment_id": "1"}
UPDATE = {**SEGMENT, "session_id": "s1", "ts": 1, "operation": "UPSERT", "user_profiles": [],
          "user_identifiers": [{"type": "USER_POINT", "user_point_id": "u1"}]}
BATCH = {"batch_content": [{"id": "u1"}], "ts": 1, "context": {
    "endpoint": "/v1/batch_update", "grouping_key": "UPSERT", "feed_id": "1",
    "feed_session_id": "s1", "segment_id": "1", "datamart_id": "1"}}

# (route, script key, body, feed)
ROUTES = {
    "external_segment_creation": ("creation", SEGMENT, FileFeed),
    "external_segment_connection": ("connection", SEGMENT, FileFeed),
    "user_segment_update": ("update", UPDATE, FileFeed),
    "batch_update": ("batch", BATCH, BatchFeed),
    "troubleshoot": ("troubleshoot", {**SEGMENT, "action": "FETCH_DESTINATION_AUDIENCE"},
                     FileFeed),
    "authentication_status_queries": ("auth_status", {"datamart_id": "1", "user_id": "u",
                                                      "plugin_version_id": "1"}, FileFeed),
    "authentication": ("authentication", {"user_id": "u", "plugin_version_id": "1"},
                       FileFeed),
    "logout": ("logout", {"user_id": "u", "plugin_version_id": "1", "datamart_id": "1"},
               FileFeed),
    "dynamic_property_values_queries": ("dynamic", {"datamart_id": "1", "user_id": "u"},
                                        FileFeed),
    "test_authentication": ("test_authentication", {"feed_destination_id": "42"}, FileFeed),
}

MAPPING = [
    ("external_segment_creation", "ok", 200), ("external_segment_creation", "error", 500),
    ("external_segment_creation", "retry", 500),
    ("external_segment_creation", "no_eligible_identifier", 500),
    ("external_segment_connection", "ok", 200), ("external_segment_connection", "error", 500),
    ("external_segment_connection", "external_segment_not_ready_yet", 502),
    ("user_segment_update", "ok", 200), ("user_segment_update", "error", 500),
    ("user_segment_update", "retry", 429), ("user_segment_update", "no_eligible_identifier", 400),
    ("batch_update", "OK", 200), ("batch_update", "ERROR", 400), ("batch_update", "RETRY", 503),
    ("troubleshoot", "ok", 200), ("troubleshoot", "error", 500),
    ("troubleshoot", "not_implemented", 400),
    ("authentication_status_queries", "authenticated", 200),
    ("authentication_status_queries", "not_authenticated", 200),
    ("authentication_status_queries", "error", 500),
    ("authentication_status_queries", "not_implemented", 400),
    ("authentication", "ok", 200), ("authentication", "error", 500),
    ("authentication", "not_implemented", 400),
    ("logout", "ok", 200), ("logout", "error", 500), ("logout", "not_implemented", 400),
    ("dynamic_property_values_queries", "ok", 200),
    ("dynamic_property_values_queries", "empty", 200),
    ("dynamic_property_values_queries", "error", 500),
    ("dynamic_property_values_queries", "not_implemented", 400),
    ("test_authentication", "ok", 200), ("test_authentication", "invalid_credentials", 401),
    ("test_authentication", "error", 500), ("test_authentication", "not_implemented", 400),
]


@pytest.mark.parametrize("route,status,http", MAPPING)
def test_every_status_maps_to_its_http_status(client_for, gateway, route, status, http):
    gateway.credentials["42"] = {"scheme": "API_TOKEN", "credentials": {"token": "t"}}
    key, body, feed = ROUTES[route]
    client = client_for(feed)
    answer = {"status": status, "message": f"said {status}"}
    if route == "batch_update":
        answer.update(sent_items_in_success=1, sent_items_in_error=0)
    client.connector.script[key] = answer
    response = client.post(route, body)
    assert response.status_code == http
    assert response.json()["status"] == status
    assert response.json()["message"] == f"said {status}"


def test_the_table_covers_every_feed_route():
    assert set(FEED_ROUTES) == set(ROUTES) | {"oauth_redirect_url"}
    assert {(route, status) for route, status, _ in MAPPING} >= {
        (route, status) for route, table in STATUS_CODES.items() for status in table}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_an_unknown_status_answers_500(client_for, gateway, route):
    gateway.credentials["42"] = {"scheme": "API_TOKEN", "credentials": {}}
    key, body, feed = ROUTES[route]
    client = client_for(feed)
    client.connector.script[key] = {"status": "maybe"}
    assert client.post(route, body).status_code == 500


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_raising_handler_answers_500_with_the_message_and_no_trace(client_for, gateway,
                                                                     route, caplog):
    gateway.credentials["42"] = {"scheme": "API_TOKEN", "credentials": {}}
    key, body, feed = ROUTES[route]
    client = client_for(feed)
    client.connector.script[key] = ValueError("partner said no (token Manny)")
    with caplog.at_level(logging.ERROR):
        response = client.post(route, body)
    assert response.status_code == 500
    expected = {"status": "error", "message": "partner said no (token [REDACTED])"}
    if route == "external_segment_creation":
        expected["visibility"] = "PRIVATE"
    assert response.json() == expected
    assert "Traceback" not in response.text
    assert "Traceback" in caplog.text  # the feed's log keeps the trace
    assert [name for name, _ in client.failures] == [route]


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_handler_returning_no_status_answers_500(client_for, gateway, route):
    gateway.credentials["42"] = {"scheme": "API_TOKEN", "credentials": {}}
    key, body, feed = ROUTES[route]
    client = client_for(feed)
    client.connector.script[key] = ["not", "a", "dict"]
    response = client.post(route, body)
    assert response.status_code == 500
    assert "must return a dict with a 'status'" in response.json()["message"]


def test_creation_body_defaults_visibility_to_public_and_keeps_private(client_for):
    client = client_for(FileFeed)
    assert client.create_segment().json() == {"status": "ok", "visibility": "PUBLIC",
                                              "message": "test_creation"}
    client.connector.script["creation"] = {"status": "ok", "visibility": "PRIVATE"}
    assert client.create_segment().json() == {"status": "ok", "visibility": "PRIVATE"}


def test_creation_error_visibility_follows_the_error(client_for):
    from framework.errors import MissingConfigurationPropertyError

    client = client_for(FileFeed)
    client.connector.script["creation"] = MissingConfigurationPropertyError("1", "api_token")
    response = client.create_segment()
    assert response.status_code == 500
    assert response.json() == {
        "status": "error", "visibility": "PUBLIC",
        "message": "the feed property 'api_token' is missing; set it in the feed's "
                   "configuration"}


def test_update_body_is_the_whole_answer_and_the_delay_header(client_for):
    client = client_for(FileFeed)
    answer = {"status": "retry", "message": "slow down", "next_msg_delay_in_ms": 1500,
              "stats": [{"identifier": "u1", "sync_result": "REJECTED"}]}
    client.connector.script["update"] = answer
    response = client.post("user_segment_update", UPDATE)
    assert response.status_code == 429
    assert response.json() == answer
    assert response.headers["x-mics-next-msg-delay"] == "1500"


def test_no_delay_header_without_a_delay(client_for):
    response = client_for(FileFeed).post("user_segment_update", UPDATE)
    assert response.status_code == 200
    assert "x-mics-next-msg-delay" not in response.headers


def test_batch_body_keeps_only_its_keys_and_sets_the_delay_header(client_for):
    client = client_for(BatchFeed)
    client.connector.script["batch"] = {
        "status": "RETRY", "sent_items_in_success": 0, "sent_items_in_error": 1,
        "next_msg_delay_in_ms": 2000, "message": "rate limited", "extra": "dropped"}
    response = client.post("batch_update", BATCH)
    assert response.status_code == 503
    assert response.headers["x-mics-next-msg-delay"] == "2000"
    assert response.json() == {"status": "RETRY", "sent_items_in_success": 0,
                               "sent_items_in_error": 1, "message": "rate limited"}


def test_non_batched_feed_refuses_batch_update(client_for):
    client = client_for(FileFeed)
    response = client.post("batch_update", BATCH)
    assert (response.status_code, response.json()) == (
        500, {"status": "error", "message": "Plugin doesn't support batch update"})


def test_unknown_troubleshoot_action(client_for):
    client = client_for(FileFeed)
    response = client.post("troubleshoot", {**SEGMENT, "action": "DROP_EVERYTHING"})
    assert (response.status_code, response.json()) == (
        400, {"status": "not_implemented", "message": "Action DROP_EVERYTHING not supported"})
    assert client.connector.seen == []


@pytest.mark.parametrize("route,body", [
    ("troubleshoot", {**SEGMENT, "action": "FETCH_DESTINATION_AUDIENCE"}),
    ("authentication_status_queries", {"user_id": "u"}),
    ("authentication", {"user_id": "u"}),
    ("logout", {"user_id": "u"}),
    ("dynamic_property_values_queries", {"user_id": "u"}),
])
def test_optional_handlers_default_to_not_implemented(client_for, route, body):
    response = client_for(Minimal).post(route, body)
    assert (response.status_code, response.json()) == (400, {"status": "not_implemented"})


def test_test_authentication_defaults_to_not_implemented(client_for, gateway):
    gateway.credentials["42"] = {"scheme": "API_TOKEN", "credentials": {}}
    response = client_for(Minimal).post("test_authentication", {"feed_destination_id": "42"})
    assert (response.status_code, response.json()) == (400, {"status": "not_implemented"})


def test_oauth_redirect_url_default_raises_500(client_for):
    response = client_for(Minimal).post("oauth_redirect_url", {"feed_destination_id": "42"})
    assert response.status_code == 500
    assert response.json() == {"status": "error",
                               "message": "on_create_oauth_redirect_url is not implemented"}


@pytest.mark.parametrize("route", FEED_ROUTES)
@pytest.mark.parametrize("content", [b"", b"  \n", b"{}"])
def test_empty_body_is_missing_request_body(client_for, route, content):
    client = client_for(BatchFeed)
    response = client.post(route, content=content)
    assert (response.status_code, response.json()) == (500, {"error": "Missing request body"})
    assert client.connector.seen == []


@pytest.mark.parametrize("content,reason", [
    (b"{bad", "not valid JSON"), (b"[1]", "must be a JSON object, got list"),
    (b"42", "must be a JSON object, got int"), (b"\xff\x00", "not valid JSON"),
    (b'{"a":' + b"[" * 10_000 + b"]" * 10_000 + b"}", "nested 10001 levels deep")])
def test_malformed_body_is_400(client_for, content, reason):
    response = client_for(FileFeed).post("user_segment_update", content=content)
    assert response.status_code == 400
    assert response.json()["status"] == "error" and reason in response.json()["message"]


@pytest.mark.parametrize("route,body,field", [
    ("user_segment_update", {**UPDATE, "feed_id": None}, "feed_id"),
    ("external_segment_creation", {"segment_id": "1"}, "feed_id"),
    ("external_segment_connection", {**SEGMENT, "feed_id": " "}, "feed_id"),
    ("troubleshoot", {"action": "FETCH_DESTINATION_AUDIENCE", "feed_id": True}, "feed_id"),
    ("batch_update", {**BATCH, "context": {"grouping_key": "UPSERT"}}, "context.feed_id"),
    ("batch_update", {"context": BATCH["context"]}, "batch_content"),
    ("batch_update", {"batch_content": []}, "context"),
    ("user_segment_update", {**UPDATE, "user_identifiers": "u1"}, "user_identifiers"),
    ("user_segment_update", {**UPDATE, "user_identifiers": [{}, 3]}, "user_identifiers[1]"),
    ("test_authentication", {"plugin_version_id": "1"}, "feed_destination_id"),
])
def test_bad_fields_are_400_naming_the_field(client_for, gateway, route, body, field):
    client = client_for(BatchFeed)
    response = client.post(route, body)
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith(f"{field}:")
    assert client.connector.seen == [] and gateway.calls == []


def test_numeric_ids_are_accepted(client_for, gateway):
    client = client_for(FileFeed)
    assert client.post("user_segment_update", {**UPDATE, "feed_id": 1}).status_code == 200
    # the feed and its properties are fetched in parallel: either call may come first
    assert "/v1/audience_segment_external_feeds/1" in [call.path for call in gateway.calls]


def test_body_over_the_limit_is_413(gateway):
    from framework.audience.testing import AudienceFeedClient

    client = AudienceFeedClient(FileFeed, gateway)
    client.routes.max_body_bytes = 100
    response = client.post("user_segment_update", {**UPDATE, "pad": "x" * 200})
    assert response.status_code == 413
    assert "exceeds 100 bytes" in response.json()["message"]
    chunked = client.http.post("/v1/user_segment_update",
                               content=iter([b'{"feed_id": "1", ', b'"pad": "' + b"x" * 200,
                                             b'"}']))
    assert chunked.status_code == 413
    client.close()


def test_twelve_megabytes_are_accepted(client_for):
    identifiers = [{"type": "USER_POINT", "user_point_id": "u" * 1000}] * 11_000
    body = {**UPDATE, "user_identifiers": identifiers}
    response = client_for(FileFeed).post("user_segment_update", body)
    assert response.status_code == 200
    assert len(response.json()["data"]) == 11_000


def test_throttling_answers_429_busy_except_plumbing(client_for):
    client = client_for(FileFeed, max_in_flight=0)
    response = client.post("user_segment_update", UPDATE)
    assert (response.status_code, response.json()) == (
        429, {"status": "RETRY", "message": "I'm busy right now, sorry."})
    assert client.get("/v1/status").status_code == 200
    assert client.post("init", {}).status_code == 200


def test_throttling_counts_requests_in_flight(client_for):
    client = client_for(FileFeed, max_in_flight=1)
    assert client.post("user_segment_update", UPDATE).status_code == 200
    assert client.post("user_segment_update", UPDATE).status_code == 200
    assert client.routes.in_flight == 0


def test_plumbing_routes(client_for):
    client = client_for(BatchFeed)
    assert (client.post("init", {}).status_code, client.post("init", {}).json()) == \
        (200, {"status": "ok"})
    assert client.get("/v1/status").json() == {"status": "ok"}
    metadata = client.get("/v1/metadata").json()
    assert metadata["runtime"] == "python" and metadata["batched"] is True
    assert metadata["feed"] == "feed_toys:BatchFeed"
    assert metadata["batch_policy"] == {"max_size": 2, "max_wait": 30.0}
    file_metadata = client_for(FileFeed).get("/v1/metadata").json()
    assert "on_troubleshoot" in file_metadata["optional_handlers"]
    assert client_for(Minimal).get("/v1/metadata").json()["optional_handlers"] == []


def test_log_level_get_and_put(client_for):
    client = client_for(FileFeed)
    client.connector.logger.setLevel(logging.INFO)
    assert client.get("/v1/log_level").json() == {"level": "INFO"}
    response = client.http.put("/v1/log_level", json={"level": "debug"})
    assert (response.status_code, response.json()) == (200, {"level": "DEBUG"})
    assert client.connector.logger.level == logging.DEBUG
    bad = client.http.put("/v1/log_level", json={"level": "loud"})
    assert bad.status_code == 400 and bad.json()["message"].startswith("level:")
    assert client.http.put("/v1/log_level", content=b"").status_code == 500


def test_uninitialized_plugin(gateway):
    from framework.audience.testing import AudienceFeedClient

    client = AudienceFeedClient(FileFeed, gateway, credentials=PluginCredentials("", ""))
    assert client.get("/v1/status").status_code == 503
    for route, body in [("external_segment_creation", SEGMENT),
                        ("external_segment_connection", SEGMENT),
                        ("test_authentication", {"feed_destination_id": "42"}),
                        ("oauth_redirect_url", {"feed_destination_id": "42"})]:
        response = client.post(route, body)
        assert response.status_code == 500
        assert response.json()["message"] == "Plugin not initialized"
    # Updates are not checked, as in the SDK; the gateway refuses the empty credentials.
    assert client.post("user_segment_update", UPDATE).status_code == 500
    client.close()


def test_unknown_routes_and_methods(client_for):
    client = client_for(FileFeed)
    assert client.get("/v1/user_segment_update").status_code == 405
    assert client.post("nothing", {"a": 1}).status_code == 404


def test_error_messages_redact_secret_properties_and_credentials(client_for, gateway, caplog):
    gateway.add_feed("1", [{"technical_name": "api_token", "property_type": "STRING",
                            "value": {"value": "prop-secret-1"}},
                           {"technical_name": "region", "property_type": "STRING",
                            "value": {"value": "eu-west"}}])
    gateway.credentials["42"] = {"scheme": "OAUTH2",
                                 "credentials": {"refresh_token": "refresh-secret-2"}}
    client = client_for(FileFeed)
    client.connector.script["update"] = RuntimeError(
        "partner echoed prop-secret-1 and refresh-secret-2 in eu-west")
    with caplog.at_level(logging.ERROR):
        response = client.post("user_segment_update", {**UPDATE, "feed_destination_id": "42"})
    assert "Traceback" in caplog.text and "eu-west" in caplog.text
    assert "prop-secret-1" not in caplog.text and "refresh-secret-2" not in caplog.text
    assert response.status_code == 500
    assert response.json()["message"] == \
        "partner echoed [REDACTED] and [REDACTED] in eu-west"
