"""The connection layer under :mod:`framework.http`: a ``requests`` adapter with less overhead.

``HTTPAdapter.send`` stays the entry point of every request (so ``responses`` and the tester
intercept them all); around it, the adapter trims per-request work that a client without
proxies or cookies does not need:

- connections write each request (headers and body) with one ``sendall``; urllib3 writes them
  separately, which costs a second packet and a second wake-up of the server per request;
- the connection pool of a scheme and host is looked up once, not parsed from the URL again on
  every request (only when no proxy applies);
- responses are built without extracting cookies (the framework keeps no cookie jar);
- every socket a request uses is handed to the attempt's deadline (:mod:`framework.deadline`),
  which shuts it down when the attempt's total time is up.
"""

from __future__ import annotations

from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .deadline import current as current_deadline

__all__ = ["LeanAdapter"]


class _OneWrite:
    """Mixin: buffer what ``request()`` writes and send it with a single ``sendall``; hand
    every socket to the attempt's :mod:`framework.deadline`."""

    _outgoing: list[bytes] | None = None
    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _watch(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _watch(getattr(self, "sock", None))  # a pooled connection: no connect() this time
        self._outgoing = []
        try:
            super().request(*args, **kwargs)  # type: ignore[misc]
        finally:
            outgoing, self._outgoing = self._outgoing, None
        if outgoing:
            super().send(b"".join(outgoing))  # type: ignore[misc]

    def send(self, data: Any) -> None:
        if self._outgoing is not None and isinstance(data, (bytes, bytearray, memoryview)):
            self._outgoing.append(bytes(data))
            return
        super().send(data)  # type: ignore[misc]


def _watch(sock: Any) -> None:
    deadline = current_deadline()
    if deadline is not None and sock is not None:
        deadline.watch(sock)


class _HTTPConnection(_OneWrite, HTTPConnection):
    pass


class _HTTPSConnection(_OneWrite, HTTPSConnection):
    pass


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class LeanAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` for direct connections, with less work per request."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}
        self._pools: dict[tuple[str, Any, Any], Any] = {}

    def get_connection_with_tls_context(self, request: PreparedRequest, verify: Any,
                                        proxies: Any = None, cert: Any = None) -> Any:
        if proxies:
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        origin = "/".join(str(request.url).split("/", 3)[:3])
        key = (origin, verify if isinstance(verify, (bool, str)) else id(verify), cert)
        pool = self._pools.get(key)
        if pool is None or pool.pool is None:  # unknown, or closed
            pool = super().get_connection_with_tls_context(request, verify, proxies, cert)
            if len(self._pools) > 256:
                self._pools.clear()
            self._pools[key] = pool
        return pool

    def request_url(self, request: PreparedRequest, proxies: Any) -> str:
        if proxies:
            return super().request_url(request, proxies)
        return request.path_url

    def build_response(self, req: PreparedRequest, resp: Any) -> Response:
        response = Response()
        response.status_code = getattr(resp, "status", None)  # type: ignore[assignment]
        response.headers = CaseInsensitiveDict(getattr(resp, "headers", {}))
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = resp
        response.reason = resp.reason
        response.url = req.url.decode("utf-8") if isinstance(req.url, bytes) else req.url
        response.request = req
        response.connection = self
        return response

    def close(self) -> None:
        self._pools.clear()
        super().close()
