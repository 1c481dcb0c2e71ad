"""The LaunchDarkly synced-segments feed against a fake LaunchDarkly (``responses``)."""

import json

import pytest
import requests
import responses

from framework.audience.testing import AudienceFeedClient, AudienceFeedSuite, FakeGateway
from framework.testing import Reply
from integrations.ld_synced_segments_feed import (LaunchDarklySyncedSegmentsFeed,
                                                  rate_limit_delay_ms)

LD = "https://ld.example"
TARGETS = f"{LD}/api/v2/segment-targets/mediarithmics"
SEGMENT = f"{LD}/api/v2/segments/env-1/mediarithmics-seg-9"


def prop(name, value, kind="STRING"):
    return {"technical_name": name, "property_type": kind,
            "value": {"url": value} if kind == "URL" else {"value": value}}


PROPERTIES = [prop("ld_base_url", LD, "URL"), prop("ld_api_token", "api-token-secret"),
              prop("integration_key", "mediarithmics"), prop("environment_id", "env-1"),
              prop("context_kind", "user"), prop("identifier_type", "USER_ACCOUNT")]


def accounts(*ids):
    return [{"type": "USER_ACCOUNT", "user_account_id": i, "creation_ts": 1} for i in ids]


@pytest.fixture
def gateway():
    fake = FakeGateway()
    fake.add_feed("1", PROPERTIES)
    fake.segments["1"] = {"id": "seg-9", "name": "Big spenders"}
    return fake


@pytest.fixture
def client(gateway):
    feed = LaunchDarklySyncedSegmentsFeed(clock=lambda: 1_700_000_000.0)
    with AudienceFeedClient(feed, gateway) as client:
        yield client


def update(client, identifiers, operation="UPSERT"):
    return client.update(identifiers, operation, segment_id="seg-9")


def test_creation_checks_the_properties_and_answers_ok(client):
    response = client.create_segment(segment_id="seg-9")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "visibility": "PUBLIC", "message":
                               "feeding LaunchDarkly segment mediarithmics-seg-9 in "
                               "environment env-1"}


@pytest.mark.parametrize("properties,status,message", [
    ([p for p in PROPERTIES if p["technical_name"] != "ld_api_token"], 500,
     "the feed property 'ld_api_token' is missing; set it in the feed's configuration"),
    ([p for p in PROPERTIES if p["technical_name"] != "environment_id"]
     + [prop("environment_id", " ")], 500, "the feed property 'environment_id' needs a value"),
    ([p for p in PROPERTIES if p["technical_name"] != "identifier_type"]
     + [prop("identifier_type", "PHONE")], 500,
     "the feed property 'identifier_type' has the invalid value 'PHONE', expected one of "
     "USER_ACCOUNT, USER_EMAIL, USER_POINT, USER_AGENT, USER_DEVICE_POINT"),
    ([p for p in PROPERTIES if p["technical_name"] != "ld_base_url"]
     + [prop("ld_base_url", "ftp://x", "URL")], 500, "'ld_base_url' has the invalid value"),
])
def test_creation_names_a_bad_property_publicly(gateway, properties, status, message):
    gateway.add_feed("1", properties)
    with AudienceFeedClient(LaunchDarklySyncedSegmentsFeed, gateway) as client:
        response = client.create_segment()
    assert response.status_code == status
    assert response.json()["visibility"] == "PUBLIC"
    assert message in response.json()["message"]


@responses.activate
@pytest.mark.parametrize("reply,status", [
    ({"status": 200, "json": {"key": "mediarithmics-seg-9", "included": []}}, "ok"),
    ({"status": 404, "json": {"message": "not found"}}, "ok"),
    ({"status": 403, "json": {"message": "forbidden"}}, "error"),
    ({"status": 503}, "external_segment_not_ready_yet"),
    ({"body": requests.ConnectionError("refused")}, "external_segment_not_ready_yet"),
])
def test_connection_checks_the_endpoint_answers(client, reply, status):
    responses.get(SEGMENT, **reply)
    response = client.connect_segment(segment_id="seg-9")
    assert response.json()["status"] == status
    assert responses.calls[0].request.headers["Authorization"] == "api-token-secret"
    assert "api-token-secret" not in response.text


def test_updates_keep_the_configured_identifier_type(client):
    identifiers = accounts("a1", "a2", "a1") + [{"type": "USER_POINT", "user_point_id": "p"},
                                                {"type": "USER_ACCOUNT", "user_account_id": ""}]
    response = update(client, identifiers)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "data": [
        {"type": "BATCH_DELIVERY", "content": "a1", "grouping_key": "UPSERT"},
        {"type": "BATCH_DELIVERY", "content": "a2", "grouping_key": "UPSERT"}],
        "stats": [{"identifier": "a1", "sync_result": "PROCESSED"},
                  {"identifier": "a2", "sync_result": "PROCESSED"}]}
    assert update(client, accounts("a3"), "DELETE").json()["data"][0]["grouping_key"] == \
        "DELETE"


def test_no_identifier_of_the_type_is_no_eligible_identifier(client):
    response = update(client, [{"type": "USER_POINT", "user_point_id": "p"}])
    assert response.status_code == 400
    assert response.json() == {"status": "no_eligible_identifier",
                               "message": "no USER_ACCOUNT identifier with user_account_id"}


def test_email_type_falls_back_to_the_hash(gateway):
    gateway.add_feed("1", [p for p in PROPERTIES if p["technical_name"] != "identifier_type"]
                     + [prop("identifier_type", "USER_EMAIL")])
    with AudienceFeedClient(LaunchDarklySyncedSegmentsFeed, gateway) as client:
        response = update(client, [{"type": "USER_EMAIL", "email": "a@x.test", "hash": "h1"},
                                   {"type": "USER_EMAIL", "hash": "h2"}])
    assert [i["content"] for i in response.json()["data"]] == ["a@x.test", "h2"]


@responses.activate
def test_batches_post_one_add_or_remove_body(client):
    responses.post(TARGETS, status=204)
    upserts = update(client, accounts("a1", "a2"))
    deletes = update(client, accounts("a3"), "DELETE")
    batches = client.deliver(upserts, deletes, segment_id="seg-9")
    assert [(b.status_code, b.json()) for b in batches] == [
        (200, {"status": "OK", "sent_items_in_success": 2, "sent_items_in_error": 0}),
        (200, {"status": "OK", "sent_items_in_success": 1, "sent_items_in_error": 0})]
    bodies = [json.loads(c.request.body) for c in responses.calls]
    assert bodies == [
        {"environmentId": "env-1", "contextKind": "user", "cohortId": "seg-9",
         "cohortName": "Big spenders", "listData": {"add": [{"id": "a1"}, {"id": "a2"}],
                                                    "remove": []}},
        {"environmentId": "env-1", "contextKind": "user", "cohortId": "seg-9",
         "cohortName": "Big spenders", "listData": {"add": [], "remove": [{"id": "a3"}]}}]
    assert responses.calls[0].request.headers["Authorization"] == "api-token-secret"
    assert responses.calls[0].request.headers["Content-Type"] == "application/json"


@responses.activate
def test_rate_limit_is_retry_with_the_delay(client):
    reset_ms = 1_700_000_000_000 + 2500
    responses.post(TARGETS, status=429, headers={"X-Ratelimit-Reset": str(reset_ms)},
                   json={"message": "rate limited"})
    [batch] = client.deliver(update(client, accounts("a1", "a2")), segment_id="seg-9")
    assert batch.status_code == 503
    assert batch.headers["x-mics-next-msg-delay"] == "2500"
    assert batch.json()["status"] == "RETRY"
    assert (batch.json()["sent_items_in_success"], batch.json()["sent_items_in_error"]) == (0, 2)


@responses.activate
@pytest.mark.parametrize("reply,status,http", [
    ({"status": 500, "json": {"message": "boom"}}, "RETRY", 503),
    ({"status": 502}, "RETRY", 503),
    ({"body": requests.ConnectTimeout("slow")}, "RETRY", 503),
    ({"status": 400, "json": {"message": "could not find path /cohortName"}}, "ERROR", 400),
    ({"status": 403, "json": {"message": "forbidden"}}, "ERROR", 400),
])
def test_failures_map_to_batch_statuses(client, reply, status, http):
    responses.post(TARGETS, **reply)
    [batch] = client.deliver(update(client, accounts("a1")), segment_id="seg-9")
    assert (batch.status_code, batch.json()["status"]) == (http, status)
    assert batch.json()["sent_items_in_error"] == 1
    assert "x-mics-next-msg-delay" not in batch.headers
    assert "api-token-secret" not in batch.text


@pytest.mark.parametrize("headers,now,expected", [
    ({"X-Ratelimit-Reset": "1700000002500"}, 1_700_000_000.0, 2500),
    ({"X-Ratelimit-Reset": "1700000003"}, 1_700_000_000.0, 3000),
    ({"X-Ratelimit-Reset": "4"}, 0, 4000),
    ({"X-Ratelimit-Reset": "1600000000000"}, 1_700_000_000.0, 0),
    ({"Retry-After": "1.5"}, 0, 1500),
    ({"X-Ratelimit-Reset": "soon"}, 0, None),
    ({}, 0, None),
])
def test_rate_limit_delay(headers, now, expected):
    assert rate_limit_delay_ms(headers, now) == expected


@responses.activate
def test_troubleshoot_returns_the_stored_membership(client):
    stored = {"key": "mediarithmics-seg-9", "name": "Big spenders", "contextKind": "user",
              "included": ["a1", "a2"], "version": 2}
    responses.get(SEGMENT, json=stored)
    response = client.post("troubleshoot", {"feed_id": "1", "datamart_id": "1",
                                            "segment_id": "seg-9",
                                            "action": "FETCH_DESTINATION_AUDIENCE"})
    assert (response.status_code, response.json()) == (200, {"status": "ok", "data": stored})
    responses.replace(responses.GET, SEGMENT, status=404)
    missing = client.post("troubleshoot", {"feed_id": "1", "datamart_id": "1",
                                           "segment_id": "seg-9",
                                           "action": "FETCH_DESTINATION_AUDIENCE"})
    assert (missing.status_code, missing.json()["status"]) == (500, "error")
    assert "no segment mediarithmics-seg-9 in environment env-1" in missing.json()["message"]


def test_a_missing_segment_name_falls_back(gateway):
    del gateway.segments["1"]
    with responses.RequestsMock() as mock:
        mock.post(TARGETS, status=204)
        with AudienceFeedClient(LaunchDarklySyncedSegmentsFeed, gateway) as client:
            client.deliver(update(client, accounts("a1")), segment_id="seg-9")
        assert json.loads(mock.calls[0].request.body)["cohortName"] == \
            "mediarithmics segment seg-9"


def test_the_shipped_manifest_parses_the_bodies():
    import os

    from framework.manifest import parse_synced_segment
    from integrations.ld_synced_segments_feed import (MANIFESTS, FeedConfig,
                                                      synced_segment_body)

    with open(os.path.join(MANIFESTS, "mediarithmics", "manifest.json")) as f:
        parser = json.load(f)["capabilities"]["syncedSegment"]["requestParser"]
    config = FeedConfig("https://ld.example", "t", "mediarithmics", "env-1", "user",
                        "USER_ACCOUNT")
    added = parse_synced_segment(parser, synced_segment_body(
        config, "seg-9", "Big spenders", "UPSERT", ["a1", "a2"]))
    removed = parse_synced_segment(parser, synced_segment_body(
        config, "seg-9", "Big spenders", "DELETE", ["a3"]))
    assert added["environmentId"] == "env-1" and added["contextKind"] == "user"
    assert [(r["userId"], r["cohortId"], r["cohortName"], r["value"])
            for r in added["batch"] + removed["batch"]] == [
        ("a1", "seg-9", "Big spenders", True), ("a2", "seg-9", "Big spenders", True),
        ("a3", "seg-9", "Big spenders", False)]


class TestLaunchDarklyFeedSuite(AudienceFeedSuite):
    feed = LaunchDarklySyncedSegmentsFeed
    feed_properties = PROPERTIES
    partner_replies = [Reply(204)]
    hypothesis_settings = {"max_examples": 15, "deadline": None}


def test_the_shipped_manifest_validates(capsys):
    import os

    from framework.cli import main
    from integrations.ld_synced_segments_feed import MANIFESTS

    assert main(["validate", os.path.join(MANIFESTS, "mediarithmics")]) == 0
    assert capsys.readouterr().out.strip().endswith(": ok")
