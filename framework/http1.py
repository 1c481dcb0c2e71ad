"""HTTP/1.1 messages for :mod:`framework.connection`: a request as bytes, a response parsed.

:func:`encode_request` writes the request line, headers and body as the bytes of one
``sendall``, refusing what could smuggle a second request (header names that are not tokens,
values with CR, LF or NUL, a malformed method or target). :class:`Reader` collects one response
through ``httptools`` (llhttp) callbacks, refusing headers past :data:`MAX_HEADER_BYTES` or
:data:`MAX_HEADERS`; :class:`LeanResponse` is the whole response, read at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

import httptools
from urllib3 import exceptions as u3

__all__ = ["LeanResponse", "Reader", "encode_request", "MAX_HEADER_BYTES", "MAX_HEADERS"]

#: The most header bytes (names and values) a response may carry.
MAX_HEADER_BYTES = 64 * 1024
#: The most header fields a response may carry.
MAX_HEADERS = 256
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BAD_VALUE = re.compile(r"[\r\n\x00]")
# Header names that passed the token check, with their lower-case form: the same few names
# come with every request.
_CHECKED_NAMES: dict[str, str] = {}
_BAD_TARGET = re.compile(r"[\s\x00-\x1f\x7f]")


@dataclass
class LeanResponse:
    """A whole response, read at once (what :mod:`framework.transport` turns into a
    ``requests.Response``)."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    version: str
    keep_alive: bool

    def header_dict(self) -> dict[str, str]:
        """The headers by name, repeated fields joined with ``", "`` (as urllib3 does)."""
        joined: dict[str, str] = {}
        lower: dict[str, str] = {}
        for name, value in self.headers:
            key = lower.setdefault(name.lower(), name)
            joined[key] = f"{joined[key]}, {value}" if key in joined else value
        return joined

    # the parts of urllib3's HTTPResponse that requests touches after the body was read
    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return b""

    def stream(self, *args: Any, **kwargs: Any) -> Iterable[bytes]:
        return iter(())

    def close(self) -> None:
        pass

    def release_conn(self) -> None:
        pass


def encode_request(method: str, target: str, host: str,
                   headers: Iterable[tuple[str, str]], body: bytes | None) -> bytes:
    """Request line, headers and body as the bytes to send.

    Raises:
        urllib3.exceptions.InvalidHeader: A header name is not a token, a value holds CR, LF
            or NUL, or the method or target is malformed (nothing is sent).
    """
    if not _TOKEN.match(method):
        raise u3.InvalidHeader(f"invalid HTTP method {method!r}")
    if _BAD_TARGET.search(target) or not (target.startswith("/") or target == "*"):
        raise u3.InvalidHeader(f"invalid request target {target!r}")
    lines = [f"{method} {target} HTTP/1.1"]
    names = set()
    values: list[str] = []
    for name, value in headers:
        lower = _CHECKED_NAMES.get(name)
        if lower is None:
            if not _TOKEN.match(name):
                raise u3.InvalidHeader(f"invalid header name {name!r}")
            lower = name.lower()
            if len(_CHECKED_NAMES) < 1024:
                _CHECKED_NAMES[name] = lower
        if type(value) is not str:
            value = str(value)
        names.add(lower)
        lines.append(f"{name}: {value}")
        values.append(value)
    if _BAD_VALUE.search("".join(values)):  # one search for all of them; then name the culprit
        name = next(line.split(":", 1)[0] for line, value in zip(lines[1:], values)
                    if _BAD_VALUE.search(value))
        raise u3.InvalidHeader(f"header {name!r} has a value with CR, LF or NUL; refused "
                               f"(it could smuggle a second request)")
    if "host" not in names:
        lines.insert(1, f"Host: {host}")
    if body and "content-length" not in names and "transfer-encoding" not in names:
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + body if body else head


_FRAMING_HEADERS = (b"content-length", b"transfer-encoding")


class Reader:
    """httptools callbacks collecting one response."""

    def __init__(self, head_only: bool) -> None:
        self.head_only = head_only
        self.reason = ""
        self.headers: list[tuple[str, str]] = []
        self.header_bytes = 0
        self.chunks: list[bytes] = []
        self.headers_done = False
        self.framed = False  # a Content-Length or Transfer-Encoding header came
        self.done = False
        self.keep_alive = False
        self.parser = httptools.HttpResponseParser(self)

    def close(self) -> None:
        """Drop the parser. It holds this reader's callbacks, so the two form a reference
        cycle that only the cyclic garbage collector would free: one per response."""
        self.parser = None  # type: ignore[assignment]

    def on_status(self, reason: bytes) -> None:
        self.reason += reason.decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_bytes += len(name) + len(value)
        if self.header_bytes > MAX_HEADER_BYTES or len(self.headers) >= MAX_HEADERS:
            raise u3.ProtocolError(f"the response headers are too large (more than "
                                   f"{MAX_HEADER_BYTES} bytes or {MAX_HEADERS} fields)")
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))
        if len(name) in (14, 17) and name.lower() in _FRAMING_HEADERS:
            self.framed = True

    def on_headers_complete(self) -> None:
        self.headers_done = True
        if self.head_only:
            self.done = True
            self.keep_alive = bool(self.parser.should_keep_alive())

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.done = True
        # llhttp answers this only until the parser moves past the message
        self.keep_alive = bool(self.parser.should_keep_alive())

    def delimited_by_close(self) -> bool:
        """Whether the body ends only when the server closes the connection."""
        status = self.parser.get_status_code()
        if self.head_only or status in (204, 304) or 100 <= status < 200:
            return False
        return not self.framed
