"""The progress bar of ``framework send``: tqdm on a terminal, nothing otherwise."""

from __future__ import annotations

import sys
from typing import IO, Any, Callable

from .summary import RunSummary

__all__ = ["Progress", "NullProgress", "TqdmProgress", "make_progress"]


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
    """A tqdm bar of finished messages, with delivered / retries / dead letters / pending.

    Args:
        stream: Where to draw (stderr).
        desc: The bar's label.
    """

    def __init__(self, stream: IO[str], desc: str = "send") -> None:
        from tqdm import tqdm

        self._stream = stream
        self._bar = tqdm(total=None, desc=desc, unit="msg", file=stream, dynamic_ncols=True,
                         mininterval=0.2, smoothing=0.1)
        self._shown = 0

    def update(self, summary: RunSummary, pending: int) -> None:
        done = summary.finished
        if done > self._shown:
            self._bar.update(done - self._shown)
            self._shown = done
        self._bar.set_postfix(ok=summary.delivered, retries=summary.retries,
                              dead=summary.dead_letters, pending=pending, refresh=False)

    def write(self, text: str) -> None:
        self._bar.write(text, file=self._stream)

    def close(self) -> None:
        self._bar.close()


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
