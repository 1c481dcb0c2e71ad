"""What a run did: outcome classes, the :class:`RunSummary` and its text form."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from .. import errors

__all__ = ["RunSummary", "Tally", "classify", "DEAD_KINDS", "EXIT_OK", "EXIT_FAILED",
           "EXIT_USAGE", "EXIT_TEMPFAIL", "EXIT_INTERRUPTED"]

#: Exit codes of ``framework send``; 75 is EX_TEMPFAIL (the queue cannot be written: resume
#: later).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TEMPFAIL, EXIT_INTERRUPTED = 0, 1, 2, 75, 130

#: The outcome kinds that make a dead letter.
DEAD_KINDS = ("rejected", "invalid_settings", "unsupported", "failed", "gave_up", "unexpected")


def classify(outcome: Any) -> str:
    """The kind of one delivery outcome.

    Args:
        outcome: What ``process()`` returned (a list of responses) or raised, or one item of
            ``process_batch()``.

    Returns:
        ``delivered``; ``skipped`` (:class:`~framework.errors.Skipped`: not for this
        integration, acked); ``retry`` (a retryable framework error); or a dead-letter kind:
        ``rejected`` (:class:`~framework.errors.RejectedError`), ``invalid_settings``
        (:class:`~framework.errors.ValidationError`), ``unsupported``
        (:class:`~framework.errors.NotSupported`), ``failed`` (any other non-retryable
        framework error, e.g. an HTTP 400), ``unexpected`` (an exception outside the framework's
        tree: a bug in the integration).
    """
    if not isinstance(outcome, BaseException):
        return "delivered"
    if isinstance(outcome, errors.Skipped):
        return "skipped"
    if isinstance(outcome, errors.IntegrationError):
        if isinstance(outcome, errors.ValidationError):
            return "invalid_settings"
        if isinstance(outcome, errors.RejectedError):
            return "rejected"
        if isinstance(outcome, errors.NotSupported):
            return "unsupported"
        return "retry" if outcome.retryable else "failed"
    return "unexpected"


@dataclass
class RunSummary:
    """The counts of one run of :class:`~framework.runner.Runner` (a resumed run counts only
    what it did itself).

    Attributes:
        integration: The integration's slug.
        queued: Messages read from the inputs and stored in the queue by this run.
        delivered: Messages delivered (acked).
        skipped: Messages not for this integration (``Skipped``: disabled, other channel); acked,
            not dead letters.
        rejected: Dead letters: ``RejectedError`` (the message cannot be delivered as it is).
        invalid_settings: Dead letters: ``ValidationError`` (the settings are wrong).
        unsupported: Dead letters: ``NotSupported`` (no method for the message type).
        failed: Dead letters: other non-retryable errors (e.g. an HTTP 4xx).
        gave_up: Dead letters: retryable errors after ``max_attempts`` or ``max_age``.
        unexpected: Dead letters: exceptions outside the framework's tree (integration bugs).
        dead_letters: The sum of the six dead-letter kinds.
        retries: Failed attempts scheduled for a retry through the queue.
        integration_retries: Attempts the integration itself retried before reporting (its own
            retry policy; off by default under the runner, which retries through the queue).
        deferred: Messages put back unsent while every destination rested (circuit open);
            they cost no attempt.
        input_errors: Input records that could not be read as messages.
        recovered: In-flight jobs of an interrupted run handed out again (``--resume``).
        elapsed: Seconds from start to end.
        msgs_per_s: Messages finished (delivered, skipped or dead) per second.
        interrupted: Whether the run was stopped before the queue was empty.
        credentials_refused: Whether the run stopped after consecutive 401/403 answers (exit 2:
            fix the settings, then resume).
        abandoned: Jobs whose attempt was still in progress when the grace period after a stop
            ended; they stay reserved and are delivered by a resumed run.
        last_error: The class and message of the last failed attempt (``""`` if none).
        expected: How many messages the run will have finished in all, once known or
            estimated from the input files' sizes (``None`` until then): the progress bar's
            total.
        dead_by_code: Dead letters counted by error code.
        input_error_samples: The first few input errors as ``path:line: reason``.
        dead_letter_samples: The first few distinct dead-letter errors.
    """

    integration: str = ""
    queued: int = 0
    delivered: int = 0
    skipped: int = 0
    rejected: int = 0
    invalid_settings: int = 0
    unsupported: int = 0
    failed: int = 0
    gave_up: int = 0
    unexpected: int = 0
    dead_letters: int = 0
    retries: int = 0
    integration_retries: int = 0
    deferred: int = 0
    input_errors: int = 0
    recovered: int = 0
    elapsed: float = 0.0
    msgs_per_s: float = 0.0
    interrupted: bool = False
    credentials_refused: bool = False
    abandoned: int = 0
    last_error: str = ""
    expected: int | None = None
    dead_by_code: dict[str, int] = field(default_factory=dict)
    input_error_samples: list[str] = field(default_factory=list)
    dead_letter_samples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def finished(self) -> int:
        """Messages done with: delivered, skipped or dead-lettered."""
        return self.delivered + self.skipped + self.dead_letters

    @property
    def ok(self) -> bool:
        """Nothing dead-lettered, no bad input, not interrupted."""
        return not (self.dead_letters or self.input_errors or self.interrupted)

    def exit_code(self) -> int:
        """0 when :attr:`ok`; 2 when the destination refused the credentials; 130 when
        interrupted; else 1 (dead letters or input errors)."""
        if self.credentials_refused:
            return EXIT_USAGE
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_OK if self.ok else EXIT_FAILED

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        data = asdict(self)
        data["elapsed"] = round(self.elapsed, 3)
        data["msgs_per_s"] = round(self.msgs_per_s, 1)
        data["exit_code"] = self.exit_code()
        return data

    def format(self) -> str:
        """The summary as a few aligned lines for people."""
        rows = [
            ("delivered", self.delivered, ""),
            ("skipped", self.skipped, "not for this integration (disabled, channel); acked"),
            ("rejected", self.rejected, "the message cannot be delivered as it is"),
            ("invalid settings", self.invalid_settings, "fix --settings"),
            ("unsupported", self.unsupported, "no method for the message type"),
            ("failed", self.failed, "non-retryable errors, e.g. HTTP 4xx"),
            ("gave up", self.gave_up, "retryable, out of attempts or too old"),
            ("unexpected", self.unexpected, "exceptions outside framework.errors"),
            ("dead letters", self.dead_letters, ""),
            ("retries", self.retries, "failed attempts retried through the queue"),
            ("input errors", self.input_errors, "records that are not messages"),
        ]
        if self.recovered:
            rows.append(("recovered", self.recovered, "in flight at the interruption; "
                                                      "may be delivered twice"))
        if self.integration_retries:
            rows.append(("inner retries", self.integration_retries,
                         "retried inside the integration"))
        if self.deferred:
            rows.append(("deferred", self.deferred, "put back unsent while the destination "
                                                    "rested"))
        if self.abandoned:
            rows.append(("abandoned", self.abandoned, "attempts cut off at the stop; "
                                                      "delivered again on --resume"))
        state = "interrupted after" if self.interrupted else "finished"
        if self.credentials_refused:
            state = "stopped (credentials refused) after"
        lines = [f"framework send {self.integration}: {state} {self.finished} messages in "
                 f"{self.elapsed:.2f} s ({self.msgs_per_s:,.0f} msgs/s); "
                 f"queued {self.queued} from the inputs"]
        for label, count, note in rows:
            hint = f"  ({note})" if note and count else ""
            lines.append(f"  {label:<17}{count:>9}{hint}")
        if self.dead_by_code:
            codes = ", ".join(f"{code} {n}" for code, n in sorted(self.dead_by_code.items()))
            lines.append(f"  dead letters by code: {codes}")
        for sample in self.dead_letter_samples[:3]:
            lines.append(f"  dead letter: {sample.get('class')} {sample.get('code')} "
                         f"status={sample.get('status')}: {sample.get('message')}")
        for input_error in self.input_error_samples[:5]:
            lines.append(f"  input error: {input_error}")
        return "\n".join(lines)


class Tally:
    """Thread-safe counters behind a :class:`RunSummary` while a run goes on."""

    SAMPLES = 10

    def __init__(self, summary: RunSummary) -> None:
        self.summary = summary
        self.lock = threading.Lock()

    def add(self, kind: str, n: int = 1) -> None:
        """Count ``n`` of ``kind`` (a :class:`RunSummary` counter such as ``delivered``)."""
        with self.lock:
            setattr(self.summary, kind, getattr(self.summary, kind) + n)

    def add_counts(self, counts: dict[str, int]) -> None:
        """Add several counters at once (dead-letter kinds are counted by
        :meth:`dead_letter`, so they are ignored here)."""
        summary = self.summary
        with self.lock:
            for kind, n in counts.items():
                if kind not in DEAD_KINDS:
                    setattr(summary, kind, getattr(summary, kind) + n)

    def dead_letter(self, kind: str, error: dict[str, Any]) -> None:
        """Count one dead letter of ``kind`` with its error (by code, and a few samples)."""
        summary = self.summary
        with self.lock:
            setattr(summary, kind, getattr(summary, kind) + 1)
            summary.dead_letters += 1
            code = str(error.get("code") or kind.upper())
            summary.dead_by_code[code] = summary.dead_by_code.get(code, 0) + 1
            sample = {k: error.get(k) for k in ("class", "code", "status", "message")}
            if len(summary.dead_letter_samples) < self.SAMPLES \
                    and sample not in summary.dead_letter_samples:
                summary.dead_letter_samples.append(sample)

    def failure(self, outcome: Any) -> None:
        """Remember a failed attempt's error as the run's last error (for the progress bar)."""
        text = f"{type(outcome).__name__}: {outcome}"
        self.summary.last_error = text if len(text) <= 200 else text[:197] + "..."

    def input_error(self, text: str) -> None:
        """Count one input error, keeping the first few."""
        with self.lock:
            self.summary.input_errors += 1
            if len(self.summary.input_error_samples) < self.SAMPLES:
                self.summary.input_error_samples.append(text)
