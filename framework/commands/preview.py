"""``framework preview SLUG MESSAGE``: what the pipeline would send, without a network.

Shows the facade's view of the message, the route, the mapped payload and every HTTP request
(method, URL, headers, body) with the sandbox's reply. Secret settings are masked unless
``--show-secrets``. Exits 1 when the pipeline would fail, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

from . import dryrun

__all__ = ["add_arguments", "run", "render"]

_VIEW = (("type", "type"), ("userId", "user_id"), ("anonymousId", "anonymous_id"),
         ("messageId", "message_id"), ("timestamp", "timestamp"), ("channel", "channel"),
         ("event", "event"), ("name", "name"), ("category", "category"),
         ("groupId", "group_id"), ("previousId", "previous_id"), ("email", "email"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dryrun.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Run the command."""
    return dryrun.run_command(args, "preview", _show)


def _show(result: dryrun.DryRun, masker: dryrun.Masker) -> int:
    sys.stdout.write(masker.text(render(result, masker)))
    return 1 if result.error is not None else 0


def _pretty(value: Any) -> str:
    import facade

    try:
        return json.dumps(json.loads(facade.dumps(value)), indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _view(msg: Any) -> list[str]:
    import facade

    lines = []
    for label, accessor in _VIEW:
        method: Callable[[], Any] | None = getattr(msg, accessor, None)
        if not callable(method):
            continue
        try:
            value = method()
        except Exception:  # noqa: BLE001 - an accessor that cannot read this message
            continue
        if value is None or value == "":
            continue
        plain = json.loads(facade.dumps(value))
        shown = plain if isinstance(plain, str) else json.dumps(plain, ensure_ascii=False)
        lines.append(f"  {label:<12} {shown}")
    return lines


def _body(body: bytes) -> str:
    if not body:
        return "(no body)"
    text = body.decode("utf-8", "replace")
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def render(result: dryrun.DryRun, masker: dryrun.Masker) -> str:
    """The preview as text (secrets still to be masked by the caller)."""
    cls = result.integration
    out = [f"Integration  {cls.name} ({cls.slug()})",
           f"Settings     {json.dumps(masker.settings(result.settings), default=str)}",
           f"Message      {type(result.facade).__name__} facade"]
    out += _view(result.facade)
    if result.method is not None:
        via = " (delivered through batch(items), as framework send does)" \
            if result.batched else ""
        out.append(f"Route        {result.method}{via}")
    if result.payload is not dryrun.NO_PAYLOAD:
        if result.payload is result.facade or hasattr(result.payload, "raw_event"):
            out.append(f"Payload      (no mapper.{result.method}: the method receives the "
                       "message)")
        else:
            out.append(f"Payload      mapper.{result.method}(msg, settings):")
            out.append(_indent(_pretty(result.payload)))
    for number, exchange in enumerate(result.exchanges, 1):
        out.append(f"Request {number:<4} {exchange.method} {exchange.url}")
        for name, value in exchange.request.headers.items():
            out.append(f"  {name}: {masker.header(name, value)}")
        out.append("")
        out.append(_indent(_body(exchange.body)))
        reply = exchange.status if exchange.response is not None else \
            type(exchange.error).__name__
        out.append(f"  -> {reply} (sandbox reply)")
    if not result.exchanges:
        out.append("Requests     none")
    out.append(_result(result))
    return "\n".join(out) + "\n"


def _result(result: dryrun.DryRun) -> str:
    from .. import errors

    error = result.error
    if error is None:
        return f"Result       delivered ({len(result.responses)} response(s))"
    if isinstance(error, errors.IntegrationError):
        kind = "retryable" if error.retryable else "not retryable"
        return (f"Result       failed: {type(error).__name__} {error.code} "
                f"(status {error.status}, {kind}): {error}")
    return f"Result       crashed: {type(error).__name__}: {error}"
