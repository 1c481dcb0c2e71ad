"""Socket operations that block their thread, or only their worker under a cooperative hub.

:mod:`framework.connection` opens, writes and reads its sockets through these functions.
Given ``hub=None`` each one is the plain blocking call with a timeout; given a
:class:`~framework.cooperative.Hub` (the caller is one of its workers) the socket is
non-blocking, and wherever the call would block, the worker waits in the hub instead, so the
hub's other workers go on meanwhile. Timeouts mean the same in both: ``socket.timeout`` when
one operation waited ``timeout`` seconds.
"""

from __future__ import annotations

import errno
import os
import socket
import ssl

from .cooperative import READ, WRITE, Hub

__all__ = ["open_socket", "start_tls", "send_all", "receive"]

_IN_PROGRESS = (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, errno.EAGAIN)


def _wait(hub: Hub, sock: socket.socket, events: int, timeout: float | None) -> None:
    if not hub.wait(sock, events, timeout):
        raise socket.timeout("timed out")


def open_socket(host: str, port: int, timeout: float | None, hub: Hub | None) -> socket.socket:
    """A TCP connection to ``host``:``port``, like ``socket.create_connection``.

    Every address the name resolves to is tried in turn; the first one's error is raised when
    none connects. (The name itself is resolved by a blocking ``getaddrinfo`` either way.)
    """
    if hub is None:
        return socket.create_connection((host, port), timeout=timeout)
    errors: list[OSError] = []
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, 0,
                                                              socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            code = sock.connect_ex(address)
            if code in _IN_PROGRESS:
                _wait(hub, sock, WRITE, timeout)
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, os.strerror(code))
            return sock
        except OSError as exc:
            sock.close()
            errors.append(exc)
    raise errors[0] if errors else OSError(f"getaddrinfo({host!r}) returned no address")


def start_tls(sock: socket.socket, context: ssl.SSLContext, server_name: str,
              timeout: float | None, hub: Hub | None) -> ssl.SSLSocket:
    """``sock`` wrapped in TLS with ``context`` (SNI and the certificate checked against
    ``server_name``), the handshake done."""
    if hub is None:
        sock.settimeout(timeout)
        return context.wrap_socket(sock, server_hostname=server_name)
    tls = context.wrap_socket(sock, server_hostname=server_name, do_handshake_on_connect=False)
    while True:
        try:
            tls.do_handshake()
            return tls
        except ssl.SSLWantReadError:
            _wait(hub, tls, READ, timeout)
        except ssl.SSLWantWriteError:
            _wait(hub, tls, WRITE, timeout)


def send_all(sock: socket.socket, data: bytes, timeout: float | None, hub: Hub | None) -> None:
    """Write all of ``data``; each wait for room in the socket's buffer up to ``timeout``."""
    if hub is None:
        sock.settimeout(timeout)
        sock.sendall(data)
        return
    view = memoryview(data)
    while view:
        try:
            view = view[sock.send(view):]
        except (BlockingIOError, ssl.SSLWantWriteError):
            _wait(hub, sock, WRITE, timeout)
        except ssl.SSLWantReadError:  # TLS renegotiation
            _wait(hub, sock, READ, timeout)


def receive(sock: socket.socket, size: int, timeout: float | None, hub: Hub | None,
            expect_wait: bool = False) -> bytes:
    """Read up to ``size`` bytes (``b""`` at the end of the stream), waiting up to ``timeout``.

    ``expect_wait`` (the first read after a request, whose answer cannot be there yet) waits
    for the socket before trying, which saves a read that would only say "not yet".
    """
    if hub is None:
        sock.settimeout(timeout)
        return sock.recv(size)
    if expect_wait and not (isinstance(sock, ssl.SSLSocket) and sock.pending()):
        _wait(hub, sock, READ, timeout)
    while True:
        try:
            return sock.recv(size)
        except (BlockingIOError, ssl.SSLWantReadError):
            _wait(hub, sock, READ, timeout)
        except ssl.SSLWantWriteError:
            _wait(hub, sock, WRITE, timeout)
