"""A per-key request rate limit over a sliding window: :class:`SlidingWindowLimit`.

The synced-segment routes answer 429 with ``X-Ratelimit-Reset`` (epoch milliseconds) past a
configured number of requests per minute and integration key, as LaunchDarkly does. A sliding
window (the times of the last ``limit`` requests) never lets through more than ``limit``
requests in any window, where a fixed per-minute counter lets twice as many through around the
minute's turn, and it gives an exact reset time: when the oldest counted request leaves the
window.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

__all__ = ["SlidingWindowLimit"]


class SlidingWindowLimit:
    """At most ``limit`` requests per key in any ``window`` seconds.

    Args:
        limit: Requests allowed per key and window (at least 1).
        window: The window's length in seconds.
        clock: Epoch seconds now (injected in tests).

    Example::

        limit = SlidingWindowLimit(600)
        reset = limit.hit("amplitude")
        if reset is not None:
            ...  # answer 429; the next request is allowed at ``reset`` (epoch seconds)
    """

    def __init__(self, limit: int, window: float = 60.0, *,
                 clock: Callable[[], float] = time.time) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> float | None:
        """Count a request for ``key``; None when allowed, else when the next one will be
        (epoch seconds). A refused request is not counted."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.window
            hits.append(now)
            return None
