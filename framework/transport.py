"""The connection layer under :mod:`framework.http`: a ``requests`` adapter with less overhead.

``HTTPAdapter.send`` stays the entry point of every request (so ``responses`` and the tester
intercept them all); below it, direct ``http``/``https`` requests with a body in memory go
through :mod:`framework.connection` (persistent sockets, one write per request, responses
parsed by httptools), which costs a fraction of urllib3 and ``http.client`` per request.

urllib3 still handles what the lean layer does not: requests through a proxy, with a client
certificate (``cert=``), and streamed uploads (a generator or file body, sent chunked). On
that path, connections also write each request (headers and body) with one ``sendall``, and
every socket a request uses is handed to the attempt's deadline (:mod:`framework.deadline`),
which shuts it down when the attempt's total time is up. The lean path needs no watchdog: each
of its socket operations may wait only for what is left of the deadline.

Either way, the connection pool of a scheme and host is looked up once, not parsed from the
URL again on every request (only when no proxy applies), and responses are built without
extracting cookies (the framework keeps no cookie jar).
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from functools import lru_cache
import ssl
import time
from typing import Any, Iterable, Mapping, TypeVar
from urllib.parse import urlsplit

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar, cookiejar_from_dict
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3 import exceptions as u3
from urllib3.util import parse_url

from .connection import ConnectionPool, Deadline, LeanResponse
from .deadline import current as current_deadline

__all__ = ["LeanAdapter", "LeanHTTPResponse", "case_insensitive"]

V = TypeVar("V")


class _OneWrite:
    """Mixin: buffer what ``request()`` writes and send it with a single ``sendall``; hand
    every socket to the attempt's :mod:`framework.deadline`."""

    _outgoing: list[bytes] | None = None
    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _watch(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
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


class _LeanPool:
    """Stands where ``HTTPAdapter.send`` expects a urllib3 pool: ``cert_verify`` sets the TLS
    attributes, ``urlopen`` sends through :class:`~framework.connection.ConnectionPool` (or,
    for a streamed upload, through urllib3's pool of the same origin)."""

    def __init__(self, adapter: "LeanAdapter", request: PreparedRequest, verify: Any) -> None:
        parsed = parse_url(str(request.url))
        self.scheme = parsed.scheme or "http"
        self.host = parsed.host or ""
        self.port = parsed.port or (443 if self.scheme == "https" else 80)
        self._adapter, self._request, self._verify = adapter, request, verify
        self._maxsize = adapter._pool_maxsize
        self._lean: ConnectionPool | None = None
        self._tls: tuple[Any, Any, Any] | None = None
        self.pool: _LeanPool | None = self  # LeanAdapter tells a closed pool by pool.pool
        # set by HTTPAdapter.cert_verify before every request
        self.cert_reqs: str | None = None
        self.ca_certs: str | None = None
        self.ca_cert_dir: str | None = None
        self.cert_file: str | None = None
        self.key_file: str | None = None

    def urlopen(self, method: str, url: str, body: Any = None, headers: Any = None,
                timeout: Any = None, chunked: bool = False, **kwargs: Any) -> Any:
        if chunked or not (body is None or isinstance(body, (bytes, bytearray))):
            fallback = HTTPAdapter.get_connection_with_tls_context(
                self._adapter, self._request, self._verify)
            HTTPAdapter.cert_verify(self._adapter, fallback, str(self._request.url),
                                    self._verify, None)
            return fallback.urlopen(method, url, body=body, headers=headers, timeout=timeout,
                                    chunked=chunked, **kwargs)
        deadline = _deadline(timeout)
        try:
            return self._pool().request(method, url, _fields(headers),
                                        bytes(body) if body is not None else None, deadline)
        except u3.ReadTimeoutError:
            attempt = current_deadline()
            if attempt is not None and deadline.expired():
                attempt.expire()  # so the request layer reports the deadline, not a read
            raise

    def _pool(self) -> ConnectionPool:
        tls = (self.cert_reqs, self.ca_certs, self.ca_cert_dir)
        if self._lean is None or (self.scheme == "https" and tls != self._tls):
            if self._lean is not None:
                self._lean.close()
            context = _ssl_context(*tls) if self.scheme == "https" else None
            self._tls = tls
            self._lean = ConnectionPool(self.scheme, self.host, self.port,
                                        maxsize=self._maxsize, ssl_context=context)
        return self._lean

    def close(self) -> None:
        self.pool = None
        if self._lean is not None:
            self._lean.close()


def _ssl_context(cert_reqs: str | None, ca_certs: str | None,
                 ca_cert_dir: str | None) -> ssl.SSLContext:
    """The TLS context ``HTTPAdapter.cert_verify`` asked for (its CA bundle, or no checks for
    ``verify=False``)."""
    if cert_reqs == "CERT_NONE":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=ca_certs, capath=ca_cert_dir)


def _fields(headers: Any) -> Iterable[tuple[str, str]]:
    """The (name, value) pairs of a request's headers, as sent."""
    if type(headers) is CaseInsensitiveDict:  # its pairs as stored (items() goes through ABCs)
        return headers._store.values()
    return list((headers or {}).items())


@lru_cache(maxsize=1024)
def _origin_and_path(url: str) -> tuple[str, str]:
    """``scheme://host[:port]`` and the request target (``PreparedRequest.path_url``) of
    ``url``, parsed once per URL rather than twice per request."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return "/".join(url.split("/", 3)[:3]), target


def _url(request: PreparedRequest) -> str:
    url: Any = request.url
    return url.decode("utf-8") if isinstance(url, bytes) else str(url)


def _deadline(timeout: Any) -> Deadline:
    """Connect and read timeouts from urllib3's ``Timeout``, and the attempt's total deadline
    (:mod:`framework.deadline`) when one is running."""
    connect = getattr(timeout, "connect_timeout", timeout)
    read = getattr(timeout, "read_timeout", timeout)
    connect = connect if isinstance(connect, (int, float)) else None
    read = read if isinstance(read, (int, float)) else None
    attempt = current_deadline()
    until = None if attempt is None else time.monotonic() + attempt.remaining()
    return Deadline(connect=connect, read=read, until=until)


class LeanHTTPResponse(Response):
    """The ``requests.Response`` of a request the lean layer made: the same attributes, but
    its :attr:`headers`, cookie jar and encoding are made when something first reads them.

    ``Response()`` builds a cookie jar for every response, which costs more than parsing the
    response did; the framework keeps no cookies, and reads no header of a 2xx answer.

    Args:
        raw: The response as read (its headers become :attr:`headers`).
    """

    def __init__(self, raw: LeanResponse | None = None) -> None:
        # Response.__init__'s attributes, the costly ones made on first use
        self._content: Any = False
        self._content_consumed = False
        self._next = None
        self.status_code: int = None  # type: ignore[assignment]
        self._headers: CaseInsensitiveDict[str] | None = None
        self.raw: Any = raw
        self.url: str = None  # type: ignore[assignment]
        self._encoding: str | None = None
        self._encoding_known = False
        self.history: list[Response] = []
        self.reason: str = None  # type: ignore[assignment]
        self.elapsed = _NO_TIME
        self.request: PreparedRequest = None  # type: ignore[assignment]
        self._cookies: RequestsCookieJar | None = None

    @property
    def cookies(self) -> RequestsCookieJar:
        """A cookie jar (empty: the framework does not extract cookies; made on first use)."""
        if self._cookies is None:
            self._cookies = cookiejar_from_dict({})
        return self._cookies

    @cookies.setter
    def cookies(self, jar: RequestsCookieJar) -> None:
        self._cookies = jar

    @property
    def headers(self) -> CaseInsensitiveDict[str]:
        """The response headers by case-insensitive name (repeated fields joined)."""
        if self._headers is None:
            raw = self.raw
            fields = raw.header_dict() if isinstance(raw, LeanResponse) else {}
            self._headers = case_insensitive(fields)
        return self._headers

    @headers.setter
    def headers(self, value: CaseInsensitiveDict[str]) -> None:
        self._headers = value

    @property
    def encoding(self) -> str | None:
        """The encoding of :attr:`text`: the ``Content-Type`` charset (found on first use)."""
        if not self._encoding_known:
            self._encoding = get_encoding_from_headers(self.headers)
            self._encoding_known = True
        return self._encoding

    @encoding.setter
    def encoding(self, value: str | None) -> None:
        self._encoding, self._encoding_known = value, True


_NO_TIME = datetime.timedelta(0)


def case_insensitive(fields: Mapping[str, V]) -> CaseInsensitiveDict[V]:
    """``CaseInsensitiveDict(fields)``, filled in one step: its constructor goes through
    ``MutableMapping.update``, which checks its argument against the ABCs and stores the
    fields one ``__setitem__`` at a time."""
    headers: CaseInsensitiveDict[V] = CaseInsensitiveDict.__new__(CaseInsensitiveDict)
    headers._store = OrderedDict(zip(map(str.lower, fields), fields.items()))
    return headers


class LeanAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` for direct connections, with less work per request.

    Attributes:
        lean: Whether direct requests go through :mod:`framework.connection` (``False``:
            urllib3 for everything, e.g. to compare the two).
    """

    lean = True

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}
        self._pools: dict[tuple[str, Any, Any], Any] = {}

    def get_connection_with_tls_context(self, request: PreparedRequest, verify: Any,
                                        proxies: Any = None, cert: Any = None) -> Any:
        if proxies:
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        origin = _origin_and_path(_url(request))[0]
        key = (origin, verify if isinstance(verify, (bool, str)) else id(verify), cert)
        pool = self._pools.get(key)
        if pool is None or pool.pool is None:  # unknown, or closed
            if self.lean and not cert and origin.startswith(("http://", "https://")):
                pool = _LeanPool(self, request, verify)
            else:
                pool = super().get_connection_with_tls_context(request, verify, proxies, cert)
            if len(self._pools) > 256:
                for old in self._pools.values():
                    if isinstance(old, _LeanPool):
                        old.close()
                self._pools.clear()
            self._pools[key] = pool
        return pool

    def request_url(self, request: PreparedRequest, proxies: Any) -> str:
        if proxies:
            return super().request_url(request, proxies)
        return _origin_and_path(_url(request))[1]

    def build_response(self, req: PreparedRequest, resp: Any) -> Response:
        if isinstance(resp, LeanResponse):
            return self._lean_response(req, resp)
        response = Response()
        response.status_code = getattr(resp, "status", None)  # type: ignore[assignment]
        response.headers = CaseInsensitiveDict(getattr(resp, "headers", {}))
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = resp
        response.reason = resp.reason
        response.url = _url(req)
        response.request = req
        response.connection = self
        return response

    def _lean_response(self, req: PreparedRequest, resp: LeanResponse) -> Response:
        response = LeanHTTPResponse(resp)
        response.status_code = resp.status
        response.reason = resp.reason
        response._content = resp.body  # read at once: nothing streams
        response._content_consumed = True
        response.url = _url(req)
        response.request = req
        response.connection = self
        return response

    def close(self) -> None:
        for pool in self._pools.values():
            if isinstance(pool, _LeanPool):
                pool.close()
        self._pools.clear()
        super().close()
