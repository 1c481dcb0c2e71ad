"""When to try again (:class:`Backoff`) and how fast to go (:class:`RateLimiter`)."""

from __future__ import annotations

import random
import threading
import time
from typing import Callable

__all__ = ["Backoff", "RateLimiter"]


class Backoff:
    """Delays between delivery attempts: exponential, with jitter, never below what was asked.

    The delay before retry ``n`` (1-based) is drawn uniformly from ``[d/2, d]`` where
    ``d = min(cap, base * 2 ** (n - 1))`` ("equal jitter": spread out, yet growing), and is
    at least the error's ``retry_after`` (``Retry-After``, a webhook cool-down) even when that is
    above ``cap``.

    Args:
        base: The first retry's (largest) delay in seconds.
        cap: The longest backoff in seconds.
        rng: The source of jitter (seed it in tests).
    """

    def __init__(self, base: float = 1.0, cap: float = 600.0,
                 rng: random.Random | None = None) -> None:
        if base < 0 or cap < 0:
            raise ValueError(f"backoff base and cap must be >= 0 seconds, got {base!r}, {cap!r}")
        self.base = base
        self.cap = cap
        self.rng = rng or random.Random()

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1 = the first retry)."""
        ceiling = min(self.cap, self.base * (2 ** min(max(attempt, 1) - 1, 60)))
        delay = self.rng.uniform(ceiling / 2, ceiling)
        if retry_after is not None and retry_after > delay:
            delay = float(retry_after)
        return delay


class RateLimiter:
    """At most ``rate`` messages per second across threads, evenly spaced.

    Each :meth:`acquire` books the next free slot(s) and sleeps until then (a virtual clock,
    like GCRA with no burst), so a batch of ``n`` messages simply takes ``n`` slots.

    Args:
        rate: Messages per second (> 0).
        clock: Current time in seconds.
        sleep: Waits a number of seconds.
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not rate > 0:
            raise ValueError(f"rate must be > 0 messages per second, got {rate!r}")
        self.rate = float(rate)
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self, n: int = 1) -> float:
        """Wait for ``n`` slots; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + n / self.rate
        wait = start - now
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)
