"""Webhook URLs from settings, and the cool-down of hooks that keep failing."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

__all__ = ["MAX_HOOKS", "FAILURE_LIMIT", "FAILURE_WINDOW", "hook_urls", "CoolDown"]

MAX_HOOKS = 5
FAILURE_LIMIT = 25
FAILURE_WINDOW = 180.0


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


class CoolDown:
    """Counts each hook's consecutive failures; a hook that failed ``limit`` times in a row,
    each within ``window`` seconds of the last, rests until ``window`` seconds after its last
    failure. Any success resets the count.

    Args:
        clock: Current time in seconds.
        limit: Consecutive failures that start a cool-down.
        window: Seconds a failure is remembered, and the length of a cool-down.
    """

    def __init__(self, clock: Callable[[], float] = time.time, limit: int = FAILURE_LIMIT,
                 window: float = FAILURE_WINDOW) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self._streaks: dict[str, _Streak] = {}
        self._lock = threading.Lock()

    def remaining(self, url: str) -> float:
        """Seconds the hook still rests; 0 when it may be called."""
        with self._lock:
            streak = self._streaks.get(url)
            if streak is None or streak.failures < self.limit:
                return 0.0
            return max(0.0, streak.last_failure + self.window - self.clock())

    def failed(self, url: str) -> None:
        """Record a failure of ``url``."""
        now = self.clock()
        with self._lock:
            streak = self._streaks.setdefault(url, _Streak())
            if now - streak.last_failure > self.window:
                streak.failures = 0
            streak.failures += 1
            streak.last_failure = now

    def succeeded(self, url: str) -> None:
        """Record a success of ``url``: its count starts again."""
        with self._lock:
            self._streaks.pop(url, None)
