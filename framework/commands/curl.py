"""``framework curl SLUG MESSAGE``: the requests the pipeline would make, as curl commands.

The pipeline runs offline (as in ``framework preview``); each request it makes is printed as
a shell-quoted ``curl`` command. Secret settings are masked unless ``--show-secrets``. Exits 1
when the pipeline would fail (the commands made so far are still printed), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import TYPE_CHECKING

from . import dryrun

if TYPE_CHECKING:  # pragma: no cover
    from ..testing.sandbox import Exchange

__all__ = ["add_arguments", "run", "to_curl"]

#: Headers curl sets by itself from the command.
_SKIPPED = {"content-length"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dryrun.add_arguments(parser)


def to_curl(exchange: "Exchange", masker: dryrun.Masker) -> str:
    """One request as a multi-line ``curl`` command."""
    parts = [f"curl -X {shlex.quote(exchange.method)} {shlex.quote(masker.text(exchange.url))}"]
    for name, value in exchange.request.headers.items():
        if name.lower() in _SKIPPED:
            continue
        parts.append(f"-H {shlex.quote(f'{name}: {masker.header(name, value)}')}")
    if exchange.body:
        body = masker.text(exchange.body.decode("utf-8", "replace"))
        parts.append(f"--data-binary {shlex.quote(body)}")
    return " \\\n  ".join(parts)


def run(args: argparse.Namespace) -> int:
    """Run the command."""
    return dryrun.run_command(args, "curl", _show)


def _show(result: dryrun.DryRun, masker: dryrun.Masker) -> int:
    commands = [to_curl(exchange, masker) for exchange in result.exchanges]
    if commands:
        print("\n\n".join(commands))
    if result.error is not None:
        error = result.error
        print(masker.text(f"framework curl: the pipeline fails with {type(error).__name__}: "
                          f"{error}" + ("" if commands else " (no request is made)")),
              file=sys.stderr)
        return 1
    if not commands:
        print("framework curl: the pipeline makes no request for this message",
              file=sys.stderr)
    return 0
