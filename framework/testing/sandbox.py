"""A network sandbox: every HTTP request gets a canned reply and nothing leaves the process.

    with Sandbox([Reply(503), Reply(200, {"ok": True})]) as sandbox:
        Webhooks(settings).process(message)
    [e.status for e in sandbox.exchanges]   # [503, 200]

Requests made through ``requests`` (any method, any URL) are answered by ``responses`` with the
next queued :class:`Reply`, or the default reply (200 ``{}``) when the queue is empty. Any other
attempt to open an internet socket, or to resolve a host name, is refused with
:class:`NetworkBlocked` and recorded in :attr:`Sandbox.blocked`.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qs, urlsplit

import requests
import responses

__all__ = ["Reply", "Exchange", "Sandbox", "NetworkBlocked", "METHODS"]

#: The methods the sandbox answers; ``responses`` refuses any other one as unmatched.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_ANY_URL = re.compile(r".*")
_INTERNET = (socket.AF_INET, socket.AF_INET6)


class NetworkBlocked(AssertionError):
    """Code under test tried to open a real network connection inside the sandbox."""


@dataclass(frozen=True)
class Reply:
    """What the fake endpoint answers to one request.

    Attributes:
        status: The HTTP status.
        body: A dict or list (sent as JSON), ``str`` or ``bytes`` (sent as is); ``None`` sends
            ``{}``.
        headers: Response headers.
        raises: An exception (class or instance) to raise instead of answering, such as
            ``requests.ConnectTimeout``.
    """

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] | None = None
    raises: BaseException | type[BaseException] | None = None

    def content(self) -> bytes:
        """The body bytes."""
        body = {} if self.body is None else self.body
        if isinstance(body, bytes):
            return body
        if isinstance(body, str):
            return body.encode("utf-8")
        return json.dumps(body).encode("utf-8")

    def content_type(self) -> str:
        """The ``Content-Type`` of the body, unless the headers set one."""
        for name, value in (self.headers or {}).items():
            if name.lower() == "content-type":
                return value
        if isinstance(self.body, (str, bytes)):
            return "text/plain"
        return "application/json"

    def describe(self) -> str:
        """A short description, for assertion messages."""
        if self.raises is not None:
            raised = self.raises if isinstance(self.raises, type) else type(self.raises)
            return f"raise {raised.__name__}"
        return f"{self.status} {self.content()[:80]!r}"


@dataclass
class Exchange:
    """One request the code under test made, and what it got back.

    Attributes:
        request: The prepared request as it reached the transport.
        reply: The reply the sandbox chose.
        response: The ``requests.Response`` built from the reply (``None`` when it raised).
        error: The exception raised instead of a response, if any.
    """

    request: requests.PreparedRequest
    reply: Reply
    response: requests.Response | None = None
    error: BaseException | None = None

    @property
    def method(self) -> str:
        """The HTTP method."""
        return str(self.request.method)

    @property
    def url(self) -> str:
        """The full URL, query string included."""
        return str(self.request.url)

    @property
    def path(self) -> str:
        """The URL path without the query string."""
        return urlsplit(self.url).path or "/"

    @property
    def query_string(self) -> str:
        """The raw query string (without ``?``)."""
        return urlsplit(self.url).query

    def query(self) -> dict[str, Any]:
        """The parsed query: one value per key, or a list when the key repeats."""
        parsed = parse_qs(self.query_string, keep_blank_values=True)
        return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}

    @property
    def body(self) -> bytes:
        """The exact body bytes sent (``b''`` for none)."""
        body = self.request.body
        if body is None:
            return b""
        return body if isinstance(body, bytes) else str(body).encode("utf-8")

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    @property
    def status(self) -> int | None:
        """The response status, or ``None`` when the request raised."""
        return None if self.response is None else self.response.status_code

    def describe(self) -> str:
        """``POST https://host/path``, for assertion messages."""
        return f"{self.method} {self.url}"


@dataclass
class _Queue:
    replies: deque[list[Any]] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def push(self, reply: Reply, times: int | None) -> None:
        with self.lock:
            self.replies.append([reply, times])

    def pop(self, default: Reply) -> Reply:
        with self.lock:
            if not self.replies:
                return default
            entry = self.replies[0]
            if entry[1] is not None:
                entry[1] -= 1
                if entry[1] <= 0:
                    self.replies.popleft()
            reply: Reply = entry[0]
            return reply


class Sandbox:
    """Answer every request with canned replies; refuse every real connection.

    Args:
        replies: Replies to give, in order, one per request.
        default: The reply once the queue is empty (200 ``{}`` when not given).
        block_sockets: Refuse (and record) internet socket connections made around
            ``requests``.

    Attributes:
        exchanges: Each request answered, in order (complete once the sandbox is left).
        unmatched: Requests that ``responses`` could not answer (methods outside
            :data:`METHODS`).
        blocked: ``host:port`` of each refused socket connection.
    """

    def __init__(self, replies: Iterable[Reply] = (), default: Reply | None = None,
                 block_sockets: bool = True) -> None:
        self.default = default or Reply()
        self.block_sockets = block_sockets
        self.exchanges: list[Exchange] = []
        self.unmatched: list[requests.PreparedRequest] = []
        self.blocked: list[str] = []
        self._queue = _Queue()
        self._mock: responses.RequestsMock | None = None
        self._saved: dict[str, Any] = {}
        for reply in replies:
            self.queue(reply)

    def queue(self, reply: Reply, times: int | None = 1) -> "Sandbox":
        """Answer the next ``times`` requests with ``reply`` (every later one when ``None``)."""
        if times is not None and (isinstance(times, bool) or not isinstance(times, int)
                                  or times < 1):
            raise ValueError(f"times must be a whole number >= 1 or None, got {times!r}")
        self._queue.push(reply, times)
        return self

    def __enter__(self) -> "Sandbox":
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in METHODS:
            mock.add_callback(method, _ANY_URL, callback=self._respond)
        mock.start()
        self._mock = mock
        if self.block_sockets:
            self._guard_sockets()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        mock = self._mock
        self._mock = None
        self._release_sockets()
        if mock is None:  # pragma: no cover - __exit__ without __enter__
            return
        mock.stop(allow_assert=False)
        pending = iter(self.exchanges)  # calls come in the order the callback saw them
        upcoming = next(pending, None)
        for call in mock.calls:
            exchange = upcoming if upcoming is not None and call.request is upcoming.request \
                else None
            if exchange is None:
                self.unmatched.append(call.request)
                continue
            upcoming = next(pending, None)
            if isinstance(call.response, requests.Response):
                exchange.response = call.response
            elif isinstance(call.response, BaseException):
                exchange.error = call.response
        mock.reset()

    def _respond(self, request: requests.PreparedRequest) -> Any:
        reply = self._queue.pop(self.default)
        self.exchanges.append(Exchange(request, reply))
        if reply.raises is not None:
            raised = reply.raises
            return raised(f"sandbox reply: {raised.__name__}") if isinstance(raised, type) \
                else raised
        headers = dict(reply.headers or {})
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = reply.content_type()
        return reply.status, headers, reply.content()

    # -- sockets ---------------------------------------------------------------------------

    def _guard_sockets(self) -> None:
        sandbox = self
        original = {name: getattr(socket.socket, name) for name in ("connect", "connect_ex")}
        resolve = socket.getaddrinfo

        def refuse(target: str) -> NetworkBlocked:
            sandbox.blocked.append(target)
            return NetworkBlocked(
                f"the test sandbox refused a real network connection to {target}; send "
                "requests through the integration's session (requests)")

        def guard(name: str) -> Any:
            def guarded(sock: socket.socket, address: Any) -> Any:
                if sock.family in _INTERNET:
                    raise refuse(":".join(str(part) for part in tuple(address)[:2]))
                return original[name](sock, address)
            return guarded

        def guarded_resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if not _local(host):
                raise refuse(f"{host}:{port} (DNS lookup)")
            return resolve(host, port, *args, **kwargs)

        self._saved = {**original, "getaddrinfo": resolve}
        for name in original:
            setattr(socket.socket, name, guard(name))
        socket.getaddrinfo = guarded_resolve

    def _release_sockets(self) -> None:
        saved, self._saved = self._saved, {}
        if "getaddrinfo" in saved:
            socket.getaddrinfo = saved.pop("getaddrinfo")
        for name, value in saved.items():
            setattr(socket.socket, name, value)


def _local(host: Any) -> bool:
    """Whether resolving ``host`` needs no network: none, ``localhost`` or an IP literal."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(str(host).strip("[]"))
    except ValueError:
        return False
    return True
