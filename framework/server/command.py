"""``framework serve``: the inbound server (Segment HTTP API, Segment webhooks, and the other
surfaces of :data:`framework.server.app.SURFACES`), durable before it answers.

Its first line on stdout is ``listening on http://HOST:PORT``. The config is checked whole
first: every problem is printed on stderr with its key path, and the command exits 2 before
binding a port or opening the queue.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import textwrap
from typing import Any, Callable

from ..runner.workers import WORKER_MODES
from ..sink.command import port_number

__all__ = ["add_arguments", "run", "DEFAULT_QUEUE"]

#: The queue file when neither ``--queue`` nor ``server.queue`` names one.
DEFAULT_QUEUE = os.path.join(".framework", "serve-queue.sqlite3")

EPILOG = textwrap.dedent("""\
    routes:
      POST /v1/{identify,track,page,screen,group,alias,batch,import}  Segment HTTP API
      POST /hooks/<name>        receivers for Segment's Webhooks destination ([[hooks]])
      GET  /healthz             200 when the queue takes a write, else 503
      GET  /metrics             Prometheus text

    durability:
      A 2xx means the messages are committed to the queue (one job per message per
      destination). Past server.max_queue_depth pending jobs, or when the queue fails, the
      answer is 503 with Retry-After. A messageId accepted from the same source within 24 h is
      acknowledged and not queued again. Unless --no-deliver, the server delivers with worker
      threads per destination, starting with what an earlier run left in the queue. SIGTERM:
      stop accepting, finish requests in progress, stop the workers, exit 0.

    shared queue:
      --queue redis://HOST:PORT/DB?stream=NAME keeps the jobs in Redis Streams (one stream
      and consumer group per destination), shared by any number of servers and
      `framework work --config` processes. The server refuses to start unless Redis writes
      every change to disk before it replies (appendonly yes, appendfsync always), so a 2xx
      survives a crash of Redis too; --accept-volatile-queue overrides that.

    exit status:
      0  stopped by SIGTERM or Ctrl-C
      1  the port cannot be bound, or the server failed to start
      2  a config problem (every one is listed), a bad option, or the queue is in use
    """)


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"--concurrency must be a whole number >= 1, got "
                                         f"{text!r}")
    return value


def _max_in_flight(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"--max-in-flight must be a whole number >= 1, got "
                                         f"{text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"--visibility-timeout must be a number of seconds "
                                         f"> 0, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``framework serve``'s options on ``parser``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("--config", metavar="PATH", default=None,
                        help="the TOML config (default: the embedded demo config)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default "
                                                            "127.0.0.1)")
    parser.add_argument("--port", type=port_number, default=8000,
                        help="port to listen on (default 8000; 0: a free port)")
    parser.add_argument("--queue", metavar="PATH|URL", default=None,
                        help=f"the queue: a SQLite file (default: server.queue of the config, "
                             f"else {DEFAULT_QUEUE}) or redis://HOST:PORT/DB?stream=NAME")
    parser.add_argument("--accept-volatile-queue", action="store_true",
                        help="Redis queue: start even if Redis may lose acknowledged writes "
                             "(no appendonly with appendfsync always)")
    parser.add_argument("--visibility-timeout", type=_seconds, default=None,
                        metavar="SECONDS",
                        help="Redis queue: seconds before another consumer may take over a "
                             "job this server holds, if it dies (default 60)")
    parser.add_argument("--concurrency", type=_whole, default=None, metavar="N",
                        help="deliveries in progress at once per destination (default: "
                             "server.concurrency, 8)")
    parser.add_argument("--worker-mode", choices=WORKER_MODES, default=None,
                        help="cooperative: each destination's deliveries share one thread; "
                             "threads: one thread each (default: server.worker_mode, "
                             "cooperative)")
    parser.add_argument("--manifests", metavar="DIR", nargs="+", action="extend", default=[],
                        help="more directories of manifest integrations for synced segments")
    parser.add_argument("--no-deliver", action="store_true",
                        help="only accept and queue; leave delivery to other processes")
    parser.add_argument("--feed", metavar="MODULE:CLASS", default=None,
                        help="serve an audience feed connector class (framework.audience) "
                             "instead of the config's surfaces; needs PLUGIN_WORKER_ID and "
                             "PLUGIN_AUTHENTICATION_TOKEN (GATEWAY_HOST, GATEWAY_PORT)")
    parser.add_argument("--max-in-flight", type=_max_in_flight, default=None, metavar="N",
                        help="with --feed: throttle, answering 429 RETRY beyond N requests "
                             "in progress at once (default: no throttling)")


def run(args: argparse.Namespace) -> int:
    """Run ``framework serve``; returns the exit status."""
    from ..errors import ConfigError
    from .boot import bind

    if args.feed:
        from ..audience.loader import feed_app_from_environ

        try:
            app: Any = feed_app_from_environ(args.feed, max_in_flight=args.max_in_flight)
        except ConfigError as exc:
            print(f"framework serve: --feed {args.feed}: {len(exc.problems) or 1} problem(s):",
                  file=sys.stderr)
            for problem in exc.problems or [exc.message]:
                print(f"  {problem}", file=sys.stderr)
            return 2
        return _serve(app, args, bind)
    from .config import load_config

    try:
        config = load_config(args.config, options={"manifests": list(args.manifests)})
    except ConfigError as exc:
        print(f"framework serve: the config has {len(exc.problems) or 1} problem(s):",
              file=sys.stderr)
        for problem in exc.problems or [exc.message]:
            print(f"  {problem}", file=sys.stderr)
        return 2
    overrides = {key: value for key, value in (("concurrency", args.concurrency),
                                               ("worker_mode", args.worker_mode))
                 if value is not None}
    if overrides:
        config = dataclasses.replace(config, server=dataclasses.replace(
            config.server, **overrides))
    return _serve_config(config, args, bind)


def _usage(message: str) -> int:
    print(f"framework serve: error: {message}", file=sys.stderr)
    return 2


def _serve_config(config: Any, args: argparse.Namespace, bind: Callable[..., Any]) -> int:
    from ..runner.lock import QueueLock, QueueLockedError
    from ..runner.queues import is_redis_url
    from ..runner.sqlite_queue import SQLiteQueue
    from .app import create_app

    path = args.queue or config.server.queue or DEFAULT_QUEUE
    if is_redis_url(path):
        return _serve_redis(config, args, bind, path)
    lock = None
    if not args.no_deliver:  # one delivering process per queue: it recovers in-flight jobs
        lock = QueueLock(path)
        try:
            lock.acquire()
        except QueueLockedError as exc:
            return _usage(f"{exc} (use --no-deliver to run more receivers on one queue)")
        except OSError as exc:
            return _usage(f"--queue {path!r}: cannot create the lock file: "
                          f"{exc.strerror or exc}")
    try:
        try:
            queue = SQLiteQueue(path)
        except Exception as exc:
            return _usage(f"--queue {path!r}: cannot open the queue: {exc}")
        with queue:
            app = create_app(config, queue, deliver=not args.no_deliver)
            return _serve(app, args, bind, graceful=config.server.shutdown_timeout)
    finally:
        if lock is not None:
            lock.release()


def _serve_redis(config: Any, args: argparse.Namespace, bind: Callable[..., Any],
                 url: str) -> int:
    """Serve on a Redis queue: any number of servers and ``framework work`` processes may
    share it, so there is no lock; a 2xx needs Redis to have the write on disk."""
    from ..runner.queue import DEFAULT_VISIBILITY_TIMEOUT, QueueError
    from ..runner.queues import open_queue
    from .app import create_app

    try:
        queue = open_queue(url, None,  # None: every call names its destination
                           visibility_timeout=args.visibility_timeout
                           or DEFAULT_VISIBILITY_TIMEOUT)
    except QueueError as exc:
        return _usage(str(exc))
    with queue:
        problem = queue.durability()  # type: ignore[attr-defined]
        if problem and not args.accept_volatile_queue:
            return _usage(f"--queue {queue!r}: Redis cannot promise that an acknowledged "
                          f"message survives a crash ({problem}); run it with --appendonly "
                          f"yes --appendfsync always, or pass --accept-volatile-queue")
        app = create_app(config, queue, deliver=not args.no_deliver)
        return _serve(app, args, bind, graceful=config.server.shutdown_timeout)


def _serve(app: Any, args: argparse.Namespace, bind: Callable[..., Any],
           graceful: float = 10.0) -> int:
    from .boot import serve

    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"framework serve: cannot listen on {args.host}:{args.port}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 1
    return serve(app, sock, graceful=graceful)
