"""The sink's ASGI application: record every request, fail some on purpose.

Routes (all other paths are recorded and answered ``200 {"ok": true}``, or an injected
failure):

* ``GET /_stats``: ``{"requests", "bytes", "unique_message_ids",
  "accepted_unique_message_ids"}``; ``_`` routes are never counted themselves.
* ``GET /_requests?limit=N``: the last N recorded requests (default 100), oldest first.
* ``POST /_reset``: forget everything (and restart the fault sequence from the seed).
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import parse_qs

from .recorder import Recorder

__all__ = ["SinkApp", "validate_fail_rate", "validate_statuses"]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_JSON = (b"content-type", b"application/json")
_OK = b'{"ok":true}'
_REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout"}


def validate_fail_rate(value: float) -> float:
    """``value`` if it is a share between 0 and 1, else ``ValueError`` naming the rule."""
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"fail_rate must be between 0 and 1, got {value!r}")
    return rate


def validate_statuses(values: Iterable[int]) -> tuple[int, ...]:
    """``values`` as a tuple of HTTP error statuses (400-599), else ``ValueError``."""
    statuses = tuple(int(v) for v in values)
    if not statuses:
        raise ValueError("statuses must name at least one HTTP status")
    for status in statuses:
        if not 400 <= status <= 599:
            raise ValueError(f"statuses must be HTTP error statuses (400-599), got {status}")
    return statuses


class SinkApp:
    """An ASGI app that records requests into a :class:`Recorder` and injects failures.

    Args:
        recorder: Where requests are recorded.
        fail_rate: The share of requests (0 to 1) answered with a failure.
        statuses: The failure statuses, picked at random; a 429 carries ``Retry-After: 0``.
        seed: Seed of the random sequence that decides which requests fail.
        flush_interval: Seconds between database flushes while the server runs.
        latency: Seconds after its arrival that each request is answered (a simulated
            network or API delay; requests wait concurrently, never one behind another).
    """

    def __init__(self, recorder: Recorder, fail_rate: float = 0.0,
                 statuses: Iterable[int] = (500, 429), seed: int | None = None,
                 flush_interval: float = 0.5, latency: float = 0.0) -> None:
        if not latency >= 0:
            raise ValueError(f"latency must be >= 0 seconds, got {latency!r}")
        self.latency = latency
        self.recorder = recorder
        self.fail_rate = validate_fail_rate(fail_rate)
        self.statuses = validate_statuses(statuses)
        self.seed = seed
        self.flush_interval = flush_interval
        self._random = random.Random(seed)

    def reset(self) -> None:
        """Forget every request and restart the fault sequence."""
        self.recorder.reset()
        self._random = random.Random(self.seed)

    def _failure(self) -> int | None:
        if self.fail_rate and self._random.random() < self.fail_rate:
            return self._random.choice(self.statuses)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        arrived = asyncio.get_running_loop().time()
        chunks = []
        while True:
            event = await receive()
            chunks.append(event.get("body", b""))
            if not event.get("more_body"):
                break
        body = b"".join(chunks)
        path = scope["path"]
        if path.startswith("/_"):
            await self._control(scope, path, send)
            return
        status = self._failure() or 200
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            key = name.decode("latin-1")
            text = value.decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        self.recorder.record(scope["method"], path, scope["query_string"].decode("latin-1"),
                             headers, body, status)
        if self.latency:
            await asyncio.sleep(max(arrived + self.latency - asyncio.get_running_loop().time(),
                                    0.0))
        if status == 200:
            await _respond(send, 200, _OK)
            return
        extra = [(b"retry-after", b"0")] if status == 429 else []
        reason = _REASONS.get(status, "Error")
        payload = json.dumps({"error": f"injected failure: {status} {reason}"}).encode()
        await _respond(send, status, payload, extra)

    async def _control(self, scope: Scope, path: str, send: Send) -> None:
        method = scope["method"]
        if path == "/_stats" and method == "GET":
            await _respond(send, 200, json.dumps(self.recorder.stats()).encode())
        elif path == "/_requests" and method == "GET":
            query = parse_qs(scope["query_string"].decode("latin-1"))
            try:
                limit = int(query.get("limit", ["100"])[0])
                if limit < 0:
                    raise ValueError
            except ValueError:
                error = {"error": "limit must be a non-negative integer"}
                await _respond(send, 400, json.dumps(error).encode())
                return
            await _respond(send, 200, json.dumps(self.recorder.requests(limit or None)).encode())
        elif path == "/_reset" and method == "POST":
            self.reset()
            await _respond(send, 200, _OK)
        else:
            error = {"error": f"no control route {method} {path}; "
                              f"try GET /_stats, GET /_requests, POST /_reset"}
            await _respond(send, 404, json.dumps(error).encode())

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        flusher = None
        while True:
            event = await receive()
            if event["type"] == "lifespan.startup":
                flusher = asyncio.ensure_future(self._flush_periodically())
                await send({"type": "lifespan.startup.complete"})
            elif event["type"] == "lifespan.shutdown":
                if flusher is not None:
                    flusher.cancel()
                self.recorder.flush()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval)
            self.recorder.flush()


async def _respond(send: Send, status: int, body: bytes,
                   extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [_JSON, (b"content-length", str(len(body)).encode())] + (extra or [])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
