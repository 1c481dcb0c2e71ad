"""How a run stops: on request, on a signal, or when the credentials are refused.

:class:`Stopping` is mixed into :class:`~framework.runner.runner.Runner`. :meth:`Stopping.stop`
takes effect at once (no more reading, dispatching or starting of messages); in the main
thread SIGINT and SIGTERM call it, and a second one forces the stop. At the end of a run,
``_shutdown`` gives attempts in progress ``grace`` seconds, abandons what is still running
(those jobs stay reserved, so a resumed run delivers them) and flushes the acks.
"""

from __future__ import annotations

import queue as stdqueue
import signal
import threading
import time
from types import FrameType
from typing import Any

from .delivery import Delivery
from .progress import Progress
from .queue import Job
from .summary import RunSummary
from .workers import Workers

__all__ = ["Stopping"]

#: Seconds between checks while waiting for the threads.
TICK = 0.1


class Stopping:
    """Stop requests, signal handling and the shutdown of a run (a mixin of ``Runner``).

    The runner provides the state below: its stop, force and abandon flags, the hand-out queue
    of the workers, and the delivery whose acks are flushed last.
    """

    summary: RunSummary
    progress: Progress
    concurrency: int
    deliver: bool
    grace: float
    handle_signals: bool
    _cond: threading.Condition
    _wake: threading.Event
    _stopping: threading.Event
    _force: threading.Event
    _abandoned: threading.Event
    _signalled: str
    _units: stdqueue.Queue[list[Job] | None]
    _workers: Workers[list[Job]] | None

    def _in_progress(self) -> int:
        raise NotImplementedError
    _delivery: Delivery
    _fatal: BaseException | None

    def stop(self, force: bool = False) -> None:
        """Ask the run to stop: no more reading, dispatching or starting of messages; attempts
        in progress get the grace period (none with ``force``). Unfinished messages stay in
        the queue for a resumed run."""
        if force:
            self._force.set()
        self._stopping.set()
        self._wake.set()
        with self._cond:
            self._cond.notify_all()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signalled = self._signalled or signal.Signals(signum).name
        self.stop(force=self._stopping.is_set())

    def _refused(self) -> None:
        """Too many consecutive 401/403 answers: say so and stop."""
        self.summary.credentials_refused = True
        self.progress.write(f"stopping: {self._delivery.auth_limit} consecutive 401/403 "
                            f"answers; the credentials are wrong (fix the settings, then "
                            f"resume)")
        self.stop()

    def _install_signals(self) -> dict[int, Any]:
        """Turn SIGINT/SIGTERM into :meth:`stop` (main thread only); the handlers replaced."""
        previous: dict[int, Any] = {}
        if not self.handle_signals or threading.current_thread() is not threading.main_thread():
            return previous
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                previous[signum] = signal.signal(signum, self._on_signal)
            except (ValueError, OSError):  # pragma: no cover - embedded interpreters
                pass
        return previous

    @staticmethod
    def _restore_signals(previous: dict[int, Any]) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    def _shutdown(self, threads: list[threading.Thread]) -> None:
        """Stop the threads: wait up to ``grace`` for attempts in progress (not at all once
        forced), then abandon them, flush the acks collected so far."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        if self._workers is not None:
            self._workers.stop()
        busy = any(thread.is_alive() for thread in threads)
        if self._signalled and busy and not self._force.is_set():
            again = "Ctrl-C" if self._signalled == "SIGINT" else self._signalled
            self.progress.write(f"stopping: waiting up to {self.grace:g} s for attempts in "
                                f"progress; {again} again to stop at once")
        deadline = time.monotonic() + self.grace
        for thread in threads:
            while thread.is_alive() and not self._force.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                thread.join(min(left, TICK))
        alive = [thread for thread in threads if thread.is_alive()]
        if alive:
            self._abandoned.set()
            self.summary.abandoned = self._in_progress()
        try:
            self._delivery.flush_acks()
        except Exception as exc:  # the first failure is the one to report
            if self._fatal is None:
                self._fatal = exc
