"""Telling an input's JSON layout from its first line, whatever that line's length.

* the first non-space byte is ``[``: a JSON array (``json-array``);
* it is ``{`` and the input is one line holding a Segment batch body (``{"batch": ...``): one
  document, streamed item by item (``json-object``), so a huge one-line batch file is never
  held in memory whole;
* it is ``{`` and the first line is a complete JSON value, or does not end in the middle of
  one (``{``, ``[``, ``,`` or ``:`` last): NDJSON (``ndjson``); a bad first line is reported as
  a bad record, it does not change the format;
* otherwise: pretty-printed documents (``json-object``).

The decision reads the input up to the end of its first line and the next non-space byte
after it, however far that is: it never depends on a buffer size. What it read is kept to be
read again, except for seekable inputs, which are sought back to where they started once the
kept bytes pass :data:`KEEP_LIMIT`. A leading UTF-8 byte order mark is ignored.
"""

from __future__ import annotations

import io
import re
from typing import IO, Any

from .. import jsonlimits

__all__ = ["BOM", "KEEP_LIMIT", "sniff", "detect_format", "Replay"]

BOM = b"\xef\xbb\xbf"
#: Bytes of a seekable input's first line kept in memory during detection; past this the input
#: is read on without keeping and then sought back.
KEEP_LIMIT = 4 * 1024 * 1024
_SPACE = b" \t\r\n"
_READ = 64 * 1024
_BATCH = re.compile(rb'\{\s*"batch"\s*:')
_OPEN_ENDS = (b"{", b"[", b",", b":")


class _Scan:
    """What detection learnt about the first line."""

    def __init__(self) -> None:
        self.first = b""       # the first non-space byte
        self.line = bytearray()  # the first line from its first non-space byte, while kept
        self.start = b""       # the first bytes of the first line
        self.kept_whole = True  # whether ``line`` holds the whole first line
        self.tail = b""        # the last bytes of the first line (right-stripped)
        self.line_done = False
        self.more = False      # something but whitespace follows the first line


def sniff(stream: IO[bytes]) -> tuple[str, bytes | None]:
    """Detect the format of ``stream`` (read from its current position).

    Returns:
        ``(format, replay)``: ``replay`` holds the bytes read, to be served before the rest of
        the stream; ``None`` when the stream was sought back to its start instead.

    Raises:
        ValueError: The first non-space byte is neither ``[`` nor ``{`` (the message names it).
    """
    seekable = _seekable(stream)
    origin = stream.tell() if seekable else 0
    read = getattr(stream, "read1", stream.read)
    kept = bytearray()
    keeping = True
    scan = _Scan()
    at_start = True
    while True:
        chunk = read(_READ)
        if not chunk:
            break
        if keeping:
            kept += chunk
            if seekable and len(kept) > KEEP_LIMIT:
                keeping = False
                kept = bytearray()
        if at_start:
            at_start = False
            if chunk.startswith(BOM):
                chunk = chunk[len(BOM):]
        if _feed(scan, chunk):
            break
    if keeping:
        return _decide(scan), bytes(kept)
    stream.seek(origin)
    return _decide(scan), None


def detect_format(head: bytes) -> str:
    """The format of an input that consists of ``head`` (see the module docstring).

    Raises:
        ValueError: The first non-space byte is neither ``[`` nor ``{``.
    """
    scan = _Scan()
    _feed(scan, head[len(BOM):] if head.startswith(BOM) else head)
    return _decide(scan)


def _feed(scan: _Scan, chunk: bytes) -> bool:
    """Advance the scan over ``chunk``; returns True once the decision needs no more input."""
    if not scan.first:
        chunk = chunk.lstrip(_SPACE)
        if not chunk:
            return False
        scan.first = chunk[:1]
        if scan.first != b"{":
            return True
    if not scan.line_done:
        line, newline, rest = chunk.partition(b"\n")
        if len(scan.start) < 64:
            scan.start = (scan.start + line)[:64]
        if scan.kept_whole:
            scan.line += line
            if len(scan.line) > KEEP_LIMIT:
                scan.kept_whole = False
                scan.line = bytearray()
        stripped = line.rstrip(_SPACE)
        if stripped:
            scan.tail = (scan.tail + stripped)[-8:]
        if not newline:
            return False
        scan.line_done = True
        chunk = rest
    if chunk.strip(_SPACE):
        scan.more = True
        return True
    return False


def _decide(scan: _Scan) -> str:
    if not scan.first:
        return "ndjson"
    if scan.first == b"[":
        return "json-array"
    if scan.first != b"{":
        raise ValueError(f"not JSON messages: expected '{{' or '[' first, found "
                         f"{scan.first.decode('latin-1')!r}")
    line = bytes(scan.line)
    if not scan.more and _BATCH.match(scan.start):
        return "json-object"
    if scan.kept_whole:
        try:
            jsonlimits.loads(line.decode("utf-8"))
            return "ndjson"
        except jsonlimits.JSONDepthError:
            return "ndjson"  # a complete value, too deep: reported as a bad line
        except ValueError:
            pass
    return "json-object" if scan.tail.endswith(_OPEN_ENDS) else "ndjson"


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


class Replay(io.RawIOBase):
    """A raw stream that serves ``head`` (the bytes :func:`sniff` read) and then reads ``rest``."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        read = getattr(self._rest, "read1", self._rest.read)
        data = read(len(buffer))
        buffer[:len(data)] = data
        return len(data)
