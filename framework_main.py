"""The ``framework`` console script: :func:`framework.cli.main`, with Ctrl-C guarded from the
first instant.

Importing the ``framework`` package loads requests, urllib3 and the rest, which takes a few
hundred milliseconds; a Ctrl-C in that time would otherwise end in a ``KeyboardInterrupt``
traceback, before ``framework.cli.main`` (which handles the signal itself) has even started.
This module imports nothing of the framework until it is inside the guard.
"""

from __future__ import annotations

import sys


def main() -> int:
    """Run ``framework`` and return its exit status (130 when interrupted while starting)."""
    try:
        from framework.cli import main as run
    except KeyboardInterrupt:
        print("framework: interrupted", file=sys.stderr)
        return 130
    return run()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
