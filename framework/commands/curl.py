"""``framework curl SLUG [MESSAGE]``: the requests the pipeline would make, as curl commands.

The pipeline runs offline (as in ``framework preview``, whose options it shares); each request
it makes is printed as a runnable, shell-quoted ``curl`` command. With stand-in values (a
template integration without settings) a comment first says which values to replace. Secret
settings are masked unless ``--show-secrets``. Exits 1 when the pipeline would fail (the
commands made so far are still printed), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys

from . import dryrun
from .wire import curl_command

__all__ = ["add_arguments", "run"]

STAND_IN_NOTE = ("# Before running the following curl command, replace every value written "
                 "$NAME with a real setting.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dryrun.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Run the command."""
    return dryrun.run_command(args, "curl", _show)


def _show(result: dryrun.DryRun, masker: dryrun.Masker) -> int:
    commands = [curl_command(wire, masker) for wire in result.wires]
    if commands:
        print("\n\n".join(([STAND_IN_NOTE] if result.stand_in else []) + commands))
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
