#!/usr/bin/env python3
"""Feed benchmark: reading an input into queue texts, and reading queue texts back.

    python -m bench.bench_feed [--n 50000]

``feed`` reads the corpus as NDJSON and as a JSON array with the runner's feeder, which keeps
each message's original text; ``feed_reencode`` does what the feeder did before, parsing with
the stdlib and encoding every message again with ``json.dumps``. ``decode`` parses the queued
texts as a delivery does (:func:`framework.jsoncodec.loads`) against ``json.loads``. Checks that
every queued text is the input's record and parses to the same message; exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any, Callable

from framework import jsoncodec, jsonlimits
from framework.runner import InputReader
from framework.runner.feeder import make_source, read_chunks

from .common import WORK, corpus, emit

PASSES = 3


def feed_texts(path: str) -> list[str]:
    """The queue texts of ``path`` as the feeder makes them."""
    texts: list[str] = []
    for chunk, _ in read_chunks(make_source(path), on_error=_refuse):
        texts.extend(chunk)
    return texts


def reencoded_texts(path: str) -> list[str]:
    """The queue texts of ``path`` as the feeder made them before: parsed, then encoded."""
    return [json.dumps(message, separators=(",", ":"), ensure_ascii=False)
            for _, message in InputReader(path, on_error=_refuse, keep_errors=0)]


def _refuse(error: Any) -> None:
    raise SystemExit(f"the corpus has a bad record: {error}")


def timed(fn: Callable[[], Any]) -> tuple[list[float], Any]:
    runs, result = [], None
    for _ in range(PASSES):
        started = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - started)
    return runs, result


def array_file(path: str) -> str:
    """The NDJSON corpus at ``path`` written again as one JSON array."""
    out = path.replace(".ndjson", ".array.json")
    if not os.path.exists(out):
        with open(path, encoding="utf-8") as f, open(out + ".tmp", "w", encoding="utf-8") as w:
            w.write("[\n" + ",\n".join(line.strip() for line in f if line.strip()) + "\n]\n")
        os.replace(out + ".tmp", out)
    return out


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50000)
    a = ap.parse_args(argv)
    ndjson = corpus(a.n)
    os.makedirs(WORK, exist_ok=True)
    with open(ndjson, encoding="utf-8") as f:
        lines = [line.strip() for line in f if line.strip()]
    failed = False
    for form, path in (("ndjson", ndjson), ("json-array", array_file(ndjson))):
        ours_runs, texts = timed(lambda: feed_texts(path))
        theirs_runs, _ = timed(lambda: reencoded_texts(path))
        same = texts == lines
        failed = failed or not same
        ours = emit("feed", len(texts), ours_runs, format=form, way="original text",
                    original_text=same)
        theirs = emit("feed_reencode", len(texts), theirs_runs, peer="baseline", format=form,
                      way="stdlib parse + json.dumps")
        emit("feed_speedup", len(texts), ours_runs, format=form,
             ratio=round(theirs["seconds"] / ours["seconds"], 2))
    ours_runs, decoded = timed(lambda: [jsoncodec.loads(text, max_depth=None) for text in lines])
    theirs_runs, expected = timed(lambda: [jsonlimits.loads(text) for text in lines])
    same = decoded == expected
    failed = failed or not same
    ours = emit("decode", len(lines), ours_runs, way="jsoncodec.loads", same_values=same)
    theirs = emit("decode_stdlib", len(lines), theirs_runs, peer="baseline", way="json.loads")
    emit("decode_speedup", len(lines), ours_runs,
         ratio=round(theirs["seconds"] / ours["seconds"], 2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
