"""Delivering the server's queue: one :class:`DestinationWorker` per destination.

Each destination has its own dispatcher thread, its own ``concurrency`` workers (greenlets of one
thread, or threads with ``worker_mode = "threads"``: :mod:`framework.runner.workers`), its own
integration instance (settings from the config) and its own backoff, and reserves only its own
jobs (``reserve(n, destination=name)``), so a destination that is down or slow never delays
another: its jobs wait in the queue with their retry times while the others flow. Delivering a
unit of jobs, settling each (ack, retry with backoff, dead letter) and grouping jobs into units
is the runner's code (:class:`~framework.runner.delivery.Delivery`,
:func:`~framework.runner.units.units_of`), shared with ``framework send``.

Ordering: none is promised across messages. Jobs of one destination are reserved oldest first,
but several workers deliver at once and a failed job is retried later while newer ones go on.
"""

from __future__ import annotations

import logging
import queue as stdqueue
import threading
import time
from typing import Any, Callable, Mapping

from ..runner.delivery import Delivery
from ..runner.pacing import Backoff
from ..runner.queue import Job, Queue
from ..runner.summary import RunSummary, Tally
from ..runner.units import units_of
from ..runner.workers import Workers
from .config import DestinationConfig, ServerSettings

__all__ = ["DestinationWorker", "DeliveryPool"]

log = logging.getLogger("framework.server")

_TICK = 0.1
_IDLE = 0.5


class DestinationWorker:
    """Delivers one destination's jobs until stopped.

    Args:
        destination: Its config (name, settings, concurrency).
        integration: The integration class.
        queue: The server's queue.
        settings: Retry settings (``max_attempts``, ``max_age``, ``retry_delay``).
        clock: Epoch seconds now.
    """

    def __init__(self, destination: DestinationConfig, integration: type, queue: Queue,
                 settings: ServerSettings, clock: Callable[[], float] = time.time) -> None:
        self.name = destination.name
        self.concurrency = destination.concurrency or settings.concurrency
        self.integration: Any = integration(dict(destination.settings),
                                            pool_size=max(10, self.concurrency))
        self.queue = queue
        self.clock = clock
        spec = self.integration.spec() if hasattr(self.integration, "spec") else {}
        batch = spec.get("batch")
        self.batch = batch if batch and batch.get("implemented") else None
        self.summary = RunSummary(integration=destination.integration)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.delivery = Delivery(self.integration, queue, Tally(self.summary),
                                 Backoff(base=settings.retry_delay), clock,
                                 settings.max_attempts, settings.max_age, None,
                                 bool(self.batch), on_finished=lambda n: self._wake.set(),
                                 on_retry=self._wake.set)
        self._workers: Workers[list[Job]] = Workers(
            self._work, self.concurrency, settings.worker_mode, f"serve-{self.name}",
            on_crash=lambda exc: log.error("destination %s: the workers stopped: %r",
                                           self.name, exc))
        self._units = self._workers.units
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the dispatcher and the workers."""
        self._threads = [*self._workers.threads,
                         threading.Thread(target=self._dispatch, daemon=True,
                                          name=f"serve-{self.name}-dispatch")]
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        """New jobs were committed: look for them now."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop taking jobs, let deliveries in progress finish, write their acks.

        Jobs reserved but not started stay in flight in the queue; the next start hands them
        out again (:meth:`Queue.recover`).
        """
        self._stopping.set()
        self._wake.set()
        self._workers.stop(timeout)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
        self.delivery.flush_acks()
        close = getattr(self.integration, "close", None)
        if callable(close):
            close()

    def _dispatch(self) -> None:
        size = self.batch["size"] if self.batch else max(64, self.concurrency * 8)
        while not self._stopping.is_set():
            try:
                jobs = self.queue.reserve(size, now=self.clock(), destination=self.name)
            except Exception:  # the queue failed: keep serving, try again shortly
                log.exception("destination %s: cannot reserve jobs", self.name)
                self._stopping.wait(1.0)
                continue
            if time.monotonic() - self.delivery.last_flush >= _TICK:
                self.delivery.flush_acks()
            if jobs:
                for unit in units_of(jobs, self.concurrency, self.batch):
                    self._hand_out(unit)
                continue
            self.delivery.flush_acks()
            due = self.queue.next_available_at(self.name)
            wait = _IDLE if due is None else min(max(due - self.clock(), 0.001), _IDLE)
            self._wake.wait(wait)
            self._wake.clear()

    def _hand_out(self, unit: list[Job]) -> None:
        while not self._stopping.is_set():
            try:
                self._units.put(unit, timeout=_TICK)
                return
            except stdqueue.Full:
                if time.monotonic() - self.delivery.last_flush >= _TICK:
                    self.delivery.flush_acks()

    def _work(self) -> None:
        while True:
            unit = self._units.get()
            if unit is None:
                return
            try:
                self.delivery.deliver(unit)
            except Exception:  # the queue failed while settling: the jobs stay in flight
                log.exception("destination %s: cannot settle %d jobs", self.name, len(unit))


class DeliveryPool:
    """One :class:`DestinationWorker` per configured destination.

    Args:
        destinations: The destinations by name.
        integrations: Integration classes by slug.
        queue: The server's queue.
        settings: The ``[server]`` table.
        clock: Epoch seconds now.
    """

    def __init__(self, destinations: Mapping[str, DestinationConfig],
                 integrations: Mapping[str, type], queue: Queue, settings: ServerSettings,
                 clock: Callable[[], float] = time.time) -> None:
        self.queue = queue
        self.settings = settings
        self.clock = clock
        self.workers = {name: DestinationWorker(d, integrations[d.integration], queue,
                                                settings, clock)
                        for name, d in destinations.items()}
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> int:
        """Hand out again what an earlier run left in flight, then start every worker;
        returns how many jobs were recovered."""
        recovered = self.queue.recover()
        with self._lock:
            self._started = True
            for worker in self.workers.values():
                worker.start()
        return recovered

    def add(self, destination: DestinationConfig, integration: type) -> bool:
        """Deliver one more destination from now on (a trigger created while the server
        runs); False when it already has a worker."""
        with self._lock:
            if destination.name in self.workers:
                return False
            worker = DestinationWorker(destination, integration, self.queue, self.settings,
                                       self.clock)
            self.workers[destination.name] = worker
            if self._started:
                worker.start()
            return True

    def wake(self, destinations: Any) -> None:
        """Wake the workers of ``destinations`` (called after each commit)."""
        for name in destinations:
            worker = self.workers.get(name)
            if worker is not None:
                worker.wake()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop every worker (deliveries in progress finish; acks are written)."""
        with self._lock:
            self._started = False
            workers = list(self.workers.values())
        for worker in workers:
            worker._stopping.set()
        for worker in workers:
            worker.stop(timeout)

    def outcomes(self) -> dict[tuple[tuple[str, str], ...], float]:
        """Finished jobs by destination and outcome, as metric series."""
        series: dict[tuple[tuple[str, str], ...], float] = {}
        for name, worker in self.workers.items():
            summary = worker.summary
            for outcome, value in (("delivered", summary.delivered),
                                   ("skipped", summary.skipped),
                                   ("retry", summary.retries),
                                   ("dead", summary.dead_letters)):
                series[(("destination", name), ("outcome", outcome))] = value
        return series
