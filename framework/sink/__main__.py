"""``python -m framework.sink``: the same as ``framework sink``."""

from __future__ import annotations

import argparse
import sys

from . import command


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` with ``framework sink``'s options and run it."""
    parser = argparse.ArgumentParser(prog="framework sink", description=command.__doc__)
    command.add_arguments(parser)
    return command.run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
