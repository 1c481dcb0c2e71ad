"""The audience-feed part of ``make demo``: a mediarithmics segment into a synced segment.

Starts ``framework serve`` with the LaunchDarkly synced-segment surface (the receiver, with
the feed's shipped manifest), a fake mediarithmics plugin gateway holding the feed's
properties, and ``framework serve --feed`` with the example feed; then plays the platform:
segment creation and connection, users entering and leaving, the batches, a troubleshoot
call. Prints each step and the stored membership; returns non-zero when it is not the
expected one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import requests

from framework.audience.testing import FakeGateway, RemoteFeedClient
from framework.server.boot import BackgroundServer
from integrations.ld_synced_segments_feed import MANIFESTS

FEED = "integrations.ld_synced_segments_feed:LaunchDarklySyncedSegmentsFeed"
TOKEN = "demo-ld-token"
IDS = {"feed_id": "7", "segment_id": "42", "datamart_id": "1"}
FRAMEWORK = [sys.executable, "-m", "framework.cli"]


def _start(argv: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    line = process.stdout.readline().strip() if process.stdout else ""
    if not line.startswith("listening on "):
        process.kill()
        err = process.stderr.read() if process.stderr else ""
        raise SystemExit(f"{' '.join(argv[3:])} did not start: {line!r} {err}")
    return process, line.split()[-1]


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=20)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def _accounts(*ids: str) -> list[dict[str, Any]]:
    return [{"type": "USER_ACCOUNT", "user_account_id": i, "creation_ts": 1} for i in ids]


def _statuses(batches: list[Any]) -> str:
    return ", ".join(f"{b.json()['status']} {b.json()['sent_items_in_success']} sent"
                     for b in batches)


def run(work: str) -> int:
    """Run the feed demo with its files under ``work``; returns 0 when the stored membership
    is the expected one."""
    print("\n== audience feed: a mediarithmics segment into a LaunchDarkly synced segment")
    config = os.path.join(work, "feed-demo.toml")
    for name in ("feed-demo-queue.sqlite3", "feed-demo-segments.sqlite3"):
        for suffix in ("", "-wal", "-shm", ".lock"):
            if os.path.exists(os.path.join(work, name + suffix)):
                os.remove(os.path.join(work, name + suffix))
    with open(config, "w", encoding="utf-8") as f:
        f.write(f'[server]\nqueue = "feed-demo-queue.sqlite3"\n'
                f'[synced_segments]\nmanifests = [{MANIFESTS!r}]\n'
                f'store = "feed-demo-segments.sqlite3"\n'
                f'[synced_segments.tokens]\nmediarithmics = "{TOKEN}"\n')
    receiver, receiver_url = _start([*FRAMEWORK, "serve", "--config", config, "--port", "0",
                                     "--no-deliver"])
    print(f"   receiver (framework serve, synced segments) on {receiver_url}")
    gateway = FakeGateway(worker_id="demo-worker", token="demo-plugin-token")
    gateway.add_feed(IDS["feed_id"], [
        {"technical_name": "ld_base_url", "property_type": "URL", "value": {"url": receiver_url}},
        *({"technical_name": k, "property_type": "STRING", "value": {"value": v}}
          for k, v in {"ld_api_token": TOKEN, "integration_key": "mediarithmics",
                       "environment_id": "production",
                       "identifier_type": "USER_ACCOUNT"}.items())])
    gateway.segments[IDS["feed_id"]] = {"id": IDS["segment_id"], "name": "Frequent buyers"}
    feed = None
    try:
        with BackgroundServer(gateway.asgi()) as gateway_server:
            host, port = gateway_server.url.rsplit("/", 1)[1].split(":")
            print(f"   fake plugin gateway on {gateway_server.url}")
            env = {**os.environ, "PLUGIN_WORKER_ID": "demo-worker",
                   "PLUGIN_AUTHENTICATION_TOKEN": "demo-plugin-token",
                   "GATEWAY_HOST": host, "GATEWAY_PORT": port}
            feed, feed_url = _start([*FRAMEWORK, "serve", "--feed", FEED, "--port", "0"], env)
            print(f"   feed (framework serve --feed ...) on {feed_url}")
            with RemoteFeedClient(feed_url) as platform:
                creation = platform.create_segment(**IDS)
                connection = platform.connect_segment(**IDS)
                print(f"   creation: {creation.status_code} {creation.json()['status']}; "
                      f"connection: {connection.status_code} {connection.json()['status']}")
                loading = [platform.update(_accounts(i), **IDS) for i in ("a1", "a2", "a3")]
                batches = platform.deliver(*loading, **IDS)
                print(f"   initial loading: a1, a2, a3 enter: {len(loading)} updates -> "
                      f"{len(batches)} batch ({_statuses(batches)})")
                live = [platform.update(_accounts("a2"), "DELETE", **IDS),
                        platform.update(_accounts("a4"), **IDS)]
                batches = platform.deliver(*live, **IDS)
                print(f"   live: a2 leaves, a4 enters: {len(live)} updates -> {len(batches)} "
                      f"batches, one per operation ({_statuses(batches)})")
                troubleshoot = platform.post("troubleshoot", {
                    **IDS, "action": "FETCH_DESTINATION_AUDIENCE"})
        segment = requests.get(f"{receiver_url}/api/v2/segments/production/mediarithmics-42",
                               headers={"Authorization": TOKEN}, timeout=10).json()
        print(f"   stored segment {segment.get('key')} ({segment.get('name')}): included "
              f"{segment.get('included')} (version {segment.get('version')})")
        print(f"   troubleshoot FETCH_DESTINATION_AUDIENCE: {troubleshoot.status_code} "
              f"{troubleshoot.json().get('data', {}).get('included')}")
        if segment.get("included") != ["a1", "a3", "a4"]:
            print("the stored membership is not the expected one", file=sys.stderr)
            return 1
        return 0
    finally:
        if feed is not None:
            _stop(feed)
        _stop(receiver)
