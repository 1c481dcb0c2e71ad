"""The progress bar of ``framework send``: tqdm on a terminal, nothing otherwise."""

from __future__ import annotations

import re
import sys
import time
from typing import IO, Any, Callable

from .summary import RunSummary

__all__ = ["Progress", "NullProgress", "TqdmProgress", "make_progress", "status_line",
           "short_error"]


class Progress:
    """What the runner tells a progress display; the base class shows nothing."""

    def update(self, summary: RunSummary, pending: int) -> None:
        """Show the counts so far (called a few times a second from one thread)."""

    def write(self, text: str) -> None:
        """Print a line (an input error, a warning) without breaking the display."""

    def close(self) -> None:
        """Remove the display."""


NullProgress = Progress


class TqdmProgress(Progress):
    """A tqdm bar of finished messages that keeps ticking: elapsed time, rate, and (once the
    input size is known) a total and an ETA, then delivered / pending / retries / dead letters
    as whole numbers and the class of the last error.

    Args:
        stream: Where to draw (stderr).
        desc: The bar's label.
        clock: Monotonic seconds, for the redraw interval (injectable for tests).
        every: Seconds between redraws when nothing changed, so the clock moves on.
    """

    def __init__(self, stream: IO[str], desc: str = "send",
                 clock: Callable[[], float] = time.monotonic, every: float = 0.5) -> None:
        from tqdm import tqdm

        self._stream = stream
        self._bar = tqdm(total=None, desc=desc, unit="msg", file=stream, dynamic_ncols=True,
                         mininterval=0.2, smoothing=0.1)
        self._shown = 0
        self._clock = clock
        self._every = every
        self._drawn = clock()

    def update(self, summary: RunSummary, pending: int) -> None:
        done = summary.finished
        if summary.expected and summary.expected != self._bar.total:
            self._bar.total = max(summary.expected, done)
        self._bar.set_postfix_str(status_line(summary, pending), refresh=False)
        if done > self._shown:
            self._bar.update(done - self._shown)
            self._shown = done
        now = self._clock()
        if now - self._drawn >= self._every:
            self._drawn = now
            self._bar.refresh()

    def write(self, text: str) -> None:
        self._bar.write(text, file=self._stream)

    def close(self) -> None:
        self._bar.close()


def status_line(summary: RunSummary, pending: int) -> str:
    """``ok=N pending=N retries=N dead=N last=Class (reason)``: whole numbers, the most useful
    counts first (a narrow terminal cuts the end)."""
    parts = [f"ok={summary.delivered}", f"pending={max(pending, 0)}",
             f"retries={summary.retries + summary.integration_retries}",
             f"dead={summary.dead_letters}"]
    if summary.deferred:
        parts.append(f"deferred={summary.deferred}")
    if summary.last_error:
        parts.append(f"last={short_error(summary.last_error)}")
    return " ".join(parts)


def short_error(text: str) -> str:
    """``Class (reason)`` from ``Class: METHOD URL failed: reason`` or ``... answered 503``."""
    name, _, message = text.partition(": ")
    match = re.search(r"failed: ([^;(]+)|answered (\d{3})|(timed out)|(cooling down)", message)
    if not match:
        return name
    reason = next(group for group in match.groups() if group)
    return f"{name} ({reason.strip()})"


class _Writer(Progress):
    """No bar; lines go to ``write``."""

    def __init__(self, write: Callable[[str], Any]) -> None:
        self._write = write

    def write(self, text: str) -> None:
        self._write(text)


def make_progress(enabled: bool | None = None, stream: IO[str] | None = None,
                  desc: str = "send") -> Progress:
    """A tqdm bar when ``enabled`` (default: when ``stream`` is a terminal), else plain lines.

    Args:
        enabled: Force the bar on or off; ``None`` decides from ``stream.isatty()``.
        stream: Where to draw and write (default ``sys.stderr``).
        desc: The bar's label.
    """
    stream = stream or sys.stderr
    if enabled is None:
        enabled = bool(getattr(stream, "isatty", lambda: False)())
    if enabled:
        return TqdmProgress(stream, desc)
    return _Writer(lambda text: print(text, file=stream, flush=True))
