"""Running the sink: :class:`Sink` serves a :class:`~framework.sink.app.SinkApp` with uvicorn
(started by :class:`framework.server.boot.BackgroundServer`, as the server's tests do).

uvicorn (with httptools when installed) sustains about 14-19k requests/s on loopback from 16
keep-alive clients on a 2-core machine, against about 4k for waitress, so the sink stays far
from being the bottleneck of a runner benchmark.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..server.boot import BackgroundServer
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
        latency: Seconds after its arrival that each request is answered.

    Example::

        with Sink(fail_rate=0.1, seed=1) as sink:
            requests.post(sink.url + "/v1/track", json={"messageId": "m1"})
            assert sink.stats()["unique_message_ids"] == 1
    """

    def __init__(self, port: int = 0, fail_rate: float = 0.0,
                 statuses: Iterable[int] = (500, 429), seed: int | None = None,
                 db: str | None = None, keep: int = 10_000, host: str = "127.0.0.1",
                 latency: float = 0.0) -> None:
        self.recorder = Recorder(keep=keep, db=db)
        self.app = SinkApp(self.recorder, fail_rate=fail_rate, statuses=statuses, seed=seed,
                           latency=latency)
        self.host = host
        self._requested_port = port
        self.port = 0
        self._server: BackgroundServer | None = None

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
        if self._server is not None:
            raise RuntimeError("the sink is already started")
        server = BackgroundServer(self.app, self.host, self._requested_port, graceful=1)
        try:
            server.start(timeout)
        except RuntimeError as exc:
            raise RuntimeError(str(exc).replace("the server", "the sink")) from None
        self._server = server
        self.port = server.port
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving, close connections and flush the recorder."""
        if self._server is not None:
            self._server.stop(timeout)
        self._server = None
        self.recorder.close()

    def wait(self) -> None:
        """Block until the server stops (used by the CLI)."""
        if self._server is not None:
            self._server.wait()

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
