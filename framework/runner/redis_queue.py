"""A :class:`~framework.runner.queue.Queue` on Redis Streams, shared by many runner processes.

Chosen because Redis Streams with consumer groups already is the protocol we would otherwise
write: at-least-once delivery with explicit acks, a pending-entries list per consumer, and
``XAUTOCLAIM`` to take over what a dead consumer left. One queue URL names one stream::

    redis://HOST:PORT/DB?stream=NAME

Keys, for a stream ``NAME`` and a destination ``D`` (the integration slug for ``framework
send``/``work``; a server config's destination name)::

    NAME:D              the stream of ready and in-flight jobs; consumer group ``D``
    NAME:D:delayed      sorted set of jobs waiting for a retry, scored by their not-before time
    NAME:dead           dead letters of every destination (a stream; field ``destination``)
    NAME:D:meta         hash: ``acked`` count, ``info:*`` values, ``input:*`` offsets

How the operations map (every multi-step change is one Lua script, so it is atomic and safe
to repeat after a lost reply):

* ``put``: ``XADD`` each message (and the input offset) in one ``MULTI``;
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
import os
import socket
import threading
import time
import uuid
from typing import Any, Callable, Iterable, Iterator, TypeVar
from urllib.parse import parse_qs, urlsplit, urlunsplit

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .queue import (DEFAULT_VISIBILITY_TIMEOUT, DeadLetter, InputOffset, Job, JobId,
                    MessageLike, Queue, QueueError, QueueStats, encode, error_dict)

__all__ = ["RedisQueue", "QueueUnavailableError", "parse_redis_url", "DEFAULT_STREAM",
           "DEFAULT_VISIBILITY_TIMEOUT"]

DEFAULT_STREAM = "framework"

T = TypeVar("T")

# KEYS: stream, delayed, dead, meta; ARGV: group, now, limit
_PROMOTE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
for _, member in ipairs(due) do
  local job = cjson.decode(member)
  redis.call('XADD', KEYS[1], '*', 'body', job.body, 'attempts', job.attempts,
             'first_seen', job.first_seen, 'available_at', job.available_at,
             'last_error', job.last_error)
  redis.call('ZREM', KEYS[2], member)
end
return #due
"""

# KEYS: stream, meta; ARGV: group, ids...
_ACK = """
local done = 0
for i = 2, #ARGV do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XDEL', KEYS[1], ARGV[i])
    done = done + 1
  end
end
if done > 0 then redis.call('HINCRBY', KEYS[2], 'acked', done) end
return done
"""

# KEYS: stream, delayed; ARGV: group, id, available_at, last_error, unique, attempts to add
_NACK = """
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
local entry = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if #entry == 0 then return 0 end
local f = {}
local fields = entry[1][2]
for i = 1, #fields, 2 do f[fields[i]] = fields[i + 1] end
local attempts = tostring(tonumber(f.attempts or '0') + tonumber(ARGV[6] or '1'))
local job = {body = f.body, attempts = attempts, first_seen = f.first_seen,
             available_at = ARGV[3], last_error = ARGV[4], u = ARGV[5]}
redis.call('ZADD', KEYS[2], ARGV[3], cjson.encode(job))
return 1
"""

# KEYS: stream, dead, meta; ARGV: group, id, last_error, destination
_DEAD = """
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
local entry = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if #entry == 0 then return 0 end
local f = {}
local fields = entry[1][2]
for i = 1, #fields, 2 do f[fields[i]] = fields[i + 1] end
redis.call('XADD', KEYS[2], '*', 'body', f.body,
           'attempts', tostring(tonumber(f.attempts or '0') + 1),
           'first_seen', f.first_seen, 'error', ARGV[3], 'destination', ARGV[4])
redis.call('HINCRBY', KEYS[3], 'dead', 1)
return 1
"""

# KEYS: stream; ARGV: group, consumer, ids...  Renews only the leases this consumer still holds.
_EXTEND = """
local renewed = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    renewed = renewed + 1
  end
end
return renewed
"""

# KEYS: dead, stream, meta; ARGV: destination, now, class or '', status or '', limit
_REDRIVE = """
local moved = 0
local entries = redis.call('XRANGE', KEYS[1], '-', '+')
for _, entry in ipairs(entries) do
  local f = {}
  local fields = entry[2]
  for i = 1, #fields, 2 do f[fields[i]] = fields[i + 1] end
  local ok = (f.destination == ARGV[1])
  if ok and (ARGV[3] ~= '' or ARGV[4] ~= '') then
    local err = cjson.decode(f.error)
    if ARGV[3] ~= '' and tostring(err['class']) ~= ARGV[3] then ok = false end
    if ARGV[4] ~= '' and tostring(err['status']) ~= ARGV[4] then ok = false end
  end
  if ok and moved < tonumber(ARGV[5]) then
    redis.call('XADD', KEYS[2], '*', 'body', f.body, 'attempts', '0', 'first_seen', ARGV[2],
               'available_at', ARGV[2], 'last_error', f.error)
    redis.call('XDEL', KEYS[1], entry[1])
    moved = moved + 1
  end
end
if moved > 0 then redis.call('HINCRBY', KEYS[3], 'dead', -moved) end
return moved
"""


class QueueUnavailableError(QueueError):
    """Redis could not be reached (at start, or for longer than ``reconnect_for``)."""


def parse_redis_url(url: str) -> tuple[str, str]:
    """The connection URL (without ``stream=``) and the stream name of a queue URL.

    Raises:
        ValueError: The URL is not ``redis://`` / ``rediss://``, or its stream name is empty
            or holds a ``:``.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ValueError(f"not a Redis URL: {url!r} (expected redis://HOST:PORT/DB?stream=NAME)")
    query = parse_qs(parts.query, keep_blank_values=True)
    names = query.pop("stream", [DEFAULT_STREAM])
    stream = names[-1]
    if not stream or ":" in stream or any(c.isspace() for c in stream):
        raise ValueError(f"stream name {stream!r} in {url!r} must be non-empty, without ':' "
                         f"or spaces")
    rest = "&".join(f"{k}={v}" for k, values in query.items() for v in values)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, "")), stream


def consumer_name() -> str:
    """A consumer name unique to this process: host, pid and a random suffix."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class RedisQueue(Queue):
    """The queue of one destination on a Redis stream, as one consumer of its group.

    Args:
        url: ``redis://HOST:PORT/DB?stream=NAME``.
        destination: The destination whose jobs this queue holds (consumer group name).
        visibility_timeout: Seconds a reserved entry stays leased to this consumer before
            another one may reclaim it (renewed while this process lives).
        consumer: This consumer's name (default: host, pid and a random suffix).
        reconnect_for: Seconds to keep retrying a command while Redis is unreachable.
        client: A ready ``redis.Redis`` (tests); ``url``'s connection part is then ignored.
        sleep: How to wait between reconnection attempts.

    Raises:
        QueueUnavailableError: Redis is not reachable now.
    """

    def __init__(self, url: str, destination: str = "default", *,
                 visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT,
                 consumer: str | None = None, reconnect_for: float = 60.0,
                 client: "redis.Redis | None" = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not visibility_timeout > 0:
            raise ValueError(f"visibility_timeout must be > 0 seconds, got "
                             f"{visibility_timeout!r}")
        if not destination or ":" in destination:
            raise ValueError(f"destination {destination!r} must be non-empty, without ':'")
        self.url = url
        connection_url, self.stream_name = parse_redis_url(url)
        self.destination = destination
        self.group = destination
        self.consumer = consumer or consumer_name()
        self.visibility_timeout = float(visibility_timeout)
        self.reconnect_for = reconnect_for
        self._sleep = sleep
        base = f"{self.stream_name}:{destination}"
        self.stream, self.delayed, self.meta = base, f"{base}:delayed", f"{base}:meta"
        self.dead_stream = f"{self.stream_name}:dead"
        # Any: redis-py annotates replies as unions of every shape (sync and async, bytes and
        # str); each call site here knows the one shape its command returns.
        self.redis: Any = client or redis.Redis.from_url(
            connection_url, socket_timeout=10, socket_connect_timeout=5,
            health_check_interval=15)
        self._scripts = {name: self.redis.register_script(text) for name, text in (
            ("promote", _PROMOTE), ("ack", _ACK), ("nack", _NACK), ("dead", _DEAD),
            ("extend", _EXTEND), ("redrive", _REDRIVE))}
        self._held: set[str] = set()
        self._held_lock = threading.Lock()
        self._last_claim = 0.0
        self._closed = threading.Event()
        try:
            self.redis.ping()
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise QueueUnavailableError(
                f"cannot reach Redis at {_safe(url)}: {exc}") from None
        self._ensure_group()
        self._renewer = threading.Thread(target=self._renew_leases, daemon=True,
                                         name=f"redis-lease-{destination}")
        self._renewer.start()

    # -- plumbing --------------------------------------------------------------------------

    def _call(self, fn: Callable[[], T]) -> T:
        """``fn()``, retried with backoff while Redis is unreachable (up to reconnect_for)."""
        deadline = time.monotonic() + self.reconnect_for
        delay = 0.05
        while True:
            try:
                return fn()
            except (RedisConnectionError, RedisTimeoutError) as exc:
                if self._closed.is_set() or time.monotonic() + delay > deadline:
                    raise QueueUnavailableError(
                        f"Redis at {_safe(self.url)} unreachable for more than "
                        f"{self.reconnect_for:.0f} s: {exc}") from None
                self._sleep(delay)
                delay = min(delay * 2, 2.0)
            except ResponseError as exc:
                if "NOGROUP" in str(exc):  # the stream was deleted (FLUSHALL, a restart
                    self._ensure_group()     # without persistence): recreate and go on
                    continue
                raise

    def _ensure_group(self) -> None:
        try:
            self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _renew_leases(self) -> None:
        interval = self.visibility_timeout / 3
        while not self._closed.wait(interval):
            with self._held_lock:
                held = list(self._held)
            if not held:
                continue
            try:
                for start in range(0, len(held), 500):
                    self._scripts["extend"](keys=[self.stream],
                                            args=[self.group, self.consumer,
                                                  *held[start:start + 500]])
            except Exception:  # Redis away: the leases may lapse; entries are redelivered
                continue

    def _hold(self, ids: Iterable[str]) -> None:
        with self._held_lock:
            self._held.update(ids)

    def _release(self, ids: Iterable[str]) -> None:
        with self._held_lock:
            self._held.difference_update(ids)

    @staticmethod
    def _job(entry_id: Any, fields: dict[bytes, bytes]) -> Job:
        get = fields.get
        error = (get(b"last_error") or b"").decode()
        return Job(id=_text(entry_id), body=(get(b"body") or b"").decode(),
                   attempts=int(get(b"attempts") or 0),
                   first_seen=float(get(b"first_seen") or 0.0),
                   available_at=float(get(b"available_at") or 0.0),
                   last_error=json.loads(error) if error else None)

    # -- Queue API -------------------------------------------------------------------------

    def put(self, messages: Iterable[MessageLike], source: InputOffset | None = None,
            now: float | None = None) -> list[JobId]:
        now = time.time() if now is None else now
        bodies = [encode(message) for message in messages]
        if not bodies and source is None:
            return []

        def write() -> list[JobId]:
            pipe = self.redis.pipeline(transaction=True)
            for body in bodies:
                pipe.xadd(self.stream, {"body": body, "attempts": 0, "first_seen": repr(now),
                                        "available_at": repr(now), "last_error": ""})
            if source is not None:
                pipe.hset(self.meta, f"input:{source.path}", json.dumps(
                    [source.offset, source.line, source.skip, bool(source.done)]))
            replies = pipe.execute()
            return [_text(reply) for reply in replies[:len(bodies)]]

        return self._call(write)

    def reserve(self, n: int, now: float | None = None, lease: float | None = None) -> list[Job]:
        if n <= 0:
            return []
        now = time.time() if now is None else now
        self._call(lambda: self._scripts["promote"](
            keys=[self.stream, self.delayed], args=[self.group, repr(now), 500]))
        jobs: list[Job] = []
        if time.monotonic() - self._last_claim >= min(self.visibility_timeout / 4, 5.0):
            jobs = self._reclaim(n)
        if len(jobs) < n:
            replies = self._call(lambda: self.redis.xreadgroup(
                self.group, self.consumer, {self.stream: ">"}, count=n - len(jobs)))
            for _stream, entries in replies or []:
                jobs += [self._job(entry_id, fields) for entry_id, fields in entries]
        self._hold(str(job.id) for job in jobs)
        return jobs

    def _reclaim(self, n: int) -> list[Job]:
        """Entries whose lease expired (their consumer died), taken over by this consumer."""
        self._last_claim = time.monotonic()
        idle_ms = int(self.visibility_timeout * 1000)
        jobs: list[Job] = []
        start = "0-0"
        while len(jobs) < n:
            reply = self._call(lambda: self.redis.xautoclaim(
                self.stream, self.group, self.consumer, idle_ms, start_id=start,
                count=n - len(jobs)))
            start, entries = _text(reply[0]), reply[1]
            jobs += [self._job(entry_id, fields) for entry_id, fields in entries if fields]
            if start == "0-0":
                break
        return jobs

    def ack(self, ids: Iterable[JobId]) -> None:
        texts = [str(i) for i in ids]
        for start in range(0, len(texts), 500):
            chunk = texts[start:start + 500]
            self._call(lambda: self._scripts["ack"](
                keys=[self.stream, self.meta], args=[self.group, *chunk]))
        self._release(texts)

    def nack(self, id: JobId, delay: float = 0.0, error: Any = None,
             now: float | None = None, count: bool = True) -> None:
        if delay < 0:
            raise ValueError(f"delay must be >= 0 seconds, got {delay!r}")
        now = time.time() if now is None else now
        text = json.dumps(error_dict(error), default=str)
        unique = uuid.uuid4().hex
        self._call(lambda: self._scripts["nack"](
            keys=[self.stream, self.delayed],
            args=[self.group, str(id), repr(now + delay), text, unique, str(int(count))]))
        self._release([str(id)])

    def dead(self, id: JobId, error: Any = None) -> None:
        text = json.dumps(error_dict(error), default=str)
        self._call(lambda: self._scripts["dead"](
            keys=[self.stream, self.dead_stream, self.meta],
            args=[self.group, str(id), text, self.destination]))
        self._release([str(id)])

    def recover(self) -> int:
        """How many entries of dead consumers wait to be reclaimed (by :meth:`reserve`).

        Unlike the SQLite queue (one runner per file), other consumers may be alive: only
        leases idle longer than the visibility timeout are taken over, and only when this
        consumer reserves.
        """
        idle_ms = int(self.visibility_timeout * 1000)
        pending = self._call(lambda: self.redis.xpending_range(
            self.stream, self.group, min="-", max="+", count=10_000, idle=idle_ms))
        self._last_claim = 0.0
        return len(pending)

    def stats(self) -> QueueStats:
        def read() -> QueueStats:
            pipe = self.redis.pipeline(transaction=False)
            pipe.xlen(self.stream)
            pipe.xpending(self.stream, self.group)
            pipe.zcard(self.delayed)
            pipe.hmget(self.meta, ["acked", "dead"])
            length, pending, delayed, (acked, dead) = pipe.execute()
            in_flight = int(pending["pending"]) if pending else 0
            return QueueStats(ready=max(length - in_flight, 0) + delayed, in_flight=in_flight,
                              dead=int(dead or 0), acked=int(acked or 0))
        return self._call(read)

    def next_available_at(self) -> float | None:
        def read() -> float | None:
            pipe = self.redis.pipeline(transaction=False)
            pipe.xinfo_groups(self.stream)
            pipe.zrange(self.delayed, 0, 0, withscores=True)
            groups, first = pipe.execute()
            for group in groups:
                if _text(group["name"]) == self.group and int(group.get("lag") or 0) > 0:
                    return time.time()
            return float(first[0][1]) if first else None
        return self._call(read)

    def dead_letters(self) -> Iterator[DeadLetter]:
        last = "-"
        while True:
            entries = self._call(lambda: self.redis.xrange(self.dead_stream, min=last, count=500))
            entries = [e for e in entries if _text(e[0]) != last]
            if not entries:
                return
            for entry_id, fields in entries:
                if (fields.get(b"destination") or b"").decode() != self.destination:
                    continue
                error = json.loads((fields.get(b"error") or b"{}").decode())
                yield DeadLetter(id=_text(entry_id), body=fields[b"body"].decode(),
                                 attempts=int(fields.get(b"attempts") or 0),
                                 first_seen=float(fields.get(b"first_seen") or 0.0),
                                 error=error_dict(error))
            last = _text(entries[-1][0])

    def redrive(self, error_class: str | None = None, status: int | None = None,
                now: float | None = None, limit: int | None = None) -> int:
        now = time.time() if now is None else now
        return int(self._call(lambda: self._scripts["redrive"](
            keys=[self.dead_stream, self.stream, self.meta],
            args=[self.destination, repr(now), error_class or "",
                  "" if status is None else str(status), limit or 2**31])))

    def set_input_offset(self, path: str, offset: int, line: int = 1, skip: int = 0,
                         done: bool = False) -> None:
        if offset < 0:
            raise ValueError(f"offset must be >= 0, got {offset!r}")
        self._call(lambda: self.redis.hset(self.meta, f"input:{path}",
                                           json.dumps([offset, line, skip, bool(done)])))

    def add_input(self, path: str, info: str) -> None:
        def write() -> None:
            pipe = self.redis.pipeline(transaction=True)
            pipe.hsetnx(self.meta, f"input:{path}", json.dumps([0, 1, 0, False]))
            pipe.hset(self.meta, f"info:input:{path}", info)
            pipe.execute()
        self._call(write)

    def input_offsets(self) -> dict[str, InputOffset]:
        raw = self._call(lambda: self.redis.hgetall(self.meta))
        offsets = {}
        for key, value in raw.items():
            name = key.decode()
            if name.startswith("input:"):
                offset, line, skip, done = json.loads(value)
                path = name[len("input:"):]
                offsets[path] = InputOffset(path=path, offset=offset, line=line, skip=skip,
                                            done=bool(done))
        return offsets

    def set_info(self, key: str, value: str | None) -> None:
        if value is None:
            self._call(lambda: self.redis.hdel(self.meta, f"info:{key}"))
        else:
            self._call(lambda: self.redis.hset(self.meta, f"info:{key}", str(value)))

    def get_info(self, key: str) -> str | None:
        value = self._call(lambda: self.redis.hget(self.meta, f"info:{key}"))
        return None if value is None else value.decode()

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
        return f"RedisQueue({_safe(self.url)!r}, destination={self.destination!r})"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _safe(url: str) -> str:
    """``url`` with any password masked."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        user = parts.username or ""
        return urlunsplit((parts.scheme, f"{user}:***@{host}{port}", parts.path, parts.query,
                           ""))
    return url
