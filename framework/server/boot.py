"""Starting uvicorn on a socket we bind ourselves: in the foreground (``framework serve``) or in
a background thread (:class:`BackgroundServer`: the sink, tests).

Binding first means ``--port 0`` gets a free port whose number we know before printing
``listening on http://HOST:PORT``, and that a port in use is reported before anything runs.
Any ASGI app can be served this way (the server's, the sink's, an audience feed's).
"""

from __future__ import annotations

import signal
import socket
import sys
import threading
from typing import Any, Callable, TextIO

__all__ = ["bind", "serve", "BackgroundServer"]

ASGIApp = Callable[..., Any]


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket bound to ``host:port`` (``0``: a free port).

    Raises:
        OSError: The address cannot be bound (in use, not local).
    """
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
    # proto says TCP, and without it every keep-alive response stalls 40 ms on Nagle's
    # algorithm meeting the client's delayed ACK.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    """``http://HOST:PORT`` of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _config(app: ASGIApp, graceful: float) -> Any:
    import uvicorn

    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                          timeout_graceful_shutdown=max(1, round(graceful)))


def serve(app: ASGIApp, sock: socket.socket, *, graceful: float = 10.0,
          out: TextIO | None = None) -> int:
    """Serve ``app`` on ``sock`` in this thread until SIGTERM or Ctrl-C; returns 0.

    Prints ``listening on http://HOST:PORT`` on ``out`` (stdout) once the app has started.
    On SIGTERM or SIGINT: stop accepting connections, let requests in progress finish (up to
    ``graceful`` seconds), run the app's shutdown (delivery workers stop and write their acks),
    then return.
    """
    import uvicorn

    class _Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started:
                print(f"listening on {url_of(sock)}", file=out or sys.stdout, flush=True)

    server = _Server(_config(app, graceful))
    # uvicorn re-raises the signal it caught once it has shut down; with these handlers in
    # place that re-raise is a no-op, so a SIGTERM ends the command with status 0.
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, lambda *_: None)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
    return 0 if server.started else 1


class BackgroundServer:
    """An ASGI app served by uvicorn from a daemon thread (signal handlers left alone).

    Args:
        app: The ASGI app.
        host: The address to bind.
        port: The port; 0 picks a free one.
        graceful: Seconds :meth:`stop` lets requests in progress finish.

    Example::

        with BackgroundServer(create_app(config, queue)) as server:
            requests.get(server.url + "/healthz")
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0,
                 graceful: float = 1.0) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.port = 0
        self.graceful = graceful
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        if not self.port:
            raise RuntimeError("the server is not started; call start() or use a with block")
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> "BackgroundServer":
        """Bind and serve in a background thread; returns once it accepts requests.

        Raises:
            OSError: The port cannot be bound.
            RuntimeError: The server did not start within ``timeout`` seconds.
        """
        import uvicorn

        if self._thread is not None:
            raise RuntimeError("the server is already started")
        sock = bind(self.host, self.requested_port)
        self.port = sock.getsockname()[1]
        self._server = uvicorn.Server(_config(self.app, self.graceful))
        self._thread = threading.Thread(target=self._serve, args=(sock,),
                                        name=f"server-{self.port}", daemon=True)
        self._thread.start()
        waited = 0.0
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"the server failed to start: {self._error!r}")
            if waited >= timeout:
                raise RuntimeError(f"the server did not start within {timeout} s")
            self._thread.join(0.01)
            waited += 0.01
        return self

    def _serve(self, sock: socket.socket) -> None:
        try:
            self._server.run(sockets=[sock])
        except BaseException as exc:  # reported by start()
            self._error = exc
        finally:
            sock.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (requests in progress finish) and wait for the thread."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout)
        self._server = None
        self._thread = None

    def wait(self) -> None:
        """Block until the server stops."""
        if self._thread is not None:
            while self._thread.is_alive():
                self._thread.join(0.2)

    def __enter__(self) -> "BackgroundServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
