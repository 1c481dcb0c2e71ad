"""Names of the Redis queue: queue URLs, destinations, consumers and their keys."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

__all__ = ["DEFAULT_STREAM", "Keys", "parse_redis_url", "consumer_name", "check_destination",
           "safe_url", "text_of"]

#: The stream name of a queue URL without ``?stream=``.
DEFAULT_STREAM = "framework"


def parse_redis_url(url: str) -> tuple[str, str]:
    """The connection URL (without ``stream=``) and the stream name of a queue URL.

    Raises:
        ValueError: The URL is not ``redis://`` / ``rediss://``, or its stream name is empty
            or holds a ``:``.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ValueError(f"not a Redis URL: {url!r} (expected redis://HOST:PORT/DB?stream=NAME)")
    query = parse_qs(parts.query, keep_blank_values=True)
    names = query.pop("stream", [DEFAULT_STREAM])
    stream = names[-1]
    if not stream or ":" in stream or any(c.isspace() for c in stream):
        raise ValueError(f"stream name {stream!r} in {url!r} must be non-empty, without ':' "
                         f"or spaces")
    rest = "&".join(f"{k}={v}" for k, values in query.items() for v in values)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, "")), stream


def consumer_name() -> str:
    """A consumer name unique to this process: host, pid and a random suffix."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def check_destination(name: str) -> str:
    """``name`` when it can name a destination (non-empty, no ``:``, ``@`` or spaces).

    Raises:
        ValueError: It cannot.
    """
    if not name or any(c in name for c in ":@") or any(c.isspace() for c in name):
        raise ValueError(f"destination {name!r} must be non-empty, without ':', '@' or spaces")
    return name


@dataclass(frozen=True)
class Keys:
    """The keys of one destination."""

    destination: str
    stream: str
    delayed: str
    meta: str

    @classmethod
    def of(cls, stream_name: str, destination: str) -> "Keys":
        base = f"{stream_name}:{check_destination(destination)}"
        return cls(destination, base, f"{base}:delayed", f"{base}:meta")


def text_of(value: Any) -> str:
    """``value`` as text (Redis answers bytes)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def safe_url(url: str) -> str:
    """``url`` with any password masked."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        user = parts.username or ""
        return urlunsplit((parts.scheme, f"{user}:***@{host}{port}", parts.path, parts.query,
                           ""))
    return url
