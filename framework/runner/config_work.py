"""``framework work --config``: deliver a server config's destinations from a shared queue.

The counterpart of ``framework serve --no-deliver``: the same per-destination workers
(:class:`~framework.server.delivery.DeliveryPool`), the same settings and retry rules from the
config, in a process of its own, so receiving and delivering scale apart.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from typing import Any

from .command import UsageError
from .lock import QueueLock, QueueLockedError
from .queue import Queue, QueueError
from .queues import is_redis_url, open_queue
from .summary import EXIT_FAILED, EXIT_OK

__all__ = ["work_config"]

_POLL = 0.2


def work_config(args: argparse.Namespace) -> int:
    """Run the config's destinations until SIGTERM/Ctrl-C (or, with ``--until-empty``, until
    the queue holds nothing pending); returns the exit status."""
    from ..errors import ConfigError
    from ..server.config import load_config

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise UsageError(f"--config {args.config}: " + "; ".join(
            str(p) for p in exc.problems or [exc.message])) from None
    destinations = config.destinations()
    chosen = args.destination or list(destinations)
    unknown = [name for name in chosen if name not in destinations]
    if unknown:
        raise UsageError(f"--destination {', '.join(map(repr, unknown))}: not in the config "
                         f"(it has {', '.join(map(repr, destinations)) or 'none'})")
    lock = None
    if not is_redis_url(args.queue):
        lock = QueueLock(args.queue)
        try:
            lock.acquire()
        except QueueLockedError as exc:
            raise UsageError(str(exc)) from None
    try:
        try:
            queue = open_queue(args.queue, None, visibility_timeout=args.visibility_timeout)
        except QueueError as exc:
            raise UsageError(str(exc)) from None
        with queue:
            return _deliver(args, config, {n: destinations[n] for n in chosen}, queue)
    finally:
        if lock is not None:
            lock.release()


def _deliver(args: argparse.Namespace, config: Any, destinations: dict[str, Any],
             queue: Queue) -> int:
    from integrations import load

    from ..server.delivery import DeliveryPool

    integrations = {d.integration: load(d.integration) for d in destinations.values()}
    pool = DeliveryPool(destinations, integrations, queue, config.server)
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        stop.set()

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, _stop)
        except ValueError:  # not the main thread (in-process callers)
            pass
    started = time.perf_counter()
    recovered = pool.start()
    try:
        while not stop.wait(_POLL):
            if args.until_empty and queue.stats().pending == 0:
                break
    finally:
        pool.stop(config.server.shutdown_timeout)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    outcomes = {name: worker.summary.to_dict() for name, worker in pool.workers.items()}
    dead = sum(summary["dead_letters"] for summary in outcomes.values())
    counted = ("delivered", "skipped", "retries", "dead_letters")
    report = {"destinations": {name: {k: s[k] for k in counted}
                               for name, s in outcomes.items()},
              "recovered": recovered, "elapsed": round(time.perf_counter() - started, 3)}
    print(json.dumps(report) if args.json else _format(report), flush=True)
    return EXIT_OK if dead == 0 else EXIT_FAILED


def _format(report: dict[str, Any]) -> str:
    lines = [f"worked {len(report['destinations'])} destinations in {report['elapsed']} s "
             f"(recovered {report['recovered']})"]
    for name, counts in report["destinations"].items():
        lines.append(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return "\n".join(lines)
