"""``framework preview SLUG [MESSAGE]``: what the pipeline would send, without a network.

Prints the route (and ``DELIVERY: batch(items)`` when ``framework send`` would deliver the
message through the integration's ``batch()``, which is then what runs), then every HTTP
request in one format for every integration (see :mod:`framework.commands.wire`): ``URL:``,
``METHOD:``, ``HEADER: name: value`` per header, ``BODY:`` and the body as sent, the
sandbox's ``REPLY:``; then the ``RESULT:``. ``--details`` first shows the settings, the
facade's view of the message and the mapped payload. A template integration without settings
is rendered with stand-in values and nothing is sent (see :mod:`framework.commands.auditlog`).
Secret settings are masked unless ``--show-secrets``.
Exits 1 when the pipeline would fail, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

from . import dryrun
from .wire import describe_reply, preview_block

__all__ = ["add_arguments", "run", "render", "requests_text"]

_VIEW = (("type", "type"), ("userId", "user_id"), ("anonymousId", "anonymous_id"),
         ("messageId", "message_id"), ("timestamp", "timestamp"), ("channel", "channel"),
         ("event", "event"), ("name", "name"), ("category", "category"),
         ("groupId", "group_id"), ("previousId", "previous_id"), ("email", "email"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dryrun.add_arguments(parser)
    parser.add_argument("--details", action="store_true",
                        help="also show the settings, the message as the facade reads it "
                        "and the mapped payload")


def run(args: argparse.Namespace) -> int:
    """Run the command."""
    details = bool(getattr(args, "details", False))
    return dryrun.run_command(args, "preview",
                              lambda result, masker: _show(result, masker, details))


def _show(result: dryrun.DryRun, masker: dryrun.Masker, details: bool = False) -> int:
    text = (render(result, masker) if details else "") + requests_text(result, masker)
    sys.stdout.write(masker.text(text))
    return 1 if result.error is not None else 0


def requests_text(result: dryrun.DryRun, masker: dryrun.Masker) -> str:
    """The route, each request in the wire format, and the result."""
    out = [f"ROUTE: {result.method}"] if result.method is not None else []
    if result.batched:
        out.append("DELIVERY: batch(items), as framework send delivers it")
    for number, wire in enumerate(result.wires):
        if number:
            out.append("")
        out.append(preview_block(wire, masker, result.label))
        if not result.stand_in:
            out.append(describe_reply(wire))
    if not result.wires:
        out.append("REQUESTS: none")
    out.append("")
    out.append("RESULT: " + _outcome(result))
    return "\n".join(out) + "\n"


def _outcome(result: dryrun.DryRun) -> str:
    from .. import errors

    error = result.error
    if error is None and result.stand_in:
        return "rendered with stand-in values ($NAME); nothing was sent"
    if error is None:
        count = len(result.responses)
        return f"delivered ({count} response{'' if count == 1 else 's'})"
    if isinstance(error, errors.IntegrationError):
        kind = "retryable" if error.retryable else "not retryable"
        return (f"failed: {type(error).__name__} {error.code} (status {error.status}, "
                f"{kind}): {error}")
    return f"crashed: {type(error).__name__}: {error}"


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


def render(result: dryrun.DryRun, masker: dryrun.Masker) -> str:
    """The ``--details`` sections: integration, settings, message view and payload."""
    cls = result.integration
    out = [f"Integration  {cls.name} ({cls.slug()})",
           f"Settings     {json.dumps(masker.settings(result.settings), default=str)}"
           + ("  (stand-in values)" if result.stand_in else ""),
           f"Message      {type(result.facade).__name__} facade"]
    out += _view(result.facade)
    if result.payload is not dryrun.NO_PAYLOAD:
        if result.payload is result.facade or hasattr(result.payload, "raw_event"):
            out.append(f"Payload      (no mapper.{result.method}: the method receives the "
                       "message)")
        elif hasattr(result.payload, "to_dict"):
            out.append(f"Payload      rendered for route {result.method}:")
            out.append(_indent(_pretty(result.payload.to_dict())))
        else:
            out.append(f"Payload      mapper.{result.method}(msg, settings):")
            out.append(_indent(_pretty(result.payload)))
    return "\n".join(out) + "\n\n"
