"""``framework send``: deliver messages through an integration, durably.

A thin layer over :class:`~framework.runner.Runner`: it parses the options, takes the queue's
lock, checks the queue's state, runs, exports dead letters and prints the summary.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import sys
import textwrap
import threading
from typing import Any, Callable, Iterator

from .converters import UnknownFormatError, converter_names, get_converter
from .deadletters import export_dead_letters
from .inputs import FORMATS
from .lock import QueueLock, QueueLockedError
from .pacing import Backoff
from .progress import make_progress
from .queue import DEFAULT_VISIBILITY_TIMEOUT, Queue, QueueError, QueueStats
from .queues import is_redis_url, open_queue
from .runner import (DEFAULT_AUTH_FAILURE_LIMIT, DEFAULT_CONCURRENCY, DEFAULT_GRACE,
                     DEFAULT_MAX_AGE, DEFAULT_MAX_ATTEMPTS, Runner)
from .settings import SettingsError, parse_settings
from .sqlite_queue import DEFAULT_QUEUE_PATH, SQLiteQueue
from .summary import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_TEMPFAIL, EXIT_USAGE, \
    RunSummary

__all__ = ["add_arguments", "run", "UsageError"]

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


class UsageError(Exception):
    """A problem with the command line or the queue's state (exit status 2)."""


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
    return dict(concurrency=args.concurrency, max_attempts=args.max_attempts,
                max_age=args.max_age, rate=args.rate, backoff=Backoff(base=args.retry_delay),
                lease=args.visibility_timeout, grace=args.grace,
                auth_failure_limit=args.max_auth_failures)


def _names() -> list[str]:
    try:
        return converter_names()
    except Exception:  # pragma: no cover - a broken entry point must not break --help
        return ["segment"]


def run(args: argparse.Namespace) -> int:
    """Run ``framework send``; returns the exit status (see the epilog)."""
    try:
        return _run(args)
    except UsageError as exc:
        print(f"framework send: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # before the runner took over Ctrl-C: nothing was sent yet
        print("framework send: interrupted before delivery started", file=sys.stderr)
        return EXIT_INTERRUPTED
    except sqlite3.Error as exc:  # the queue failed outside a run (opening, recording)
        print(f"framework send: error: {_queue_failure(args.queue, exc)}", file=sys.stderr)
        return EXIT_TEMPFAIL


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    cls = _integration(args.slug)
    if args.converter is not None:
        try:
            get_converter(args.converter)
        except UnknownFormatError as exc:
            raise UsageError(str(exc)) from None
    inputs = _inputs(args)
    _check_dead_letters_path(args.dead_letters)
    _check_settings(cls, settings)
    if is_redis_url(args.queue):
        return _send_shared(args, cls, settings, inputs)
    if args.enqueue_only:
        raise UsageError("--enqueue-only needs a shared queue (--queue redis://...): a SQLite "
                         "queue file is delivered by the runner that fills it")
    if args.resume and args.queue != ":memory:" and not os.path.exists(args.queue):
        raise UsageError(f"--resume: there is no queue {args.queue!r} to resume (pass the "
                         f"--queue of the interrupted run)")
    lock = QueueLock(args.queue)
    try:
        lock.acquire()
    except QueueLockedError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"--queue {args.queue!r}: cannot create the lock file: "
                         f"{exc.strerror or exc}") from None
    try:
        try:
            queue = SQLiteQueue(args.queue if args.queue == ":memory:"
                                else os.path.realpath(args.queue))
        except Exception as exc:
            raise UsageError(f"--queue {args.queue!r}: cannot open the queue: {exc}") from None
        with queue:
            return _send(args, cls, settings, queue, inputs)
    finally:
        lock.release()


def _send_shared(args: argparse.Namespace, cls: type, settings: dict[str, Any],
                 inputs: list[str]) -> int:
    """``send`` on a Redis queue: other producers and ``framework work`` consumers may share
    it, so there is no lock and no refusal of pending work."""
    try:
        queue = open_queue(args.queue, args.slug, visibility_timeout=args.visibility_timeout)
    except QueueError as exc:
        raise UsageError(str(exc)) from None
    with queue:
        return _send(args, cls, settings, queue, inputs, shared=True)


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    try:
        return parse_settings(args.settings)
    except SettingsError as exc:
        raise UsageError(str(exc)) from None


def _check_settings(cls: type, settings: dict[str, Any]) -> None:
    """Check the settings against the integration's declarations once, before any input is
    read or the queue opened, so bad settings never fill the queue with dead letters."""
    from .. import errors

    validate = getattr(cls, "validate_settings", None)
    if validate is None:
        return
    try:
        validate(settings)
    except errors.ValidationError as exc:
        problems = [p.message for p in exc.problems] or [exc.message]
        if len(problems) == 1:
            raise UsageError(f"--settings: {problems[0]}") from None
        raise UsageError(f"--settings: {len(problems)} problems:\n"
                         + "\n".join(f"  {p}" for p in problems)) from None


def _integration(slug: str) -> type:
    from integrations import load

    try:
        return load(slug)
    except LookupError as exc:
        raise UsageError(str(exc)) from None


def _inputs(args: argparse.Namespace) -> list[str]:
    inputs = list(args.inputs) or ([] if args.resume else ["-"])
    seen: set[str] = set()
    for name in inputs:
        key = name if name == "-" else os.path.abspath(name)
        if key in seen:
            raise UsageError(f"INPUT {name!r} is given twice")
        seen.add(key)
        if name != "-" and not os.path.exists(name):
            raise UsageError(f"INPUT {name!r}: no such file")
        if name != "-" and os.path.isdir(name):
            raise UsageError(f"INPUT {name!r} is a directory, not a file of messages")
    return inputs


def _send(args: argparse.Namespace, cls: type, settings: dict[str, Any], queue: Queue,
          inputs: list[str], shared: bool = False) -> int:
    recorded = queue.input_offsets()
    owner = queue.get_info("integration")
    if args.resume:
        if owner is not None and owner != args.slug:
            raise UsageError(f"--resume: queue {args.queue!r} was filled for {owner!r}, not "
                             f"{args.slug!r}")
    elif not shared:
        pending = queue.stats().pending
        unread = [key for key, offset in recorded.items() if not offset.done]
        if pending or unread:
            raise UsageError(
                f"queue {args.queue!r} holds unfinished work of an interrupted run ({pending} "
                f"messages pending, {len(unread)} inputs not read to the end); finish it with "
                f"--resume or pass another --queue")
    if args.resume and not inputs and _finished(queue, recorded):
        held = queue.stats()
        kept = f"; it keeps {held.dead} dead letters" if held.dead else ""
        print(f"framework send {args.slug}: nothing to resume: queue {args.queue!r} holds no "
              f"unfinished work{kept}", flush=True)
        if args.dead_letters:
            export_dead_letters(queue, args.dead_letters)
        return EXIT_OK
    queue.set_info("integration", args.slug)
    progress = make_progress(False if args.no_progress else None, sys.stderr,
                             desc=f"send {args.slug}")
    try:
        runner = Runner(cls, settings, queue, progress=progress, backlog=args.backlog,
                        stop_when="empty" if shared else "done",
                        deliver=not args.enqueue_only, **runner_options(args))
    except Exception as exc:  # settings that are not an object, a bad option value
        progress.close()
        raise UsageError(f"--settings: {exc}") from None
    if args.resume:
        runner.resume(converter=args.converter, format=args.format)
        fresh = [name for name in inputs if _key(name) not in recorded]
        for name in inputs:
            if _key(name) in recorded:
                progress.write(f"--resume: {name!r} is already recorded in the queue; its "
                               f"recorded offset is used")
    else:
        fresh = inputs
    if fresh:
        runner.feed(fresh, converter=args.converter or "segment", format=args.format)
    with _late_signals_ignored():  # the runner's own handlers sit on top while it runs
        try:
            summary = runner.run()
        except sqlite3.Error as exc:
            _report(args, queue, runner.summary, failure=exc)
            return EXIT_TEMPFAIL
        return _report(args, queue, summary)


@contextlib.contextmanager
def _late_signals_ignored() -> Iterator[None]:
    """Once the run is over, a Ctrl-C or SIGTERM that comes while the summary and dead letters
    are written (the rest of a signal storm) must not kill the process halfway through them;
    while it runs, the runner's handlers (stop, then abandon) take precedence."""
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: None)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _check_dead_letters_path(path: str | None) -> None:
    """Find an unwritable --dead-letters before the run, not after it."""
    if path is None:
        return
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"--dead-letters {path!r} is a directory, not a file")
    if not os.path.isdir(directory):
        raise UsageError(f"--dead-letters {path!r}: directory {directory!r} does not exist")
    target = path if os.path.exists(path) else directory
    if not os.access(target, os.W_OK):
        raise UsageError(f"--dead-letters {path!r}: not writable ({target!r})")


def _queue_failure(queue_path: str, exc: BaseException) -> str:
    """What to tell about a queue that cannot be written: the path, the free space, what to
    do."""
    directory = os.path.dirname(os.path.abspath(queue_path)) or "."
    try:
        free = f"{shutil.disk_usage(directory).free / 1e6:,.1f} MB free"
    except OSError:
        free = "free space unknown"
    what = "the disk is full" if "full" in str(exc).lower() else f"the queue failed ({exc})"
    return (f"queue {queue_path!r}: {what} ({free} on {directory}); everything acknowledged "
            f"so far is kept: free some space, then run again with --resume")


def _finished(queue: SQLiteQueue, recorded: dict[str, Any]) -> bool:
    """Whether the queue holds no pending message and no input left to read."""
    return not queue.stats().pending and all(offset.done for offset in recorded.values())


def _key(name: str) -> str:
    return name if name == "-" else os.path.abspath(name)


def _run_until_done(runner: Runner) -> RunSummary:
    """Run to the end; the runner itself turns Ctrl-C and SIGTERM into a stop (a second one
    abandons attempts in progress)."""
    return runner.run()


def _report(args: argparse.Namespace, queue: Queue, summary: RunSummary,
            failure: BaseException | None = None) -> int:
    code = summary.exit_code()
    notes = []
    if failure is not None:
        code = EXIT_TEMPFAIL
        notes.append(_queue_failure(args.queue, failure))
        print(f"framework send: error: {notes[-1]}", file=sys.stderr, flush=True)
    try:
        held = queue.stats()
    except sqlite3.Error:
        held = QueueStats()
    if summary.credentials_refused:
        notes.append(f"stopped after {args.max_auth_failures} consecutive 401/403 answers: the "
                     f"destination refuses the credentials; fix --settings")
    if args.resume and held.dead > summary.dead_letters and not summary.interrupted:
        notes.append(f"the queue holds {held.dead} dead letters in all, some from before the "
                     f"interruption")
        code = code or EXIT_FAILED
    exported = None
    if args.dead_letters and failure is None:
        try:
            exported = export_dead_letters(queue, args.dead_letters)
            notes.append(f"exported {exported} dead letters (every one the queue file holds) "
                         f"to {args.dead_letters}")
        except OSError as exc:
            notes.append(f"--dead-letters {args.dead_letters!r}: cannot write: "
                         f"{exc.strerror or exc}")
            code = code or EXIT_FAILED
    if summary.interrupted:
        notes.append(f"interrupted with {held.pending} messages unfinished; finish with: "
                     f"framework send {args.slug} --settings ... --queue {args.queue} --resume")
    if args.json:
        data = summary.to_dict()
        data.update(exit_code=code, queue=args.queue, dead_letters_exported=exported,
                    notes=notes)
        print(json.dumps(data), flush=True)
    else:
        print(summary.format(), flush=True)
        for note in notes:
            print(f"  {note}", flush=True)
    return code
