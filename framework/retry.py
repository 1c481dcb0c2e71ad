"""Which failures are worth retrying, and how long to wait before the next attempt."""

from __future__ import annotations

import random
import threading
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterable, Mapping

from . import cooperative, errors

__all__ = ["RetryPolicy", "retryable_status", "server_delay"]

#: Epoch seconds above this in ``X-RateLimit-Reset`` are a moment, not a delta.
_EPOCH_THRESHOLD = 1_000_000_000


def retryable_status(status: int) -> bool:
    """408, 429 and 5xx except 501 are worth a retry; other statuses are not."""
    return status in (408, 429) or (500 <= status <= 599 and status != 501)


def server_delay(headers: Mapping[str, str], now: float) -> float | None:
    """The delay the server asked for, from ``Retry-After`` (seconds or an HTTP date) or
    ``X-RateLimit-Reset`` (delta seconds, or epoch seconds when large); ``None`` if neither."""
    value = headers.get("Retry-After")
    if value is not None:
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return max(0.0, moment.timestamp() - now)
    value = headers.get("X-RateLimit-Reset")
    if value is not None:
        try:
            reset = float(value.strip())
        except ValueError:
            return None
        return max(0.0, reset - now if reset > _EPOCH_THRESHOLD else reset)
    return None


class RetryPolicy:
    """Retry decisions and delays for one integration instance.

    Args:
        retries: Retries after the first attempt.
        rules: Extra predicates that make an error retryable (``.retry(fn)``).
        base: Base delay in seconds of the exponential backoff.
        cap: The longest single wait, in seconds, whatever the server asks.
        clock: Current time in seconds (injectable for tests).
        sleep: Waits a number of seconds (injectable for tests).
        rng: Source of jitter (injectable for tests).
    """

    def __init__(self, retries: int = 0, rules: Iterable[Callable[[BaseException], bool]] = (),
                 base: float = 0.5, cap: float = 60.0,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], None] | None = None,
                 rng: random.Random | None = None) -> None:
        self.retries = retries
        self.rules = tuple(rules)
        self.base = base
        self.cap = cap
        self.clock = clock or time.time
        self.sleep = sleep or cooperative.sleep
        self.rng = rng or random.Random()
        self.retried = 0
        self._count_lock = threading.Lock()

    def count_retry(self) -> None:
        """Count one retry made inside the integration (:attr:`retried`; thread-safe)."""
        with self._count_lock:
            self.retried += 1

    def is_retryable(self, error: BaseException) -> bool:
        """Whether ``error`` could succeed on another attempt."""
        if isinstance(error, errors.IntegrationError) and error.retryable:
            return True
        return any(rule(error) for rule in self.rules)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter for the ``attempt``-th retry (1-based)."""
        return self.rng.uniform(0, min(self.cap, self.base * (2 ** (attempt - 1))))

    def delay(self, attempt: int, error: BaseException) -> float:
        """Seconds to wait before retry ``attempt``: the server's wish when it stated one
        (capped), else the jittered backoff."""
        asked = getattr(error, "retry_after", None)
        if asked is not None:
            return min(self.cap, float(asked))
        return self.backoff(attempt)

    def headers_delay(self, headers: Mapping[str, Any]) -> float | None:
        """The server's requested delay from response headers, capped."""
        asked = server_delay(headers, self.clock())
        return None if asked is None else min(self.cap, asked)

    @staticmethod
    def utcnow() -> datetime:
        """The current UTC time (kept here so tests can patch one place)."""
        return datetime.now(timezone.utc)
