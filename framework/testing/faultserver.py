"""A loopback HTTP endpoint that misbehaves on purpose: hangs, drips, resets, refuses.

The sink (``framework sink``) answers every request properly, with a share of error statuses;
this server covers the failures below HTTP that a delivery layer must survive::

    with FaultServer("drip", drip_every=0.5) as server:
        url = server.url + "/hook"
        ...
        server.mode = "ok"          # recovered: answer 200 from now on
        server.accepted_ids         # messageIds of requests answered 200

Modes:
    ``ok``: answer ``200 {"ok":true}``.
    ``hang``: read the request, never answer (until the server stops).
    ``drip``: answer 200 headers, then one body byte every ``drip_every`` seconds, forever.
    ``reset``: read the request, then close the connection with a TCP reset.
    ``status:N``: answer status N (e.g. ``status:401``).

It binds 127.0.0.1 on a free port, serves each connection in a daemon thread, and
:meth:`FaultServer.stop` closes every connection it holds, so hung clients see an error.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from typing import Any

__all__ = ["FaultServer", "wait_until"]

_MAX_REQUEST = 16 * 1024 * 1024


class FaultServer:
    """A misbehaving HTTP/1.1 server on loopback; a context manager.

    Args:
        mode: What to do with each request (see the module docstring); may be changed while
            the server runs.
        drip_every: Seconds between body bytes in ``drip`` mode.
        port: The loopback port to bind (0: a free one); a fixed port lets a test take an
            endpoint down and bring it back at the same address.
    """

    def __init__(self, mode: str = "ok", drip_every: float = 1.0, port: int = 0) -> None:
        self.mode = mode
        self.drip_every = drip_every
        self.requests = 0
        self.accepted_ids: list[str] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._clients: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(128)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, name="fault-server", daemon=True)

    def start(self) -> "FaultServer":
        """Start accepting connections."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting and close every open connection."""
        self._stopped.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        try:
            self._listener.close()
        except OSError:  # pragma: no cover
            pass
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            client.close()
        if self._thread.ident is not None:
            self._thread.join(5)

    def __enter__(self) -> "FaultServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- serving ---------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._clients.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            reader = client.makefile("rb")
            while not self._stopped.is_set():
                body = _read_request(reader)
                if body is None:
                    return
                with self._lock:
                    self.requests += 1
                if not self._answer(client, self.mode, body):
                    return
        except OSError:
            return
        finally:
            with self._lock:
                if client in self._clients:
                    self._clients.remove(client)
            client.close()

    def _answer(self, client: socket.socket, mode: str, body: bytes) -> bool:
        """Answer one request; returns whether the connection can serve another."""
        if mode == "hang":
            self._stopped.wait()
            return False
        if mode == "reset":
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if mode == "drip":
            client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
            while not self._stopped.wait(self.drip_every):
                client.sendall(b".")
            return False
        status = int(mode.split(":", 1)[1]) if mode.startswith("status:") else 200
        if status == 200:
            self._record(body)
        payload = b'{"ok":true}' if status == 200 else b'{"error":"injected"}'
        client.sendall(f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
        return True

    def _record(self, body: bytes) -> None:
        try:
            message: Any = json.loads(body)
        except ValueError:
            return
        if isinstance(message, dict) and isinstance(message.get("messageId"), str):
            with self._lock:
                self.accepted_ids.append(message["messageId"])


def _read_request(reader: Any) -> bytes | None:
    """One request's body, or ``None`` at the end of the connection."""
    line = reader.readline()
    if not line:
        return None
    length = 0
    while True:
        header = reader.readline()
        if not header or header in (b"\r\n", b"\n"):
            break
        name, _, value = header.partition(b":")
        if name.strip().lower() == b"content-length":
            length = min(int(value.strip() or 0), _MAX_REQUEST)
    return reader.read(length) if length else b""


def wait_until(predicate: Any, timeout: float = 30.0) -> None:
    """Poll ``predicate`` until it is true (tests and chaos runs); raises on timeout."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached in time")
        time.sleep(0.01)
