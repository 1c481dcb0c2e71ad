"""The Redis queue's bookkeeping of a run: input offsets and info values in the meta hash.

``framework send --resume`` needs to know how far each input was read and what was recorded
about it (``--from``, ``--format``, the integration); these live in the destination's meta
hash (``NAME:D:meta``) as ``input:PATH`` (an offset, see
:func:`~framework.runner.redis_records.offset_value`) and ``info:KEY`` fields.
"""

from __future__ import annotations

from typing import Any, Callable

from .queue import InputOffset
from .redis_records import input_offset_of, offset_value

__all__ = ["MetaHash"]


class MetaHash:
    """The input-offset and info operations of :class:`~framework.runner.queue.Queue`, on a
    Redis hash (a mixin of ``RedisQueue``, which provides ``redis``, ``meta`` and ``_call``,
    its reconnecting call)."""

    redis: Any
    meta: str
    _call: Callable[[Callable[[], Any]], Any]

    def set_input_offset(self, path: str, offset: int, line: int = 1, skip: int = 0,
                         done: bool = False) -> None:
        """Record how far ``path`` was read (``done``: to its end)."""
        if offset < 0:
            raise ValueError(f"offset must be >= 0, got {offset!r}")
        self._call(lambda: self.redis.hset(self.meta, f"input:{path}",
                                           offset_value(offset, line, skip, done)))

    def add_input(self, path: str, info: str) -> None:
        """Record an input before any of its messages (offset 0 unless already recorded)."""
        def write() -> None:
            pipe = self.redis.pipeline(transaction=True)
            pipe.hsetnx(self.meta, f"input:{path}", offset_value(0))
            pipe.hset(self.meta, f"info:input:{path}", info)
            pipe.execute()
        self._call(write)

    def input_offsets(self) -> dict[str, InputOffset]:
        """Every recorded input's offset, by path."""
        raw = self._call(lambda: self.redis.hgetall(self.meta))
        offsets = {}
        for key, value in raw.items():
            name = key.decode()
            if name.startswith("input:"):
                path = name[len("input:"):]
                offsets[path] = input_offset_of(path, value)
        return offsets

    def set_info(self, key: str, value: str | None) -> None:
        """Record ``value`` under ``key`` (``None`` removes it)."""
        if value is None:
            self._call(lambda: self.redis.hdel(self.meta, f"info:{key}"))
        else:
            self._call(lambda: self.redis.hset(self.meta, f"info:{key}", str(value)))

    def get_info(self, key: str) -> str | None:
        """The value recorded under ``key``, or ``None``."""
        value = self._call(lambda: self.redis.hget(self.meta, f"info:{key}"))
        if value is None:
            return None
        text: str = value.decode()
        return text
