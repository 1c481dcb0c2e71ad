"""``framework send``: deliver messages through an integration, durably.

A thin layer over :class:`~framework.runner.Runner`: it parses the options, takes the queue's
lock, checks the queue's state, runs, exports dead letters and prints the summary. The options
are declared in :mod:`framework.runner.send_options`, the end-of-run report is
:mod:`framework.runner.send_report`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sqlite3
import sys
import threading
from typing import Any, Iterator

from .converters import UnknownFormatError, get_converter
from .deadletters import export_dead_letters
from .lock import QueueLock, QueueLockedError
from .progress import make_progress
from .queue import Queue, QueueError
from .queues import is_redis_url, open_queue
from .runner import Runner
# declared in send_options; re-exported, as framework.cli finds add_arguments here
from .send_options import EPILOG, add_arguments, add_delivery_arguments  # noqa: F401
from .send_options import runner_options
from .send_report import queue_failure, report
from .settings import SettingsError, parse_settings
from .sqlite_queue import SQLiteQueue
from .summary import EXIT_INTERRUPTED, EXIT_OK, EXIT_TEMPFAIL, EXIT_USAGE, RunSummary

__all__ = ["add_arguments", "run", "UsageError"]


class UsageError(Exception):
    """A problem with the command line or the queue's state (exit status 2)."""


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
        print(f"framework send: error: {queue_failure(args.queue, exc)}", file=sys.stderr)
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
            report(args, queue, runner.summary, failure=exc)
            return EXIT_TEMPFAIL
        return report(args, queue, summary)


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
        for number, handler in previous.items():
            signal.signal(number, handler)


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


def _finished(queue: Queue, recorded: dict[str, Any]) -> bool:
    """Whether the queue holds no pending message and no input left to read."""
    return not queue.stats().pending and all(offset.done for offset in recorded.values())


def _key(name: str) -> str:
    return name if name == "-" else os.path.abspath(name)


def _run_until_done(runner: Runner) -> RunSummary:
    """Run to the end; the runner itself turns Ctrl-C and SIGTERM into a stop (a second one
    abandons attempts in progress)."""
    return runner.run()
