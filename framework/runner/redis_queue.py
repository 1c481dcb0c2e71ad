"""A :class:`~framework.runner.queue.Queue` on Redis Streams, shared by many runner processes.

Chosen because Redis Streams with consumer groups already is the protocol we would otherwise
write: at-least-once delivery with explicit acks, a pending-entries list per consumer, and
``XAUTOCLAIM`` to take over what a dead consumer left. One queue URL names one stream::

    redis://HOST:PORT/DB?stream=NAME

Keys, for a stream ``NAME`` and a destination ``D`` (the integration slug for ``framework
send``/``work``; a server config's destination name)::

    NAME:D              the stream of ready and in-flight jobs; consumer group ``D``
    NAME:D:delayed      sorted set of jobs waiting for a retry, scored by their not-before time
    NAME:D:meta         hash: ``acked`` and ``dead`` counts, ``info:*`` values, ``input:*``
                        offsets
    NAME:dead           dead letters of every destination (a stream; field ``destination``)
    NAME:destinations   set of the destinations in use
    NAME:seen:S:ID      ``framework serve``: source ``S`` sent ``messageId`` ``ID`` within the
                        dedupe window (expires with it)

Job ids are ``ENTRY@D`` (the stream entry id and the destination), opaque to the runner.

How the operations map (every multi-step change is one Lua script, so it is atomic and safe
to repeat after a lost reply):

* ``put``: ``XADD`` each message (and the input offset) in one ``MULTI``; ``fan_out`` (the
  server): one entry per message per destination and the dedupe keys, in one script;
* ``reserve``: due delayed jobs are moved back into the stream first (by whichever consumer
  is alive), entries whose lease expired are taken over with ``XAUTOCLAIM``, then new entries
  are read with ``XREADGROUP``;
* ``ack``: ``XACK`` then ``XDEL`` of that id (never ``XTRIM``, which could drop entries still
  pending);
* ``nack(delay)``: ``XACK`` + ``XDEL`` and the job re-added, one attempt more, to the delayed
  set (or straight to the stream when the delay is 0);
* ``dead``: ``XACK`` + ``XDEL`` and the job added to ``NAME:dead`` with its error.

A reserved entry is leased for ``visibility_timeout`` seconds (the runner's lease): a thread
renews the leases this process holds every third of it, so a long delivery keeps its claim,
while the leases of a consumer that died expire and the others reclaim them. Recovery only
ever takes entries idle longer than the timeout, never a live consumer's.

Connection loss: every call is retried with exponential backoff for up to ``reconnect_for``
seconds (workers pause meanwhile), then raises :class:`QueueUnavailableError`. Scripts are
written so that repeating one whose reply was lost changes nothing (an ``XACK`` that finds no
pending entry does nothing), so nothing is acked twice or lost.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import redis_scripts
from .redis_calls import QueueUnavailableError, call_retrying
from .redis_leases import Leases
from .redis_meta import MetaHash
from .queue import (DEDUPE_WINDOW, DEFAULT_VISIBILITY_TIMEOUT, DeadLetter, FanOut, InputOffset,
                    Job, JobId, MessageLike, Queue, QueueStats, encode, error_dict)
from .redis_names import (DEFAULT_STREAM, Keys, check_destination, consumer_name,
                          parse_redis_url, safe_url, text_of)
from .redis_records import dead_letter_of, job_of, offset_value

__all__ = ["RedisQueue", "QueueUnavailableError", "parse_redis_url", "DEFAULT_STREAM",
           "DEFAULT_VISIBILITY_TIMEOUT"]

T = TypeVar("T")


class RedisQueue(MetaHash, Queue):
    """Jobs of one or many destinations on Redis streams, as one consumer of each group.

    Input offsets and info values come from :class:`~framework.runner.redis_meta.MetaHash`;
    reconnection is :func:`~framework.runner.redis_calls.call_retrying`, lease renewal
    :class:`~framework.runner.redis_leases.Leases`.

    Args:
        url: ``redis://HOST:PORT/DB?stream=NAME``.
        destination: The destination ``put``, ``reserve``, ``stats`` and the other calls use
            when they name none (``framework send``/``work``: the integration slug). ``None``
            (``framework serve``): calls name their destination, and ``stats``/``recover`` count
            every destination in use.
        visibility_timeout: Seconds a reserved entry stays leased to this consumer before
            another one may reclaim it (renewed while this process lives).
        consumer: This consumer's name (default: host, pid and a random suffix).
        reconnect_for: Seconds to keep retrying a command while Redis is unreachable.
        client: A ready ``redis.Redis`` (tests); ``url``'s connection part is then ignored.
        sleep: How to wait between reconnection attempts.

    Raises:
        QueueUnavailableError: Redis is not reachable now.
        ValueError: A malformed URL, destination or timeout.
    """

    def __init__(self, url: str, destination: str | None = None, *,
                 visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT,
                 consumer: str | None = None, reconnect_for: float = 60.0,
                 client: Any = None, sleep: Callable[[float], None] = time.sleep) -> None:
        if not visibility_timeout > 0:
            raise ValueError(f"visibility_timeout must be > 0 seconds, got "
                             f"{visibility_timeout!r}")
        self.url = url
        connection_url, self.stream_name = parse_redis_url(url)
        self.destination = None if destination is None else check_destination(destination)
        self.consumer = consumer or consumer_name()
        self.visibility_timeout = float(visibility_timeout)
        self.reconnect_for = reconnect_for
        self._sleep = sleep
        self.dead_stream = f"{self.stream_name}:dead"
        self.registry = f"{self.stream_name}:destinations"
        self.meta = f"{self.stream_name}:{self.destination}:meta" if self.destination else \
            f"{self.stream_name}:meta"
        # Any: redis-py annotates replies as unions of every shape (sync and async, bytes and
        # str); each call site here knows the one shape its command returns.
        self.redis: Any = client or redis.Redis.from_url(
            connection_url, socket_timeout=10, socket_connect_timeout=5,
            health_check_interval=15)
        self._scripts = {name: self.redis.register_script(getattr(redis_scripts, name))
                         for name in redis_scripts.__all__}
        self._keys: dict[str, Keys] = {}
        self._last_claim: dict[str, float] = {}
        self._closed = threading.Event()
        self._leases = Leases(self.visibility_timeout / 3, self._extend, self._closed)
        try:
            self.redis.ping()
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise QueueUnavailableError(
                f"cannot reach Redis at {safe_url(url)}: {exc}") from None
        if self.destination is not None:
            self._of(self.destination)
        self._leases.start()

    # -- plumbing --------------------------------------------------------------------------

    def _call(self, fn: Callable[[], T]) -> T:
        """``fn()``, retried with backoff while Redis is unreachable (up to reconnect_for)."""
        return call_retrying(fn, where=safe_url(self.url), reconnect_for=self.reconnect_for,
                             sleep=self._sleep, closed=self._closed, regroup=self._regroup)

    def _regroup(self) -> None:
        # the stream is gone (FLUSHALL, a restart without persistence): recreate
        for keys in list(self._keys.values()):
            self._create_group(keys)

    def _of(self, destination: str | None) -> Keys:
        """The keys of ``destination`` (or the default one), its group made on first use."""
        name = destination or self.destination
        if not name:
            raise ValueError("this queue has no default destination: name one")
        keys = self._keys.get(name)
        if keys is None:
            keys = Keys.of(self.stream_name, name)
            self._call(lambda: self._create_group(keys))
            self._keys[name] = keys
        return keys

    def _create_group(self, keys: Keys) -> None:
        try:
            self.redis.xgroup_create(keys.stream, keys.destination, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self.redis.sadd(self.registry, keys.destination)

    def _in_use(self) -> list[Keys]:
        """The default destination's keys, or (without one) every destination's in use."""
        if self.destination is not None:
            return [self._of(self.destination)]
        names = sorted(text_of(n) for n in self._call(lambda: self.redis.smembers(self.registry)))
        return [self._of(name) for name in names]

    def _extend(self, name: str, entries: list[str]) -> None:
        """Renew this consumer's leases on ``entries`` of destination ``name``."""
        keys = self._keys[name]
        for start in range(0, len(entries), 500):
            self._scripts["EXTEND"](keys=[keys.stream], args=[
                keys.destination, self.consumer, *entries[start:start + 500]])

    def _split(self, job_id: JobId) -> tuple[Keys, str]:
        entry, _, name = str(job_id).partition("@")
        return self._of(name or None), entry

    # -- Queue API -------------------------------------------------------------------------

    def put(self, messages: Iterable[MessageLike], source: InputOffset | None = None,
            now: float | None = None, *, destination: str = "") -> list[JobId]:
        keys = self._of(destination or None)
        now = time.time() if now is None else now
        bodies = [encode(message) for message in messages]
        if not bodies and source is None:
            return []

        def write() -> list[JobId]:
            pipe = self.redis.pipeline(transaction=True)
            for body in bodies:
                pipe.xadd(keys.stream, {"body": body, "attempts": 0, "first_seen": repr(now),
                                        "available_at": repr(now), "last_error": ""})
            if source is not None:
                pipe.hset(self.meta, f"input:{source.path}", offset_value(
                    source.offset, source.line, source.skip, source.done))
            replies = pipe.execute()
            return [f"{text_of(reply)}@{keys.destination}" for reply in replies[:len(bodies)]]

        return self._call(write)

    def fan_out(self, messages: Sequence[Mapping[str, Any]], destinations: Sequence[str], *,
                dedupe: str | None = None, window: float = DEDUPE_WINDOW,
                now: float | None = None) -> FanOut:
        now = time.time() if now is None else now
        streams = [self._of(name).stream for name in destinations]
        prefix = f"{self.stream_name}:seen:{dedupe}:" if dedupe is not None else ""
        args: list[Any] = [prefix, max(int(window), 1), repr(now)]
        for message in messages:
            args += [str(message.get("messageId") or ""), encode(message)]
        accepted, duplicates = self._call(lambda: self._scripts["FAN_OUT"](
            keys=streams, args=args))
        return FanOut(accepted=int(accepted), duplicates=int(duplicates),
                      jobs=int(accepted) * len(streams))

    def reserve(self, n: int, now: float | None = None, lease: float | None = None, *,
                destination: str | None = None) -> list[Job]:
        """Up to ``n`` jobs: due retries are moved back first, expired leases of other
        consumers taken over, then new entries read. ``lease`` is ignored: a Redis lease is
        the queue's ``visibility_timeout``."""
        if n <= 0:
            return []
        keys = self._of(destination)
        now = time.time() if now is None else now
        self._call(lambda: self._scripts["PROMOTE"](keys=[keys.stream, keys.delayed],
                                                    args=[repr(now), 500]))
        jobs: list[Job] = []
        last = self._last_claim.get(keys.destination, 0.0)
        if time.monotonic() - last >= min(self.visibility_timeout / 4, 5.0):
            jobs = self._reclaim(keys, n)
        if len(jobs) < n:
            replies = self._call(lambda: self.redis.xreadgroup(
                keys.destination, self.consumer, {keys.stream: ">"}, count=n - len(jobs)))
            for _stream, entries in replies or []:
                jobs += [job_of(keys, entry_id, fields) for entry_id, fields in entries]
        self._leases.hold(keys.destination, (str(job.id).partition("@")[0] for job in jobs))
        return jobs

    def _reclaim(self, keys: Keys, n: int) -> list[Job]:
        """Entries whose lease expired (their consumer died), taken over by this consumer."""
        self._last_claim[keys.destination] = time.monotonic()
        idle_ms = int(self.visibility_timeout * 1000)
        jobs: list[Job] = []
        start = "0-0"
        while len(jobs) < n:
            reply = self._call(lambda: self.redis.xautoclaim(
                keys.stream, keys.destination, self.consumer, idle_ms, start_id=start,
                count=n - len(jobs)))
            start, entries = text_of(reply[0]), reply[1]
            jobs += [job_of(keys, entry_id, fields) for entry_id, fields in entries if fields]
            if start == "0-0":
                break
        return jobs

    def ack(self, ids: Iterable[JobId]) -> None:
        by_destination: dict[str, list[str]] = {}
        for job_id in ids:
            keys, entry = self._split(job_id)
            by_destination.setdefault(keys.destination, []).append(entry)
        for name, entries in by_destination.items():
            keys = self._keys[name]
            for start in range(0, len(entries), 500):
                chunk = entries[start:start + 500]
                self._call(lambda: self._scripts["ACK"](
                    keys=[keys.stream, keys.meta], args=[keys.destination, *chunk]))
            self._leases.release(keys.destination, entries)

    def nack(self, id: JobId, delay: float = 0.0, error: Any = None,
             now: float | None = None, count: bool = True) -> None:
        if delay < 0:
            raise ValueError(f"delay must be >= 0 seconds, got {delay!r}")
        keys, entry = self._split(id)
        now = time.time() if now is None else now
        text = json.dumps(error_dict(error), default=str)
        unique = uuid.uuid4().hex
        self._call(lambda: self._scripts["NACK"](
            keys=[keys.stream, keys.delayed],
            args=[keys.destination, entry, repr(now + delay), text, unique, str(int(count))]))
        self._leases.release(keys.destination, [entry])

    def dead(self, id: JobId, error: Any = None) -> None:
        keys, entry = self._split(id)
        text = json.dumps(error_dict(error), default=str)
        self._call(lambda: self._scripts["DEAD"](
            keys=[keys.stream, self.dead_stream, keys.meta],
            args=[keys.destination, entry, text, keys.destination]))
        self._leases.release(keys.destination, [entry])

    def recover(self) -> int:
        """How many entries of dead consumers wait to be reclaimed (by :meth:`reserve`).

        Unlike the SQLite queue (one delivering process per file), other consumers may be
        alive: only leases idle longer than the visibility timeout are taken over, and only
        when this consumer reserves.
        """
        idle_ms = int(self.visibility_timeout * 1000)
        waiting = 0
        for keys in self._in_use():
            pending = self._call(lambda: self.redis.xpending_range(
                keys.stream, keys.destination, min="-", max="+", count=10_000, idle=idle_ms))
            waiting += len(pending)
            self._last_claim[keys.destination] = 0.0
        return waiting

    def stats(self) -> QueueStats:
        """Counts of the default destination, or (without one) of every destination."""
        total = QueueStats()
        for keys in self._in_use():
            one = self._call(lambda: self._stats(keys))
            total = QueueStats(ready=total.ready + one.ready,
                               in_flight=total.in_flight + one.in_flight,
                               dead=total.dead + one.dead, acked=total.acked + one.acked)
        return total

    def _stats(self, keys: Keys) -> QueueStats:
        pipe = self.redis.pipeline(transaction=False)
        pipe.xlen(keys.stream)
        pipe.xpending(keys.stream, keys.destination)
        pipe.zcard(keys.delayed)
        pipe.hmget(keys.meta, ["acked", "dead"])
        length, pending, delayed, (acked, dead) = pipe.execute()
        in_flight = int(pending["pending"]) if pending else 0
        return QueueStats(ready=max(length - in_flight, 0) + delayed, in_flight=in_flight,
                          dead=int(dead or 0), acked=int(acked or 0))

    def next_available_at(self, destination: str | None = None) -> float | None:
        keys = self._of(destination)

        def read() -> float | None:
            pipe = self.redis.pipeline(transaction=False)
            pipe.xinfo_groups(keys.stream)
            pipe.zrange(keys.delayed, 0, 0, withscores=True)
            groups, first = pipe.execute()
            due = [float(first[0][1])] if first else []
            for group in groups:
                if text_of(group["name"]) == keys.destination and int(group.get("lag") or 0):
                    after = "(" + text_of(group["last-delivered-id"])
                    entries = self.redis.xrange(keys.stream, min=after, count=1)
                    if entries:  # the oldest entry not handed out yet
                        due.append(float(entries[0][1].get(b"available_at") or 0.0))
            return min(due) if due else None
        return self._call(read)

    def dead_letters(self) -> Iterator[DeadLetter]:
        """The default destination's dead letters, or (without one) every destination's."""
        wanted = None if self.destination is None else self.destination
        last = "-"
        while True:
            entries = self._call(lambda: self.redis.xrange(self.dead_stream, min=last,
                                                           count=500))
            entries = [e for e in entries if text_of(e[0]) != last]
            if not entries:
                return
            for entry_id, fields in entries:
                name, letter = dead_letter_of(entry_id, fields)
                if wanted is None or name == wanted:
                    yield letter
            last = text_of(entries[-1][0])

    def redrive(self, error_class: str | None = None, status: int | None = None,
                now: float | None = None, limit: int | None = None) -> int:
        now = time.time() if now is None else now
        moved = 0
        for keys in self._in_use():
            moved += int(self._call(lambda: self._scripts["REDRIVE"](
                keys=[self.dead_stream, keys.stream, keys.meta],
                args=[keys.destination, repr(now), error_class or "",
                      "" if status is None else str(status),
                      (limit - moved) if limit is not None else 2**31])))
        return moved

    def durability(self) -> str | None:
        """Why a write acknowledged by this Redis could be lost, or ``None`` when every write
        is on disk before Redis replies (``appendonly yes`` with ``appendfsync always``)."""
        config = self._call(lambda: self.redis.config_get("append*"))
        if config.get("appendonly") != "yes":
            return "appendonly is off: writes live in memory until the next snapshot"
        if config.get("appendfsync") != "always":
            return (f"appendfsync is {config.get('appendfsync')!r}: Redis replies before the "
                    f"write is fsynced (up to a second of writes can be lost)")
        return None

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            self.redis.close()

    def __repr__(self) -> str:
        return f"RedisQueue({safe_url(self.url)!r}, destination={self.destination!r})"
