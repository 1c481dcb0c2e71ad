"""The workers that deliver units of jobs: greenlets of one hub thread, or a thread each.

``framework send``/``work`` (:class:`~framework.runner.runner.Runner`) and the server's
destinations (:class:`~framework.server.delivery.DestinationWorker`) both hand units of jobs
to ``concurrency`` workers through a bounded queue; :class:`Workers` makes both, in either
mode:

* ``"cooperative"`` (the default): the workers are greenlets of one
  :class:`~framework.cooperative.Hub` thread. Each switches out while its request waits for
  the network, so 256 deliveries in progress cost about what 16 do, without a thread hand-over
  per response. Everything the framework's HTTP layer does cooperates; code that blocks in its
  own way (a database driver, a client library with its own sockets) holds every worker of the
  hub while it waits.
* ``"threads"``: a thread per worker, for integrations that block in code of their own.
"""

from __future__ import annotations

import queue as stdqueue
import threading
from typing import Callable, Generic, TypeVar

from ..cooperative import Channel, Hub

__all__ = ["Workers", "WORKER_MODES", "check_worker_mode"]

#: The worker modes; the first is the default.
WORKER_MODES = ("cooperative", "threads")

T = TypeVar("T")


def check_worker_mode(mode: str, field: str = "worker_mode") -> str:
    """``mode`` when it is one of :data:`WORKER_MODES`.

    Raises:
        ValueError: Naming ``field`` and the modes there are.
    """
    if mode not in WORKER_MODES:
        raise ValueError(f"{field} must be one of {', '.join(WORKER_MODES)}, got {mode!r}")
    return mode


class Workers(Generic[T]):
    """``concurrency`` workers each running ``work()``, and the queue of units they read.

    Args:
        work: What each worker runs: it reads :attr:`units` until it gets ``None``.
        concurrency: How many workers.
        mode: One of :data:`WORKER_MODES`.
        name: The thread names: ``{name}-{n}`` per thread, ``{name}s`` for a hub's thread.
        on_crash: Called with what a hub let out (``work`` should let nothing out).

    Attributes:
        units: A bounded queue (``2 * concurrency``) any thread may put units into; a
            :class:`~framework.cooperative.Channel` in cooperative mode.
        threads: The threads to start and join.
    """

    def __init__(self, work: Callable[[], None], concurrency: int, mode: str, name: str,
                 on_crash: Callable[[BaseException], None] = lambda exc: None) -> None:
        self.mode = check_worker_mode(mode)
        self.concurrency = concurrency
        self._work = work
        self._on_crash = on_crash
        self.hub: Hub | None = None
        self.units: stdqueue.Queue[T | None]
        if mode == "threads":
            self.units = stdqueue.Queue(concurrency * 2)
            self.threads = [threading.Thread(target=work, name=f"{name}-{n}", daemon=True)
                            for n in range(concurrency)]
        else:
            self.hub = Hub()
            self.units = Channel(concurrency * 2, self.hub)
            self.threads = [threading.Thread(target=self._run_hub, name=f"{name}s",
                                             daemon=True)]

    def start(self) -> None:
        """Start the threads."""
        for thread in self.threads:
            thread.start()

    def stop(self, timeout: float = 0.0) -> None:
        """Let each worker return once its unit in hand is done: units not started yet are
        dropped (their jobs stay in flight in the queue, so a resume hands them out again),
        and one ``None`` per worker takes their place, each put waiting up to ``timeout``."""
        while True:
            try:
                self.units.get_nowait()
            except stdqueue.Empty:
                break
        for _ in range(self.concurrency):
            try:
                self.units.put(None, timeout=timeout)
            except stdqueue.Full:  # pragma: no cover - a worker put units back meanwhile
                break

    def _run_hub(self) -> None:
        assert self.hub is not None
        try:
            self.hub.run([self._work] * self.concurrency)
        except BaseException as exc:  # a worker let something out: say so, do not hang
            self._on_crash(exc)
