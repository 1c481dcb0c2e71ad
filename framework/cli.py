"""The ``framework`` command.

Each subcommand lives in its own module, which exposes ``add_arguments(parser)`` and
``run(args) -> int``; this module only wires them together, so adding a command never means
editing another one.
"""

from __future__ import annotations

import argparse
import importlib
import signal
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
    "work": ("framework.runner.work_command",
             "deliver from a shared queue (Redis or SQLite) as one of many consumers"),
    "queue": ("framework.runner.queue_command",
              "queue stats, dead-letter export and redrive, on either engine"),
    "sink": ("framework.sink.command", "run a request bin on 127.0.0.1"),
    "serve": ("framework.server.command", "serve the Segment HTTP API and webhook receivers, "
                                          "durably"),
    "triggers": ("framework.commands.triggers",
                 "create, list and revoke the LaunchDarkly-style triggers the server answers"),
    "validate": ("framework.commands.validate",
                 "check manifest integrations (schema and semantic rules), every problem"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; only ``command``'s module is imported to fill in its options.

    Importing every subcommand up front would make each one depend on all the others'
    dependencies (``framework list`` does not need the sink's web server).
    """
    parser = argparse.ArgumentParser(prog="framework", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"framework {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            module = importlib.import_module(module_name)
            module.add_arguments(command_parser)
            command_parser.set_defaults(run=module.run)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg in COMMANDS:
            return arg
        if not arg.startswith("-"):
            return None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``framework`` command and return its exit code."""
    process = argv is None  # the process's own command line: it exits when this returns
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(_command_in(argv))
        args = parser.parse_args(argv)
        if not getattr(args, "run", None):
            parser.print_help(sys.stderr)
            print("framework: error: a COMMAND is required", file=sys.stderr)
            return 2
        code = int(args.run(args) or 0)
    except KeyboardInterrupt:  # Ctrl-C before a command took it over: no traceback
        print("framework: interrupted", file=sys.stderr)
        code = 130
    if process:  # the rest of a signal storm must not turn the exit status into a signal
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
