#!/usr/bin/env python3
"""One client of the wire benchmark, run in its own process (pinned to a core by the caller).

    python -m bench.wire_client ours|requests --url URL --corpus FILE [--n N] [--outstanding 16]

``ours``: the runner delivering the Acme integration (``framework send``'s code path, queue in
memory). ``requests``: plain ``requests`` sessions in a thread pool posting the same payloads
(mapped once up front), the "raw requests" baseline. Prints one JSON line with the wall time,
msgs/s and the process's CPU per message (user + system, all threads).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from facade import dumps
from framework.runner import Runner, SQLiteQueue

from .acme_integration import PATHS, Acme

SETTINGS = {"apiKey": "bench-api-key"}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_ours(url: str, objs: list[dict[str, Any]], outstanding: int) -> dict[str, Any]:
    with SQLiteQueue(":memory:") as queue:
        runner = Runner(Acme, dict(SETTINGS, endpoint=url), queue, concurrency=outstanding)
        runner.feed(objs)
        summary = runner.run()
    return {"delivered": summary.delivered, "failed": summary.dead_letters}


def run_requests(url: str, objs: list[dict[str, Any]], outstanding: int) -> dict[str, Any]:
    acme = Acme(dict(SETTINGS, endpoint=url))
    bodies = []
    for obj in objs:
        method, msg = acme.prepare(obj)
        payload = acme.payload_for(method, msg)
        bodies.append((url + PATHS[payload["type"]], dumps(payload).encode()))
    local = threading.local()
    failed = [0]

    def post(item: tuple[str, bytes]) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        response = session.post(item[0], data=item[1], auth=(SETTINGS["apiKey"], ""),
                                headers={"Content-Type": "application/json"})
        if response.status_code >= 300:
            failed[0] += 1

    with ThreadPoolExecutor(outstanding) as pool:
        list(pool.map(post, bodies))
    return {"delivered": len(bodies) - failed[0], "failed": failed[0]}


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("peer", choices=("ours", "requests"))
    ap.add_argument("--url", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--n", type=int, default=0)
    ap.add_argument("--outstanding", type=int, default=16)
    a = ap.parse_args(argv)
    with open(a.corpus, encoding="utf-8") as f:
        objs = [json.loads(line) for line in f]
    objs = [m for m in objs if m["type"] in PATHS][:a.n or None]
    run = run_ours if a.peer == "ours" else run_requests
    cpu, started = cpu_seconds(), time.perf_counter()
    outcome = run(a.url, objs, a.outstanding)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    peer = "project" if a.peer == "ours" else "python-raw"
    record = {"peer": peer, "bench": "send", "n": len(objs), "seconds": round(seconds, 4),
              "msgs_per_s": round(len(objs) / seconds), "concurrency": a.outstanding,
              "cpu_us_per_msg": round(cpu * 1e6 / len(objs)), **outcome}
    if a.peer == "requests":
        record["client"] = "requests"
    print(json.dumps(record, separators=(",", ":")), flush=True)
    return 0 if outcome["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
