#!/usr/bin/env python3
"""Memory benchmark: peak RSS of ``framework send`` over a long stream of messages.

    python -m bench.bench_memory [--n 1000000] [--concurrency 4]

Streams ``n`` messages (the 50,000-message reference corpus repeated, each copy with fresh
messageIds) into ``framework send segment -`` through a pipe, so the input never exists as a
file; the Segment destination batches them to a sink in its own process. Prints one JSON line
with the peak resident set size of the ``framework send`` process (sampled ``VmHWM``) and
checks that the sink accepted every messageId.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from typing import Any, Iterator

from .common import WORK, corpus, emit, sink, sink_stats


def stream(n: int) -> Iterator[bytes]:
    """``n`` NDJSON lines with unique messageIds, from the reference corpus."""
    with open(corpus(50000), "rb") as f:
        lines = [json.loads(line) for line in f]
    for i in range(n):
        message = lines[i % len(lines)]
        message["messageId"] = f"bench-{i}"
        yield json.dumps(message, separators=(",", ":")).encode() + b"\n"


def high_water_kb(pid: int) -> int:
    """The process's peak resident set size so far (``VmHWM``), in KB; 0 once it is gone.

    Read from /proc rather than from ``wait4``'s rusage, which also counts the moments
    between fork and exec, when the child still shares this (large) process's memory.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def feed(pipe: Any, n: int) -> None:
    try:
        for chunk in stream(n):
            pipe.write(chunk)
    finally:
        pipe.close()


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=int(os.environ.get("BENCH_MEMORY_N", 1_000_000)))
    ap.add_argument("--concurrency", type=int, default=4)
    a = ap.parse_args(argv)
    queue = os.path.join(WORK, "memory-queue.sqlite3")
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(queue + suffix):
            os.remove(queue + suffix)
    with sink() as url:
        settings = {"writeKey": "bench-write-key", "endpoint": url}
        started = time.perf_counter()
        send = subprocess.Popen(
            [sys.executable, "-m", "framework.cli", "send", "segment", "--settings",
             json.dumps(settings), "-", "--queue", queue, "--concurrency", str(a.concurrency)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        feeder = threading.Thread(target=feed, args=(send.stdin, a.n), daemon=True)
        feeder.start()
        peak_kb = 0
        while send.poll() is None:
            peak_kb = max(peak_kb, high_water_kb(send.pid))
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        feeder.join(timeout=10)
        accepted = sink_stats(url)["accepted_unique_message_ids"]
    emit("memory", a.n, [elapsed], peak_rss_mb=round(peak_kb / 1024, 1),
         accepted=accepted, exit_code=send.returncode)
    return 0 if accepted == a.n and send.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
