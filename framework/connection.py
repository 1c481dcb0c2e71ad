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
- every socket operation goes through :mod:`framework.sockets`: blocking in a plain thread; in
  a worker of a :class:`~framework.cooperative.Hub`, non-blocking, the worker switching out
  while it waits (connect, TLS handshake, send, receive), so one thread keeps many requests in
  flight.

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

The messages themselves (encoding a request, parsing a response with httptools, the limits)
are :mod:`framework.http1`; this module owns the sockets, their pool and the deadlines.
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Iterable

import httptools
from urllib3 import exceptions as u3

from . import cooperative, sockets
from .http1 import MAX_HEADER_BYTES, MAX_HEADERS, LeanResponse, Reader, encode_request

__all__ = ["Deadline", "LeanResponse", "ConnectionPool", "MAX_HEADER_BYTES", "MAX_HEADERS",
           "encode_request"]

#: Bytes asked of each ``recv``. Python allocates the whole size before the read; from 256 KiB
#: on, glibc serves that with a fresh ``mmap`` each time, which cost 10 us per read here
#: against 1 us for 64 KiB (a body larger than this is read in several calls).
_READ_SIZE = 64 * 1024
#: An idle connection given back less than this many seconds ago is reused without checking
#: whether the server closed it (see ``ConnectionPool._take``).
FRESH_SECONDS = 0.25


class Deadline:
    """The time limits of one attempt.

    Attributes:
        connect: Seconds to open the connection (TCP and TLS), or ``None`` for no limit.
        read: Seconds any one read may wait, or ``None``.
        until: ``time.monotonic()`` by which the whole attempt must be done, or ``None``.
    """

    __slots__ = ("connect", "read", "until")  # one per request: no dataclass machinery

    def __init__(self, connect: float | None = None, read: float | None = None,
                 until: float | None = None) -> None:
        self.connect, self.read, self.until = connect, read, until

    def __repr__(self) -> str:
        return f"Deadline(connect={self.connect!r}, read={self.read!r}, until={self.until!r})"

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
    nonblocking: bool = False  # last used by a cooperative worker (see framework.sockets)

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
        sock, hub = self.sock, cooperative.current()
        if hub is not None and not self.nonblocking:
            sock.settimeout(0.0)
        self.nonblocking = hub is not None
        try:
            sockets.send_all(sock, data, deadline.left(deadline.read), hub)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as exc:
            raise _NothingRead(exc) from exc
        self.used = True
        reader = Reader(head_only)
        try:
            received = False
            while not reader.done:
                try:
                    chunk = sockets.receive(sock, _READ_SIZE, deadline.left(deadline.read), hub,
                                            expect_wait=not received)
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
        finally:
            reader.close()  # parser and reader refer to each other: let refcounting free them


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
        hub = cooperative.current()
        try:
            sock = sockets.open_socket(self.host, self.port, deadline.left(deadline.connect), hub)
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
                sock = sockets.start_tls(sock, self.ssl_context, self.host,
                                         deadline.left(deadline.connect), hub)
            except ssl.SSLError as exc:
                sock.close()
                raise u3.MaxRetryError(None, url, u3.SSLError(exc)) from exc  # type: ignore
            except (socket.timeout, TimeoutError) as exc:
                sock.close()
                raise u3.MaxRetryError(None, url, u3.ConnectTimeoutError(  # type: ignore
                    None, f"TLS handshake with {self.host} timed out. ({exc})")) from exc
        return _Connection(sock, nonblocking=hub is not None)

    def close(self) -> None:
        """Close every idle connection; connections in use close when their request ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
