"""A fake Segment Tracking API on 127.0.0.1 for round-trip tests.

It accepts ``POST /v1/batch`` only, checks HTTP Basic auth with the write key and an empty
password, ``Content-Type: application/json`` and the documented size limits (500 KB and
2,500 messages per batch, 32 KB per message), and stores messages by ``messageId`` the way
Segment deduplicates them. A violated rule gets a 4xx answer and is kept in ``violations``.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any, Callable, Iterable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        pass


class FakeSegmentAPI:
    """The fake API, served from a thread while used as a context manager.

    Args:
        write_key: The only write key accepted.
        max_batch_bytes: The largest body accepted (500 KB read as 500 * 1024).
        max_batch: The most messages per batch.
        max_message_bytes: The largest message accepted (its compact JSON).
    """

    def __init__(self, write_key: str, max_batch_bytes: int = 500 * 1024,
                 max_batch: int = 2500, max_message_bytes: int = 32 * 1024) -> None:
        self.write_key = write_key
        self.max_batch_bytes = max_batch_bytes
        self.max_batch = max_batch
        self.max_message_bytes = max_message_bytes
        self.messages: dict[str, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self._lock = threading.Lock()
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:PORT``."""
        assert self._server is not None, "the fake API is not running"
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> "FakeSegmentAPI":
        self._server = make_server("127.0.0.1", 0, self.app, handler_class=_Quiet)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def _refuse(self, start: Callable[..., Any], status: str, reason: str) -> Iterable[bytes]:
        with self._lock:
            self.violations.append(reason)
        start(status, [("Content-Type", "application/json")])
        return [json.dumps({"success": False, "error": reason}).encode()]

    def app(self, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        """The WSGI application."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        with self._lock:
            self.requests.append({"method": environ["REQUEST_METHOD"],
                                  "path": environ["PATH_INFO"], "bytes": len(body),
                                  "authorization": environ.get("HTTP_AUTHORIZATION")})
        if environ["REQUEST_METHOD"] != "POST" or environ["PATH_INFO"] != "/v1/batch":
            return self._refuse(start, "404 Not Found", "only POST /v1/batch exists")
        expected = "Basic " + base64.b64encode(f"{self.write_key}:".encode()).decode()
        if environ.get("HTTP_AUTHORIZATION") != expected:
            return self._refuse(start, "401 Unauthorized", "bad write key")
        if not (environ.get("CONTENT_TYPE") or "").startswith("application/json"):
            return self._refuse(start, "400 Bad Request", "Content-Type must be JSON")
        if len(body) > self.max_batch_bytes:
            return self._refuse(start, "400 Bad Request", f"batch of {len(body)} bytes")
        try:
            batch = json.loads(body)["batch"]
        except (ValueError, KeyError, TypeError):
            return self._refuse(start, "400 Bad Request", "invalid JSON batch")
        if len(batch) > self.max_batch:
            return self._refuse(start, "400 Bad Request", f"batch of {len(batch)} messages")
        for message in batch:
            size = len(json.dumps(message, separators=(",", ":"),
                                  ensure_ascii=False).encode())
            if size > self.max_message_bytes:
                return self._refuse(start, "400 Bad Request", f"message of {size} bytes")
            if not message.get("type") or not message.get("messageId") \
                    or not message.get("sentAt"):
                return self._refuse(start, "400 Bad Request", "type, messageId, sentAt needed")
        with self._lock:
            for message in batch:
                self.messages.setdefault(message["messageId"], message)
        start("200 OK", [("Content-Type", "application/json")])
        return [b'{"success":true}']
