"""``framework work --config PATH [--queue PATH|URL]``: deliver a server's queue without serving.

A ``framework serve --no-deliver`` (or several, sharing the queue) accepts and queues; this
process delivers every destination of the same config (or those named with ``--destination``)
with the server's own per-destination workers (:class:`~framework.server.delivery.DeliveryPool`),
until SIGTERM or Ctrl-C, or with ``--until-empty`` until nothing is pending. One delivering
process per SQLite queue file (it takes the queue's lock, as a delivering ``framework serve``
does); any number on a Redis queue (``redis://...``), each a consumer of every destination's
group.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from typing import Any

__all__ = ["run_config"]

_POLL = 0.2
#: Seconds between looks for triggers created since the start.
_REFRESH = 2.0


def run_config(args: argparse.Namespace) -> int:
    """Run ``framework work --config``; returns the exit status (0, 1 dead letters, 2 usage)."""
    from ..errors import ConfigError
    from ..runner.lock import QueueLock, QueueLockedError
    from ..runner.queue import DEFAULT_VISIBILITY_TIMEOUT, QueueError
    from ..runner.queues import is_redis_url, open_queue
    from .config import load_config
    from .delivery import DeliveryPool
    from .triggers import configured_destinations

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"framework work: the config has {len(exc.problems) or 1} problem(s):",
              file=sys.stderr)
        for problem in exc.problems or [exc.message]:
            print(f"  {problem}", file=sys.stderr)
        return 2
    path = args.queue or config.server.queue
    if not path:
        return _usage("--config: the config names no server.queue; pass --queue PATH|URL")
    # the triggers' destinations live in their database, not in the config
    destinations = {**config.destinations(), **configured_destinations(config)}
    named = getattr(args, "destination", None)
    chosen = named or list(destinations)
    unknown = [name for name in chosen if name not in destinations]
    if unknown:
        return _usage(f"--destination {', '.join(map(repr, unknown))}: not in the config (it "
                      f"has {', '.join(map(repr, destinations)) or 'none'})")
    destinations = {name: destinations[name] for name in chosen}
    lock = None
    if not is_redis_url(path):
        lock = QueueLock(path)
        try:
            lock.acquire()
        except (QueueLockedError, OSError) as exc:
            return _usage(str(exc))
    try:
        from integrations import load

        try:
            queue = open_queue(path, None, visibility_timeout=getattr(
                args, "visibility_timeout", None) or DEFAULT_VISIBILITY_TIMEOUT)
        except QueueError as exc:
            return _usage(str(exc))
        with queue:
            integrations = {d.integration: load(d.integration) for d in destinations.values()}
            pool = DeliveryPool(destinations, integrations, queue, config.server)
            recovered = pool.start()

            def add_new_triggers() -> None:
                if named:  # only the destinations asked for
                    return
                for name, destination in configured_destinations(config).items():
                    if name not in pool.workers:
                        pool.add(destination, load(destination.integration))
            try:
                _wait(queue, bool(args.until_empty), add_new_triggers)
            finally:
                pool.stop(config.server.shutdown_timeout)
            return _report(pool, recovered, bool(args.json))
    finally:
        if lock is not None:
            lock.release()


def _usage(message: str) -> int:
    print(f"framework work: error: {message}", file=sys.stderr)
    return 2


def _wait(queue: Any, until_empty: bool, refresh: Any = None) -> None:
    """Until a signal (or the queue is empty); ``refresh()`` every :data:`_REFRESH` seconds."""
    stop = threading.Event()
    refreshed = time.monotonic()

    def _stop(signum: int, frame: Any) -> None:
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(_POLL):
            if refresh is not None and time.monotonic() - refreshed >= _REFRESH:
                refresh()
                refreshed = time.monotonic()
            if until_empty and queue.stats().pending == 0:
                time.sleep(_POLL)  # let the last acks be written, then check again
                if queue.stats().pending == 0:
                    return
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _report(pool: Any, recovered: int, as_json: bool) -> int:
    summaries = {name: worker.summary for name, worker in pool.workers.items()}
    dead = sum(s.dead_letters for s in summaries.values())
    if as_json:
        print(json.dumps({"recovered": recovered, "exit_code": 1 if dead else 0,
                          "destinations": {name: s.to_dict() for name, s in
                                           summaries.items()}}), flush=True)
    else:
        for name, summary in summaries.items():
            print(f"{name}: {summary.delivered} delivered, {summary.skipped} skipped, "
                  f"{summary.retries} retries, {summary.dead_letters} dead letters", flush=True)
    return 1 if dead else 0
