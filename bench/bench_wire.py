#!/usr/bin/env python3
"""Wire benchmark: ours, the Node original and raw ``requests``, side by side in one run.

    python -m bench.bench_wire [--n 5000] [--passes 3] [--warmup 10000]
                               [--node-agent keepalive|global] [--no-chart]

Each client runs in its own process on core 0, the sink (``framework sink --latency-ms``) on
core 1, so a client's CPU is the limit where it is the bottleneck. For 1, 16, 64 and 256
outstanding requests at 0 ms, and 256 at 20 ms of simulated latency, every peer posts the
same Acme payloads of the corpus. Each client process parses the corpus, delivers
``--warmup`` messages untimed (V8 compiles the Node original's hot paths over the first
~10,000 messages; before that it spends up to 3x its steady CPU per message), then makes
``--passes`` timed passes of ``--n`` messages; each figure is the median of the passes, with
the client's CPU per message, the TCP connections it opened during a pass, and the sink's
CPU (``sink_cpu_pct``: the share of its core the sink was busy at the client's rate, so a
figure near 100 would mean the sink, not the client, is the limit). ``--warmup 0`` measures
cold processes. Peers:

- ``project``: the runner delivering the Acme integration (bench/acme_integration.py), with
  its default cooperative workers; ``project-threads`` the same with ``--worker-mode threads``;
- ``node``: segmentio-integration 5.1 + superagent + segmentio-facade 3.2.7 with the same
  mapper (bench/peers/), installed from the npm registry into bench/peers/node_modules the
  first time (skipped with a note when Node or npm is missing); ``--node-agent keepalive``
  (default) configures a keep-alive ``http.Agent`` of N sockets through the integration's
  ``.agent()``, ``global`` leaves Node's ``http.globalAgent``;
- ``python-raw``: ``requests`` sessions in a thread pool posting the pre-mapped payloads.

Then the Node original's map figure over the same corpus (bench/peers/map.js), after checking
that its output is byte-identical to ours. Writes bench/charts/wire.png (throughput against
outstanding requests) when matplotlib is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from typing import Any

from .common import (ROOT, corpus, emit, pinned, process_cpu_seconds, sink_process,
                     sink_reset, sink_stats)

PEERS_DIR = os.path.join(ROOT, "bench", "peers")
CHART = os.path.join(ROOT, "bench", "charts", "wire.png")
CONFIGS = [(0, 1), (0, 16), (0, 64), (0, 256), (20, 256)]
CLIENT_CPUS = {0}
SINK_CPUS = {1}


def node_peers() -> str | None:
    """The ``node`` binary with the peers installed, or ``None`` (with a note on stderr)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        print("bench wire: Node or npm not found; the Node original is skipped", file=sys.stderr)
        return None
    if not os.path.isdir(os.path.join(PEERS_DIR, "node_modules", "segmentio-integration")):
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-package-lock",
                               "--silent"], cwd=PEERS_DIR, capture_output=True, text=True)
        if done.returncode:
            print(f"bench wire: npm install failed; the Node original is skipped:\n"
                  f"{done.stderr[-2000:]}", file=sys.stderr)
            return None
    return node


def client(peer: str, node: str | None, url: str, path: str, n: int, outstanding: int,
           warmup: int, passes: int, node_agent: str) -> list[dict[str, Any]]:
    """One client process: ``warmup`` untimed messages, then ``passes`` timed passes of ``n``;
    the record of each pass."""
    common = ["--corpus", path, "--url", url, "--n", str(n), "--outstanding", str(outstanding),
              "--warmup", str(warmup), "--passes", str(passes)]
    if peer == "node":
        command = [str(node), os.path.join(PEERS_DIR, "send.js"), *common, "--agent",
                   node_agent]
    elif peer.startswith("project"):
        mode = "threads" if peer == "project-threads" else "cooperative"
        command = [sys.executable, "-m", "bench.wire_client", "ours", *common,
                   "--worker-mode", mode]
    else:
        command = [sys.executable, "-m", "bench.wire_client", "requests", *common]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900,
                          preexec_fn=pinned(CLIENT_CPUS))
    if done.returncode:
        raise RuntimeError(f"{peer} failed ({done.returncode}): {done.stderr[-2000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def node_map(node: str, path: str, n: int) -> bool:
    """The Node original's map figure, after checking its output against ours."""
    from facade import dumps

    from .acme_integration import Acme

    with tempfile.NamedTemporaryFile("r", suffix=".ndjson") as out:
        subprocess.run([node, os.path.join(PEERS_DIR, "map.js"), "--corpus", path, "--n",
                        str(n), "--out", out.name], check=True, capture_output=True)
        theirs = out.read().split("\n")[:-1]
    acme = Acme({"apiKey": "bench-api-key", "endpoint": "http://127.0.0.1:9"})
    with open(path, encoding="utf-8") as f:
        objs = [json.loads(line) for line in f][:n]
    ours = [dumps(acme.payload_for(*acme.prepare(m))) for m in objs]
    identical = ours == theirs
    done = subprocess.run([node, os.path.join(PEERS_DIR, "map.js"), "--corpus", path, "--n",
                           str(n)], check=True, capture_output=True, text=True,
                          preexec_fn=pinned(CLIENT_CPUS))
    record = json.loads(done.stdout)
    emit("map", record["n"], [record["seconds"]], peer="node", node=record["node"],
         byte_identical=identical)
    return identical


def chart(records: list[dict[str, Any]]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench wire: matplotlib is not installed; no chart", file=sys.stderr)
        return
    figure, axis = plt.subplots(figsize=(7, 4.2))
    for peer, label in (("project", "ours (framework send, cooperative workers)"),
                        ("project-threads", "ours (--worker-mode threads)"),
                        ("node", "Node original"), ("python-raw", "raw requests")):
        points = sorted((r["concurrency"], r["msgs_per_s"]) for r in records
                        if r["peer"] == peer and r["latency_ms"] == 0)
        if points:
            axis.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
    axis.set_xscale("log", base=2)
    axis.set_xlabel("outstanding requests (0 ms latency)")
    axis.set_ylabel("messages per second")
    axis.set_title("Acme over loopback: client on one core, sink on the other")
    axis.grid(True, alpha=0.3)
    axis.legend(loc="lower right", bbox_to_anchor=(1.0, 0.12), fontsize="small")
    os.makedirs(os.path.dirname(CHART), exist_ok=True)
    figure.tight_layout()
    figure.savefig(CHART, dpi=110)
    print(f"bench wire: chart written to {os.path.relpath(CHART, ROOT)}", file=sys.stderr)


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=int(os.environ.get("BENCH_WIRE_N", 5000)))
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--warmup", type=int,
                    default=int(os.environ.get("BENCH_WIRE_WARMUP", 10000)))
    ap.add_argument("--node-agent", choices=("keepalive", "global"), default="keepalive")
    ap.add_argument("--no-chart", action="store_true")
    a = ap.parse_args(argv)
    path = corpus(max(a.n, 5000))
    node = node_peers()
    peers = ["project", "project-threads", "python-raw"] + (["node"] if node else [])
    records = []
    ok = True
    for latency, outstanding in CONFIGS:
        with sink_process("--latency-ms", str(latency), cpus=SINK_CPUS) as (url, process):
            for peer in peers:
                sink_reset(url)
                sink_cpu = process_cpu_seconds(process.pid)
                runs = client(peer, node, url, path, a.n, outstanding, a.warmup, a.passes,
                              a.node_agent)
                after = process_cpu_seconds(process.pid)
                requests = sink_stats(url)["requests"]
                ok &= len(runs) == a.passes and requests >= a.warmup + a.passes * a.n
                ok &= all(r["failed"] == 0 for r in runs)
                extra = {"node_agent": a.node_agent} if peer == "node" else {}
                rate = statistics.median(r["msgs_per_s"] for r in runs)
                sink_pct = None
                if sink_cpu is not None and after is not None and requests:
                    sink_pct = round((after - sink_cpu) / requests * rate * 100, 1)
                record = emit("send", runs[0]["n"], [r["seconds"] for r in runs], peer=peer,
                              concurrency=outstanding, latency_ms=latency,
                              cpu_us_per_msg=statistics.median(r["cpu_us_per_msg"]
                                                               for r in runs),
                              passes=a.passes, warmup=a.warmup,
                              connections=statistics.median(r["connections"] for r in runs),
                              sink_cpu_pct=sink_pct, **extra)
                records.append(record)
    if node:
        ok &= node_map(node, path, a.n)
    if not a.no_chart:
        chart(records)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
