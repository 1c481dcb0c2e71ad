"""``framework work``: deliver what a queue holds, as one of many consumers.

``framework send SLUG INPUT --queue redis://... --enqueue-only`` fills a queue; any number of
``framework work SLUG --queue redis://...`` processes, on any machines, deliver from it. Each
is one consumer of the destination's group: a job is handed to one of them at a time, and the
jobs of a process that died are taken over by the others once their visibility timeout has
passed. A SQLite file works too, for one ``work`` process at a time.

``framework work --config serve.toml --queue ...`` delivers the jobs a ``framework serve
--no-deliver`` receiver queued: every destination of the server config (or those named with
``--destination``), each with its own workers and backoff, exactly as the server would.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from .command import UsageError, _integration, _run_until_done, _settings
from .send_options import add_delivery_arguments, runner_options
from .deadletters import export_dead_letters
from .lock import QueueLock, QueueLockedError
from .progress import make_progress
from .queue import Queue, QueueError
from .queues import is_redis_url, open_queue
from .runner import Runner
from .send_report import print_summary
from .summary import EXIT_FAILED, EXIT_OK, EXIT_USAGE, RunSummary

__all__ = ["add_arguments", "run"]

EPILOG = textwrap.dedent("""\
    Consumes until stopped (SIGTERM or Ctrl-C: deliveries in progress finish, the rest stays
    queued), or with --until-empty until the destination has nothing left anywhere: no new
    entries, no delayed retries and no entries in flight at another consumer (those are
    reclaimed once their visibility timeout passes, so a dead consumer's work is finished).

    A Redis queue is shared: start as many work processes as you like. Each renews the
    leases of what it holds while it lives; after a kill -9, the others reclaim its entries
    after --visibility-timeout seconds (at-least-once: those may be delivered twice).

    exit status:
      0  stopped or emptied, and nothing this process settled became a dead letter
      1  some messages this process settled became dead letters
      2  usage error: bad option or settings, unknown integration, queue unreachable
    """)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``framework work``'s options on ``parser``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.usage = ("framework work SLUG --settings JSON|@file --queue URL|PATH "
                    "[--until-empty] [--concurrency N] [options]\n"
                    "       framework work --config SERVE.toml [--queue URL|PATH] "
                    "[--destination NAME ...] [--until-empty]")
    parser.add_argument("slug", metavar="SLUG", nargs="?", default=None,
                        help="the integration, e.g. webhooks (not with --config)")
    parser.add_argument("--config", metavar="PATH", default=None,
                        help="deliver the destinations of a framework serve config (settings "
                             "from the config) from its queue: what serve --no-deliver queued")
    parser.add_argument("--settings", metavar="JSON|@file", default=None,
                        help="the integration's settings as a JSON object, or @path to a file")
    parser.add_argument("--queue", metavar="URL|PATH", default=None,
                        help="redis://HOST:PORT/DB?stream=NAME, or a SQLite queue file")
    parser.add_argument("--destination", metavar="NAME", action="append", default=None,
                        help="the destination (consumer group) to consume (default: SLUG; "
                             "with --config: every destination of the config; repeatable)")
    parser.add_argument("--until-empty", action="store_true",
                        help="exit once the destination has nothing left (see below)")
    add_delivery_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Run ``framework work``; returns the exit status (see the epilog)."""
    try:
        return _run(args)
    except UsageError as exc:
        print(f"framework work: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    if args.config is not None:
        if args.slug is not None or args.settings is not None:
            raise UsageError("--config takes the destinations and their settings from the "
                             "config: give no SLUG or --settings")
        from ..server.work import run_config

        return run_config(args)
    if args.slug is None or args.queue is None:
        raise UsageError("SLUG and --queue are required (or --config PATH)")
    if args.destination and len(args.destination) > 1:
        raise UsageError("one --destination with a SLUG (several need --config)")
    settings = _settings(args)
    cls = _integration(args.slug)
    destination = args.destination[0] if args.destination else args.slug
    lock = None
    if not is_redis_url(args.queue):
        lock = QueueLock(args.queue)
        try:
            lock.acquire()
        except QueueLockedError as exc:
            raise UsageError(str(exc)) from None
    try:
        try:
            queue = open_queue(args.queue, destination,
                               visibility_timeout=args.visibility_timeout)
        except QueueError as exc:
            raise UsageError(str(exc)) from None
        with queue:
            return _work(args, cls, settings, queue)
    finally:
        if lock is not None:
            lock.release()


def _work(args: argparse.Namespace, cls: type, settings: dict[str, Any], queue: Queue) -> int:
    progress = make_progress(False if args.no_progress else None, sys.stderr,
                             desc=f"work {args.slug}")
    try:
        runner = Runner(cls, settings, queue, progress=progress,
                        stop_when="empty" if args.until_empty else "stopped",
                        **runner_options(args))
    except (TypeError, ValueError) as exc:
        progress.close()
        raise UsageError(f"--settings: {exc}") from None
    summary = _run_until_done(runner)
    return _report(args, queue, summary)


def _report(args: argparse.Namespace, queue: Queue, summary: RunSummary) -> int:
    code = EXIT_OK if summary.dead_letters == 0 else EXIT_FAILED
    notes = []
    if args.dead_letters:
        try:
            count = export_dead_letters(queue, args.dead_letters)
            notes.append(f"exported {count} dead letters to {args.dead_letters}")
        except OSError as exc:
            notes.append(f"--dead-letters {args.dead_letters!r}: cannot write: "
                         f"{exc.strerror or exc}")
            code = EXIT_FAILED
    return print_summary(summary, code, notes, args.json,
                         consumer=getattr(queue, "consumer", None))
