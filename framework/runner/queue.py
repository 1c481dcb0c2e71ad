"""The queue interface the runner delivers from, and the records it hands out.

A queue holds every message between the moment it is read and the moment it is delivered or
dead-lettered. The runner only needs these operations, so any engine that implements them can
stand behind ``framework send`` (the default is
:class:`~framework.runner.sqlite_queue.SQLiteQueue`)::

    put(messages) -> ids        store messages, ready at once
    reserve(n) -> [Job]         take up to n ready jobs, marking them in flight
    ack(ids)                    delivered: forget them
    nack(id, delay, error)      failed, retryable: ready again after ``delay`` seconds
    dead(id, error)             failed for good: keep as a dead letter
    recover()                   after a crash: in-flight jobs become ready again

The server (``framework serve``) stores one job per message per destination: it calls
``fan_out(messages, destinations, dedupe=source)``, which also drops messages whose
``messageId`` the same source sent within the last 24 hours, and its workers reserve with
``reserve(n, destination=name)``. ``framework send`` leaves the destination empty.

Delivery is at-least-once: a job reserved but never acked (the process was killed) is handed
out again after :meth:`Queue.recover`, so it may be delivered twice.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Union

from .. import jsoncodec
from ..errors import QueueError

__all__ = ["DEFAULT_VISIBILITY_TIMEOUT", "Job", "JobId", "DeadLetter", "InputOffset",
           "QueueStats", "FanOut", "Queue", "QueueError", "error_dict", "encode", "ids_of",
           "DEDUPE_WINDOW"]

#: How long (seconds) a source's ``messageId`` is remembered by :meth:`Queue.fan_out`: 24 h.
DEDUPE_WINDOW = 24 * 3600.0

#: What :meth:`Queue.put` accepts for one message: a dict, or its JSON text.
MessageLike = Union[Mapping[str, Any], str]

#: Seconds a reserved job stays leased to its consumer before another may take it over
#: (``--visibility-timeout``; the Redis engine's visibility timeout).
DEFAULT_VISIBILITY_TIMEOUT = 60.0

#: A job's id: opaque to the runner (SQLite ids are integers, Redis stream ids strings).
JobId = Union[int, str]


@dataclass(frozen=True)
class Job:
    """One queued message handed out by :meth:`Queue.reserve`.

    Attributes:
        id: The queue's id for the job, opaque (an ``int`` in SQLite, a stream id ``str`` in
            Redis); valid until the job is acked, nacked or dead-lettered.
        body: The message as JSON text, exactly as it was queued.
        attempts: How many delivery attempts have failed so far.
        first_seen: When the message was queued (epoch seconds), for a maximum age.
        available_at: When the job became ready (epoch seconds).
        last_error: The error of the last failed attempt as a dict, or ``None``.
        destination: The destination the job is for (``""`` for ``framework send``'s jobs).
    """

    id: JobId
    body: str
    attempts: int = 0
    first_seen: float = 0.0
    available_at: float = 0.0
    last_error: dict[str, Any] | None = None
    destination: str = ""

    def message(self) -> dict[str, Any]:
        """The message as a dict (parsed from :attr:`body` on each call)."""
        return jsoncodec.loads(self.body, max_depth=None)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class DeadLetter:
    """A message that will not be delivered, with the error that decided it.

    Attributes:
        id: The queue's id for the job.
        body: The message as JSON text.
        attempts: How many delivery attempts failed.
        first_seen: When the message was queued (epoch seconds).
        error: The error as a dict: at least ``class``, ``code``, ``status`` and ``message``.
    """

    id: JobId
    body: str
    attempts: int
    first_seen: float
    error: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The dead letter as one NDJSON-ready record: the message and why it failed."""
        return {"id": self.id, "attempts": self.attempts, "first_seen": self.first_seen,
                "error": self.error, "message": jsoncodec.loads(self.body, max_depth=None)}


@dataclass(frozen=True)
class InputOffset:
    """How far an input has been read, so that a resumed run continues from there.

    Attributes:
        path: The input's path as given on the command line (``-`` for stdin).
        offset: The byte offset to resume reading at (a record boundary).
        line: The line number at ``offset`` (1-based), for error messages after a resume.
        skip: How many messages of the record at ``offset`` were already queued (a batch body
            expands to many messages).
        done: Whether the input has been read to its end.
    """

    path: str
    offset: int = 0
    line: int = 1
    skip: int = 0
    done: bool = False


@dataclass(frozen=True)
class QueueStats:
    """Counts of jobs by state.

    Attributes:
        ready: Jobs waiting for a delivery attempt (including those scheduled for later).
        in_flight: Jobs reserved and neither acked, nacked nor dead-lettered yet.
        dead: Dead letters.
        acked: Jobs delivered (acked) over the queue's whole life.
    """

    ready: int = 0
    in_flight: int = 0
    dead: int = 0
    acked: int = 0

    @property
    def pending(self) -> int:
        """Jobs not finished yet: ready or in flight."""
        return self.ready + self.in_flight


@dataclass(frozen=True)
class FanOut:
    """What :meth:`Queue.fan_out` stored.

    Attributes:
        accepted: Messages stored (each once per destination).
        duplicates: Messages left out: their ``messageId`` was already accepted from the same
            source within the dedupe window (or earlier in the same call).
        jobs: Jobs created: ``accepted`` times the number of destinations.
    """

    accepted: int = 0
    duplicates: int = 0
    jobs: int = 0


def encode(message: MessageLike) -> str:
    """A message as compact JSON text (a ``str`` is taken to be JSON text already)."""
    if isinstance(message, str):
        return message
    if type(message) is not dict and not isinstance(message, Mapping):
        raise TypeError(f"message must be a dict or JSON text, got {type(message).__name__}")
    return jsoncodec.dumps(message)


def error_dict(error: Any) -> dict[str, Any]:
    """Normalise what a failed attempt raised to the dict stored with the job.

    Args:
        error: A ``framework.errors.IntegrationError`` (anything with ``to_dict()``), another
            exception, a mapping, a string or ``None``.

    Returns:
        A dict with at least ``class``, ``code``, ``status`` and ``message``.
    """
    if error is None:
        return {"class": None, "code": None, "status": None, "message": ""}
    if hasattr(error, "to_dict"):
        data = dict(error.to_dict())
    elif isinstance(error, Mapping):
        data = dict(error)
    elif isinstance(error, BaseException):
        data = {"class": type(error).__name__, "message": str(error)}
    else:
        data = {"message": str(error)}
    for key in ("class", "code", "status", "message"):
        data.setdefault(key, None)
    return data


class Queue(abc.ABC):
    """A durable queue of messages awaiting delivery.

    Implementations must be safe to call from several threads at once. Times are epoch seconds;
    every method that depends on the clock takes an optional ``now`` so tests need no sleeps.
    """

    @abc.abstractmethod
    def put(self, messages: Iterable[MessageLike], source: InputOffset | None = None,
            now: float | None = None, *, destination: str = "") -> list[JobId]:
        """Store messages, ready at once, in one transaction.

        Args:
            messages: Dicts or JSON texts.
            source: When given, the input offset reached once these messages are read; it is
                recorded in the same transaction, so a crash never records an offset whose
                messages were not stored.
            now: The time to record as ``first_seen`` and ``available_at``.
            destination: The destination the jobs are for (see :meth:`fan_out`).

        Returns:
            The new jobs' ids, in the order of ``messages``.
        """

    @abc.abstractmethod
    def reserve(self, n: int, now: float | None = None, lease: float = 300.0, *,
                destination: str | None = None) -> list[Job]:
        """Take up to ``n`` ready jobs whose ``available_at <= now``, oldest first.

        The jobs are marked in flight until acked, nacked, dead-lettered or recovered. With
        ``destination``, only that destination's jobs are taken.
        """

    def fan_out(self, messages: Sequence[Mapping[str, Any]], destinations: Sequence[str], *,
                dedupe: str | None = None, window: float = DEDUPE_WINDOW,
                now: float | None = None) -> FanOut:
        """Store each message once per destination, in one transaction (all or nothing).

        Args:
            messages: The messages (dicts with a ``messageId``).
            destinations: The destination names; each gets its own job per message.
            dedupe: The source's name: messages whose ``messageId`` it sent within ``window``
                seconds (or earlier in this call) are left out, the others remembered.
            window: Seconds a ``messageId`` is remembered.
            now: The time to record.

        Returns:
            The counts of what was stored.
        """
        raise NotImplementedError(f"{type(self).__name__} does not store per-destination jobs")

    @abc.abstractmethod
    def ack(self, ids: Iterable[JobId]) -> None:
        """Mark jobs delivered; they leave the queue."""

    @abc.abstractmethod
    def nack(self, id: JobId, delay: float = 0.0, error: Any = None,
             now: float | None = None, count: bool = True) -> None:
        """Put a job back to ready after ``delay`` seconds, counting one more failed attempt
        (unless ``count`` is false: nothing was sent, e.g. the destination rests)."""

    @abc.abstractmethod
    def dead(self, id: JobId, error: Any = None) -> None:
        """Keep a job as a dead letter with its error (see :func:`error_dict`)."""

    @abc.abstractmethod
    def recover(self) -> int:
        """Return every in-flight job to ready (after a crash); returns how many."""

    @abc.abstractmethod
    def stats(self) -> QueueStats:
        """Counts of jobs by state."""

    @abc.abstractmethod
    def dead_letters(self) -> Iterator[DeadLetter]:
        """Every dead letter, oldest first."""

    @abc.abstractmethod
    def set_input_offset(self, path: str, offset: int, line: int = 1, skip: int = 0,
                         done: bool = False) -> None:
        """Record how far the input at ``path`` has been read."""

    @abc.abstractmethod
    def input_offsets(self) -> dict[str, InputOffset]:
        """Every recorded input offset, by path."""

    def add_input(self, path: str, info: str) -> None:
        """Record an input about to be read: at offset 0 (unless it is recorded already), with
        ``info`` (how to read it) kept as ``input:PATH``.

        Durable engines do both in one transaction, so an input is never known by one record
        and not the other: a run killed before its first message was stored still leaves an
        unfinished input for ``--resume`` to read.
        """
        if path not in self.input_offsets():
            self.set_input_offset(path, 0)
        self.set_info(f"input:{path}", info)

    def next_available_at(self, destination: str | None = None) -> float | None:
        """When the next ready job (of ``destination``, when given) becomes available, or
        ``None`` when none is ready."""
        return None

    def redrive(self, error_class: str | None = None, status: int | None = None,
                now: float | None = None, limit: int | None = None) -> int:
        """Move dead letters back into the queue, ready at once with a fresh attempt count.

        Args:
            error_class: Only dead letters whose error has this ``class`` (``HTTPError``).
            status: Only dead letters whose error has this HTTP ``status``.
            now: The time they become ready (and their new ``first_seen``, so the maximum age
                counts from the redrive).
            limit: At most this many.

        Returns:
            How many were moved.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot redrive dead letters")

    def set_info(self, key: str, value: str | None) -> None:
        """Keep a small text value with the queue (the runner records how it was filled, so
        that ``--resume`` needs nothing else); ``None`` removes it.

        The default keeps it in memory only; durable engines override both methods.
        """
        info = self.__dict__.setdefault("_info", {})
        if value is None:
            info.pop(key, None)
        else:
            info[key] = str(value)

    def get_info(self, key: str) -> str | None:
        """The value kept by :meth:`set_info`, or ``None``."""
        value: str | None = self.__dict__.get("_info", {}).get(key)
        return value

    def close(self) -> None:
        """Release the queue's resources; the queue must not be used afterwards."""

    def __enter__(self) -> "Queue":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def ids_of(jobs: Sequence[Job]) -> list[JobId]:
    """The ids of ``jobs``, for :meth:`Queue.ack`."""
    return [job.id for job in jobs]
