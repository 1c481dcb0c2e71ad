#!/usr/bin/env python3
"""Send benchmark: the runner delivering the Acme integration to a sink on loopback.

The Acme payload carries its id as ``insert_id`` (the sink counts ``messageId``), so delivery
is checked from the runner's summary: every message delivered, no dead letter, and one sink
request per message plus one per retry.

    python -m bench.bench_send [--n 5000]

For 1 and 16 outstanding requests (the runner's ``--concurrency``), and for 16 with the sink
failing 10% of requests (500 and 429; every message must still arrive), one JSON line each;
then, in the same run and against the same sink, ``bench.raw_baseline``'s plain ``requests`` and
``http.client`` senders (thread pools of 1 and 16) as the baselines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from framework.runner import Backoff, Runner
from framework.runner.sqlite_queue import SQLiteQueue

from .acme_integration import Acme
from . import raw_baseline
from .common import WORK, emit, messages, sink, sink_reset, sink_stats


def runner_run(url: str, objs: list[dict[str, Any]], concurrency: int,
               retry_delay: float = 1.0) -> tuple[float, Any]:
    """Seconds for a fresh runner (new queue file) to deliver ``objs``, and its summary."""
    path = os.path.join(WORK, f"send-queue-{concurrency}.sqlite3")
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    with SQLiteQueue(path) as queue:
        runner = Runner(Acme, {"apiKey": "bench-api-key", "endpoint": url}, queue,
                        concurrency=concurrency, backoff=Backoff(retry_delay, 600.0))
        runner.feed(objs)
        started = time.perf_counter()
        summary = runner.run()
        return time.perf_counter() - started, summary


def delivered_all(summary: Any, stats: dict[str, Any], n: int) -> bool:
    """Every message delivered once, and every sink request accounted for."""
    return (summary.delivered == n and summary.dead_letters == 0
            and stats["requests"] == n + summary.retries)


def raw_run(raw: Any, port: int, objs: list[dict[str, Any]], client: str,
            workers: int) -> float:
    """Seconds for raw_baseline's sender to post ``objs`` (no retries: the sink does not fail)."""
    post, _, close = raw.make_poster(client, port, workers)
    lines = [json.dumps(m) for m in objs]

    def deliver(line: str) -> None:
        m = json.loads(line)
        post(raw.PATHS[m["type"]], raw.dumps(raw.MAPPERS[m["type"]](m)).encode("utf-8"))

    started = time.perf_counter()
    if workers == 1:
        for line in lines:
            deliver(line)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(deliver, lines))
    elapsed = time.perf_counter() - started
    close()
    return elapsed


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    a = ap.parse_args(argv)
    objs = [m for m in messages(max(a.n, 5000)) if m["type"] in Acme.spec()["methods"]][:a.n]
    ok = True
    with sink() as url:
        for concurrency in (1, 16):
            runner_run(url, objs[:300], concurrency)  # warm-up
            sink_reset(url)
            seconds, summary = runner_run(url, objs, concurrency)
            stats = sink_stats(url)
            ok &= delivered_all(summary, stats, len(objs))
            emit("send", len(objs), [seconds], concurrency=concurrency, faults=0.0,
                 delivered=summary.delivered, sink_requests=stats["requests"])
        raw = raw_baseline
        port = int(url.rsplit(":", 1)[1])
        for client in ("requests", "http.client"):
            for workers in (1, 16):
                raw_run(raw, port, objs[:300], client, workers)
                emit("send", len(objs), [raw_run(raw, port, objs, client, workers)],
                     peer="python-raw", concurrency=workers, client=client)
    with sink("--fail-rate", "0.1", "--statuses", "500,429", "--seed", "7") as url:
        seconds, summary = runner_run(url, objs, 16, retry_delay=0.1)
        stats = sink_stats(url)
        ok &= delivered_all(summary, stats, len(objs))
        emit("send", len(objs), [seconds], concurrency=16, faults=0.1, retry_delay_s=0.1,
             delivered=summary.delivered, dead_letters=summary.dead_letters,
             retries=summary.retries, sink_requests=stats["requests"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
