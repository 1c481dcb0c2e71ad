"""``FakeGateway``: the mediarithmics plugin gateway, in memory, for tests.

It answers the gateway's routes from what the test stored (feeds, properties, segments,
credentials, realms), checks the Basic credentials, records each call and can be told to
answer anything else (:meth:`FakeGateway.answer`). It plugs into the gateway client's
``requests`` session (no socket), or serves over HTTP as an ASGI app (:meth:`FakeGateway.asgi`).
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from .gateway import GatewayClient, PluginCredentials

if TYPE_CHECKING:  # pragma: no cover
    from starlette.applications import Starlette

__all__ = ["FakeGateway", "GatewayCall", "WORKER_ID", "AUTHENTICATION_TOKEN", "GATEWAY_URL"]

#: The credentials the SDK's own tests use.
WORKER_ID = "Calavera"
AUTHENTICATION_TOKEN = "Manny"
#: Where the in-process fake gateway lives (never resolved: the session answers it).
GATEWAY_URL = "http://plugin-gateway.test:8080"
_FEEDS = "/v1/audience_segment_external_feeds/"


@dataclass(frozen=True)
class GatewayCall:
    """One request the fake gateway received.

    Attributes:
        method: The HTTP method.
        path: The path (query excluded), percent-decoded.
        body: The JSON body, or ``None``.
        user: The Basic auth user (``None`` without Basic auth).
        password: The Basic auth password.
    """

    method: str
    path: str
    body: Any
    user: str | None
    password: str | None


class FakeGateway:
    """The plugin gateway, in memory.

    Args:
        worker_id: The Basic auth user it accepts.
        token: The Basic auth password it accepts.
    """

    def __init__(self, worker_id: str = WORKER_ID, token: str = AUTHENTICATION_TOKEN) -> None:
        self.worker_id = worker_id
        self.token = token
        self.feeds: dict[str, dict[str, Any]] = {}
        self.properties: dict[str, list[dict[str, Any]]] = {}
        self.segments: dict[str, dict[str, Any]] = {}
        self.credentials: dict[str, dict[str, Any]] = {}
        self.realms: dict[str, list[dict[str, Any]]] = {}
        self.calls: list[GatewayCall] = []
        self._answers: dict[tuple[str, str], deque[Any]] = {}
        self._lock = threading.Lock()

    def add_feed(self, feed_id: str, properties: Iterable[Mapping[str, Any]] = (),
                 **resource: Any) -> None:
        """Store a feed resource (``{"id": feed_id, ...resource}``) and its properties."""
        self.feeds[str(feed_id)] = {"id": str(feed_id), "plugin_id": "1", "version_id": "1",
                                    "organisation_id": "1", **resource}
        self.properties[str(feed_id)] = [dict(p) for p in properties]

    def answer(self, method: str, path: str, status: int, body: Any = None, *,
               times: int = 1, raises: BaseException | None = None) -> None:
        """Answer the next ``times`` ``method path`` requests with ``status`` and ``body``
        (a dict is sent as JSON as is; ``None`` sends an error envelope), or raise
        ``raises`` in the client (a network failure) instead."""
        with self._lock:
            queue = self._answers.setdefault((method.upper(), path), deque())
            queue.extend([(status, body, raises)] * times)

    def calls_to(self, path: str, method: str | None = None) -> list[GatewayCall]:
        """The calls to ``path`` (and ``method``), in order."""
        return [c for c in self.calls
                if c.path == path and (method is None or c.method == method)]

    # -- answering ---------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: Mapping[str, str],
               body: Any) -> tuple[int, Any]:
        """The status and JSON body answering one request (the call is recorded)."""
        user, password = _basic(headers.get("Authorization") or headers.get("authorization"))
        path = unquote(path)
        with self._lock:
            self.calls.append(GatewayCall(method, path, body, user, password))
            queued = self._answers.get((method, path))
            if queued:
                status, answer, raises = queued.popleft()
                if raises is not None:
                    raise raises
                return status, answer if answer is not None else _error(status)
            if (user, password) != (self.worker_id, self.token):
                return 401, _error(401)
            return self._route(method, path, body)

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if path.startswith(_FEEDS):
            feed_id, _, rest = path[len(_FEEDS):].partition("/")
            if feed_id not in self.feeds:
                return 404, _error(404)
            if method == "GET" and rest == "":
                return 200, _ok(self.feeds[feed_id])
            if rest == "properties" and method == "GET":
                return 200, _ok(self.properties[feed_id])
            if rest == "properties" and method == "POST" and isinstance(body, dict):
                self.properties[feed_id].append(body)
                return 200, _ok(body)
            if rest.startswith("properties/technical_name=") and method == "PUT" \
                    and isinstance(body, dict):
                name = rest.split("=", 1)[1]
                kept = [p for p in self.properties[feed_id] if p.get("technical_name") != name]
                self.properties[feed_id] = kept + [body]
                return 200, _ok(body)
            if rest == "audience_segment" and method == "GET" and feed_id in self.segments:
                return 200, _ok(self.segments[feed_id])
            return 404, _error(404)
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[:2] == ["v1", "feed_destinations"] \
                and parts[3] == "credentials":
            destination = parts[2]
            if method == "POST" and isinstance(body, dict):
                self.credentials[destination] = body
                return 200, _ok(body)
            if method == "GET" and destination in self.credentials:
                return 200, _ok(self.credentials[destination])
            return 404, _error(404)
        if len(parts) == 4 and parts[:2] == ["v1", "datamarts"] and method == "GET" \
                and parts[3] == "user_agent_identifier_realm_selections":
            return 200, _ok(self.realms.get(parts[2], []))
        return 404, _error(404)

    # -- plugging in -------------------------------------------------------------------------

    def session(self) -> requests.Session:
        """A ``requests`` session whose every request this fake answers."""
        session = requests.Session()
        adapter = _FakeGatewayAdapter(self)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def client(self, *, retries: int = 0, credentials: PluginCredentials | None = None
               ) -> GatewayClient:
        """A gateway client talking to this fake in process (no retry waits)."""
        return GatewayClient(credentials or PluginCredentials(self.worker_id, self.token),
                             GATEWAY_URL, session=self.session(), retries=retries,
                             sleep=lambda seconds: None)

    def asgi(self) -> "Starlette":
        """This fake as an ASGI app, to serve over real HTTP (end-to-end tests)."""
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import JSONResponse, Response
        from starlette.routing import Route

        async def endpoint(request: Request) -> Response:
            raw = await request.body()
            body = json.loads(raw) if raw else None
            status, answer = self.handle(request.method, request.url.path,
                                         dict(request.headers), body)
            return JSONResponse(answer, status_code=status)

        return Starlette(routes=[Route("/{path:path}", endpoint,
                                       methods=["GET", "POST", "PUT", "DELETE"])])


class _FakeGatewayAdapter(BaseAdapter):
    def __init__(self, gateway: FakeGateway) -> None:
        super().__init__()
        self.gateway = gateway

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        raw = request.body
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        body = json.loads(text) if isinstance(text, str) and text else None
        headers = {k: v.decode() if isinstance(v, bytes) else v
                   for k, v in request.headers.items()}
        status, answer = self.gateway.handle(str(request.method), urlsplit(str(request.url)).path,
                                             headers, body)
        response = requests.Response()
        response.status_code = status
        response._content = answer if isinstance(answer, bytes) else \
            json.dumps(answer).encode("utf-8")
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        response.url = str(request.url)
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def _ok(data: Any) -> dict[str, Any]:
    envelope = {"status": "ok", "data": data}
    if isinstance(data, list):
        envelope["count"] = len(data)
    return envelope


def _error(status: int) -> dict[str, Any]:
    return {"status": "error", "error": "Resource not found" if status == 404 else
            f"gateway error {status}"}


def _basic(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.startswith("Basic "):
        return None, None
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except ValueError:
        return None, None
    return user, password
