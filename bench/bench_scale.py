#!/usr/bin/env python3
"""Scale-out benchmark: 1, 2 and 4 ``framework work`` processes on one Redis stream.

    python -m bench.bench_scale [--n 20000] [--concurrency 16]

The corpus is enqueued once per figure with ``framework send --enqueue-only`` (its own line),
then the workers deliver it to a sink in its own process through the Webhooks integration,
each with ``--until-empty``; a figure is the wall time from starting the workers to the last
one exiting, and every message must reach the sink. In the same run, the SQLite runner
(``framework send`` on a queue file, one process) delivers the same corpus with the same
concurrency as the baseline.

The machine has 2 cores shared by the sink, redis-server and the workers: past 2 processes,
more workers add contention, not cores (see BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

from framework.testing.redis_server import RedisServer

from .common import WORK, corpus, emit, sink, sink_reset, sink_stats

FRAMEWORK = [sys.executable, "-m", "framework.cli"]


def run_cli(*args: str) -> None:
    subprocess.run([*FRAMEWORK, *args], check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def enqueue(path: str, settings: str, queue: str) -> float:
    started = time.perf_counter()
    run_cli("send", "webhooks", path, "--settings", settings, "--queue", queue,
            "--enqueue-only", "--no-progress")
    return time.perf_counter() - started


def work(settings: str, queue: str, processes: int, concurrency: int) -> float:
    """Seconds for ``processes`` workers to empty the queue."""
    command = [*FRAMEWORK, "work", "webhooks", "--settings", settings, "--queue", queue,
               "--until-empty", "--no-progress", "--concurrency", str(concurrency)]
    started = time.perf_counter()
    workers = [subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for _ in range(processes)]
    codes = [worker.wait() for worker in workers]
    elapsed = time.perf_counter() - started
    if any(codes):
        raise RuntimeError(f"a worker failed: exit codes {codes}")
    return elapsed


def sqlite_send(path: str, settings: str, concurrency: int) -> float:
    queue = os.path.join(WORK, "scale-queue.sqlite3")
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(queue + suffix):
            os.remove(queue + suffix)
    started = time.perf_counter()
    run_cli("send", "webhooks", path, "--settings", settings, "--queue", queue,
            "--concurrency", str(concurrency), "--no-progress")
    return time.perf_counter() - started


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=int(os.environ.get("BENCH_SCALE_N", 20000)))
    ap.add_argument("--concurrency", type=int, default=16)
    a = ap.parse_args(argv)
    path = corpus(a.n)
    ok = True
    directory = tempfile.mkdtemp(prefix="bench-redis-")
    server = RedisServer(directory).start()
    try:
        with sink() as url:
            settings = json.dumps({"hooks": [url + "/hook"]})
            seconds = sqlite_send(path, settings, a.concurrency)
            delivered = sink_stats(url)["accepted_unique_message_ids"]
            ok &= delivered == a.n
            emit("scale", a.n, [seconds], queue="sqlite", processes=1,
                 concurrency=a.concurrency, delivered=delivered)
            for processes in (1, 2, 4):
                client = server.client()
                client.flushall()
                client.close()
                sink_reset(url)
                queue = server.queue_url(f"scale{processes}")
                queued = enqueue(path, settings, queue)
                seconds = work(settings, queue, processes, a.concurrency)
                delivered = sink_stats(url)["accepted_unique_message_ids"]
                ok &= delivered == a.n
                emit("scale", a.n, [seconds], queue="redis", processes=processes,
                     concurrency=a.concurrency, delivered=delivered,
                     enqueue_msgs_per_s=round(a.n / queued))
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
