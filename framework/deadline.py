"""A total deadline per request attempt: connect, send and the whole response body.

Socket timeouts bound each single read, not an attempt: a server that drips one byte every
2 s never trips a 5 s read timeout and can hold a worker for minutes. So every attempt of
:meth:`framework.http.Request.end` runs inside :func:`attempt_deadline`, and the connection
layer registers each socket it uses with :meth:`Deadline.watch`. When the deadline passes, a
watchdog thread shuts the watched sockets down: the blocked read fails at once, and the
request layer, seeing :attr:`Deadline.expired`, reports a timeout. A deadline reaches the
watchdog with its first socket, so a layer that polls :meth:`Deadline.remaining` instead
(:mod:`framework.connection`) costs the watchdog nothing.

The contract for a connection layer (today :mod:`framework.transport`)::

    deadline = framework.deadline.current()      # None outside an attempt
    if deadline is not None:
        deadline.watch(sock)                     # before connecting or sending on ``sock``

A layer that cannot hand over its sockets can poll :meth:`Deadline.remaining` instead and
raise when it reaches 0.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import socket
import threading
import time
from typing import Callable, ContextManager

__all__ = ["Deadline", "attempt_deadline", "current"]

#: Per thread, and per worker of a cooperative hub (each greenlet has its own context).
_current: contextvars.ContextVar["Deadline | None"] = contextvars.ContextVar(
    "framework_deadline", default=None)


class Deadline:
    """A point in time by which one attempt must be over.

    Args:
        seconds: The budget from now.
        clock: Monotonic seconds (injectable for tests).
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = float(seconds)
        self.clock = clock
        self.at = clock() + self.seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._active = True
        self._watched = False  # handed to the watchdog (with the first socket)

    def remaining(self) -> float:
        """Seconds left (0 once passed)."""
        return max(0.0, self.at - self.clock())

    def watch(self, sock: socket.socket | None) -> None:
        """Shut ``sock`` down when the deadline passes (at once if it has passed)."""
        if sock is None:
            return
        with self._lock:
            if sock not in self._sockets:
                self._sockets.append(sock)
            late = self.expired or self.remaining() <= 0
            first, self._watched = not self._watched, True
        if late:
            self.expire()
        elif first:
            _WATCHDOG.add(self)

    def expire(self) -> None:
        """Mark the deadline passed and shut every watched socket down."""
        with self._lock:
            if not self._active:
                return
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _finish(self) -> None:
        with self._lock:
            self._active = False
            self._sockets = []


class _Watchdog:
    """One daemon thread that expires deadlines in time order."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        when = time.monotonic() + deadline.remaining()
        with self._cond:
            earliest = not self._heap or when < self._heap[0][0]
            heapq.heappush(self._heap, (when, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="attempt-deadlines",
                                                daemon=True)
                self._thread.start()
            if earliest:  # the watchdog sleeps until the head; wake it only for a new head
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                when, _, deadline = self._heap[0]
                wait = when - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            if deadline._active:
                deadline.expire()


_WATCHDOG = _Watchdog()


def attempt_deadline(seconds: float | None) -> ContextManager[Deadline | None]:
    """Run one attempt within ``seconds`` (``None``: no deadline); see the module docstring.

    Use it as ``with attempt_deadline(5.0) as deadline:``; ``deadline`` is the
    :class:`Deadline` (also returned by :func:`current` in this thread or cooperative worker),
    or ``None``.
    """
    return _Attempt(seconds)


class _Attempt:
    """The context manager of :func:`attempt_deadline` (a class: one is made per request,
    and a generator-based one costs twice as much)."""

    __slots__ = ("seconds", "deadline", "token")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.deadline: Deadline | None = None
        self.token: contextvars.Token[Deadline | None] | None = None

    def __enter__(self) -> Deadline | None:
        if self.seconds is None:
            return None
        self.deadline = Deadline(self.seconds)
        self.token = _current.set(self.deadline)
        return self.deadline

    def __exit__(self, *exc_info: object) -> None:
        if self.deadline is not None:
            self.deadline._finish()
        if self.token is not None:
            _current.reset(self.token)


def current() -> Deadline | None:
    """The deadline of the attempt running in this thread (or cooperative worker), or
    ``None``."""
    return _current.get()
