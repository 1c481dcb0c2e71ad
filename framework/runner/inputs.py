"""Streaming input readers for ``framework send``: NDJSON, JSON arrays and Segment batch bodies.

The format is detected from the first non-space byte (or forced with ``format=``):

* ``[``: a JSON array, streamed element by element (``json-array``);
* ``{`` on a first line that is a complete JSON value: NDJSON, one record per line (``ndjson``);
* ``{`` otherwise: one or more (pretty-printed) JSON documents (``json-object``); a document
  ``{"batch": [...]}`` is streamed item by item, so a huge batch file keeps memory flat. Other
  top-level keys of a batch document (``sentAt``, ``context``) are ignored.

Every message comes with the :class:`~framework.runner.queue.InputOffset` (``Position``) to
resume from once it is stored, so a resumed run reads on from there. A bad record (invalid JSON,
not an object) becomes an :class:`InputError` with its line number, handed to ``on_error`` and
kept in :attr:`InputReader.errors`; the rest of the input goes on. In a JSON array or document,
invalid JSON ends that input (there is no line boundary to resynchronise on).
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterable, Iterator, Union

from .. import jsoncodec, jsonlimits
from .converters import Converter, get_converter, segment, type_name
from .formats import BOM, Replay, detect_format, sniff
from .jsonstream import CHUNK, Cursor, SyntaxProblem, TooDeep
from .queue import InputOffset

__all__ = ["InputError", "InputReader", "Position", "read_messages", "detect_format", "FORMATS"]

#: A position in an input: where to resume reading (see :class:`InputOffset`).
Position = InputOffset

FORMATS = ("ndjson", "json-array", "json-object")
#: Ends the reason of a syntax error in a JSON array or document, which has no record boundary
#: to go on from: what follows is not read, and the error says so.
UNREAD_NOTE = "; the input is not read past this point"


class InputError(ValueError):
    """A record of an input that could not be read as a message.

    Attributes:
        path: The input's path (``-`` for stdin).
        line: The line number where the record starts (1-based).
        reason: What is wrong, naming the rule.
    """

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason

    def to_dict(self) -> dict[str, Any]:
        """The error as data: path, line, reason."""
        return {"path": self.path, "line": self.line, "reason": self.reason}


#: One item of a record: its line, its value (or the :class:`InputError` it is), and its JSON
#: text exactly as the input holds it (bytes or str; ``None`` when it was not kept).
_Item = tuple[int, Any, Union[str, bytes, None]]

#: What :meth:`InputReader.records` yields: the position to resume from, the message, and its
#: original JSON text when the message is that text unchanged (else ``None``).
Entry = tuple[InputOffset, dict[str, Any], Union[str, None]]


@dataclass
class _Record:
    """One raw record: where it starts and ends, and its items (see :data:`_Item`)."""

    offset: int
    line: int
    items: Iterable[_Item]
    end_offset: int = 0
    end_line: int = 1


class InputReader:
    """Iterate over the messages of one input as ``(position, message)`` pairs.

    Args:
        source: A path, ``-`` for stdin, or a binary file object.
        converter: A ``--from`` format name or a converter callable (default ``segment``).
        start: Where to resume (a position recorded by an earlier run); ``None`` reads from the
            start. Stdin cannot be resumed.
        format: Force ``ndjson``, ``json-array`` or ``json-object`` instead of detecting it.
        on_error: Called with each :class:`InputError`; reading goes on.
        keep_errors: How many errors to keep in :attr:`errors` (all are counted).

    Attributes:
        path: The input's name.
        format: The format read (set once iteration starts).
        errors: The first ``keep_errors`` errors. ``error_count``: how many there were.
        position: The position after the last message yielded; once the input is exhausted,
            its end with ``done=True``.
    """

    def __init__(self, source: Union[str, os.PathLike[str], IO[bytes]],
                 converter: Union[str, Converter] = "segment", start: Position | None = None,
                 format: str | None = None,
                 on_error: Callable[[InputError], None] | None = None,
                 keep_errors: int = 100) -> None:
        if format is not None and format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
        self._source = source
        if isinstance(source, (str, os.PathLike)):
            self.path = os.fspath(source)
        else:
            self.path = str(getattr(source, "name", "<stream>"))
        self._convert = get_converter(converter) if isinstance(converter, str) else converter
        self._start = start
        self.format = format
        self._on_error = on_error
        self._keep = keep_errors
        self.errors: list[InputError] = []
        self.error_count = 0
        self.position = start if start is not None else Position(self.path)

    def _error(self, error: InputError) -> None:
        self.error_count += 1
        if len(self.errors) < self._keep:
            self.errors.append(error)
        if self._on_error is not None:
            self._on_error(error)

    def _open(self) -> tuple[IO[bytes], bool]:
        """The stream positioned at the start offset, and whether to close it."""
        offset = self._start.offset if self._start is not None else 0
        if isinstance(self._source, (str, os.PathLike)) and self.path != "-":
            stream: IO[bytes] = open(self.path, "rb")
            owned = True
        else:
            stream = sys.stdin.buffer if self.path == "-" else self._source  # type: ignore
            owned = False
        if offset and not stream.seekable():
            raise ValueError(f"cannot resume {self.path!r} at byte {offset}: it is not a file")
        if self.format is not None and not offset:
            return stream, owned
        try:
            detected, replay = sniff(stream)
        except ValueError:
            if owned:
                stream.close()
            raise
        self.format = self.format or detected
        if offset:
            stream.seek(offset)
            return stream, owned
        if replay is None:
            return stream, owned
        return io.BufferedReader(Replay(replay, stream), CHUNK), owned

    def __iter__(self) -> Iterator[tuple[Position, dict[str, Any]]]:
        for position, message, _ in self.records():
            yield position, message

    def records(self) -> Iterator[Entry]:
        """Iterate as :meth:`__iter__` does, with each message's original JSON text.

        The text is the record exactly as the input holds it (surrounding space removed) when
        the message is that record unchanged: a line of NDJSON, an element of a JSON array or of
        a batch, read with the ``segment`` converter. A queue can store it instead of encoding
        the message again. It is ``None`` for messages a converter made or changed.
        """
        start = self._start or Position(self.path)
        try:
            stream, owned = self._open()
        except ValueError as exc:
            self._error(InputError(self.path, start.line, str(exc)))
            return
        try:
            records = {"ndjson": self._ndjson, "json-array": self._array,
                       "json-object": self._documents}[self.format or "ndjson"]
            skip = start.skip
            for record in records(stream, start):
                yield from self._messages(record, skip)
                skip = 0
        finally:
            if owned:
                stream.close()
        self.position = Position(self.path, self.position.offset, self.position.line, 0, True)

    def _messages(self, record: _Record | InputError, skip: int) -> Iterator[Entry]:
        """The messages of one record, each with the position to resume from after it."""
        if isinstance(record, InputError):
            self._error(record)
            return
        pending: _Item | None = None
        index = 0
        for item in self._convert_items(record):
            index += 1
            if index <= skip:
                continue
            if pending is not None:
                yield from self._emit(pending, Position(self.path, record.offset, record.line,
                                                        index - 1))
            pending = item
        end = Position(self.path, record.end_offset, record.end_line)
        if pending is not None:
            yield from self._emit(pending, end)
        self.position = end

    def _emit(self, item: _Item, position: Position) -> Iterator[Entry]:
        line, value, text = item
        if isinstance(value, InputError):
            self._error(value)
        elif isinstance(value, ValueError):
            self._error(InputError(self.path, line, str(value)))
        elif not isinstance(value, dict):
            self._error(InputError(self.path, line, f"expected a JSON object (a message), "
                                                    f"got {type_name(value)}"))
        else:
            self.position = position
            yield position, value, text.decode("utf-8") if isinstance(text, bytes) else text

    def _convert_items(self, record: _Record) -> Iterator[_Item]:
        convert = self._convert
        for line, value, text in record.items:
            if isinstance(value, InputError):
                yield line, value, None
                continue
            if convert is segment and isinstance(value, dict) and "batch" not in value:
                yield line, value, text  # the common case: the record is the message
                continue
            try:
                for message in convert(iter([value])):
                    yield line, message, None
            except (ValueError, TypeError, KeyError) as exc:
                yield line, InputError(self.path, line, f"cannot convert record: {exc}"), None

    # -- record readers --------------------------------------------------------------------

    def _ndjson(self, stream: IO[bytes], start: Position) -> Iterator[_Record | InputError]:
        offset, line = start.offset, start.line
        for raw in stream:
            begin, begin_line = offset, line
            offset += len(raw)
            line += raw.endswith(b"\n")
            text = raw.strip()
            if not begin and text.startswith(BOM):
                text = text[len(BOM):].strip()
            if not text:
                continue
            try:
                value = jsoncodec.loads(text)
            except UnicodeDecodeError as exc:
                yield InputError(self.path, begin_line, f"invalid UTF-8: {exc.reason} at "
                                                        f"byte {exc.start + 1} of the line")
                continue
            except jsonlimits.JSONDepthError as exc:
                yield InputError(self.path, begin_line, too_deep(exc))
                continue
            except ValueError as exc:
                reason = getattr(exc, "msg", None) or str(exc)
                yield InputError(self.path, begin_line, f"invalid JSON: {reason}")
                continue
            yield _Record(begin, begin_line, [(begin_line, value, text)], offset, line)
        self.position = Position(self.path, offset, line)

    def _array(self, stream: IO[bytes], start: Position) -> Iterator[_Record | InputError]:
        cursor = Cursor(stream, start.offset, start.line)
        try:
            if not start.offset:
                cursor.skip_bom()
                cursor.expect("[", "'[' to start the array")
            # At a resume point (just after '[', before or after an element) all three fit.
            char = cursor.peek()
            after_value = False
            while True:
                if char == "]":
                    cursor.take()
                    break
                if after_value:
                    cursor.expect(",", "',' or ']' after an array element")
                elif char == "," and start.offset:
                    cursor.take()  # resuming just after an element
                if cursor.peek() == "":
                    cursor.expect("]", "']' to end the array")
                line, offset = cursor.line, cursor.offset
                after_value = True
                try:
                    value, text = cursor.value_and_text()
                except TooDeep as exc:  # stepped over: the next element follows
                    yield InputError(self.path, exc.line, exc.reason)
                else:
                    yield _Record(offset, line, [(line, value, text)], cursor.offset,
                                  cursor.line)
                char = cursor.peek()
            if cursor.peek():
                raise SyntaxProblem("invalid JSON: unexpected data after the array", cursor.line)
        except SyntaxProblem as exc:
            yield InputError(self.path, exc.line, exc.reason + _unread_note(cursor))
        self.position = Position(self.path, cursor.offset, cursor.line)

    def _documents(self, stream: IO[bytes], start: Position) -> Iterator[_Record | InputError]:
        cursor = Cursor(stream, start.offset, start.line)
        try:
            if not start.offset:
                cursor.skip_bom()
            while cursor.peek():
                record = _Record(cursor.offset, cursor.line, [])
                record.items = self._document_items(cursor, record)
                yield record
        except SyntaxProblem as exc:
            yield InputError(self.path, exc.line, exc.reason + _unread_note(cursor))
        self.position = Position(self.path, cursor.offset, cursor.line)

    def _document_items(self, cursor: Cursor, record: _Record) -> Iterator[_Item]:
        """The items of one document: a batch's items one by one, or the document itself."""
        try:
            line = cursor.line
            cursor.expect("{", "'{' to start a document")
            document: dict[str, Any] = {}
            batch = False
            deep: TooDeep | None = None
            while cursor.peek() != "}":
                if document or batch or deep:
                    cursor.expect(",", "',' or '}' in an object")
                key = cursor.value()
                if not isinstance(key, str):
                    raise SyntaxProblem("invalid JSON: object keys must be strings", cursor.line)
                cursor.expect(":", "':' after an object key")
                if key == "batch" and cursor.peek() == "[":
                    batch = True
                    yield from self._batch_items(cursor)
                else:
                    try:
                        document[key] = cursor.value()
                    except TooDeep as exc:
                        deep = deep or exc
            cursor.take()
            if deep is not None:
                yield line, InputError(self.path, line, deep.reason), None
            elif not batch:
                yield line, document, None
        except SyntaxProblem as exc:
            record.end_offset, record.end_line = cursor.offset, cursor.line
            note = _unread_note(cursor)
            cursor.abandon()  # there is no boundary to resynchronise on
            yield exc.line, InputError(self.path, exc.line, exc.reason + note), None
            return
        record.end_offset, record.end_line = cursor.offset, cursor.line

    def _batch_items(self, cursor: Cursor) -> Iterator[_Item]:
        cursor.expect("[", "'['")
        if cursor.peek() == "]":
            cursor.take()
            return
        while True:
            cursor.peek()
            line = cursor.line
            try:
                value, text = cursor.value_and_text()
            except TooDeep as exc:
                yield exc.line, InputError(self.path, exc.line, exc.reason), None
            else:
                yield line, value, text
            if cursor.expect(",]", "',' or ']' in the batch array") == "]":
                return


def too_deep(exc: jsonlimits.JSONDepthError) -> str:
    """The reason of an input error for a record nested too deeply."""
    return f"invalid JSON: nested {exc.depth} levels deep, over the limit of {exc.limit}"


def _unread_note(cursor: Cursor) -> str:
    """Say that reading stops at a syntax error, when something is left unread."""
    try:
        left = bool(cursor.peek())
    except SyntaxProblem:
        left = True
    return UNREAD_NOTE if left else ""


def read_messages(source: Union[str, os.PathLike[str], IO[bytes]],
                  converter: Union[str, Converter] = "segment", start: Position | None = None,
                  format: str | None = None,
                  on_error: Callable[[InputError], None] | None = None,
                  ) -> Iterator[tuple[Position, dict[str, Any]]]:
    """Iterate over ``(position, message)`` pairs of one input; see :class:`InputReader`."""
    return iter(InputReader(source, converter=converter, start=start, format=format,
                            on_error=on_error))
