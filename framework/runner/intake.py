"""The runner's intake: which inputs a run reads, and the feeder thread that stores them.

:class:`Intake` is mixed into :class:`~framework.runner.runner.Runner`. :meth:`Intake.feed`
and :meth:`Intake.resume` say what to read; during the run, the feeder thread (``_feed``)
reads each input in chunks, stores every chunk in the queue with the offset it reached (one
transaction), pauses while more than ``backlog`` messages are pending, and estimates how many
messages the run will see, for the progress display's ETA.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Callable, Sequence, Union, cast

from .converters import Converter
from .feeder import InputLike, Source, make_source, read_chunks
from .inputs import InputError
from .progress import Progress
from .queue import Queue
from .summary import RunSummary, Tally

__all__ = ["Intake"]

#: Input errors printed; later ones are only counted.
_SHOWN_INPUT_ERRORS = 20


class Intake:
    """The inputs of a run and the feeder thread's work (a mixin of ``Runner``).

    The runner provides the state below: the queue, the counters it shares with the
    dispatcher and the workers (guarded by ``_cond``), and its stop flag.
    """

    queue: Queue
    summary: RunSummary
    progress: Progress
    deliver: bool
    backlog: int
    chunk_size: int
    _tally: Tally
    _sources: list[Source]
    _cond: threading.Condition
    _wake: threading.Event
    _stopping: threading.Event
    _pending: int
    _feeding: bool
    _start_pending: int
    _fatal: BaseException | None
    _clock: Callable[[], float]

    def feed(self, inputs: Union[InputLike, Sequence[InputLike]],
             converter: Union[str, Converter] = "segment", format: str | None = None) -> None:
        """Add inputs to read during :meth:`run`.

        Args:
            inputs: A path, ``-`` (stdin), a binary file, an iterable of message dicts, or a
                list of paths / files.
            converter: The ``--from`` format name (or a converter callable).
            format: Force ``ndjson``, ``json-array`` or ``json-object``.
        """
        many = isinstance(inputs, (list, tuple)) and bool(inputs) and all(
            isinstance(item, str) or hasattr(item, "read") or hasattr(item, "__fspath__")
            for item in inputs)
        values = cast(Sequence[InputLike], inputs) if many else [cast(InputLike, inputs)]
        for value in values:
            source = make_source(value, converter, format)
            if source.key is not None:  # recorded before any message is: see add_input
                self.queue.add_input(source.key, json.dumps(
                    {"from": converter if isinstance(converter, str) else None,
                     "format": format}))
            self._sources.append(source)

    def resume(self, converter: Union[str, Converter, None] = None,
               format: str | None = None) -> list[str]:
        """Add the inputs an interrupted run had not finished reading, from their offsets.

        Args:
            converter: Override the converter recorded for each input.
            format: Override the recorded input format.

        Returns:
            Warnings for inputs that cannot be resumed (stdin); each also counts as an input
            error.
        """
        warnings = []
        for key, offset in self.queue.input_offsets().items():
            if offset.done:
                continue
            if key == "-":
                text = (f"-: stdin was not read to its end before the interruption (stopped at "
                        f"line {offset.line}); the rest cannot be resumed")
                warnings.append(text)
                self._tally.input_error(text)
                continue
            recorded = json.loads(self.queue.get_info(f"input:{key}") or "{}")
            self._sources.append(Source(
                key, key, start=offset,
                converter=converter or recorded.get("from") or "segment",
                format=format or recorded.get("format")))
        return warnings

    def _feed(self) -> None:
        """The feeder thread: read every source into the queue, then say so."""
        try:
            for source in self._sources:
                if self._stopping.is_set():
                    break
                self._feed_one(source)
        except BaseException as exc:  # a queue failure: stop the run, keep what is stored
            self._fatal = exc
        finally:
            with self._cond:
                self._feeding = False
            if not self._stopping.is_set():
                self.summary.expected = self._start_pending + self.summary.queued
            self._wake.set()

    def _feed_one(self, source: Source) -> None:
        def on_error(error: InputError) -> None:
            self._input_error(f"{source.name}:{error.line}: {error.reason}")

        size = _file_size(source.key)
        first = source.start.offset if source.start is not None else 0
        before = self.summary.queued
        try:
            for bodies, position in read_chunks(source, on_error, self.chunk_size):
                with self._cond:
                    while self.deliver and self._pending >= self.backlog \
                            and not self._stopping.is_set():
                        self._cond.wait(0.5)
                if self._stopping.is_set():
                    return
                if bodies or position is not None:
                    self.queue.put(bodies, source=position, now=self._clock())
                    with self._cond:
                        self._pending += len(bodies)
                    self._tally.add("queued", len(bodies))
                    self._wake.set()
                if size and position is not None and position.offset > first:
                    here = self.summary.queued - before  # messages per byte so far, for an ETA
                    rest = max(size - position.offset, 0) * here / (position.offset - first)
                    self.summary.expected = self._start_pending + self.summary.queued + int(rest)
        except OSError as exc:
            self._input_error(f"{source.name}: cannot read: {exc.strerror or exc}")
        except RecursionError:  # pragma: no cover - the readers refuse deep JSON first
            self._input_error(f"{source.name}: JSON nested too deeply; the rest is not read")

    def _input_error(self, text: str) -> None:
        self._tally.input_error(text)
        count = self.summary.input_errors
        if count <= _SHOWN_INPUT_ERRORS:
            self.progress.write(f"input error: {text}")
        elif count == _SHOWN_INPUT_ERRORS + 1:
            self.progress.write("input error: more input errors are counted, not shown")


def _file_size(key: str | None) -> int | None:
    """The size of an input file, or ``None`` (stdin, a stream, not a regular file)."""
    if key is None or key == "-":
        return None
    try:
        return os.path.getsize(key) if os.path.isfile(key) else None
    except OSError:
        return None
