"""Streaming JSON over a binary stream, with byte offsets and line numbers.

:class:`Cursor` decodes UTF-8 in chunks and parses one JSON value at a time with
``json.JSONDecoder.raw_decode``, so memory holds one chunk plus the value being parsed, however
long the input. It tracks the byte offset and the line number of what it has consumed, which is
what a resumable reader records.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import IO, Any

from .. import jsonlimits

__all__ = ["Cursor", "SyntaxProblem", "TooDeep", "CHUNK"]

CHUNK = 64 * 1024
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class SyntaxProblem(ValueError):
    """The input is not valid JSON at ``line``."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class TooDeep(SyntaxProblem):
    """A value nests deeper than the limit; the cursor has stepped over it, so reading can go
    on with what follows."""

    def __init__(self, error: jsonlimits.JSONDepthError, line: int) -> None:
        super().__init__(f"invalid JSON: nested {error.depth} levels deep, over the limit of "
                         f"{error.limit}", line)
        self.depth = error.depth
        self.limit = error.limit


class Cursor:
    """A read position in a stream of JSON text.

    Args:
        stream: A binary stream positioned at ``offset``.
        offset: The byte offset of the stream's current position in the input.
        line: The line number at that position (1-based).
        max_depth: The deepest nesting a value may have (see :mod:`framework.jsonlimits`).
    """

    def __init__(self, stream: IO[bytes], offset: int = 0, line: int = 1,
                 max_depth: int = jsonlimits.DEFAULT_MAX_DEPTH) -> None:
        self._stream = stream
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._carry = b""  # the start of a UTF-8 sequence that the next read completes
        self._bad: SyntaxProblem | None = None  # invalid UTF-8 met after the buffered text
        self.max_depth = max_depth
        self.offset = offset
        self.line = line

    def _fill(self, want: int = CHUNK) -> bool:
        """Read more text; returns whether any came.

        Text before invalid UTF-8 is still served; the error is raised when the reader needs
        what follows it, with the line it is on.
        """
        if self._eof:
            if self._bad is not None:
                raise self._bad
            return False
        data = self._carry + self._stream.read(max(want, CHUNK))
        if self._pos:
            self._buf = self._buf[self._pos:]
            self._pos = 0
        final = len(data) == len(self._carry)
        try:
            text, used = codecs.utf_8_decode(data, "strict", final)
        except UnicodeDecodeError as exc:
            good = data[:exc.start].decode("utf-8")
            line = self.line + self._buf.count("\n") + good.count("\n")
            self._buf += good
            self._eof, self._carry = True, b""
            self._bad = SyntaxProblem(f"invalid UTF-8: {exc.reason}", line)
            if not good:
                raise self._bad from None
            return True
        self._carry = data[used:]
        self._buf += text
        if final:
            self._eof = True
            return False
        return True

    def abandon(self) -> None:
        """Stop reading: the rest of the input is treated as absent."""
        self._eof, self._buf, self._pos, self._bad = True, "", 0, None

    def skip_bom(self) -> None:
        """Step over a UTF-8 byte order mark at the cursor, if there is one."""
        if self._pos >= len(self._buf):
            self._fill()
        if self._buf.startswith("\ufeff", self._pos):
            self._advance(self._pos + 1)

    def _advance(self, end: int) -> None:
        text = self._buf[self._pos:end]
        self.offset += len(text) if text.isascii() else len(text.encode("utf-8"))
        self.line += text.count("\n")
        self._pos = end

    def peek(self) -> str:
        """Skip whitespace and return the next character without consuming it ("" at the end)."""
        while True:
            # "[ \t\n\r]*" always matches, so the match is never None
            self._advance(_WS.match(self._buf, self._pos).end())  # type: ignore[union-attr]
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def take(self) -> str:
        """Consume and return the next non-space character ("" at the end)."""
        char = self.peek()
        if char:
            self._advance(self._pos + 1)
        return char

    def expect(self, chars: str, what: str) -> str:
        """Consume the next non-space character, which must be one of ``chars``.

        Raises:
            SyntaxProblem: naming ``what`` was expected and what was found.
        """
        char = self.peek()
        if not char or char not in chars:
            found = repr(char) if char else "the end of the input"
            raise SyntaxProblem(f"invalid JSON: expected {what}, found {found}", self.line)
        self._advance(self._pos + 1)
        return char

    def value(self) -> Any:
        """Parse and consume the next JSON value.

        Raises:
            SyntaxProblem: the value is not valid JSON (or the input ends inside it).
        """
        return self._parse(False)[0]

    def value_and_text(self) -> tuple[Any, str]:
        """Parse and consume the next JSON value; return it with its text as the input holds it.

        Raises:
            SyntaxProblem: the value is not valid JSON (or the input ends inside it).
        """
        value, text = self._parse(True)
        return value, text or ""

    def _parse(self, keep_text: bool) -> tuple[Any, str | None]:
        self.peek()
        final = False
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buf, self._pos)
            except RecursionError:
                self._step_over_deep()
            except json.JSONDecodeError as exc:
                if self._fill(len(self._buf) - self._pos):
                    continue
                if not final:  # decode once more: the fill that met the end moved the buffer
                    final = True
                    continue
                line = self.line + self._buf.count("\n", self._pos, exc.pos)
                reason = exc.msg if exc.pos < len(self._buf) else "unexpected end of input"
                raise SyntaxProblem(f"invalid JSON: {reason}", line) from None
            if end == len(self._buf) and self._fill():
                continue  # a number may go on in the next chunk
            try:
                jsonlimits.check_depth(self._buf, self.max_depth, self._pos, end)
            except jsonlimits.JSONDepthError as exc:
                line = self.line
                self._advance(end)
                raise TooDeep(exc, line) from None
            text = self._buf[self._pos:end] if keep_text else None
            self._advance(end)
            return value, text

    def _step_over_deep(self) -> None:
        """Skip a value too deep for the parser, then raise :class:`TooDeep`."""
        while True:
            end, depth = jsonlimits.value_extent(self._buf, self._pos)
            if end is not None:
                break
            if not self._fill(len(self._buf) - self._pos):
                raise SyntaxProblem("invalid JSON: unexpected end of input", self.line)
        line = self.line
        self._advance(end)
        raise TooDeep(jsonlimits.JSONDepthError(depth, self.max_depth), line)
