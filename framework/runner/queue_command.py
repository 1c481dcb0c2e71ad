"""``framework queue stats|dead-letters|redrive``: look into a queue and re-drive dead letters.

Works on both engines: a SQLite queue file, or a destination of a Redis stream
(``--queue redis://...?stream=NAME --destination SLUG``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict

from .command import UsageError
from .send_options import _whole
from .deadletters import export_dead_letters
from .queue import Queue, QueueError
from .queues import is_redis_url, open_queue
from .summary import EXIT_OK, EXIT_USAGE

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``framework queue``'s actions and options on ``parser``."""
    parser.usage = ("framework queue stats|dead-letters|redrive --queue URL|PATH "
                    "[--destination NAME] [options]")
    parser.add_argument("action", choices=("stats", "dead-letters", "redrive"),
                        help="stats: counts by state; dead-letters: export them as NDJSON; "
                             "redrive: dead letters back into the queue")
    parser.add_argument("--queue", metavar="URL|PATH", required=True,
                        help="redis://HOST:PORT/DB?stream=NAME, or a SQLite queue file")
    parser.add_argument("--destination", metavar="NAME", default=None,
                        help="the destination (consumer group) of a Redis queue; required "
                             "there (a SQLite file holds one)")
    parser.add_argument("--output", metavar="PATH", default="-",
                        help="dead-letters: where to write them (default stdout)")
    parser.add_argument("--class", dest="error_class", metavar="NAME", default=None,
                        help="redrive: only dead letters whose error class is NAME "
                             "(e.g. HTTPError)")
    parser.add_argument("--status", type=_whole("--status", 100), default=None, metavar="N",
                        help="redrive: only dead letters whose HTTP status is N")
    parser.add_argument("--limit", type=_whole("--limit"), default=None, metavar="N",
                        help="redrive: at most N dead letters")


def run(args: argparse.Namespace) -> int:
    """Run ``framework queue``; prints JSON and returns the exit status (2: usage)."""
    try:
        queue = _open(args)
    except UsageError as exc:
        print(f"framework queue: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with queue:
        if args.action == "stats":
            stats = queue.stats()
            print(json.dumps(dict(asdict(stats), pending=stats.pending)))
        elif args.action == "dead-letters":
            if args.output == "-":
                count = export_dead_letters(queue, sys.stdout)
            else:
                count = export_dead_letters(queue, args.output)
            print(f"exported {count} dead letters", file=sys.stderr)
        else:
            moved = queue.redrive(error_class=args.error_class, status=args.status,
                                  limit=args.limit)
            print(json.dumps({"redriven": moved}))
    return EXIT_OK


def _open(args: argparse.Namespace) -> Queue:
    redis = is_redis_url(args.queue)
    if redis and not args.destination:
        raise UsageError("--destination NAME is required with a Redis --queue (the "
                         "integration slug, or a server config's destination)")
    if not redis and not os.path.isfile(args.queue):
        raise UsageError(f"--queue {args.queue!r}: no such queue file")
    try:
        return open_queue(args.queue, args.destination or "default")
    except QueueError as exc:
        raise UsageError(str(exc)) from None
