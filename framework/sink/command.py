"""``framework sink``: run a request bin on 127.0.0.1 until Ctrl-C or SIGTERM.

Its first line on stdout is ``listening on http://127.0.0.1:PORT``; on stopping it prints the
final ``/_stats`` as JSON on stderr.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from .app import validate_fail_rate, validate_statuses

__all__ = ["add_arguments", "run", "port_number"]


def _fail_rate(text: str) -> float:
    try:
        return validate_fail_rate(float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--fail-rate must be a number between 0 and 1, got {text!r}") from None


def _statuses(text: str) -> tuple[int, ...]:
    try:
        return validate_statuses(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"--statuses must be comma-separated HTTP error statuses (400-599), got {text!r}"
            f" ({exc})") from None


def port_number(text: str) -> int:
    """``--port``'s value: 0 (a free port) to 65535 (``framework sink`` and ``serve``)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"--port must be an integer from 0 to 65535, got "
                                         f"{text!r}")
    return port


def _latency(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 600_000:
        raise argparse.ArgumentTypeError(f"--latency-ms must be a number of milliseconds from 0 "
                                         f"to 600000, got {text!r}")
    return value


EPILOG = """\
routes:
  GET  /_stats            counts: requests, bytes, unique and accepted messageIds
  GET  /_requests?limit=N the last N recorded requests, oldest first (default 100)
  POST /_reset            forget everything and restart the fault sequence
  anything else           recorded, answered 200 {"ok": true} or an injected failure
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``framework sink``'s options on ``parser``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("--port", type=port_number, default=0,
                        help="port to listen on (default 0: a free port)")
    parser.add_argument("--fail-rate", type=_fail_rate, default=0.0,
                        help="share of requests to fail, 0 to 1 (default 0)")
    parser.add_argument("--statuses", type=_statuses, default=(500, 429),
                        help="comma-separated failure statuses (default 500,429); "
                             "429 carries Retry-After: 0")
    parser.add_argument("--db", metavar="PATH",
                        help="record every request in this SQLite file (default: memory only)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the fault sequence, for reproducible runs")
    parser.add_argument("--latency-ms", type=_latency, default=0.0, metavar="MS",
                        help="answer each request MS milliseconds after it arrived, without "
                             "holding up the others (a simulated API delay; default 0)")
    parser.add_argument("--keep", type=int, default=10_000,
                        help="recent requests kept in memory for /_requests (default 10000)")


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; returns the exit code."""
    from .server import Sink

    sink = Sink(port=args.port, fail_rate=args.fail_rate, statuses=args.statuses,
                seed=args.seed, db=args.db, keep=args.keep, latency=args.latency_ms / 1000)
    try:
        sink.start()
    except (OSError, RuntimeError) as exc:
        print(f"framework sink: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"listening on {sink.url}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sink.stop()
        print(json.dumps(sink.stats()), file=sys.stderr, flush=True)
    return 0
