#!/usr/bin/env python3
"""One client of the wire benchmark, run in its own process (pinned to a core by the caller).

    python -m bench.wire_client ours|requests --url URL --corpus FILE [--n N] [--outstanding 16]
                                [--warmup 0] [--passes 1]

``ours``: the runner delivering the Acme integration (``framework send``'s code path, queue in
memory). ``requests``: plain ``requests`` sessions in a thread pool posting the same payloads
(mapped once up front), the "raw requests" baseline. The corpus is parsed before the clock
starts; ``--warmup`` messages are delivered first, untimed (what bench/peers/send.js does for
the Node original, whose JIT needs them); then ``--passes`` timed passes of ``--n`` messages
through the same integration instance (or sessions), one JSON line each: wall time, msgs/s,
the process's CPU per message (user + system, all threads) and the TCP connections opened.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from facade import dumps
from framework.runner import Runner, SQLiteQueue
from framework.runner.runner import WORKER_MODES

from .acme_integration import PATHS, Acme

SETTINGS = {"apiKey": "bench-api-key"}
Deliver = Callable[[list[dict[str, Any]]], dict[str, Any]]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class ConnectionCounter:
    """Counts ``connect`` and ``connect_ex`` calls on every socket of the process while in use
    as a context manager (urllib3 and our connection layer in a thread call ``connect``; a
    cooperative worker connects with ``connect_ex``, which does not block)."""

    def __init__(self) -> None:
        self.count = 0
        self._connect = socket.socket.connect
        self._connect_ex = socket.socket.connect_ex

    def __enter__(self) -> "ConnectionCounter":
        connect, connect_ex = self._connect, self._connect_ex

        def counting(sock: socket.socket, address: Any) -> None:
            self.count += 1
            connect(sock, address)

        def counting_ex(sock: socket.socket, address: Any) -> int:
            self.count += 1
            return connect_ex(sock, address)

        socket.socket.connect = counting  # type: ignore[method-assign, assignment]
        socket.socket.connect_ex = counting_ex  # type: ignore[method-assign, assignment]
        return self

    def __exit__(self, *exc_info: object) -> None:
        socket.socket.connect = self._connect  # type: ignore[method-assign]
        socket.socket.connect_ex = self._connect_ex  # type: ignore[method-assign]


def ours(url: str, outstanding: int,
         worker_mode: str = WORKER_MODES[0]) -> tuple[Deliver, Callable[[], None]]:
    """Delivery through the runner; one integration instance (so one connection pool) for
    every pass, as in a long ``framework send``."""
    acme = Acme(dict(SETTINGS, endpoint=url), pool_size=max(10, outstanding))

    def deliver(objs: list[dict[str, Any]]) -> dict[str, Any]:
        with SQLiteQueue(":memory:") as queue:
            runner = Runner(acme, queue=queue, concurrency=outstanding,
                            worker_mode=worker_mode)
            runner.feed(objs)
            summary = runner.run()
        return {"delivered": summary.delivered, "failed": summary.dead_letters}

    return deliver, acme.close


def raw_requests(url: str, outstanding: int) -> tuple[Deliver, Callable[[], None]]:
    """``requests`` sessions (one per thread of one pool) posting the payloads, each pass
    mapping them all first (inside the timed pass, as before).

    Each session retries a request once when its connection fails: uvicorn closes keep-alive
    connections idle for 5 s, and one of 256 threads' connections can be closed just as it is
    reused (our connection layer retries such a request once too).
    """
    acme = Acme(dict(SETTINGS, endpoint=url))
    local = threading.local()
    pool = ThreadPoolExecutor(outstanding)

    def post(item: tuple[str, bytes]) -> bool:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            once = HTTPAdapter(max_retries=Retry(total=1, allowed_methods=None,
                                                 status_forcelist=(), raise_on_status=False))
            session.mount("http://", once)
        response = session.post(item[0], data=item[1], auth=(SETTINGS["apiKey"], ""),
                                headers={"Content-Type": "application/json"})
        return response.status_code < 300

    def deliver(objs: list[dict[str, Any]]) -> dict[str, Any]:
        bodies = []
        for obj in objs:
            method, msg = acme.prepare(obj)
            payload = acme.payload_for(method, msg)
            bodies.append((url + PATHS[payload["type"]], dumps(payload).encode()))
        ok = sum(pool.map(post, bodies))
        return {"delivered": ok, "failed": len(bodies) - ok}

    return deliver, lambda: pool.shutdown()


def run_passes(a: argparse.Namespace, objs: list[dict[str, Any]],
               counter: ConnectionCounter) -> int:
    """The warm-up, then the timed passes (one JSON line each); how many messages failed."""
    deliver, close = (ours(a.url, a.outstanding, a.worker_mode) if a.peer == "ours"
                      else raw_requests(a.url, a.outstanding))
    failed = 0
    if a.warmup:
        failed += deliver(list(itertools.islice(itertools.cycle(objs), a.warmup)))["failed"]
    peer = "project" if a.peer == "ours" else "python-raw"
    for _ in range(a.passes):
        opened = counter.count
        started = (time.perf_counter(), cpu_seconds())
        outcome = deliver(objs)
        seconds, cpu = time.perf_counter() - started[0], cpu_seconds() - started[1]
        failed += outcome["failed"]
        record = {"peer": peer, "bench": "send", "n": len(objs), "seconds": round(seconds, 4),
                  "msgs_per_s": round(len(objs) / seconds), "concurrency": a.outstanding,
                  "cpu_us_per_msg": round(cpu * 1e6 / len(objs)), **outcome,
                  "connections": counter.count - opened, "warmup": a.warmup}
        if a.peer == "requests":
            record["client"] = "requests"
        else:
            record["worker_mode"] = a.worker_mode
        print(json.dumps(record, separators=(",", ":")), flush=True)
    close()
    return failed


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("peer", choices=("ours", "requests"))
    ap.add_argument("--url", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--n", type=int, default=0)
    ap.add_argument("--outstanding", type=int, default=16)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--worker-mode", choices=WORKER_MODES, default=WORKER_MODES[0])
    a = ap.parse_args(argv)
    with open(a.corpus, encoding="utf-8") as f:
        objs = [json.loads(line) for line in f]
    objs = [m for m in objs if m["type"] in PATHS][:a.n or None]
    with ConnectionCounter() as counter:
        failed = run_passes(a, objs, counter)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
