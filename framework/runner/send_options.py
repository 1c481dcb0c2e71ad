"""The options of ``framework send``, and those shared with ``framework work``.

:func:`add_arguments` declares ``send``'s own options and its ``--help`` epilog (inputs,
delivery, stopping, resume, exit status); :func:`add_delivery_arguments` declares the options
of every command that delivers from a queue, and :func:`runner_options` turns them into
:class:`~framework.runner.Runner` keywords. Each option's value is checked as it is parsed,
so a bad one is a usage error that names the option.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any, Callable

from .converters import converter_names
from .inputs import FORMATS
from .pacing import Backoff
from .queue import DEFAULT_VISIBILITY_TIMEOUT
from .runner import (DEFAULT_AUTH_FAILURE_LIMIT, DEFAULT_CONCURRENCY, DEFAULT_GRACE,
                     DEFAULT_MAX_AGE, DEFAULT_MAX_ATTEMPTS, WORKER_MODES)
from .sqlite_queue import DEFAULT_QUEUE_PATH

__all__ = ["EPILOG", "add_arguments", "add_delivery_arguments", "runner_options"]

EPILOG = textwrap.dedent("""\
    inputs:
      NDJSON, a JSON array, or Segment batch bodies ({"batch": [...]}), from files or stdin
      ('-', or no INPUT without --resume), read as a stream. A bad record is reported on
      stderr with its line number and counted; the rest of the input goes on.

    delivery:
      Every message is stored in the queue (a SQLite file) before any delivery attempt.
      Delivered and skipped messages (not for this integration) are acked; retryable failures
      are retried through the queue with exponential backoff and jitter (never sooner than a
      Retry-After or cool-down the error carries) up to --max-attempts or --max-age, so a
      worker never sleeps while work waits; everything else (a 4xx answer, a rejected
      message) is a dead letter at once, kept in the queue file with its error's class, code,
      status and message. Each attempt has a deadline (the integration's timeout) covering
      connect, send and the whole response. After --max-auth-failures consecutive 401/403
      answers the run stops with exit 2 and leaves the rest queued: fix --settings and
      --resume.

    stopping:
      Ctrl-C or SIGTERM stops reading and starting messages at once; attempts in progress get
      --grace seconds, then they are abandoned (they stay in the queue and are delivered by
      --resume). A second Ctrl-C/SIGTERM abandons them at once. Either way the acks are
      written and the summary printed.

    shared queues:
      --queue redis://HOST:PORT/DB?stream=NAME puts the queue in Redis Streams, shared with
      other producers and with `framework work` consumers on any machine: no lock, and
      pending work of others is not refused. With --enqueue-only, send only reads the inputs
      into it and exits; otherwise it also delivers until the destination is empty.

    resume:
      If the run is interrupted (Ctrl-C, SIGTERM, kill -9, a crash), run again with
      --resume and the same --queue: messages in flight are handed out again and inputs not
      read to their end are read on from the recorded offset (stdin cannot be resumed; with
      --resume and no INPUT, stdin is not read). Delivery is at-least-once: messages in flight
      at the interruption may be delivered twice. A new run refuses a queue that holds
      unfinished work. One runner at a time per queue (a lock on QUEUE.lock).

    exit status:
      0  everything was delivered or skipped, and every input record was a message
      1  some messages were dead-lettered or some input records were bad (see the summary;
         with --resume, also when the queue holds dead letters from before the interruption)
      2  usage error: bad option or settings, unknown integration or format, missing input,
         queue in use or holding unfinished work, --resume without a queue. The settings are
         checked against the integration's declared settings before any input is read: each
         problem is named (setting and rule) on stderr and nothing is queued. Also when the
         destination refused the credentials --max-auth-failures times in a row (the rest
         stays queued for --resume)
      75 the queue file cannot be written (disk full, I/O error): what was acknowledged is
         kept; free space, then --resume (EX_TEMPFAIL)
      130 interrupted; resume with --resume
    """)


def _whole(name: str, minimum: int = 1) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number >= {minimum}, got "
                                             f"{text!r}")
        return value
    return parse


def _positive(name: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not value > 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(f"{name} must be a number > 0, got {text!r}")
        return value
    return parse


def _duration(name: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        from ..builder import parse_duration

        try:
            return parse_duration(float(text) if _is_number(text) else text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a positive duration such as 90, 30s, 15m or 4h, got "
                f"{text!r}") from None
    return parse


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


class _IntermixedParser(argparse.ArgumentParser):
    """Lets INPUTs follow options (``send SLUG --settings X a.ndjson``): plain argparse
    assigns positionals in one run and rejects files given after an option."""

    _inside = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._inside:
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``framework send``'s options on ``parser``."""
    if type(parser) is argparse.ArgumentParser:
        parser.__class__ = _IntermixedParser
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.usage = ("framework send SLUG --settings JSON|@file [INPUT ...|-] [--from FORMAT] "
                    "[--concurrency N] [--queue PATH] [--resume] [--max-attempts N] "
                    "[--dead-letters PATH] [--rate N] [options]")
    parser.add_argument("slug", metavar="SLUG", help="the integration, e.g. webhooks")
    parser.add_argument("inputs", metavar="INPUT", nargs="*",
                        help="files to read, '-' for stdin (default: stdin, unless --resume)")
    parser.add_argument("--settings", metavar="JSON|@file", default=None,
                        help="the integration's settings as a JSON object, or @path to a file")
    parser.add_argument("--from", dest="converter", metavar="FORMAT", default=None,
                        help="input converter (default segment; installed: "
                             f"{', '.join(_names())})")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="force the input's JSON layout instead of detecting it")
    parser.add_argument("--queue", metavar="PATH|URL", default=DEFAULT_QUEUE_PATH,
                        help=f"the queue: a SQLite file (default {DEFAULT_QUEUE_PATH}) or "
                             f"redis://HOST:PORT/DB?stream=NAME, shared with other processes")
    parser.add_argument("--resume", action="store_true",
                        help="finish the work of an interrupted run on --queue")
    parser.add_argument("--backlog", type=_whole("--backlog"), default=10_000, metavar="N",
                        help="pause reading the inputs while N messages are pending "
                             "(default 10000); bounds memory and the queue file")
    add_delivery_arguments(parser)
    parser.add_argument("--enqueue-only", action="store_true",
                        help="only read the inputs into the queue and exit; `framework work` "
                             "processes deliver (needs --queue redis://...)")


def add_delivery_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of every command that delivers from a queue (``send``, ``work``)."""
    parser.add_argument("--concurrency", type=_whole("--concurrency"),
                        default=DEFAULT_CONCURRENCY, metavar="N",
                        help=f"deliveries in progress at once (default {DEFAULT_CONCURRENCY})")
    parser.add_argument("--worker-mode", choices=WORKER_MODES, default=WORKER_MODES[0],
                        help="cooperative (default): the deliveries share one thread and "
                             "switch while they wait for the network; threads: one thread "
                             "each, for integrations that block in code of their own")
    parser.add_argument("--max-attempts", type=_whole("--max-attempts"),
                        default=DEFAULT_MAX_ATTEMPTS, metavar="N",
                        help=f"attempts per message before it is a dead letter "
                             f"(default {DEFAULT_MAX_ATTEMPTS})")
    parser.add_argument("--max-age", type=_duration("--max-age"), default=DEFAULT_MAX_AGE,
                        metavar="DURATION",
                        help="do not retry messages queued longer ago than this (default 4h)")
    parser.add_argument("--retry-delay", type=_positive("--retry-delay"), default=1.0,
                        metavar="SECONDS",
                        help="the first retry's backoff; it doubles per attempt up to 10 min "
                             "(default 1)")
    parser.add_argument("--dead-letters", metavar="PATH", default=None,
                        help="export the queue's dead letters to PATH as NDJSON (message + "
                             "error) at the end")
    parser.add_argument("--rate", type=_positive("--rate"), default=None, metavar="N",
                        help="at most N messages per second (this process)")
    parser.add_argument("--grace", type=_positive("--grace"), default=DEFAULT_GRACE,
                        metavar="SECONDS",
                        help="after a stop, how long attempts in progress may take before they "
                             f"are abandoned to the queue (default {DEFAULT_GRACE:g})")
    parser.add_argument("--max-auth-failures", type=_whole("--max-auth-failures", 0),
                        default=DEFAULT_AUTH_FAILURE_LIMIT, metavar="N",
                        help="stop (exit 2) after N consecutive 401/403 answers, leaving the "
                             f"rest queued; 0 never stops (default {DEFAULT_AUTH_FAILURE_LIMIT})")
    parser.add_argument("--visibility-timeout", type=_positive("--visibility-timeout"),
                        default=DEFAULT_VISIBILITY_TIMEOUT, metavar="SECONDS",
                        help="Redis queue: seconds before another consumer may take over a "
                             f"message this process holds, if it dies (default "
                             f"{DEFAULT_VISIBILITY_TIMEOUT:.0f})")
    parser.add_argument("--json", action="store_true",
                        help="print the summary as one JSON object on stdout")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bar even on a terminal")


def runner_options(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`Runner` keywords that :func:`add_delivery_arguments` options set."""
    return dict(concurrency=args.concurrency, worker_mode=args.worker_mode,
                max_attempts=args.max_attempts,
                max_age=args.max_age, rate=args.rate, backoff=Backoff(base=args.retry_delay),
                lease=args.visibility_timeout, grace=args.grace,
                auth_failure_limit=args.max_auth_failures)


def _names() -> list[str]:
    try:
        return converter_names()
    except Exception:  # pragma: no cover - a broken entry point must not break --help
        return ["segment"]
