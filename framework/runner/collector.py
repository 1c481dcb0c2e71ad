"""Fewer cyclic garbage collections while a run delivers.

With hundreds of deliveries in flight, each holding its message, facade, payload, request and
response, every one of CPython's young-generation collections (one per 700 new containers by
default) walks thousands of live objects that refcounting will free anyway: at 256
outstanding requests that was about 10% of the runner's CPU. While a run is in progress the
first threshold is raised to :data:`GEN0_THRESHOLD`, and put back when the last run in the
process ends. Garbage with reference cycles is still collected, only in larger batches (a few
megabytes at most).
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["fewer_collections", "GEN0_THRESHOLD"]

#: New containers between two young-generation collections during a run.
GEN0_THRESHOLD = 50_000

_lock = threading.Lock()
_runs = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections(gen0: int = GEN0_THRESHOLD) -> Iterator[None]:
    """Raise the collector's first threshold to at least ``gen0`` inside the block.

    Runs may nest or overlap (threads): the thresholds in force before the first one are
    restored when the last one ends. A threshold already above ``gen0`` (or a disabled
    collector) is left alone.
    """
    global _runs, _saved
    with _lock:
        _runs += 1
        if _runs == 1:
            current = gc.get_threshold()
            _saved = (current[0], current[1], current[2])
            if current[0] and current[0] < gen0:
                gc.set_threshold(gen0, current[1], current[2])
    try:
        yield
    finally:
        with _lock:
            _runs -= 1
            if _runs == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
