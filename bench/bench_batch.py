#!/usr/bin/env python3
"""Batch benchmark: Harness FME track messages through ``batch()`` vs one request per message.

    python -m bench.bench_batch [--n 5000]

Both runs deliver the same track messages (each with userId and anonymousId mapped, so two
records per message) to a sink in its own process; prints one JSON line per way and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from integrations.harness_fme import HarnessFME

from .common import emit, messages, sink, sink_reset, sink_stats


def settings(url: str) -> dict[str, Any]:
    return {"apiKey": "bench-sdk-key", "adminApiKey": "bench-admin-key",
            "environment": "Production", "eventsEndpoint": url + "/fme/events",
            "apiEndpoint": url + "/fme/admin",
            "identityMappings": [{"segmentIdentity": "userId", "trafficType": "user"},
                                 {"segmentIdentity": "anonymousId", "trafficType": "anonymous"}]}


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    a = ap.parse_args(argv)
    tracks = [m for m in messages(a.n * 3) if m["type"] == "track"][:a.n]
    with sink() as url:
        fme = HarnessFME(settings(url))
        fme.process_batch(tracks[:200])
        sink_reset(url)
        started = time.perf_counter()
        outcomes = fme.process_batch(tracks)
        batched = time.perf_counter() - started
        failed = sum(1 for o in outcomes if isinstance(o, Exception))
        batch_requests = sink_stats(url)["requests"]
        sink_reset(url)
        started = time.perf_counter()
        for message in tracks:
            fme.process(message)
        single = time.perf_counter() - started
        single_requests = sink_stats(url)["requests"]
    emit("batch", len(tracks), [batched], requests=batch_requests, failed=failed,
         way="batch()")
    emit("batch_single", len(tracks), [single], requests=single_requests,
         way="process() per message")
    emit("batch_speedup", len(tracks), [batched], ratio=round(single / batched, 1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
