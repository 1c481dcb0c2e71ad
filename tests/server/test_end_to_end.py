"""Through real sockets: Segment's own Python library -> framework serve -> Webhooks and
Harness FME on the sink; Segment's Webhooks destination -> /hooks -> Harness FME; and one
destination being down never delays another."""

from __future__ import annotations

import json
import time

import pytest
from segment.analytics import Client

from framework.runner import SQLiteQueue
from framework.server.app import create_app
from framework.server.boot import BackgroundServer
from framework.server.config import parse_config
from framework.server.hooks import signature
from framework.sink import Sink

import requests

CONFIG = """
[server]
retry_delay = 0.05

[[sources]]
name = "web"
write_key = "wk-web"
[[sources.destinations]]
integration = "webhooks"
settings = {{ hooks = ["{sink}/webhooks"] }}
[[sources.destinations]]
name = "web-fme"
integration = "harness-fme"
[sources.destinations.settings]
apiKey = "sdk-key"
adminApiKey = "admin-key"
environment = "Production"
eventsEndpoint = "{sink}/fme/events"
apiEndpoint = "{sink}/fme/admin"
identityMappings = [{{ segmentIdentity = "userId", trafficType = "user" }}]
[[sources.destinations]]
name = "down"
integration = "webhooks"
settings = {{ hooks = ["http://127.0.0.1:{dead_port}/never"] }}

[[hooks]]
name = "segment-to-fme"
secret = "fme-webhook-secret"
shared_secret = "segment-signing-secret"
[[hooks.destinations]]
integration = "harness-fme"
[hooks.destinations.settings]
apiKey = "sdk-key-2"
adminApiKey = "admin-key"
environment = "Production"
eventsEndpoint = "{sink}/hooked/events"
apiEndpoint = "{sink}/hooked/admin"
identityMappings = [{{ segmentIdentity = "userId", trafficType = "user" }}]
"""


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


@pytest.fixture
def stack(tmp_path):
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_port = closed.getsockname()[1]
    closed.close()  # nothing listens there: connection refused, a destination that is down
    with Sink() as sink:
        config = parse_config(CONFIG.format(sink=sink.url, dead_port=dead_port),
                              str(tmp_path / "serve.toml"), environ={})
        with SQLiteQueue(tmp_path / "q.sqlite3") as queue:
            with BackgroundServer(create_app(config, queue, deliver=True)) as server:
                yield sink, server, queue


def paths(sink, prefix):
    return [r for r in sink.requests() if r["path"].startswith(prefix) and r["status"] < 300]


def test_the_segment_python_library_reaches_webhooks_and_fme(stack):
    sink, server, queue = stack
    client = Client("wk-web", host=server.url, sync_mode=True, gzip=True, max_retries=0)
    client.identify("u1", {"email": "u1@example.test", "plan": "pro"})
    client.track("u1", "Order Completed", {"revenue": 10})
    client.page("u1", "Docs", "Install")
    client.screen("u1", "App", "Home")
    client.group("u1", "g1", {"name": "Acme", "split": {"account": "acct-1"}})
    client.alias("anon-1", "u1")
    client.flush()
    wait_for(lambda: len(paths(sink, "/webhooks")) >= 6)
    hooked = [json.loads(r["body"]) for r in paths(sink, "/webhooks")]
    assert sorted(m["type"] for m in hooked) == ["alias", "group", "identify", "page",
                                                 "screen", "track"]
    assert all(m["context"]["source"] == {"name": "web"} and m["receivedAt"] for m in hooked)
    assert all(m["context"]["library"]["name"] == "analytics-python" for m in hooked)
    # FME: track/page/screen become events, identify/group become identities, alias is
    # not supported (a dead letter by design).
    wait_for(lambda: queue.stats().pending <= 6)  # only the "down" destination is left
    events = [e for r in paths(sink, "/fme/events/events/bulk") for e in json.loads(r["body"])]
    assert sorted(e["eventTypeId"] for e in events) == [
        "Order_Completed", "view_Install_page", "viewed_Home_screen"]
    assert all(e["key"] == "u1" and e["trafficTypeName"] == "user" for e in events)
    assert sorted(r["path"] for r in paths(sink, "/fme/admin")) == [
        "/fme/admin/trafficTypes/account/environments/Production/identities/acct-1",
        "/fme/admin/trafficTypes/user/environments/Production/identities/u1"]
    dead = list(queue.dead_letters())
    assert [(d.error["code"], json.loads(d.body)["type"]) for d in dead] == \
        [("NOT_SUPPORTED", "alias")]


def test_a_destination_that_is_down_does_not_delay_the_others(stack):
    sink, server, queue = stack
    body = {"batch": [{"type": "track", "userId": f"u{n}", "event": "E", "messageId": f"m{n}"}
                      for n in range(50)]}
    response = requests.post(server.url + "/v1/batch", json=body, auth=("wk-web", ""))
    assert response.json() == {"success": True}
    wait_for(lambda: {f"m{n}" for n in range(50)} <= sink.message_ids(accepted=True))
    wait_for(lambda: queue.stats().pending == 50)  # the "down" destination's jobs wait
    assert queue.stats().dead == 0
    metrics = requests.get(server.url + "/metrics").text
    assert 'framework_deliveries_total{destination="web/webhooks",outcome="delivered"} 50' \
        in metrics
    assert 'framework_deliveries_total{destination="down",outcome="retry"}' in metrics


def test_the_fme_webhook_flow(stack):
    sink, server, queue = stack
    message = {"type": "track", "event": "Checkout Started", "userId": "u9",
               "messageId": "wh-1", "properties": {"value": 3},
               "timestamp": "2026-01-01T00:00:00Z"}
    body = json.dumps(message).encode()
    headers = {"Authorization": "fme-webhook-secret", "Content-Type": "application/json",
               "User-Agent": "Segment.io/1.0",
               "X-Signature": signature(body, "segment-signing-secret")}
    response = requests.post(server.url + "/hooks/segment-to-fme", data=body, headers=headers)
    assert response.status_code == 200 and response.json() == {"success": True}
    wait_for(lambda: paths(sink, "/hooked/events"))
    [request] = paths(sink, "/hooked/events")
    assert request["headers"]["authorization"] == "Bearer sdk-key-2"
    [event] = json.loads(request["body"])
    assert (event["eventTypeId"], event["key"]) == ("Checkout_Started", "u9")
