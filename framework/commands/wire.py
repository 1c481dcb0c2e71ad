"""How ``framework preview`` and ``framework curl`` show a request: one format for every
integration, written in code or declared by a manifest.

``preview`` prints each request as LaunchDarkly's preview does::

    URL: https://hooks.example.test/ld
    METHOD: POST
    HEADER: Content-Type: application/json
    HEADER: Authorization: [REDACTED]
    BODY:	flag/targeting-rule-update
    {"text": "..."}

and ``curl`` as a runnable, shell-quoted command (``curl -X POST 'URL' -H '...'
--data-binary '...'``). Secrets are masked by the :class:`~framework.commands.dryrun.Masker`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..http import Request
    from ..testing.sandbox import Exchange
    from .dryrun import Masker

__all__ = ["Wire", "from_exchange", "from_request", "preview_block", "curl_command"]

#: Headers curl sets by itself from the command.
_CURL_SKIPS = {"content-length"}


@dataclass
class Wire:
    """One request as it goes on the wire.

    Attributes:
        method: The HTTP method.
        url: The full URL (query string included).
        headers: The headers in the order they are sent.
        body: The exact body bytes (``b""`` for none).
        status: The sandbox's reply status, when the request was sent there.
        error: The name of what was raised instead of a reply, if anything.
    """

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    status: int | None = None
    error: str | None = None


def from_exchange(exchange: "Exchange") -> Wire:
    """The wire view of a request the sandbox answered."""
    return Wire(exchange.method, exchange.url,
                [(str(k), str(v)) for k, v in exchange.request.headers.items()],
                exchange.body, exchange.status,
                None if exchange.error is None else type(exchange.error).__name__)


def from_request(request: "Request") -> Wire:
    """The wire view of a request that is built but not sent (stand-in values may leave
    its URL unusable, so it is shown as rendered rather than normalised)."""
    body = request.encode() or b""
    headers = dict(request.headers)
    names = {name.lower() for name in headers}
    if request.content_type and "content-type" not in names:
        headers["Content-Type"] = request.content_type
    if body or request.method not in ("GET", "HEAD"):
        headers["Content-Length"] = str(len(body))
    return Wire(request.method, request.url, list(headers.items()), body)


def _text(body: bytes) -> str:
    return body.decode("utf-8", "replace")


def preview_block(wire: Wire, masker: "Masker", label: str | None = None) -> str:
    """``URL:``, ``METHOD:``, one ``HEADER: name: value`` per header, ``BODY:`` (tab, the
    event or message shown), then the body as sent."""
    lines = [f"URL: {masker.text(wire.url)}", f"METHOD: {wire.method}"]
    lines += [f"HEADER: {name}: {masker.header(name, value)}" for name, value in wire.headers]
    lines.append(f"BODY:\t{label}" if label else "BODY:")
    text = masker.text(_text(wire.body))
    lines.append(text.rstrip("\n") if text else "(no body)")
    return "\n".join(lines)


def curl_command(wire: Wire, masker: "Masker") -> str:
    """The request as a multi-line, shell-quoted ``curl`` command."""
    parts = [f"curl -X {shlex.quote(wire.method)} {shlex.quote(masker.text(wire.url))}"]
    for name, value in wire.headers:
        if name.lower() in _CURL_SKIPS:
            continue
        parts.append(f"-H {shlex.quote(f'{name}: {masker.header(name, value)}')}")
    if wire.body:
        parts.append(f"--data-binary {shlex.quote(masker.text(_text(wire.body)))}")
    return " \\\n  ".join(parts)


def describe_reply(wire: Wire) -> str:
    """``REPLY: 200 (sandbox)``, or what was raised instead."""
    shown: Any = wire.status if wire.status is not None else wire.error
    return f"REPLY: {shown} (sandbox)"
