"""The runner: feed inputs into a durable queue and deliver from it with worker threads.

Three kinds of threads share one :class:`~framework.runner.queue.Queue`:

* the **feeder** reads the inputs in chunks of :data:`~framework.runner.feeder.CHUNK_SIZE`
  messages and stores each chunk with the input offset it reached, in one transaction, before
  anything is delivered. It pauses while more than ``backlog`` messages are pending, so memory
  stays flat however long the input;
* the **dispatcher** (the thread calling :meth:`Runner.run`) reserves ready jobs, groups them
  into batches for integrations that implement ``batch()``, hands them to the workers, and waits
  for scheduled retries;
* ``concurrency`` **workers** share one integration instance (a connection pool of at least
  ``concurrency``), call ``process()`` or ``process_batch()``, and settle each job: delivered or
  skipped jobs are acked (in groups), retryable failures go back to the queue with a backoff,
  everything else becomes a dead letter. The workers are greenlets of one thread by default,
  or a thread each (``worker_mode``, :mod:`framework.runner.workers`).

Delivery is at-least-once: messages handed out but not acked when the process dies (``kill -9``
included) are delivered again by a resumed run.

Retries go through the queue: the integration's own retry policy is switched off (unless
``integration_retries``), so a worker never sleeps in a backoff while other work waits; a failed
attempt is scheduled again with :class:`~framework.runner.pacing.Backoff` and the worker moves
on.

Stopping (:meth:`Runner.stop`, Ctrl-C or SIGTERM in the main thread) takes effect at once: no
more reading, dispatching or starting of messages. Attempts in progress get ``grace`` seconds;
after that (or at a second Ctrl-C/SIGTERM) they are abandoned: their jobs stay reserved, so a
resumed run delivers them, and the run ends with its acks flushed and a summary.
"""

from __future__ import annotations

import queue as stdqueue
import threading
import time
from typing import Any, Callable, Mapping

from .. import cooperative
from .collector import fewer_collections
from .delivery import Delivery
from .feeder import CHUNK_SIZE, Source
from .intake import Intake
from .pacing import Backoff, RateLimiter
from .progress import Progress
from .queue import Job, Queue
from .stopping import TICK, Stopping
from .summary import RunSummary, Tally
from .units import units_of
from .workers import WORKER_MODES, Workers, check_worker_mode

__all__ = ["Runner", "DEFAULT_CONCURRENCY", "DEFAULT_MAX_ATTEMPTS", "DEFAULT_MAX_AGE",
           "STOP_WHEN", "DEFAULT_GRACE", "DEFAULT_AUTH_FAILURE_LIMIT", "WORKER_MODES"]

DEFAULT_CONCURRENCY = 8
DEFAULT_MAX_ATTEMPTS = 8
#: Four hours, Segment's retry window for a message.
DEFAULT_MAX_AGE = 4 * 3600.0
#: Seconds attempts in progress may take to finish after a stop.
DEFAULT_GRACE = 3.0
#: Consecutive 401/403 answers after which the run stops (the credentials are wrong).
DEFAULT_AUTH_FAILURE_LIMIT = 10
_TICK = TICK
#: The values of ``Runner(stop_when=...)``.
STOP_WHEN = ("done", "empty", "stopped")


class Runner(Intake, Stopping):
    """Deliver messages through an integration from a durable queue.

    What to read (:meth:`feed`, :meth:`resume`) and the feeder thread come from
    :class:`~framework.runner.intake.Intake`; :meth:`stop`, signals and the shutdown from
    :class:`~framework.runner.stopping.Stopping`.

    Args:
        integration: An integration class (instantiated with ``settings`` and a connection pool
            of ``concurrency``) or an instance (used as it is, shared by the workers).
        settings: The settings, when ``integration`` is a class.
        queue: Where messages wait; e.g. ``SQLiteQueue(path)``.
        concurrency: Worker threads, i.e. deliveries in progress at once.
        max_attempts: Attempts per message (the first included) before a retryable failure
            becomes a dead letter.
        max_age: Seconds after it was queued past which a message is not retried any more.
        rate: At most this many messages per second (``None``: no limit).
        backoff: Delays between attempts (default :class:`Backoff` ``(1 s, 10 min)``).
        clock: Epoch seconds now (``time.time``); recorded in the queue, used for retries.
        sleep: Waits for a scheduled retry or a rate-limit slot; when given (tests with a fake
            clock) it replaces the real waiting, so a scheduled retry is reached at once.
        progress: Where to show progress and print input errors (default: nowhere).
        backlog: Pending messages above which the feeder pauses.
        chunk_size: Messages per ``put``.
        lease: Seconds a reserved job is leased (see :meth:`Queue.reserve`); for a Redis
            queue, its visibility timeout.
        stop_when: When :meth:`run` returns. ``"done"`` (``framework send``): once this run's
            inputs are read and every job the queue held is finished; counts are kept
            locally, so the queue must be this runner's alone. ``"empty"`` (``framework work
            --until-empty``; the queue may be shared by other processes): once the queue
            reports nothing pending (no new, delayed or in-flight job of any consumer) and
            nothing is being delivered here. ``"stopped"``: only at :meth:`stop`.
        deliver: ``False`` only reads the inputs into the queue (``framework send
            --enqueue-only``): no workers, no backlog pause; :meth:`run` returns once the
            inputs are read.
        grace: Seconds attempts in progress may take after a stop before they are abandoned.
        auth_failure_limit: Stop after this many consecutive 401/403 answers (0: never); the
            summary's ``credentials_refused`` is set and the rest stays queued.
        integration_retries: Keep the integration's own in-process retries (default: off; the
            queue retries instead).
        handle_signals: In the main thread, turn SIGINT/SIGTERM into :meth:`stop` (the second
            one abandons attempts in progress at once).
        worker_mode: ``"cooperative"``: the workers are greenlets sharing one thread (see the
            module docstring); ``"threads"``: a thread per worker.

    Example::

        with SQLiteQueue(":memory:") as queue:
            runner = Runner(load("webhooks"), {"hooks": [url]}, queue, concurrency=16)
            runner.feed("events.ndjson")
            summary = runner.run()
    """

    def __init__(self, integration: Any, settings: Mapping[str, Any] | None = None,
                 queue: Queue | None = None, *, concurrency: int = DEFAULT_CONCURRENCY,
                 max_attempts: int = DEFAULT_MAX_ATTEMPTS, max_age: float = DEFAULT_MAX_AGE,
                 rate: float | None = None, backoff: Backoff | None = None,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], None] | None = None,
                 progress: Progress | None = None, backlog: int = 10_000,
                 chunk_size: int = CHUNK_SIZE, lease: float = 300.0,
                 stop_when: str = "done", deliver: bool = True,
                 grace: float = DEFAULT_GRACE,
                 auth_failure_limit: int = DEFAULT_AUTH_FAILURE_LIMIT,
                 integration_retries: bool = False, handle_signals: bool = True,
                 worker_mode: str = WORKER_MODES[0]) -> None:
        if queue is None:
            raise TypeError("Runner needs a queue, e.g. SQLiteQueue('.framework/queue.sqlite3')")
        _check_positive("concurrency", concurrency)
        _check_positive("max_attempts", max_attempts)
        _check_positive("backlog", backlog)
        _check_positive("chunk_size", chunk_size)
        if not max_age > 0:
            raise ValueError(f"max_age must be > 0 seconds, got {max_age!r}")
        self.worker_mode = check_worker_mode(worker_mode)
        if stop_when not in STOP_WHEN:
            raise ValueError(f"stop_when must be one of {', '.join(STOP_WHEN)}, got "
                             f"{stop_when!r}")
        self.stop_when = stop_when
        self.deliver = deliver
        self._owned = isinstance(integration, type)
        if self._owned:
            integration = integration(settings, pool_size=max(10, concurrency))
        self.integration = integration
        policy = getattr(integration, "policy", None)
        if policy is not None and not integration_retries:
            policy.retries = 0
        self._policy = policy
        self._retried_before = getattr(policy, "retried", 0)
        self.queue = queue
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.max_age = float(max_age)
        self.backoff = backoff or Backoff()
        self._clock = clock or time.time
        self._sleep = sleep
        self.limiter = None if rate is None else RateLimiter(
            rate, clock=self._clock if sleep else time.monotonic, sleep=sleep or cooperative.sleep)
        self.progress = progress or Progress()
        self.backlog = backlog
        self.chunk_size = chunk_size
        self.lease = lease
        self.grace = float(grace)
        self.handle_signals = handle_signals
        spec = integration.spec() if hasattr(integration, "spec") else {}
        batch = spec.get("batch")
        self._batch = batch if batch and batch.get("implemented") else None
        slug = getattr(integration, "slug", None)
        self.summary = RunSummary(integration=slug() if callable(slug) else type(
            integration).__name__)
        self._tally = Tally(self.summary)
        self._sources: list[Source] = []
        self._cond = threading.Condition()
        self._wake = threading.Event()
        self._pending = 0
        self._busy = 0
        self._feeding = False
        self._stopping = threading.Event()
        self._force = threading.Event()
        self._abandoned = threading.Event()
        self._hold_until = 0.0
        self._signalled = ""
        self._fatal: BaseException | None = None
        self._delivery = Delivery(
            integration, queue, self._tally, self.backoff, self._clock, max_attempts,
            self.max_age, self.limiter, bool(self._batch), on_finished=self._finished,
            on_retry=self._wake.set, on_hold=self._hold, on_auth_failure=self._refused,
            stopping=self._stopping, abandoned=self._abandoned,
            auth_limit=auth_failure_limit)
        self._last_tick = 0.0
        self._workers: Workers[list[Job]] | None = None
        self._units: stdqueue.Queue[list[Job] | None] = stdqueue.Queue(concurrency * 2)
        self._ran = False
        self._start_pending = 0

    # -- running ---------------------------------------------------------------------------

    def _hold(self, until: float) -> None:
        """Hand out nothing before ``until`` (every destination rests)."""
        with self._cond:
            self._hold_until = max(self._hold_until, until)

    def run(self) -> RunSummary:
        """Read every input into the queue and deliver until the queue is empty (or
        :meth:`stop`).

        Returns:
            The :class:`RunSummary` (also kept as :attr:`summary`).

        Raises:
            Exception: A failure of the queue itself (a full disk...), after stopping the
                threads; the queue keeps every unfinished message.
        """
        if self._ran:
            raise RuntimeError("a Runner runs once; make a new one")
        self._ran = True
        with fewer_collections():  # see framework.runner.collector
            return self._run()

    def _run(self) -> RunSummary:
        started = time.perf_counter()
        self.summary.recovered = self.queue.recover()
        # a shared queue's pending count includes other consumers' work: count only ours
        self._pending = self.queue.stats().pending if self.stop_when == "done" else 0
        self._start_pending = self._pending
        if not self._sources and self.stop_when == "done":
            self.summary.expected = self._pending
        self._feeding = bool(self._sources)
        threads = self._worker_threads() if self.deliver else []
        if self._feeding:
            threads.append(threading.Thread(target=self._feed, name="send-feeder", daemon=True))
        previous = self._install_signals()
        for thread in threads:
            thread.start()
        try:
            self._dispatch()
        except KeyboardInterrupt:
            self.stop()
        finally:
            interrupted = self._stopping.is_set() or self._fatal is not None
            try:
                self._shutdown(threads)
            except KeyboardInterrupt:  # without our handler (not the main thread)
                self.stop(force=True)
                self._shutdown(threads)
            self._restore_signals(previous)
            if self._policy is not None:
                self.summary.integration_retries = self._policy.retried - self._retried_before
            self.summary.elapsed = max(time.perf_counter() - started, 1e-9)
            self.summary.msgs_per_s = self.summary.finished / self.summary.elapsed
            self.summary.interrupted = interrupted or self._fatal is not None
            self.progress.update(self.summary, self._pending)
            self.progress.close()
            if self._owned and hasattr(self.integration, "close"):
                self.integration.close()
        if self._fatal is not None:
            raise self._fatal
        return self.summary

    # -- the dispatcher --------------------------------------------------------------------

    def _dispatch(self) -> None:
        if not self.deliver:
            while self._feeding and not self._stopping.is_set() and self._fatal is None:
                self._tick()
                self._wake.wait(_TICK)
                self._wake.clear()
            return
        size = self._batch["size"] if self._batch else max(64, self.concurrency * 8)
        while not self._stopping.is_set() and self._fatal is None:
            self._tick()
            with self._cond:
                if self.stop_when == "done" and not self._feeding and self._pending <= 0:
                    return
                hold = self._hold_until - self._clock()
            if hold > 0:
                self._pause(hold)
                continue
            jobs = self.queue.reserve(size, now=self._clock(), lease=self.lease)
            if self._batch and jobs and len(jobs) < size:
                jobs += self._top_up(size - len(jobs))
            if jobs:
                for unit in units_of(jobs, self.concurrency, self._batch):
                    self._hand_out(unit)
                continue
            if self.stop_when == "empty" and self._queue_empty():
                return
            self._idle()

    def _queue_empty(self) -> bool:
        """Whether nothing is left anywhere: not read, not here, not in the queue."""
        with self._cond:
            if self._feeding or self._busy or not self._units.empty():
                return False
        self._delivery.flush_acks()
        return self.queue.stats().pending == 0

    def _top_up(self, missing: int) -> list[Job]:
        """More jobs for a partial batch, waiting up to ``max_wait`` while the feeder reads."""
        deadline = time.monotonic() + float(self._batch.get("max_wait") or 0)  # type: ignore
        extra: list[Job] = []
        while missing > 0 and self._feeding and not self._stopping.is_set() \
                and time.monotonic() < deadline:
            self._wake.wait(min(0.02, max(deadline - time.monotonic(), 0)))
            self._wake.clear()
            more = self.queue.reserve(missing, now=self._clock(), lease=self.lease)
            extra += more
            missing -= len(more)
        return extra

    def _hand_out(self, unit: list[Job]) -> None:
        while not self._stopping.is_set() and self._fatal is None:
            try:
                self._units.put(unit, timeout=_TICK)
                return
            except stdqueue.Full:
                self._tick()

    def _pause(self, seconds: float) -> None:
        """Every destination rests: wait (a scheduled sleep with a test clock)."""
        self._delivery.flush_acks()
        if self._sleep is not None:
            self._sleep(seconds)
            return
        self._wake.wait(min(seconds, _TICK))
        self._wake.clear()

    def _idle(self) -> None:
        """Nothing ready: wait for the feeder, a finished job, or the next scheduled retry."""
        self._delivery.flush_acks()
        self._tick()
        due = self.queue.next_available_at()
        if due is not None and self._sleep is not None:
            with self._cond:
                idle = self._pending > 0 and self._units.empty()
            if idle and not self._feeding:
                self._sleep(max(due - self._clock(), 0.0))
                return
        wait = _TICK if due is None else min(max(due - self._clock(), 0.001), _TICK)
        self._wake.wait(wait)
        self._wake.clear()

    def _tick(self) -> None:
        """Periodic chores of the dispatcher: flush acks, refresh the progress display."""
        now = time.monotonic()
        if now - self._delivery.last_flush >= _TICK:
            self._delivery.flush_acks()
        if now - self._last_tick >= _TICK:
            self._last_tick = now
            self.progress.update(self.summary, self._pending)

    # -- the workers -----------------------------------------------------------------------

    def _worker_threads(self) -> list[threading.Thread]:
        self._workers = Workers(self._work, self.concurrency, self.worker_mode, "send-worker",
                                on_crash=self._crashed)
        self._units = self._workers.units
        return self._workers.threads

    def _crashed(self, exc: BaseException) -> None:  # pragma: no cover - _work lets nothing out
        self._fatal = exc
        self._wake.set()

    def _in_progress(self) -> int:
        """Workers still delivering (with a unit in hand), once the grace period is over."""
        with self._cond:
            return self._busy

    def _work(self) -> None:
        while True:
            unit = self._units.get()
            if unit is None:
                return
            with self._cond:  # jobs in hand stay in flight in the queue until settled
                self._busy += 1
            try:
                self._delivery.deliver(unit)
            except BaseException as exc:  # the queue failed; the jobs stay in flight
                self._fatal = exc
                self._wake.set()
                return
            finally:
                with self._cond:
                    self._busy -= 1

    def _finished(self, n: int) -> None:
        if n <= 0:
            return
        with self._cond:
            self._pending -= n
            if self._pending < self.backlog:
                self._cond.notify_all()
            if self._pending <= 0:
                self._wake.set()


def _check_positive(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
