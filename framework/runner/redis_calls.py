"""Calling Redis through a lost connection: the one place its connection errors are mapped.

:func:`call_retrying` retries a command with exponential backoff (50 ms doubling to 2 s)
while Redis is unreachable, up to ``reconnect_for`` seconds, then raises
:class:`QueueUnavailableError`, a retryable :class:`~framework.runner.queue.QueueError`. A
stream that vanished (``NOGROUP`` after a ``FLUSHALL`` or a restart without persistence) gets
its consumer groups made again and the command repeated.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .queue import QueueError

__all__ = ["QueueUnavailableError", "call_retrying"]

T = TypeVar("T")


class QueueUnavailableError(QueueError):
    """Redis could not be reached (at start, or for longer than ``reconnect_for``)."""


def call_retrying(fn: Callable[[], T], *, where: str, reconnect_for: float,
                  sleep: Callable[[float], None], closed: threading.Event,
                  regroup: Callable[[], None]) -> T:
    """``fn()``, retried with backoff while Redis is unreachable.

    Args:
        fn: The command(s) to run.
        where: The Redis URL for messages, credentials hidden.
        reconnect_for: Seconds to keep retrying.
        sleep: Waits between attempts.
        closed: Set once the queue is closed: then no retry.
        regroup: Makes the consumer groups again (after ``NOGROUP``).

    Raises:
        QueueUnavailableError: Redis stayed unreachable (or the queue was closed).
    """
    deadline = time.monotonic() + reconnect_for
    delay = 0.05
    while True:
        try:
            return fn()
        except (RedisConnectionError, RedisTimeoutError) as exc:
            if closed.is_set() or time.monotonic() + delay > deadline:
                raise QueueUnavailableError(
                    f"Redis at {where} unreachable for more than {reconnect_for:.0f} s: "
                    f"{exc}") from None
            sleep(delay)
            delay = min(delay * 2, 2.0)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            regroup()
