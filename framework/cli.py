"""The ``framework`` command.

Each subcommand lives in its own module, which exposes ``add_arguments(parser)`` and
``run(args) -> int``; this module only wires them together, so adding a command never means
editing another one.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from . import __version__

#: subcommand name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("framework.commands.list", "list installed integrations and their declarations"),
    "new": ("framework.scaffold", "create a new integration from the Webhooks template"),
    "preview": ("framework.commands.preview", "show what the pipeline would send, offline"),
    "curl": ("framework.commands.curl", "print the requests the pipeline would make as curl"),
    "send": ("framework.runner.command", "deliver messages through an integration, durably"),
    "sink": ("framework.sink.command", "run a request bin on 127.0.0.1"),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(prog="framework", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"framework {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if not exc.name or not module_name.startswith(exc.name):
                raise
            continue
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``framework`` command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    return int(args.run(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
