"""End to end over real HTTP: the platform (this test) drives the served feed, which reads its
configuration from a fake plugin gateway and posts batches to our synced-segment receiver
(``framework serve``'s LaunchDarkly surface); the stored membership is read back."""

import pytest
import requests

from framework.audience.loader import feed_app_from_environ
from framework.audience.testing import FakeGateway, RemoteFeedClient
from framework.runner.sqlite_queue import SQLiteQueue
from framework.server.app import create_app
from framework.server.boot import BackgroundServer
from framework.server.config import parse_config
from integrations.ld_synced_segments_feed import MANIFESTS, LaunchDarklySyncedSegmentsFeed

FEED = "integrations.ld_synced_segments_feed:LaunchDarklySyncedSegmentsFeed"
TOKEN = "ld-receiver-token"
KEY = "mediarithmics"  # the shipped manifest (MANIFESTS)


def prop(name, value, kind="STRING"):
    return {"technical_name": name, "property_type": kind,
            "value": {"url": value} if kind == "URL" else {"value": value}}


def accounts(*ids):
    return [{"type": "USER_ACCOUNT", "user_account_id": i, "creation_ts": 1} for i in ids]


@pytest.fixture
def receiver(tmp_path):
    config = parse_config(f"""
[server]
queue = "q.sqlite3"
[synced_segments]
manifests = [{MANIFESTS!r}]
store = "segments.sqlite3"
[synced_segments.tokens]
{KEY} = "{TOKEN}"
""", str(tmp_path / "serve.toml"), environ={})
    with SQLiteQueue(str(tmp_path / "q.sqlite3")) as queue:
        with BackgroundServer(create_app(config, queue, deliver=False)) as server:
            yield server.url


@pytest.fixture
def gateway(receiver):
    fake = FakeGateway(worker_id="worker-1", token="plugin-token")
    fake.add_feed("7", [prop("ld_base_url", receiver, "URL"), prop("ld_api_token", TOKEN),
                        prop("integration_key", KEY), prop("environment_id", "production"),
                        prop("identifier_type", "USER_ACCOUNT")])
    fake.segments["7"] = {"id": "42", "name": "Frequent buyers"}
    with BackgroundServer(fake.asgi()) as server:
        fake.url = server.url
        yield fake


@pytest.fixture
def platform(gateway):
    host, port = gateway.url.rsplit("/", 1)[1].split(":")
    app = feed_app_from_environ(FEED, {"PLUGIN_WORKER_ID": "worker-1",
                                       "PLUGIN_AUTHENTICATION_TOKEN": "plugin-token",
                                       "GATEWAY_HOST": host, "GATEWAY_PORT": port})
    with BackgroundServer(app) as server, RemoteFeedClient(
            server.url, batch_size=LaunchDarklySyncedSegmentsFeed.batch_policy.max_size) \
            as client:
        yield client


def stored(receiver):
    response = requests.get(f"{receiver}/api/v2/segments/production/{KEY}-42",
                            headers={"Authorization": TOKEN}, timeout=10)
    return response.status_code, response.json()


def test_memberships_are_created_updated_and_removed(receiver, gateway, platform):
    ids = {"feed_id": "7", "segment_id": "42", "datamart_id": "1"}
    creation = platform.create_segment(**ids)
    assert (creation.status_code, creation.json()["status"]) == (200, "ok")
    connection = platform.connect_segment(**ids)
    assert (connection.status_code, connection.json()["status"]) == (200, "ok")

    # Initial loading: three users enter.
    entered = [platform.update(accounts(i), **ids) for i in ("a1", "a2", "a3")]
    assert [r.status_code for r in entered] == [200, 200, 200]
    [batch] = platform.deliver(*entered, **ids)
    assert (batch.status_code, batch.json()) == (
        200, {"status": "OK", "sent_items_in_success": 3, "sent_items_in_error": 0})
    assert stored(receiver) == (200, {"key": f"{KEY}-42", "name": "Frequent buyers",
                                      "contextKind": "user", "included": ["a1", "a2", "a3"],
                                      "version": 1})

    # Live: a2 leaves, a4 enters; an update without a USER_ACCOUNT is refused.
    left = platform.update(accounts("a2"), "DELETE", **ids)
    joined = platform.update(accounts("a4"), **ids)
    skipped = platform.update([{"type": "USER_POINT", "user_point_id": "p"}], **ids)
    assert skipped.status_code == 400
    batches = platform.deliver(left, joined, skipped, **ids)
    assert [b.json()["status"] for b in batches] == ["OK", "OK"]
    status, segment = stored(receiver)
    assert segment["included"] == ["a1", "a3", "a4"] and segment["version"] == 3

    # Troubleshooting reads the same membership back through the feed.
    troubleshoot = platform.post("troubleshoot", {**ids, "action":
                                                  "FETCH_DESTINATION_AUDIENCE"})
    assert troubleshoot.status_code == 200
    assert troubleshoot.json()["data"]["included"] == ["a1", "a3", "a4"]

    # The feed authenticated to the gateway as the plugin, and read the feed once (cached).
    paths = [c.path for c in gateway.calls]
    assert {(c.user, c.password) for c in gateway.calls} == {("worker-1", "plugin-token")}
    assert paths.count("/v1/audience_segment_external_feeds/7/properties") == 1


def test_a_rejected_token_is_a_batch_error(receiver, gateway, platform):
    gateway.properties["7"] = [p for p in gateway.properties["7"]
                               if p["technical_name"] != "ld_api_token"] + [
        prop("ld_api_token", "wrong-token")]
    ids = {"feed_id": "7", "segment_id": "42", "datamart_id": "1"}
    assert platform.create_segment(**ids).status_code == 200  # re-reads the properties
    [batch] = platform.deliver(platform.update(accounts("a1"), **ids), **ids)
    assert (batch.status_code, batch.json()["status"]) == (400, "ERROR")
    assert "wrong-token" not in batch.text
    assert stored(receiver)[0] == 404
