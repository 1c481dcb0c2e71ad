"""Running the sink: :class:`Sink` serves a :class:`~framework.sink.app.SinkApp` with uvicorn.

uvicorn (with httptools when installed) sustains about 14-19k requests/s on loopback from 16
keep-alive clients on a 2-core machine, against about 4k for waitress, so the sink stays far
from being the bottleneck of a runner benchmark.
"""

from __future__ import annotations

import socket
import threading
from typing import Any, Iterable

import uvicorn

from .app import SinkApp
from .recorder import Recorder

__all__ = ["Sink"]


class Sink:
    """A request bin on 127.0.0.1, served from a background thread.

    Args:
        port: The port to listen on; 0 picks a free one.
        fail_rate: The share of requests (0 to 1) answered with a failure.
        statuses: The failure statuses; a 429 carries ``Retry-After: 0``.
        seed: Seed of the random sequence that decides which requests fail.
        db: A SQLite file recording every request, or ``None`` for memory only.
        keep: How many recent requests to keep in memory.
        host: The loopback address to bind.

    Example::

        with Sink(fail_rate=0.1, seed=1) as sink:
            requests.post(sink.url + "/v1/track", json={"messageId": "m1"})
            assert sink.stats()["unique_message_ids"] == 1
    """

    def __init__(self, port: int = 0, fail_rate: float = 0.0,
                 statuses: Iterable[int] = (500, 429), seed: int | None = None,
                 db: str | None = None, keep: int = 10_000, host: str = "127.0.0.1") -> None:
        self.recorder = Recorder(keep=keep, db=db)
        self.app = SinkApp(self.recorder, fail_rate=fail_rate, statuses=statuses, seed=seed)
        self.host = host
        self._requested_port = port
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """The sink's base URL, e.g. ``http://127.0.0.1:54321``."""
        if not self.port:
            raise RuntimeError("the sink is not started; call start() or use it in a with block")
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> "Sink":
        """Bind the port and serve in a background thread; returns once it accepts requests.

        Raises:
            OSError: the port cannot be bound.
            RuntimeError: the server did not start within ``timeout`` seconds.
        """
        if self._thread is not None:
            raise RuntimeError("the sink is already started")
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto says TCP, and without it every keep-alive response stalls 40 ms on Nagle's
        # algorithm meeting the client's delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False,
                                lifespan="on", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, args=(sock,),
                                        name=f"sink-{self.port}", daemon=True)
        self._thread.start()
        waited = 0.0
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"the sink failed to start: {self._error!r}")
            if waited >= timeout:
                raise RuntimeError(f"the sink did not start within {timeout} s")
            self._thread.join(0.01)
            waited += 0.01
        return self

    def _serve(self, sock: socket.socket) -> None:
        try:
            assert self._server is not None
            self._server.run(sockets=[sock])
        except BaseException as exc:  # reported by start() / stop()
            self._error = exc
        finally:
            sock.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving, close connections and flush the recorder."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout)
        self._server = None
        self._thread = None
        self.recorder.close()

    def wait(self) -> None:
        """Block until the server stops (used by the CLI)."""
        if self._thread is not None:
            while self._thread.is_alive():
                self._thread.join(0.2)

    def stats(self) -> dict[str, int]:
        """The same numbers as ``GET /_stats``."""
        return self.recorder.stats()

    def requests(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The recorded requests, oldest first (the last ``limit`` when given)."""
        return self.recorder.requests(limit)

    def message_ids(self, accepted: bool = False) -> set[str]:
        """The messageIds received (only those that got a 2xx when ``accepted``)."""
        return self.recorder.message_ids(accepted)

    def duplicate_ids(self) -> dict[str, int]:
        """Message ids accepted more than once, with how many extra times."""
        return self.recorder.duplicate_ids()

    def reset(self) -> None:
        """Forget every request; the fault sequence starts again from the seed."""
        self.app.reset()

    def __enter__(self) -> "Sink":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
