#!/usr/bin/env python3
"""``make demo``: deliver examples/events.ndjson through Webhooks and Harness FME to a local sink,
then through ``framework serve`` (Segment HTTP API and the FME webhook receiver), then feed a
mediarithmics segment into a synced segment (examples/feed_demo.py).

Starts ``framework sink`` on a free loopback port failing 10% of requests (500 and 429), runs
``framework send`` for each integration with a fresh queue, prints each run's summary and the
sink's statistics, checks that every message arrived, and stops the sink. Exits non-zero when a
run fails or a message is missing.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import feed_demo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVENTS = os.path.join(ROOT, "examples", "events.ndjson")
WORK = os.path.join(ROOT, ".framework", "demo")
FRAMEWORK = [sys.executable, "-m", "framework.cli"]


def start_sink() -> tuple[subprocess.Popen, str]:
    """A sink failing 10% of requests; returns the process and its base URL."""
    sink = subprocess.Popen([*FRAMEWORK, "sink", "--fail-rate", "0.1", "--statuses", "500,429",
                             "--seed", "2026"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = sink.stdout.readline().strip()
    if not line.startswith("listening on "):
        sink.kill()
        raise SystemExit(f"the sink did not start: {line!r}")
    return sink, line.split()[-1]


def stats(url: str) -> dict:
    """The sink's ``/_stats``."""
    with urllib.request.urlopen(url + "/_stats", timeout=10) as response:
        return json.load(response)


def dead_letter_codes(slug: str) -> dict[str, int]:
    """How many dead letters the run exported, by error code."""
    codes: dict[str, int] = {}
    with open(os.path.join(WORK, f"{slug}-dead.ndjson"), encoding="utf-8") as f:
        for line in f:
            code = json.loads(line)["error"]["code"]
            codes[code] = codes.get(code, 0) + 1
    return codes


def send(slug: str, settings: dict) -> int:
    """``framework send`` one integration over the example events with a fresh queue."""
    queue = os.path.join(WORK, f"{slug}.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(queue + suffix):
            os.remove(queue + suffix)
    print(f"\n== framework send {slug} ({sum(1 for _ in open(EVENTS))} messages)", flush=True)
    started = time.perf_counter()
    code = subprocess.call([*FRAMEWORK, "send", slug, "--settings", json.dumps(settings),
                            EVENTS, "--queue", queue, "--concurrency", "8",
                            "--dead-letters", os.path.join(WORK, f"{slug}-dead.ndjson")])
    print(f"   exit code {code} in {time.perf_counter() - started:.1f}s", flush=True)
    return code


def post(url: str, body: dict, headers: dict) -> int:
    """POST ``body`` as JSON; returns the status."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        print(f"   {url}: {exc.code} {exc.read()[:300]!r}", file=sys.stderr)
        return exc.code


def serve(sink_url: str, messages: list[dict]) -> int:
    """``framework serve`` with its embedded demo config aimed at the sink: the Segment calls go
    through the HTTP API to Webhooks, the track calls through the FME webhook receiver to
    Harness FME; returns the number of failures."""
    print("\n== framework serve (embedded demo config)", flush=True)
    urllib.request.urlopen(urllib.request.Request(sink_url + "/_reset", data=b"",
                                                  method="POST"), timeout=10).close()
    queue = os.path.join(WORK, "serve.sqlite3")
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(queue + suffix):
            os.remove(queue + suffix)
    server = subprocess.Popen([*FRAMEWORK, "serve", "--port", "0", "--queue", queue],
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "FRAMEWORK_DEMO_SINK": sink_url})
    line = server.stdout.readline().strip()
    print(f"   {line}", flush=True)
    base = line.split()[-1]
    try:
        calls = [m for m in messages if m["type"] != "delete"]  # not a Tracking API call
        auth = {"Authorization": "Basic " + base64.b64encode(b"demo-write-key:").decode()}
        statuses = [post(base + "/v1/batch", {"batch": calls[i:i + 50]}, auth)
                    for i in range(0, len(calls), 50)]
        tracks = [m for m in calls if m["type"] == "track"][:20]
        statuses += [post(base + "/hooks/segment-to-fme", m,
                          {"Authorization": "demo-fme-secret"}) for m in tracks]
        if set(statuses) != {200}:
            print(f"   unexpected answers: {sorted(set(statuses))}", file=sys.stderr)
            return 1
        expected = {m["messageId"] for m in calls}
        fme_done = ('framework_deliveries_total{destination="segment-to-fme/harness-fme",'
                    f'outcome="delivered"}} {len(tracks)}')
        deadline = time.monotonic() + 60
        while True:
            with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
                lines = response.read().decode().splitlines()
            if stats(sink_url)["accepted_unique_message_ids"] >= len(expected) \
                    and fme_done in lines:
                break
            if time.monotonic() > deadline:
                print("   framework serve did not deliver everything", file=sys.stderr)
                return 1
            time.sleep(0.2)
        metrics = [line for line in lines if line.startswith(
            ("framework_messages_accepted_total", "framework_deliveries_total"))
            and not line.endswith(" 0")]
        print(f"   {len(calls)} calls in {len(statuses) - len(tracks)} batches and "
              f"{len(tracks)} FME webhooks answered 200; every call reached the sink "
              f"(Webhooks) and every webhook reached Harness FME")
        for line in metrics:
            print(f"   {line}")
        return 0
    finally:
        server.terminate()
        code = server.wait(timeout=30)
        print(f"   framework serve exited {code} on SIGTERM", flush=True)


def main() -> int:
    os.makedirs(WORK, exist_ok=True)
    sink, url = start_sink()
    print(f"sink on {url}, failing 10% of requests with 500 or 429")
    try:
        messages = [json.loads(line) for line in open(EVENTS, encoding="utf-8")]
        failures = send("webhooks", {"hooks": [url + "/webhooks"],
                                     "sharedSecret": "demo-shared-secret"})
        after_webhooks = stats(url)
        fme = send("harness-fme", {
            "apiKey": "demo-sdk-key", "adminApiKey": "demo-admin-key",
            "environment": "Production",
            "identityMappings": [{"segmentIdentity": "userId", "trafficType": "user"},
                                 {"segmentIdentity": "anonymousId",
                                  "trafficType": "anonymous"}],
            "eventsEndpoint": url + "/fme/events", "apiEndpoint": url + "/fme/admin"})
        # FME takes no alias or delete calls: those messages are dead letters by design
        # (NOT_SUPPORTED), which makes the run exit 1; anything else is a real failure.
        codes = dead_letter_codes("harness-fme")
        print(f"   Harness FME dead letters by code: {codes or 'none'}")
        if fme and set(codes) != {"NOT_SUPPORTED"}:
            failures += 1
        final = stats(url)
        print("\n== sink /_stats")
        print(json.dumps(final))
        expected = len({m["messageId"] for m in messages})
        arrived = after_webhooks["accepted_unique_message_ids"]
        print(f"Webhooks: {arrived} of {expected} messages accepted by the sink "
              f"({after_webhooks['requests']} requests, retries included)")
        if arrived != expected:
            print("some messages did not arrive", file=sys.stderr)
            return 1
        failures += serve(url, messages)
        failures += feed_demo.run(WORK)
        return 1 if failures else 0
    finally:
        sink.terminate()
        sink.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
