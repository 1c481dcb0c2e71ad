"""Webhook URLs from settings, and the cool-down of hooks that keep failing."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

__all__ = ["MAX_HOOKS", "FAILURE_LIMIT", "FAILURE_WINDOW", "PROBE_EVERY", "hook_urls",
           "CoolDown"]

MAX_HOOKS = 5
FAILURE_LIMIT = 25
FAILURE_WINDOW = 180.0
PROBE_EVERY = 2.0


def hook_urls(settings: Mapping[str, Any]) -> list[Any]:
    """The configured hooks: ``hooks`` when it has any, else the legacy ``globalHook``."""
    hooks = settings.get("hooks")
    if isinstance(hooks, list) and hooks:
        return list(hooks)
    if hooks not in (None, []):
        return [hooks]
    global_hook = settings.get("globalHook")
    return [] if global_hook is None else [global_hook]


@dataclass
class _Streak:
    failures: int = 0
    last_failure: float = 0.0
    next_probe: float = 0.0
    probing_until: float = 0.0


class CoolDown:
    """A circuit breaker per hook, fed with retryable failures only.

    A hook that failed ``limit`` times in a row (network errors, timeouts, 408/429/5xx), each
    within ``window`` seconds of the last, is *open*: it is not called, except for one probe
    request every ``probe_every`` seconds (*half-open*). The probe's success closes the
    circuit at once, so delivery resumes within ``probe_every`` seconds of the hook coming
    back; its failure keeps it open until the next probe. Any success, and any answer that is
    not retryable (a 4xx says the hook is up), resets the count. A streak older than
    ``window`` is forgotten.

    Args:
        clock: Current time in seconds.
        limit: Consecutive retryable failures that open the circuit.
        window: Seconds a failure is remembered.
        probe_every: Seconds between probes of an open circuit.
    """

    #: Seconds after which a probe that never reported back no longer blocks the next one.
    PROBE_LEASE = 60.0

    def __init__(self, clock: Callable[[], float] = time.time, limit: int = FAILURE_LIMIT,
                 window: float = FAILURE_WINDOW, probe_every: float = PROBE_EVERY) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self.probe_every = probe_every
        self._streaks: dict[str, _Streak] = {}
        self._lock = threading.Lock()

    def _open(self, url: str, now: float) -> _Streak | None:
        streak = self._streaks.get(url)
        if streak is None or streak.failures < self.limit:
            return None
        if now - streak.last_failure > self.window:
            del self._streaks[url]
            return None
        return streak

    def _wait(self, streak: _Streak, now: float) -> float:
        # A probe in flight reports back within its request's deadline: ask again after one
        # probe interval, not after the lease (which only guards against a probe never heard
        # of again).
        if streak.probing_until > now:
            return self.probe_every
        return max(0.0, streak.next_probe - now)

    def remaining(self, url: str) -> float:
        """Seconds until the hook may be called again (its next probe); 0 when it may be."""
        now = self.clock()
        with self._lock:
            streak = self._open(url, now)
            return 0.0 if streak is None else self._wait(streak, now)

    def acquire(self, url: str) -> float:
        """Ask to call ``url``: 0 means go (for an open circuit, this call is its probe);
        otherwise the seconds until it may be called."""
        now = self.clock()
        with self._lock:
            streak = self._open(url, now)
            if streak is None:
                return 0.0
            wait = self._wait(streak, now)
            if wait > 0:
                return wait
            streak.probing_until = now + self.PROBE_LEASE
            return 0.0

    def failed(self, url: str) -> None:
        """Record a retryable failure of ``url``."""
        now = self.clock()
        with self._lock:
            streak = self._streaks.setdefault(url, _Streak())
            if now - streak.last_failure > self.window:
                streak.failures = 0
            streak.failures += 1
            streak.last_failure = now
            streak.next_probe = now + self.probe_every
            streak.probing_until = 0.0

    def succeeded(self, url: str) -> None:
        """Record a success (or a non-retryable answer) of ``url``: its circuit closes."""
        with self._lock:
            self._streaks.pop(url, None)
