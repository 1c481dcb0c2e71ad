"""The leases a Redis queue consumer holds, and the thread that keeps them alive.

A reserved stream entry is leased for the queue's visibility timeout. While this process lives,
:class:`Leases` renews every entry it holds a third of that timeout apart, so a long delivery
keeps its claim; when the process dies, renewal stops, the leases lapse and other consumers
reclaim the entries.
"""

from __future__ import annotations

import threading
from typing import Callable, Iterable

__all__ = ["Leases"]


class Leases:
    """The entries held per destination, renewed in a daemon thread.

    Args:
        interval: Seconds between renewals (a third of the visibility timeout).
        renew: Renews ``(destination, entry ids)``; a failure (Redis away) is ignored, as the
            entries are then redelivered once their leases lapse.
        closed: Set when the queue closes; ends the thread.
    """

    def __init__(self, interval: float, renew: Callable[[str, list[str]], None],
                 closed: threading.Event) -> None:
        self.interval = interval
        self._renew = renew
        self._closed = closed
        self._held: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="redis-queue-leases")

    def start(self) -> None:
        """Start renewing."""
        self._thread.start()

    def hold(self, destination: str, entries: Iterable[str]) -> None:
        """Renew ``entries`` of ``destination`` from now on."""
        with self._lock:
            self._held.setdefault(destination, set()).update(entries)

    def release(self, destination: str, entries: Iterable[str]) -> None:
        """Stop renewing ``entries`` (acked, retried later or dead)."""
        with self._lock:
            self._held.get(destination, set()).difference_update(entries)

    def held(self) -> dict[str, list[str]]:
        """A copy of the entries held, by destination (destinations holding none left out)."""
        with self._lock:
            return {name: list(ids) for name, ids in self._held.items() if ids}

    def _run(self) -> None:
        while not self._closed.wait(self.interval):
            for name, entries in self.held().items():
                try:
                    self._renew(name, entries)
                except Exception:  # Redis away: leases may lapse; entries are redelivered
                    continue
