"""What a worker does with a unit of jobs: deliver it, then settle each job by its outcome.

* delivered or skipped: acked, in groups of :data:`ACK_EVERY` (a kill before the group is
  written only means those messages are delivered again: at-least-once);
* retryable: back to the queue after :class:`~framework.runner.pacing.Backoff`'s delay (at least
  the error's ``retry_after``), unless ``max_attempts`` or ``max_age`` is reached;
* anything else: a dead letter with the error's class, code, status and message (and, for an
  exception outside the framework's tree, where it was raised).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import Any, Callable

from .. import errors
from .pacing import Backoff, RateLimiter
from .queue import Job, Queue, error_dict
from .summary import Tally, classify

__all__ = ["Delivery", "ACK_EVERY"]

log = logging.getLogger("framework.runner")

#: Acks written per transaction.
ACK_EVERY = 500


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
    """

    def __init__(self, integration: Any, queue: Queue, tally: Tally, backoff: Backoff,
                 clock: Callable[[], float], max_attempts: int, max_age: float,
                 limiter: RateLimiter | None, batching: bool,
                 on_finished: Callable[[int], None], on_retry: Callable[[], None]) -> None:
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
        self.last_flush = 0.0
        self._acks: list[int] = []
        self._lock = threading.Lock()

    def deliver(self, unit: list[Job]) -> None:
        """Deliver the unit's messages and settle every job."""
        messages = [job.message() for job in unit]
        if self.batching:
            if self.limiter is not None:
                self.limiter.acquire(len(unit))
            try:
                outcomes = list(self.integration.process_batch(messages))
            except Exception:  # a bug in batch(): find the culprit message by message
                log.exception("process_batch failed; delivering the %d messages one by one",
                              len(messages))
                outcomes = [self.process(message) for message in messages]
        else:
            outcomes = [self.process(message) for message in messages]
        acks: list[int] = []
        counts: dict[str, int] = {}
        for job, outcome in zip(unit, outcomes):
            kind = self.settle(job, outcome)
            if kind in ("delivered", "skipped"):
                acks.append(job.id)
            counts[kind] = counts.get(kind, 0) + 1
        self.ack(acks)
        self.tally.add_counts(counts)
        self.on_finished(len(unit) - counts.get("retries", 0))

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
        if kind in ("delivered", "skipped"):
            return kind
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
                secrets = getattr(self.integration, "secrets", lambda: [])()
                error["message"] = errors.redact(str(error["message"]), secrets)
                error["where"] = where(outcome)
        self.queue.dead(job.id, error)
        self.tally.dead_letter(kind, error)
        return kind

    def ack(self, ids: list[int]) -> None:
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
