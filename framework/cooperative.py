"""Cooperative workers: many deliveries in one thread, each switching out while it waits.

A worker thread per outstanding request costs the interpreter a lock hand-over (and the kernel
a context switch) every time one of them wakes up; at 256 outstanding requests that is most of
a delivery's CPU. A :class:`Hub` runs the same synchronous worker code in greenlets instead: a
worker that must wait for a socket (:func:`wait_socket`), for time (:func:`sleep`) or for work
(:class:`Channel`) hands control to the hub, which runs whichever worker can go on and, when
none can, waits for all their sockets at once with one ``select``.

Nothing is patched: only the code that asks for it cooperates. The lean connection layer
(:mod:`framework.connection`) does; so do the runner's unit channel and :func:`sleep`. Anything
else that blocks (the urllib3 path for proxies and streamed uploads, a queue on a remote
Redis, an integration's own blocking I/O) still works, but holds every worker of its hub while
it waits, like a long computation would. Outside a hub every function here behaves like its
blocking counterpart, so the same code runs in plain threads.

Workers share one thread, so a lock must never be held across a wait: the framework's locks
guard a few statements each, never a request.
"""

from __future__ import annotations

import heapq
import itertools
import queue as stdqueue
import selectors
import socket
import threading
import time
from collections import deque
from typing import Any, Callable, Generic, TypeVar

import greenlet

from .pollers import READ, WRITE, Poller, make_poller

__all__ = ["Hub", "Channel", "current", "sleep", "wait_socket", "READ", "WRITE"]


T = TypeVar("T")

_local = threading.local()


def current() -> "Hub | None":
    """The hub the calling code runs under as one of its workers, or ``None``."""
    hub: Hub | None = getattr(_local, "hub", None)
    if hub is None or greenlet.getcurrent() is hub._root:
        return None
    return hub


def sleep(seconds: float) -> None:
    """Wait ``seconds``: a worker of a hub lets the others run, anything else ``time.sleep``."""
    hub = current()
    if hub is None:
        time.sleep(seconds)
    else:
        hub.sleep(seconds)


def wait_socket(sock: socket.socket, events: int, timeout: float | None) -> bool:
    """Wait until ``sock`` is ready for ``events`` (:data:`READ`, :data:`WRITE`).

    Returns:
        ``False`` when ``timeout`` seconds passed first (``None``: no limit).
    """
    hub = current()
    if hub is None:
        with selectors.DefaultSelector() as selector:
            selector.register(sock, events)
            return bool(selector.select(timeout))
    return hub.wait(sock, events, timeout)


class _Timer:
    __slots__ = ("worker", "cancelled")

    def __init__(self, worker: greenlet.greenlet) -> None:
        self.worker = worker
        self.cancelled = False


class Hub:
    """Runs workers as greenlets in the thread that calls :meth:`run`.

    A worker runs until it waits (:meth:`wait`, :meth:`sleep`, an empty :class:`Channel`) or
    returns; then the hub runs the next one that is ready. When none is, it sleeps in one poll
    (:mod:`framework.pollers`) of every socket its workers wait for, until one is ready, a
    worker's timeout is due, or another thread calls :meth:`wake`. A hub runs once.
    """

    def __init__(self) -> None:
        self._poller: Poller[greenlet.greenlet | None] = make_poller()
        self._ready: deque[tuple[greenlet.greenlet, bool]] = deque()
        self._timers: list[tuple[float, int, _Timer]] = []
        self._cancelled = 0  # cancelled timers still in the heap
        self._sequence = itertools.count()
        self._waiting: dict[greenlet.greenlet, _Timer | None] = {}
        self._readers: list[tuple[greenlet.greenlet, Channel[Any]]] = []
        self._channels: list[Channel[Any]] = []
        self._workers: set[greenlet.greenlet] = set()
        self._errors: list[BaseException] = []
        self._root: greenlet.greenlet | None = None
        self._selecting = False
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)

    @property
    def workers(self) -> int:
        """Workers that have not returned yet."""
        return len(self._workers)

    def run(self, workers: list[Callable[[], None]]) -> None:
        """Run every callable in ``workers`` as a worker until all of them have returned.

        Raises:
            BaseException: The first exception a worker let out (after the others ended).
        """
        self._root = greenlet.getcurrent()
        _local.hub = self
        try:
            for work in workers:
                worker = greenlet.greenlet(self._guarded(work), parent=self._root)
                self._workers.add(worker)
                self._ready.append((worker, True))
            while self._workers:
                self._run_ready()
                if self._workers:
                    self._poll()
        finally:
            _local.hub = None
            self._poller.close()
            self._wake_r.close()
            self._wake_w.close()
        if self._errors:
            raise self._errors[0]

    def _guarded(self, work: Callable[[], None]) -> Callable[[], None]:
        def worker(_started: object = None) -> None:
            try:
                work()
            except BaseException as exc:  # reported by run(), once the others are done
                self._errors.append(exc)
            finally:
                self._workers.discard(greenlet.getcurrent())
        return worker

    def _run_ready(self) -> None:
        ready = self._ready
        while ready:
            worker, value = ready.popleft()
            worker.switch(value)

    def _poll(self) -> None:
        self._selecting = True  # before looking at the channels: see wake()
        try:
            self._hand_over()
            if self._readers:  # only a parked reader needs waking by another thread
                self._poller.arm(self._wake_r.fileno(), READ, None)
            ready = self._poller.poll(0.0 if self._ready else self._next_due())
        finally:
            self._selecting = False
        for worker in ready:
            if worker is None:
                self._drain_wake()
            else:
                self._resume(worker, True)
        self._expire_timers()

    def _next_due(self) -> float | None:
        timers = self._timers
        while timers and timers[0][2].cancelled:
            heapq.heappop(timers)
            self._cancelled -= 1
        if not timers:
            return None
        return max(timers[0][0] - time.monotonic(), 0.0)

    def _expire_timers(self) -> None:
        timers = self._timers
        if not timers:
            return
        now = time.monotonic()
        while timers and (timers[0][2].cancelled or timers[0][0] <= now):
            _, _, timer = heapq.heappop(timers)
            if timer.cancelled:
                self._cancelled -= 1
            else:
                timer.cancelled = True  # out of the heap: not counted
                self._resume(timer.worker, False)

    def _resume(self, worker: greenlet.greenlet, value: bool) -> None:
        if worker in self._waiting:
            timer = self._waiting.pop(worker)
            if timer is not None and not timer.cancelled:
                self._cancel(timer)
            self._ready.append((worker, value))

    def _cancel(self, timer: _Timer) -> None:
        # Most waits end before their timeout, so most timers are cancelled long before they are
        # due; left in the heap, a 10 s read timeout at 5,000 waits a second would keep 50,000
        # of them. Once they are the majority, the heap is rebuilt without them.
        timer.cancelled = True
        self._cancelled += 1
        if self._cancelled > 256 and self._cancelled * 2 > len(self._timers):
            self._timers = [entry for entry in self._timers if not entry[2].cancelled]
            heapq.heapify(self._timers)
            self._cancelled = 0

    def _switch_out(self, timeout: float | None) -> bool:
        me = greenlet.getcurrent()
        timer = None
        if timeout is not None:
            timer = _Timer(me)
            heapq.heappush(self._timers, (time.monotonic() + timeout, next(self._sequence),
                                          timer))
        self._waiting[me] = timer
        assert self._root is not None
        return bool(self._root.switch())

    def wait(self, sock: socket.socket, events: int, timeout: float | None) -> bool:
        """Switch to the other workers until ``sock`` is ready (``False``: timed out).

        Called by a worker of this hub only (see :func:`wait_socket`).
        """
        fd = sock.fileno()
        self._poller.arm(fd, events, greenlet.getcurrent())
        try:
            return self._switch_out(timeout)
        finally:
            self._poller.disarm(fd)

    def sleep(self, seconds: float) -> None:
        """Switch to the other workers for ``seconds`` (a worker of this hub only)."""
        self._switch_out(max(seconds, 0.0))

    def wake(self) -> None:
        """From any thread: make the hub look at its channels again.

        A thread that adds an item and then finds the hub not selecting knows the hub has yet
        to look at the channels (it marks itself selecting before it looks), so only a hub
        already asleep in its poll needs the byte.
        """
        if self._selecting:
            try:
                self._wake_w.send(b"\0")
            except OSError:  # a byte is already waiting, or the hub has ended
                pass

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except OSError:
            pass
        self._hand_over()

    def _attach(self, channel: "Channel[Any]") -> None:
        self._channels.append(channel)

    def _read(self, channel: "Channel[Any]", timeout: float | None) -> None:
        """Park the calling worker until ``channel`` may have an item, or ``timeout``."""
        me = greenlet.getcurrent()
        self._readers.append((me, channel))
        try:
            self._switch_out(timeout)
        finally:
            try:
                self._readers.remove((me, channel))
            except ValueError:
                pass

    def _hand_over(self) -> None:
        """Let as many parked readers go on as their channels hold items."""
        if not self._readers:
            return
        available = {id(channel): channel.qsize() for channel in self._channels}
        for worker, channel in list(self._readers):
            if available.get(id(channel), 0) > 0:
                available[id(channel)] -= 1
                self._readers.remove((worker, channel))
                self._resume(worker, True)


class Channel(stdqueue.Queue, Generic[T]):  # type: ignore[type-arg]
    """A bounded, thread-safe queue into a hub's workers.

    Any thread may :meth:`put`; a worker of ``hub`` that calls :meth:`get` on an empty channel
    parks (the other workers go on) instead of blocking the hub's thread. Anyone else gets a
    plain :class:`queue.Queue`. (A worker of the hub must not ``put`` into a full channel: its
    readers could never run to make room.)

    Args:
        maxsize: Items held at most (``put`` blocks beyond; 0: no limit).
        hub: The hub whose workers read this channel.
    """

    def __init__(self, maxsize: int, hub: Hub) -> None:
        super().__init__(maxsize)
        self.hub = hub
        hub._attach(self)

    def put(self, item: T, block: bool = True, timeout: float | None = None) -> None:
        super().put(item, block, timeout)
        self.hub.wake()

    def get(self, block: bool = True, timeout: float | None = None) -> T:
        hub = current()
        if hub is not self.hub or not block:
            item: T = super().get(block, timeout)
            return item
        until = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                got: T = super().get_nowait()
                return got
            except stdqueue.Empty:
                left = None if until is None else until - time.monotonic()
                if left is not None and left <= 0:
                    raise
            hub._read(self, left)
