"""The one way into the queue for every inbound surface: :func:`enqueue`.

A surface answers 2xx only after ``enqueue`` returned: by then the messages are committed (one
job per message per destination, in one transaction), so a crash right after the answer loses
nothing. ``enqueue`` refuses with :class:`~framework.errors.UnavailableError` (503 +
``Retry-After``) instead of committing when the queue holds more than ``max_queue_depth``
pending jobs, or when the queue fails.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from ..errors import UnavailableError
from ..runner.queue import FanOut, Queue

if TYPE_CHECKING:  # pragma: no cover
    from .deps import Deps

__all__ = ["Intake", "enqueue", "enqueue_sync"]

log = logging.getLogger("framework.server")

#: Seconds a measured queue depth is reused before ``stats()`` is asked again.
_DEPTH_REFRESH = 0.5


class Intake:
    """Backpressure and wake-ups around the queue.

    Args:
        max_depth: Pending jobs past which :func:`enqueue` refuses.
        retry_after: Seconds to tell refused clients to wait.
        monotonic: A monotonic clock (for how long a measured depth is reused).
    """

    def __init__(self, max_depth: int = 100_000, retry_after: float = 5.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.max_depth = max_depth
        self.retry_after = retry_after
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._depth = 0
        self._measured_at: float | None = None
        self._listeners: list[Callable[[Sequence[str]], None]] = []

    def listen(self, callback: Callable[[Sequence[str]], None]) -> None:
        """Call ``callback(destinations)`` after each commit (delivery workers wake up)."""
        self._listeners.append(callback)

    def depth(self, queue: Queue) -> int:
        """Pending jobs, measured at most every half second and counted up in between."""
        with self._lock:
            now = self._monotonic()
            if self._measured_at is None or now - self._measured_at >= _DEPTH_REFRESH:
                self._depth = queue.stats().pending
                self._measured_at = now
            return self._depth

    def check_room(self, queue: Queue, incoming: int) -> None:
        """Raise ``UnavailableError(QUEUE_FULL)`` when the queue is past its depth."""
        depth = self.depth(queue)
        if depth >= self.max_depth:
            raise UnavailableError(
                f"the queue holds {depth} pending jobs, at or past the limit of "
                f"{self.max_depth} (server.max_queue_depth); retry after {self.retry_after:g} s",
                code="QUEUE_FULL", retry_after=self.retry_after)

    def committed(self, destinations: Sequence[str], jobs: int) -> None:
        """Count ``jobs`` into the depth and wake the listeners."""
        with self._lock:
            self._depth += jobs
        for callback in self._listeners:
            callback(destinations)


def enqueue_sync(deps: "Deps", messages: Sequence[Mapping[str, Any]], *, source: str,
                 destinations: Sequence[str]) -> FanOut:
    """Commit ``messages`` for ``destinations`` (blocking); see :func:`enqueue`."""
    intake = deps.intake
    try:
        intake.check_room(deps.queue, len(messages) * len(destinations))
        result = deps.queue.fan_out(messages, destinations, dedupe=source,
                                    window=deps.config.server.dedupe_window, now=deps.clock())
    except UnavailableError:
        raise
    except Exception as exc:  # any engine failure (disk full, locked, closed): never a 2xx
        log.exception("the queue failed to commit %d messages from %r", len(messages), source)
        raise UnavailableError(f"the queue cannot commit right now ({type(exc).__name__}); "
                               f"retry after {intake.retry_after:g} s",
                               code="QUEUE_UNAVAILABLE", retry_after=intake.retry_after) from exc
    deps.metrics.inc("framework_messages_accepted_total", result.accepted, source=source)
    if result.duplicates:
        deps.metrics.inc("framework_messages_duplicate_total", result.duplicates, source=source)
    deps.metrics.inc("framework_jobs_queued_total", result.jobs)
    intake.committed(destinations, result.jobs)
    return result


async def enqueue(deps: "Deps", messages: Sequence[Mapping[str, Any]], *, source: str,
                  destinations: Sequence[str]) -> FanOut:
    """Commit ``messages`` to the queue, one job per message per destination.

    Messages whose ``messageId`` ``source`` sent within the dedupe window are acknowledged
    without being queued again (``FanOut.duplicates``). The commit runs in a worker thread, so
    the event loop keeps serving while SQLite writes.

    Args:
        deps: The app's :class:`~framework.server.deps.Deps`.
        messages: Complete messages (each with a ``messageId``).
        source: The source's name (the dedupe scope).
        destinations: The destination names (from the config).

    Returns:
        What was stored.

    Raises:
        UnavailableError: The queue is full (``QUEUE_FULL``) or failed
            (``QUEUE_UNAVAILABLE``); nothing was committed. Answer 503 with ``Retry-After``.
    """
    import anyio.to_thread

    call = functools.partial(enqueue_sync, deps, messages, source=source,
                             destinations=destinations)
    return await anyio.to_thread.run_sync(call)
