"""Why a request failed below HTTP, in words: refused, DNS, timeout, reset.

``requests`` wraps the real cause several layers deep (``ConnectionError`` around urllib3's
``MaxRetryError`` around ``NewConnectionError`` around ``ConnectionRefusedError``), and its type
name alone ("ConnectionError") does not tell an operator what to fix. :func:`failure_reason`
digs the cause out.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from typing import Iterator

import requests
from urllib3 import exceptions as u3

__all__ = ["failure_reason"]


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything it wraps (args, ``reason``, cause, context), outermost first."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        item = todo.pop(0)
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        nested = [getattr(item, "reason", None), item.__cause__, item.__context__,
                  *getattr(item, "args", ())]
        todo.extend(x for x in nested if isinstance(x, BaseException))


def failure_reason(exc: BaseException) -> str:
    """A short phrase for why ``exc`` (a ``requests`` exception) happened.

    Returns:
        e.g. ``"connection refused"``, ``"DNS lookup failed"``, ``"connect timeout"``,
        ``"read timeout"``, ``"connection reset by the server"``, ``"the server closed the
        connection without answering"``, ``"the response ended early"``, ``"TLS error"``;
        else the exception's type name.
    """
    causes = list(_causes(exc))
    kinds = tuple(type(item) for item in causes)

    def has(*types: type) -> bool:
        return any(issubclass(kind, types) for kind in kinds)

    if has(socket.gaierror, u3.NameResolutionError):
        return "DNS lookup failed"
    if has(ConnectionRefusedError):
        return "connection refused"
    if has(requests.ConnectTimeout, u3.ConnectTimeoutError):
        return "connect timeout"
    if has(requests.ReadTimeout, u3.ReadTimeoutError, socket.timeout):
        return "read timeout"
    if has(ConnectionResetError):
        return "connection reset by the server"
    if has(http.client.RemoteDisconnected, BrokenPipeError, ConnectionAbortedError):
        return "the server closed the connection without answering"
    if has(http.client.IncompleteRead, u3.IncompleteRead, requests.exceptions.ChunkedEncodingError,
           u3.ProtocolError):
        return "the response ended early"
    if has(ssl.SSLError, requests.exceptions.SSLError):
        return "TLS error"
    if has(OSError) and not has(requests.RequestException):
        errno_error = next(item for item in causes if isinstance(item, OSError))
        return errno_error.strerror or type(errno_error).__name__
    return type(exc).__name__
