"""``framework new --feed "Acme Audience"``: a new audience feed whose tests pass as generated.

Writes ``integrations/acme_audience/{__init__.py, README.md}`` (a batched feed) and
``tests/acme_audience/test_acme_audience.py`` (the standard ``AudienceFeedSuite`` plus request
tests). Feeds are served by class path (``framework serve --feed``), not registered as
integrations, so ``setup.cfg`` is left alone. Nothing is written when a folder exists.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from string import Template

from ..scaffold import Names, ScaffoldError, names_for
from ..templates import feed as templates

__all__ = ["plan_feed", "create_feed", "run_feed"]


def plan_feed(names: Names) -> dict[Path, str]:
    """The files of a new feed (relative paths) and their contents."""
    context = {"name": names.name, "package": names.package, "cls": names.cls}
    package = Path("integrations") / names.package
    return {
        package / "__init__.py": Template(templates.PACKAGE).substitute(context),
        package / "README.md": Template(templates.README).substitute(context),
        Path("tests") / names.package / f"test_{names.package}.py":
            Template(templates.TESTS).substitute(context),
    }


def create_feed(name: str, root: str | Path = ".") -> list[Path]:
    """Create the feed under ``root`` (the repository root).

    Returns:
        The files written.

    Raises:
        ScaffoldError: The name is unusable, or a folder it would write exists.
    """
    root = Path(root)
    names = names_for(name)
    if not (root / "integrations").is_dir():
        raise ScaffoldError(f"no integrations/ folder in {root.resolve()}; run this at the "
                            "repository root or pass --root")
    for folder in (Path("integrations") / names.package, Path("tests") / names.package):
        if (root / folder).exists():
            raise ScaffoldError(f"refusing to overwrite {folder}: it already exists")
    written = []
    for relative, content in plan_feed(names).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(content)
        written.append(path)
    return written


def run_feed(args: argparse.Namespace) -> int:
    """``framework new --feed NAME``: write the feed and say what to do next."""
    try:
        written = create_feed(args.name, args.root)
    except (ScaffoldError, OSError) as exc:
        print(f"framework new: {exc}", file=sys.stderr)
        return 1
    root = Path(args.root)
    for path in written:
        print(f"created {path.relative_to(root)}")
    names = names_for(args.name)
    print(f"\nNext: `python -m pytest tests/{names.package}`, then "
          f"`framework serve --feed integrations.{names.package}:{names.cls} --port 0`.")
    return 0
