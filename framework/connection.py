"""A lean HTTP/1.1 client connection: persistent sockets per origin, parsed by httptools.

What urllib3 and ``http.client`` do per request costs more than the rest of a loopback
delivery (see BENCHMARKS.md), so :mod:`framework.transport` sends the common case through
this module instead, still below ``HTTPAdapter.send`` (``responses``, the tester and every hook
see each request as before):

- a pool of persistent sockets per origin (scheme, host, port, TLS settings), last in first
  out, so a warm connection is reused;
- request line, headers and body written with one ``sendall``;
- the response parsed by ``httptools`` (llhttp, the parser Node itself uses): status line,
  headers, ``Content-Length`` and chunked bodies (trailers included) are checked by a kept
  library, not by hand; the body is read at once.

Correctness before speed:

- TLS with certificate verification and SNI (``ssl.create_default_context``);
- a connect timeout, a read timeout per socket operation, and a total deadline for the whole
  attempt (connect, send, the whole body): each socket operation may wait only for what is left;
- a reused connection that the server closed while it was idle is retried once on a fresh
  socket, and only when nothing of the response had been read;
- ``Connection: close`` and HTTP/1.0 answers close the socket after the response;
- header names must be tokens and values may not hold CR, LF or NUL (no request smuggling);
  response headers past :data:`MAX_HEADER_BYTES` or :data:`MAX_HEADERS`, malformed status lines
  and bad ``Content-Length`` values are refused.

Failures are raised as the urllib3 exceptions ``HTTPAdapter.send`` already translates
(``NewConnectionError``/``NameResolutionError`` in ``MaxRetryError``, ``ConnectTimeoutError``,
``ReadTimeoutError``, ``ProtocolError``, ``SSLError``, ``InvalidHeader``), the real cause
chained, so callers see the same ``requests`` exceptions either way.

The module is slightly over ~400 lines because the connection, its pool and the response
parser share one socket's state and read best together.
"""

from __future__ import annotations

import http.client
import re
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

import httptools
from urllib3 import exceptions as u3

__all__ = ["Deadline", "LeanResponse", "ConnectionPool", "MAX_HEADER_BYTES", "MAX_HEADERS",
           "encode_request"]

#: The most header bytes (names and values) a response may carry.
MAX_HEADER_BYTES = 64 * 1024
#: The most header fields a response may carry.
MAX_HEADERS = 256
_READ_SIZE = 256 * 1024
#: An idle connection given back less than this many seconds ago is reused without checking
#: whether the server closed it (see ``ConnectionPool._take``).
FRESH_SECONDS = 0.25
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BAD_VALUE = re.compile(r"[\r\n\x00]")
# Header names that passed the token check, with their lower-case form: the same few names
# come with every request.
_CHECKED_NAMES: dict[str, str] = {}
_BAD_TARGET = re.compile(r"[\s\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Deadline:
    """The time limits of one attempt.

    Attributes:
        connect: Seconds to open the connection (TCP and TLS), or ``None`` for no limit.
        read: Seconds any one read may wait, or ``None``.
        until: ``time.monotonic()`` by which the whole attempt must be done, or ``None``.
    """

    connect: float | None = None
    read: float | None = None
    until: float | None = None

    def expired(self) -> bool:
        """Whether the whole attempt's time is up."""
        return self.until is not None and time.monotonic() >= self.until

    def left(self, limit: float | None) -> float | None:
        """The seconds the next socket operation may take: ``limit``, cut to the deadline.

        Raises:
            socket.timeout: The deadline has passed.
        """
        if self.until is None:
            return limit
        remaining = self.until - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("the attempt's deadline passed")
        return remaining if limit is None else min(limit, remaining)


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
        if _BAD_VALUE.search(value):
            raise u3.InvalidHeader(f"header {name!r} has a value with CR, LF or NUL; refused "
                                   f"(it could smuggle a second request)")
        names.add(lower)
        lines.append(f"{name}: {value}")
    if "host" not in names:
        lines.insert(1, f"Host: {host}")
    if body and "content-length" not in names and "transfer-encoding" not in names:
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + body if body else head


_FRAMING_HEADERS = (b"content-length", b"transfer-encoding")


class _Reader:
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


class _NothingRead(Exception):
    """The server closed or reset the connection before sending any byte of a response.

    Attributes:
        cause: What the socket said (a reset, or ``RemoteDisconnected`` for a plain close).
    """

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


@dataclass
class _Connection:
    sock: socket.socket
    used: bool = False
    closed: bool = field(default=False)
    idle_since: float = 0.0

    def stale(self) -> bool:
        """Whether the server closed this idle connection (it is readable: EOF or junk)."""
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass

    def exchange(self, data: bytes, head_only: bool, deadline: Deadline) -> LeanResponse:
        sock = self.sock
        try:
            sock.settimeout(deadline.left(deadline.read))
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as exc:
            raise _NothingRead(exc) from exc
        self.used = True
        reader = _Reader(head_only)
        received = False
        while not reader.done:
            sock.settimeout(deadline.left(deadline.read))
            try:
                chunk = sock.recv(_READ_SIZE)
            except (ConnectionResetError, ConnectionAbortedError) as exc:
                if not received:
                    raise _NothingRead(exc) from exc
                raise u3.ProtocolError("Connection aborted.", exc) from exc
            if not chunk:
                if not received:
                    raise _NothingRead(http.client.RemoteDisconnected(
                        "Remote end closed connection without response"))
                if reader.headers_done and reader.delimited_by_close():
                    break
                raise u3.ProtocolError("the response ended early (the server closed the "
                                       "connection)")
            received = True
            try:
                reader.parser.feed_data(chunk)
            except httptools.HttpParserUpgrade:
                raise u3.ProtocolError("the server switched protocols; not supported") from None
            except httptools.HttpParserError as exc:
                if isinstance(exc.__context__, u3.ProtocolError):  # raised by a callback
                    raise exc.__context__ from None
                raise u3.ProtocolError(f"malformed response: {exc}") from exc
        parser = reader.parser
        keep_alive = reader.done and reader.keep_alive and not reader.delimited_by_close()
        return LeanResponse(status=parser.get_status_code(), reason=reader.reason,
                            headers=reader.headers, body=b"".join(reader.chunks),
                            version=parser.get_http_version(), keep_alive=keep_alive)


class ConnectionPool:
    """Persistent connections to one origin; safe to share by threads.

    Args:
        scheme: ``http`` or ``https``.
        host: The host name (or address) to connect to; also the TLS server name (SNI).
        port: The port.
        maxsize: How many idle connections to keep.
        ssl_context: For ``https``: the context (default: verify certificates and host name).
    """

    def __init__(self, scheme: str, host: str, port: int, *, maxsize: int = 10,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        if scheme not in ("http", "https"):
            raise ValueError(f"scheme must be http or https, got {scheme!r}")
        self.scheme, self.host, self.port = scheme, host, port
        self.maxsize = maxsize
        self.ssl_context = ssl_context if scheme == "https" else None
        if scheme == "https" and self.ssl_context is None:
            self.ssl_context = ssl.create_default_context()
        default = 443 if scheme == "https" else 80
        name = f"[{host}]" if ":" in host else host
        self.host_header = name if port == default else f"{name}:{port}"
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def request(self, method: str, target: str, headers: Iterable[tuple[str, str]],
                body: bytes | None, deadline: Deadline = Deadline()) -> LeanResponse:
        """Send one request and read its whole response.

        Raises:
            urllib3.exceptions.HTTPError: Any failure, as described in the module docstring.
        """
        data = encode_request(method, target, self.host_header, headers, body)
        head_only = method == "HEAD"
        for attempt in (1, 2):
            connection = self._take()
            reused = connection is not None
            if connection is None:
                connection = self._connect(deadline)
            try:
                response = connection.exchange(data, head_only, deadline)
            except _NothingRead as exc:
                connection.close()
                if reused and attempt == 1:
                    continue  # closed while idle: once more on a fresh socket
                raise u3.ProtocolError("Connection aborted.", exc.cause) from exc.cause
            except (socket.timeout, TimeoutError) as exc:
                connection.close()
                why = ("the attempt's deadline passed" if deadline.expired() else
                       f"no byte for {deadline.read:g}s" if deadline.read else str(exc))
                raise u3.ReadTimeoutError(None, target,  # type: ignore[arg-type]
                                          f"Read timed out. ({why})") from exc
            except ssl.SSLError as exc:
                connection.close()
                raise u3.SSLError(exc) from exc
            except OSError as exc:
                connection.close()
                raise u3.ProtocolError("Connection aborted.", exc) from exc
            except BaseException:
                connection.close()
                raise
            if response.keep_alive:
                self._give_back(connection)
            else:
                connection.close()
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _take(self) -> _Connection | None:
        while True:
            with self._lock:
                if not self._idle:
                    return None
                connection = self._idle.pop()
            # A connection given back moments ago is not checked: no server closes an idle
            # connection that soon, and the once-more retry covers one that did. The check is a
            # system call (and a GIL hand-over) per request otherwise.
            if time.monotonic() - connection.idle_since < FRESH_SECONDS or not connection.stale():
                return connection
            connection.close()

    def _give_back(self, connection: _Connection) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.maxsize:
                connection.idle_since = time.monotonic()
                self._idle.append(connection)
                return
        connection.close()

    def _connect(self, deadline: Deadline) -> _Connection:
        url = f"{self.scheme}://{self.host_header}"
        try:
            sock = socket.create_connection((self.host, self.port),
                                            timeout=deadline.left(deadline.connect))
        except socket.gaierror as exc:
            raise u3.MaxRetryError(None, url, u3.NameResolutionError(  # type: ignore[arg-type]
                self.host, None, exc)) from exc  # type: ignore[arg-type]
        except (socket.timeout, TimeoutError) as exc:
            raise u3.MaxRetryError(None, url, u3.ConnectTimeoutError(  # type: ignore[arg-type]
                None, f"Connection to {self.host} timed out. ({exc})")) from exc
        except OSError as exc:
            error = u3.NewConnectionError(None,  # type: ignore[arg-type]
                                          f"Failed to establish a new connection: {exc}")
            error.__cause__ = exc
            raise u3.MaxRetryError(None, url, error) from exc  # type: ignore[arg-type]
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:
            try:
                sock.settimeout(deadline.left(deadline.connect))
                sock = self.ssl_context.wrap_socket(sock, server_hostname=self.host)
            except ssl.SSLError as exc:
                sock.close()
                raise u3.MaxRetryError(None, url, u3.SSLError(exc)) from exc  # type: ignore
            except (socket.timeout, TimeoutError) as exc:
                sock.close()
                raise u3.MaxRetryError(None, url, u3.ConnectTimeoutError(  # type: ignore
                    None, f"TLS handshake with {self.host} timed out. ({exc})")) from exc
        return _Connection(sock)

    def close(self) -> None:
        """Close every idle connection; connections in use close when their request ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
