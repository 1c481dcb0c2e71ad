"""Open the queue a ``--queue`` option names: a SQLite file (the default) or a Redis stream.

    open_queue(".framework/queue.sqlite3", "webhooks")          # SQLiteQueue
    open_queue("redis://127.0.0.1:6379/0?stream=events", "webhooks")   # RedisQueue, group
                                                                       # "webhooks"

Only :mod:`framework.runner.redis_queue` imports ``redis``, and only when a Redis URL is given,
so the SQLite path never needs it installed.
"""

from __future__ import annotations

from typing import Any

from .queue import DEFAULT_VISIBILITY_TIMEOUT, Queue, QueueError
from .sqlite_queue import SQLiteQueue

__all__ = ["open_queue", "is_redis_url"]

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def is_redis_url(spec: str) -> bool:
    """Whether a ``--queue`` value names a Redis stream rather than a SQLite file."""
    return spec.lower().startswith(_REDIS_SCHEMES)


def open_queue(spec: str, destination: str | None, *, visibility_timeout: float | None = None,
               **options: Any) -> Queue:
    """The queue ``spec`` names, for ``destination``'s jobs.

    Args:
        spec: A SQLite file path, or ``redis://HOST:PORT/DB?stream=NAME``.
        destination: The destination whose jobs the calls mean when they name none (Redis:
            its consumer group; ``None``: calls name theirs, as the server's do); a SQLite
            file keeps the destination in a column and ignores this.
        visibility_timeout: Seconds a reserved Redis entry stays leased (Redis only; the
            default is :data:`~framework.runner.queue.DEFAULT_VISIBILITY_TIMEOUT`).
        **options: Passed to the engine's constructor.

    Raises:
        QueueError: The queue cannot be opened (Redis unreachable, a bad URL, a file that is
            not a queue), with a message naming ``spec``.
    """
    if is_redis_url(spec):
        from .redis_queue import RedisQueue

        try:
            return RedisQueue(spec, destination,
                              visibility_timeout=visibility_timeout or DEFAULT_VISIBILITY_TIMEOUT,
                              **options)
        except ValueError as exc:
            raise QueueError(f"--queue {spec!r}: {exc}") from None
    try:
        return SQLiteQueue(spec, **options)
    except Exception as exc:
        raise QueueError(f"--queue {spec!r}: cannot open the queue: {exc}") from None
