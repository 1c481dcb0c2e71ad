"""Raw socket servers that misbehave on purpose, for the connection layer's tests."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

#: A handler gets the server and the accepted socket.
Handler = Callable[["RawServer", socket.socket], None]


def read_request(conn: socket.socket) -> bytes:
    """Read one request's head and body (Content-Length bodies only)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class RawServer:
    """A loopback server that answers each connection with ``handler`` in a thread.

    Attributes:
        connections: How many connections were accepted.
        requests: The raw requests read (by handlers that call :meth:`record`).
    """

    def __init__(self, handler: Handler, ssl_context: ssl.SSLContext | None = None,
                 backlog: int = 16) -> None:
        self.handler = handler
        self.ssl_context = ssl_context
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.requests: list[bytes] = []
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"{'https' if self.ssl_context else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> "RawServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop = True
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            if self.ssl_context is not None:
                conn = self.ssl_context.wrap_socket(conn, server_side=True)
            self.handler(self, conn)
        except OSError:
            pass
        finally:
            conn.close()

    def record(self, conn: socket.socket) -> bytes:
        request = read_request(conn)
        if request:
            self.requests.append(request)
        return request


def answers(*responses: bytes, linger: float = 0.0) -> Handler:
    """A handler answering successive requests on one connection with ``responses``, then
    closing it (after ``linger`` seconds)."""
    def handle(server: RawServer, conn: socket.socket) -> None:
        for response in responses:
            if not server.record(conn):
                return
            conn.sendall(response)
        time.sleep(linger)
    return handle


def ok(body: bytes = b"ok", *extra: str) -> bytes:
    """A keep-alive 200 response with ``body``."""
    head = "\r\n".join(["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *extra])
    return head.encode() + b"\r\n\r\n" + body


@contextmanager
def full_backlog() -> Iterator[int]:
    """A loopback port whose listening socket never accepts and whose backlog is full, so the
    kernel drops further connection attempts: a connect there times out (a blackhole that
    never leaves the machine)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):  # Linux queues backlog + 1; the rest time out on their own
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.05)  # let the handshakes that the backlog takes complete
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
