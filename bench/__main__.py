"""``make bench``: every figure, one JSON line each (peer, bench, n, seconds, msgs_per_s, ...).

    python -m bench [map] [feed] [send] [batch] [memory] [serve] [scale] [wire]

With no names, runs them all in that order. Exits 1 when a benchmark's own check failed
(output not byte-identical, a message not delivered).
"""

from __future__ import annotations

import os
import platform
import sys

from . import (bench_batch, bench_feed, bench_map, bench_memory, bench_scale, bench_send,
               bench_serve, bench_wire)
from .common import emit

BENCHES = {"map": bench_map.main, "feed": bench_feed.main, "send": bench_send.main,
           "batch": bench_batch.main,
           "memory": bench_memory.main, "serve": bench_serve.main, "scale": bench_scale.main,
           "wire": bench_wire.main}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHES)}",
              file=sys.stderr)
        return 2
    emit("machine", 0, [0.0], peer="project", python=platform.python_version(),
         machine=platform.machine(), cpus=os.cpu_count())
    failed = [name for name in names if BENCHES[name]([])]
    if failed:
        print(f"failed checks: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
