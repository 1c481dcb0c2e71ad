"""What ``framework send`` prints when a run ends, and the exit status it returns.

The summary (text, or one JSON object with ``--json``), then notes: a queue that could not be
written (with the free space and what to do), credentials the destination refused, dead
letters held from before a resume or exported to ``--dead-letters``, and how to resume an
interrupted run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
from typing import Any

from .deadletters import export_dead_letters
from .queue import Queue, QueueStats
from .summary import EXIT_FAILED, EXIT_TEMPFAIL, RunSummary

__all__ = ["report", "queue_failure", "print_summary"]


def queue_failure(queue_path: str, exc: BaseException) -> str:
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


def report(args: argparse.Namespace, queue: Queue, summary: RunSummary,
           failure: BaseException | None = None) -> int:
    """Print the end of a run: the summary, then the notes; the exit status.

    Args:
        args: The command's options (``--queue``, ``--json``, ``--dead-letters``...).
        queue: The queue the run used (still open).
        summary: The run's summary.
        failure: The queue error that ended the run, if one did (exit 75).
    """
    code = summary.exit_code()
    notes = []
    if failure is not None:
        code = EXIT_TEMPFAIL
        notes.append(queue_failure(args.queue, failure))
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
    return print_summary(summary, code, notes, args.json, queue=args.queue,
                         dead_letters_exported=exported)


def print_summary(summary: RunSummary, code: int, notes: list[str], as_json: bool,
                  **extra: Any) -> int:
    """Print the run's summary and notes (one JSON object with ``extra`` under ``--json``);
    returns ``code``."""
    if as_json:
        data = summary.to_dict()
        data.update(exit_code=code, notes=notes, **extra)
        print(json.dumps(data), flush=True)
    else:
        print(summary.format(), flush=True)
        for note in notes:
            print(f"  {note}", flush=True)
    return code
