#!/usr/bin/env python3
"""Map benchmark: the Acme integration's pipeline + ``facade.dumps`` over the reference corpus.

Each message goes through ``Acme.prepare`` (wrap with the facade, enabled, validate, route)
and ``payload_for`` (the Acme mapper, facade accessors only), then ``facade.dumps``; nothing
is sent.

    python -m bench.bench_map [--n 50000] [--seed 20240101] [--warmup 5000] [--repeats 3]
                              [--corpus FILE]

The corpus is generated with :mod:`bench.corpus` into ``.framework/bench/`` (ignored by git)
when missing. Every output line is first checked to be byte-identical to
:mod:`bench.raw_baseline`'s mapping of the same message; that plain-dict mapper is then timed
in the same process as the reference ceiling. Prints one JSON
line; exits 1 when any payload differs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Any, Callable, List

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench import raw_baseline  # noqa: E402
from bench.acme_integration import Acme  # noqa: E402
from bench.corpus import write as write_corpus  # noqa: E402
from facade import dumps  # noqa: E402

SETTINGS = {"apiKey": "bench-api-key", "endpoint": "http://127.0.0.1:9"}
ACME = Acme(SETTINGS)


def ensure_corpus(n: int, seed: int, path: str) -> str:
    """Generate the corpus into ``path`` unless it is already there."""
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as out:
            write_corpus(n, seed, out)
        os.replace(tmp, path)
    return path


def project_line(m: dict) -> str:
    """Our payload for one message, serialised."""
    method, msg = ACME.prepare(m)
    return dumps(ACME.payload_for(method, msg))


def pass_project(objs: List[dict]) -> int:
    chars = 0
    prepare, payload_for = ACME.prepare, ACME.payload_for
    for m in objs:
        method, msg = prepare(m)
        chars += len(dumps(payload_for(method, msg)))
    return chars


def timed(fn: Callable[[List[dict]], int], objs: List[dict], warmup: int,
          repeats: int) -> List[float]:
    fn(objs[:warmup])
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(objs)
        runs.append(time.perf_counter() - t0)
    return runs


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--warmup", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--corpus", default=None)
    a = ap.parse_args(argv)

    corpus = a.corpus or os.path.join(ROOT, ".framework", "bench",
                                      "corpus-%d-seed%d.ndjson" % (a.n, a.seed))
    ensure_corpus(a.n, a.seed, corpus)
    raw = raw_baseline
    with open(corpus, encoding="utf-8") as f:
        objs = [json.loads(line) for line in f if line.strip()][:a.n]

    identical, first_diff = 0, None
    for i, m in enumerate(objs):
        expected = raw.dumps(raw.MAPPERS[m["type"]](m))
        got = project_line(m)
        if got == expected:
            identical += 1
        elif first_diff is None:
            first_diff = {"index": i, "type": m["type"], "expected": expected, "got": got}

    runs = timed(pass_project, objs, a.warmup, a.repeats)
    raw_runs = timed(raw.pass_map, objs, a.warmup, a.repeats)
    secs, raw_secs = statistics.median(runs), statistics.median(raw_runs)
    rec = {"peer": "project", "bench": "map", "n": len(objs), "seconds": round(secs, 4),
           "msgs_per_s": round(len(objs) / secs), "repeats": a.repeats,
           "runs_s": [round(x, 4) for x in runs], "byte_identical": identical,
           "mismatches": len(objs) - identical,
           "raw_msgs_per_s": round(len(objs) / raw_secs),
           "raw_runs_s": [round(x, 4) for x in raw_runs],
           "vs_raw": round(raw_secs / secs, 3),
           "runtime": "python %d.%d.%d" % sys.version_info[:3]}
    if first_diff:
        rec["first_mismatch"] = first_diff
    print(json.dumps(rec, separators=(",", ":")), flush=True)
    return 1 if first_diff else 0


if __name__ == "__main__":
    sys.exit(main())
