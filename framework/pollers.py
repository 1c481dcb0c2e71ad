"""What a :class:`~framework.cooperative.Hub` waits on: which waiting worker's socket is ready.

A worker waits for one socket at a time, and a hub waits for thousands of sockets a second, so
the cost of one wait matters. :class:`EpollPoller` (Linux) arms each socket for one event
(``EPOLLONESHOT``): a wait is one ``epoll_ctl`` call, where registering and unregistering with
:mod:`selectors` is two, plus its bookkeeping in Python. :class:`SelectorPoller` does the same
with :mod:`selectors` wherever there is no epoll.
"""

from __future__ import annotations

import select
import selectors
from typing import Generic, Protocol, TypeVar

__all__ = ["Poller", "EpollPoller", "SelectorPoller", "make_poller", "READ", "WRITE"]

READ = selectors.EVENT_READ
WRITE = selectors.EVENT_WRITE

W = TypeVar("W")


class Poller(Protocol[W]):
    """Ready sockets, one waiter each."""

    def arm(self, fd: int, events: int, waiter: W) -> None:
        """Report ``waiter`` once ``fd`` is ready for ``events`` (:data:`READ`, :data:`WRITE`)."""

    def disarm(self, fd: int) -> None:
        """Forget the waiter of ``fd`` (it stopped waiting)."""

    def poll(self, timeout: float | None) -> list[W]:
        """The waiters whose sockets are ready, waiting up to ``timeout`` seconds for one
        (``None``: no limit); each is reported once per :meth:`arm`."""

    def close(self) -> None:
        """Release the poller's own file descriptor."""


class EpollPoller(Generic[W]):
    """:class:`Poller` over ``epoll``, one-shot: a socket fires once per :meth:`arm`."""

    def __init__(self) -> None:
        self._epoll = select.epoll()
        self._waiters: dict[int, W] = {}

    def arm(self, fd: int, events: int, waiter: W) -> None:
        mask = select.EPOLLONESHOT
        if events & READ:
            mask |= select.EPOLLIN
        if events & WRITE:
            mask |= select.EPOLLOUT
        try:
            self._epoll.modify(fd, mask)
        except FileNotFoundError:  # not registered yet (or closed since, and the fd reused)
            self._epoll.register(fd, mask)
        self._waiters[fd] = waiter

    def disarm(self, fd: int) -> None:
        # still armed in the kernel: if it fires, poll() finds no waiter and drops the event
        self._waiters.pop(fd, None)

    def poll(self, timeout: float | None) -> list[W]:
        events = self._epoll.poll(-1 if timeout is None else timeout)
        pop = self._waiters.pop
        ready = []
        for fd, _ in events:
            waiter = pop(fd, None)
            if waiter is not None:
                ready.append(waiter)
        return ready

    def close(self) -> None:
        self._epoll.close()


class SelectorPoller(Generic[W]):
    """:class:`Poller` over :mod:`selectors` (registered per wait)."""

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()

    def arm(self, fd: int, events: int, waiter: W) -> None:
        self._selector.register(fd, events, waiter)

    def disarm(self, fd: int) -> None:
        try:
            self._selector.unregister(fd)
        except KeyError:  # reported by poll() already
            pass

    def poll(self, timeout: float | None) -> list[W]:
        ready = []
        for key, _ in self._selector.select(timeout):
            self._selector.unregister(key.fd)
            ready.append(key.data)
        return ready

    def close(self) -> None:
        self._selector.close()


def make_poller() -> "Poller[W]":
    """The fastest poller this platform has."""
    if hasattr(select, "epoll"):
        return EpollPoller()
    return SelectorPoller()  # pragma: no cover - exercised on Linux by the tests directly
