"""What the benchmarks share: the corpus, a sink in its own process, and the output format."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import urllib.request
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

from .corpus import write as write_corpus

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, ".framework", "bench")


def corpus(n: int, seed: int = 20240101) -> str:
    """Path of the deterministic corpus of ``n`` messages, generated on first use."""
    path = os.path.join(WORK, f"corpus-{n}-seed{seed}.ndjson")
    if not os.path.exists(path):
        os.makedirs(WORK, exist_ok=True)
        with open(path + ".tmp", "w", encoding="utf-8") as out:
            write_corpus(n, seed, out)
        os.replace(path + ".tmp", path)
    return path


def messages(n: int, seed: int = 20240101) -> list[dict[str, Any]]:
    """The first ``n`` messages of the corpus."""
    with open(corpus(n, seed), encoding="utf-8") as f:
        return [json.loads(line) for line in f][:n]


def pinned(cpus: set[int] | None) -> Any:
    """A ``preexec_fn`` that runs the child on ``cpus`` only (``None``: anywhere)."""
    if not cpus or not hasattr(os, "sched_setaffinity"):
        return None
    return lambda: os.sched_setaffinity(0, cpus)


@contextmanager
def sink(*args: str, cpus: set[int] | None = None) -> Iterator[str]:
    """``framework sink`` in its own process (so it does not share our GIL), on ``cpus`` when
    given; yields its URL."""
    with sink_process(*args, cpus=cpus) as (url, _):
        yield url


@contextmanager
def sink_process(*args: str, cpus: set[int] | None = None
                 ) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """:func:`sink`, yielding its URL and its process (e.g. to read its CPU time)."""
    process = subprocess.Popen([sys.executable, "-m", "framework.cli", "sink", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               preexec_fn=pinned(cpus))
    assert process.stdout is not None
    try:
        line = process.stdout.readline().strip()
        if not line.startswith("listening on "):
            raise RuntimeError(f"the sink did not start: {line!r}")
        yield line.split()[-1], process
    finally:
        process.terminate()
        process.wait(timeout=10)


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (from ``/proc``; ``None`` where
    there is no ``/proc``)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sink_stats(url: str) -> dict[str, Any]:
    """The sink's ``/_stats``."""
    with urllib.request.urlopen(url + "/_stats", timeout=10) as response:
        stats: dict[str, Any] = json.load(response)
    return stats


def sink_reset(url: str) -> None:
    """Forget what the sink recorded."""
    request = urllib.request.Request(url + "/_reset", method="POST", data=b"")
    urllib.request.urlopen(request, timeout=10).close()


def emit(bench: str, n: int, runs: Sequence[float], peer: str = "project",
         **extra: Any) -> dict[str, Any]:
    """Print one JSON line in the bench format (median of ``runs``) and return it."""
    seconds = statistics.median(runs)
    record = {"peer": peer, "bench": bench, "n": n, "seconds": round(seconds, 4),
              "msgs_per_s": round(n / seconds) if seconds else None, **extra}
    print(json.dumps(record, separators=(",", ":")), flush=True)
    return record
