"""What a worker does with a unit of jobs: deliver it, then settle each job by its outcome.

* delivered or skipped: acked, in groups of :data:`ACK_EVERY` (a kill before the group is
  written only means those messages are delivered again: at-least-once);
* retryable: back to the queue after :class:`~framework.runner.pacing.Backoff`'s delay (at least
  the error's ``retry_after``), unless ``max_attempts`` or ``max_age`` is reached;
* :class:`~framework.errors.CircuitOpenError` (nothing was sent, the destination rests): back
  to the queue until ``retry_after`` without counting an attempt, and the run holds back
  other messages for that long (``on_hold``);
* anything else: a dead letter with the error's class, code, status and message (and, for an
  exception outside the framework's tree, where it was raised).

Messages of a unit are delivered one after the other; once the run stops (``stopping``), the
rest of the unit is not started, and once it is abandoned (``abandoned``: the grace period for
in-flight attempts is over) nothing more is written: those jobs stay reserved, so a resumed run
delivers them. ``auth_limit`` consecutive 401/403 answers call ``on_auth_failure``: the
credentials are wrong, and every further message would fail the same way.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import Any, Callable

from .. import errors
from .pacing import Backoff, RateLimiter
from .queue import Job, JobId, Queue, error_dict
from .summary import Tally, classify

__all__ = ["Delivery", "ACK_EVERY"]

log = logging.getLogger("framework.runner")

#: Acks written per transaction.
ACK_EVERY = 500
#: Statuses that say the credentials are wrong.
AUTH_STATUSES = (401, 403)


class Delivery:
    """Delivers units of jobs through one integration instance; safe to share by workers.

    Args:
        integration: The integration instance.
        queue: The queue the jobs came from.
        tally: The run's counters.
        backoff: Delays between attempts.
        clock: Epoch seconds now.
        max_attempts: Attempts per message before a retryable failure is a dead letter.
        max_age: Seconds after queueing past which a message is not retried.
        limiter: Paces deliveries, or ``None``.
        batching: Whether units go through ``process_batch()`` (the integration implements
            ``batch()``).
        on_finished: Called with how many jobs of a unit are done with (not retried).
        on_retry: Called after a job was scheduled again.
        on_hold: Called with the epoch time until which no message should be handed out.
        on_auth_failure: Called once ``auth_limit`` consecutive answers were 401/403.
        stopping: Set when no new message may be started.
        abandoned: Set when nothing more may be written to the queue.
        auth_limit: Consecutive 401/403 answers that stop the run (0: never).
    """

    def __init__(self, integration: Any, queue: Queue, tally: Tally, backoff: Backoff,
                 clock: Callable[[], float], max_attempts: int, max_age: float,
                 limiter: RateLimiter | None, batching: bool,
                 on_finished: Callable[[int], None], on_retry: Callable[[], None],
                 on_hold: Callable[[float], None] = lambda until: None,
                 on_auth_failure: Callable[[], None] = lambda: None,
                 stopping: threading.Event | None = None,
                 abandoned: threading.Event | None = None, auth_limit: int = 0) -> None:
        self.integration = integration
        self.queue = queue
        self.tally = tally
        self.backoff = backoff
        self.clock = clock
        self.max_attempts = max_attempts
        self.max_age = max_age
        self.limiter = limiter
        self.batching = batching
        self.on_finished = on_finished
        self.on_retry = on_retry
        self.on_hold = on_hold
        self.on_auth_failure = on_auth_failure
        self.stopping = stopping or threading.Event()
        self.abandoned = abandoned or threading.Event()
        self.auth_limit = auth_limit
        self.auth_streak = 0
        self.last_flush = 0.0
        self._acks: list[JobId] = []
        self._lock = threading.Lock()

    def deliver(self, unit: list[Job]) -> None:
        """Deliver the unit's messages and settle every job (see the module docstring for
        what a stop leaves unsettled)."""
        if self.batching:
            messages = [job.message() for job in unit]
            if self.limiter is not None:
                self.limiter.acquire(len(unit))
            try:
                outcomes = list(self.integration.process_batch(messages))
            except Exception:  # a bug in batch(): find the culprit message by message
                log.exception("process_batch failed; delivering the %d messages one by one",
                              len(messages))
                outcomes = [self.process(message) for message in messages]
            if not self.abandoned.is_set():
                self._settle_all(list(zip(unit, outcomes)))
            return
        for job in unit:  # settled and counted one by one: an abandoned unit keeps its acks
            if self.stopping.is_set():
                break
            outcome = self.process(job.message())
            if self.abandoned.is_set():
                return
            acks: list[JobId] = []
            counts: dict[str, int] = {}
            self._count(job, self.settle(job, outcome), acks, counts)
            self._done(acks, counts)

    def _settle_all(self, done: list[tuple[Job, Any]]) -> None:
        acks: list[JobId] = []
        counts: dict[str, int] = {}
        try:
            for job, outcome in done:
                self._count(job, self.settle(job, outcome), acks, counts)
        finally:
            self._done(acks, counts)

    @staticmethod
    def _count(job: Job, kind: str, acks: list[JobId], counts: dict[str, int]) -> None:
        if kind in ("delivered", "skipped"):
            acks.append(job.id)
        counts[kind] = counts.get(kind, 0) + 1

    def _done(self, acks: list[JobId], counts: dict[str, int]) -> None:
        self.tally.add_counts(counts)
        self.on_finished(sum(counts.values()) - counts.get("retries", 0)
                         - counts.get("deferred", 0))
        if acks:
            self.ack(acks)

    def process(self, message: dict[str, Any]) -> Any:
        """``process(message)``'s responses, or the exception it raised (never raises)."""
        if self.limiter is not None:
            self.limiter.acquire()
        try:
            return self.integration.process(message)
        except Exception as exc:  # every failure is an outcome, never a crash of the run
            return exc

    def settle(self, job: Job, outcome: Any) -> str:
        """Nack or dead-letter a failed job; returns the kind to count (``retries`` for a job
        scheduled again). Delivered and skipped jobs are acked by the caller."""
        kind = classify(outcome)
        self._watch_auth(outcome, kind)
        if kind in ("delivered", "skipped"):
            return kind
        self.tally.failure(outcome)
        if isinstance(outcome, errors.CircuitOpenError):
            now = self.clock()
            delay = max(float(outcome.retry_after or 0.0), 0.05)
            self.queue.nack(job.id, delay, outcome, now=now, count=False)
            self.on_hold(now + delay)
            return "deferred"
        if kind == "retry":
            attempt = job.attempts + 1
            now = self.clock()
            delay = self.backoff.delay(attempt, getattr(outcome, "retry_after", None))
            age = now - job.first_seen
            if attempt < self.max_attempts and age + delay <= self.max_age:
                self.queue.nack(job.id, delay, outcome, now=now)
                self.on_retry()
                return "retries"
            kind = "gave_up"
            error = error_dict(outcome)
            error["gave_up"] = (f"after {attempt} attempts (max {self.max_attempts})"
                                if attempt >= self.max_attempts else
                                f"the message is {age:.0f} s old; the next retry would pass "
                                f"the maximum age of {self.max_age:.0f} s")
        else:
            error = error_dict(outcome)
            if kind == "unexpected":  # not built by the framework: scrub secrets here
                secrets: list[str] = getattr(self.integration, "secrets", lambda: [])()
                error["message"] = errors.redact(str(error["message"]), secrets)
                error["where"] = where(outcome)
        self.queue.dead(job.id, error)
        self.tally.dead_letter(kind, error)
        return kind

    def _watch_auth(self, outcome: Any, kind: str) -> None:
        if not self.auth_limit:
            return
        refused = getattr(outcome, "status", None) in AUTH_STATUSES
        with self._lock:
            if refused:
                self.auth_streak += 1
                hit = self.auth_streak == self.auth_limit
            else:
                if kind == "delivered":
                    self.auth_streak = 0
                hit = False
        if hit:
            self.on_auth_failure()

    def ack(self, ids: list[JobId]) -> None:
        """Ack ``ids`` with the next group."""
        with self._lock:
            self._acks.extend(ids)
            if len(self._acks) < ACK_EVERY:
                return
            batch, self._acks = self._acks, []
        self.queue.ack(batch)

    def flush_acks(self) -> None:
        """Write the acks collected so far."""
        with self._lock:
            batch, self._acks = self._acks, []
        self.last_flush = time.monotonic()
        if batch:
            self.queue.ack(batch)


def where(exc: BaseException) -> str:
    """``file:line in function`` of the innermost frame of ``exc``'s traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f"{last.filename}:{last.lineno} in {last.name}"
