"""Exporting a queue's dead letters as NDJSON (``framework send --dead-letters PATH``)."""

from __future__ import annotations

import json
import os
from typing import IO, Union

from .queue import Queue

__all__ = ["export_dead_letters"]


def export_dead_letters(queue: Queue, target: Union[str, "os.PathLike[str]", IO[str]]) -> int:
    """Write every dead letter the queue holds, one JSON object per line.

    Each line is :meth:`DeadLetter.to_dict`: ``{"id", "attempts", "first_seen", "error":
    {"class", "code", "status", "message", ...}, "message": {...}}``. The file is written to a
    temporary name and renamed, so a reader never sees half of it.

    Args:
        queue: The queue.
        target: A path (created or replaced) or a text stream (``-`` means stdout is not
            supported here; pass ``sys.stdout``).

    Returns:
        How many dead letters were written.
    """
    if hasattr(target, "write"):
        return _write(queue, target)  # type: ignore[arg-type]
    path = os.fspath(target)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    partial = f"{path}.partial"
    with open(partial, "w", encoding="utf-8") as handle:
        count = _write(queue, handle)
    os.replace(partial, path)
    return count


def _write(queue: Queue, handle: IO[str]) -> int:
    count = 0
    for letter in queue.dead_letters():
        handle.write(json.dumps(letter.to_dict(), ensure_ascii=False, default=str))
        handle.write("\n")
        count += 1
    return count
