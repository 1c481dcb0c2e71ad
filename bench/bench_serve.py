#!/usr/bin/env python3
"""Serve benchmark: ``framework serve`` taking Segment HTTP API traffic while its workers
deliver to a sink on loopback.

    python -m bench.bench_serve [--batches 200] [--tracks 4000] [--clients 8]

``framework serve`` and the sink each run in their own process; ``--clients`` threads post
with keep-alive sessions. Two figures, one JSON line each: ``/v1/batch`` with 100-message
batches, and single ``/v1/track`` calls. Each reports requests/s, messages/s and the p50/p99
latency of the requests (a 200 means committed to the queue), then waits until the sink has
accepted every message (the check: none missing) and reports how long delivery took to catch up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import requests

from .common import WORK, emit, sink, sink_stats

CONFIG = """
[server]
max_queue_depth = 1000000
[[sources]]
name = "bench"
write_key = "bench-key"
[[sources.destinations]]
integration = "webhooks"
concurrency = 16
settings = {{ hooks = ["{sink}/hook"] }}
"""


def track(n: int, prefix: str) -> dict[str, Any]:
    return {"type": "track", "userId": f"user-{n % 997}", "event": "Order Completed",
            "messageId": f"{prefix}-{n}",
            "properties": {"order_id": f"o{n}", "revenue": n % 100, "currency": "EUR"},
            "context": {"ip": "203.0.113.7", "library": {"name": "bench", "version": "1"}}}


def start_server(url: str, tag: str) -> tuple[subprocess.Popen[str], str]:
    os.makedirs(WORK, exist_ok=True)
    config = os.path.join(WORK, f"serve-{tag}.toml")
    queue = os.path.join(WORK, f"serve-{tag}.sqlite3")
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(queue + suffix):
            os.remove(queue + suffix)
    with open(config, "w", encoding="utf-8") as f:
        f.write(CONFIG.format(sink=url))
    process = subprocess.Popen([sys.executable, "-m", "framework.cli", "serve", "--config",
                                config, "--queue", queue, "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        raise RuntimeError(f"framework serve did not start: {line!r}")
    return process, line.split()[-1]


def load(clients: int, bodies: list[tuple[str, Any]], base: str) -> tuple[float, list[float]]:
    """Post every (path, body) from ``clients`` threads; the wall time and each latency."""
    chunks = [bodies[i::clients] for i in range(clients)]

    def run(chunk: list[tuple[str, Any]]) -> list[float]:
        latencies = []
        with requests.Session() as session:
            session.auth = ("bench-key", "")
            for path, body in chunk:
                started = time.perf_counter()
                response = session.post(base + path, json=body, timeout=30)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
        return latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(run, chunks))
    return time.perf_counter() - started, [x for r in results for x in r]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def wait_delivered(url: str, expected: int, timeout: float = 300.0) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if sink_stats(url)["accepted_unique_message_ids"] >= expected:
            return time.perf_counter() - started
        time.sleep(0.05)
    return None


def figure(name: str, url: str, clients: int, make: Callable[[], list[tuple[str, Any]]],
           messages: int, **extra: Any) -> bool:
    server, base = start_server(url, name)
    try:
        before = sink_stats(url)["accepted_unique_message_ids"]
        bodies = make()
        seconds, latencies = load(clients, bodies, base)
        catch_up = wait_delivered(url, before + messages)
    finally:
        server.terminate()
        server.wait(timeout=30)
    emit(name, messages, [seconds], requests=len(bodies),
         requests_per_s=round(len(bodies) / seconds, 1),
         p50_ms=round(statistics.median(latencies) * 1000, 2),
         p99_ms=round(percentile(latencies, 0.99) * 1000, 2), clients=clients,
         delivered=catch_up is not None,
         delivery_lag_s=None if catch_up is None else round(catch_up, 2), **extra)
    return catch_up is not None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--tracks", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)
    ok = True
    with sink() as url:
        ok &= figure("serve_batch", url, args.clients, lambda: [
            ("/v1/batch", {"batch": [track(b * 100 + n, "b") for n in range(100)]})
            for b in range(args.batches)], args.batches * 100, batch_size=100)
        ok &= figure("serve_track", url, args.clients, lambda: [
            ("/v1/track", track(n, "t")) for n in range(args.tracks)], args.tracks)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
