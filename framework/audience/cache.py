"""``ContextCache``: instance contexts (and credentials) kept per key for a jittered TTL.

As in the mediarithmics SDK, an entry lives ``ttl x (1 + jitter x random())`` seconds (600 s
and 0.1 by default: 600 to 660 s), so the contexts of many feeds built at once do not all
expire at once. A build that fails leaves nothing behind (the next request builds again),
and ``force=True`` rebuilds even a fresh entry (the creation route does this).

Concurrent requests for a key that is being built share that one build instead of each
asking the gateway: the cache holds the in-flight task, not only its result.
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, Generic, TypeVar

__all__ = ["ContextCache", "INSTANCE_CONTEXT_TTL", "TTL_JITTER"]

#: Seconds an instance context is reused before it is built again (before jitter).
INSTANCE_CONTEXT_TTL = 600.0
#: The share of the TTL added at random to each entry.
TTL_JITTER = 0.1

T = TypeVar("T")


@dataclass
class _Entry(Generic[T]):
    task: "asyncio.Future[T]"
    expires: float


class ContextCache(Generic[T]):
    """Values by key, each built once per TTL by an async builder.

    Args:
        ttl: Base lifetime of an entry, in seconds.
        jitter: Share of ``ttl`` added at random (``ttl x (1 + jitter x rng())``).
        clock: Current time in seconds (monotonic by default); injectable for tests.
        rng: Returns a float in [0, 1); injectable for tests.
        max_entries: Entries kept at most; the oldest goes first when full.
    """

    def __init__(self, ttl: float = INSTANCE_CONTEXT_TTL, jitter: float = TTL_JITTER, *,
                 clock: Callable[[], float] = time.monotonic,
                 rng: Callable[[], float] = random.random, max_entries: int = 10_000) -> None:
        if ttl <= 0:
            raise ValueError(f"ttl must be positive, got {ttl!r}")
        self.ttl = ttl
        self.jitter = jitter
        self.clock = clock
        self.rng = rng
        self.max_entries = max_entries
        self._entries: dict[str, _Entry[T]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        entry = self._entries.get(key) if isinstance(key, str) else None
        return entry is not None and entry.expires > self.clock()

    def lifetime(self) -> float:
        """The lifetime of a new entry: ``ttl x (1 + jitter x rng())`` seconds."""
        return self.ttl * (1 + self.jitter * self.rng())

    async def get(self, key: str, build: Callable[[], Awaitable[T]], *,
                  force: bool = False) -> T:
        """The value for ``key``: the cached one while fresh, else ``await build()``.

        Args:
            key: The cache key (a feed id, ``feed_destination_credentials:<id>``).
            build: Makes the value; its exception propagates and nothing is cached.
            force: Build again even when a fresh value exists.
        """
        now = self.clock()
        entry = self._entries.get(key)
        if entry is not None and not force and entry.expires > now:
            return await asyncio.shield(entry.task)
        task: asyncio.Future[T] = asyncio.ensure_future(build())
        task.add_done_callback(functools.partial(self._forget_failure, key))
        if len(self._entries) >= self.max_entries and key not in self._entries:
            self._entries.pop(next(iter(self._entries)))
        self._entries[key] = _Entry(task, now + self.lifetime())
        return await asyncio.shield(task)

    def put(self, key: str, value: T) -> None:
        """Store ``value`` for ``key`` with a new lifetime."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        future.set_result(value)
        self._entries[key] = _Entry(future, self.clock() + self.lifetime())

    def values(self) -> list[T]:
        """The values built so far (fresh or not; builds in progress or failed left out)."""
        return [entry.task.result() for entry in self._entries.values()
                if entry.task.done() and not entry.task.cancelled()
                and entry.task.exception() is None]

    def evict(self, key: str) -> None:
        """Forget ``key``."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()

    def _forget_failure(self, key: str, task: "asyncio.Future[T]") -> None:
        # Reading exception() also marks it retrieved, so asyncio does not log it again.
        if not task.cancelled() and task.exception() is None:
            return
        # Only the failed build's own entry goes: a forced rebuild may have replaced it.
        entry = self._entries.get(key)
        if entry is not None and entry.task is task:
            del self._entries[key]
