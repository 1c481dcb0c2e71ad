"""``framework validate [SLUG|PATH ...]``: check manifest integrations, every problem at once.

Each target is an installed manifest integration's slug, an integration folder holding a
``manifest.json``, or the file itself; with no target, every installed manifest integration.
A manifest is checked against our JSON Schema, then by the semantic rules of
:mod:`framework.manifest.checks` (icons, templates rendered strictly against sample events,
policies, form-variable rules, synced-segment paths...). Each problem is printed as
``<file> <pointer>: <message> [<rule>]``. Exits 0 when every manifest is valid, 1 when any
problem is found, 2 when a target names nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .. import errors

__all__ = ["add_arguments", "run", "validate_targets", "resolve"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("targets", nargs="*", metavar="SLUG|PATH",
                        help="installed manifest integrations (by slug), integration folders "
                        "or manifest.json files (default: every installed manifest "
                        "integration)")
    parser.add_argument("--json", action="store_true",
                        help="print {target: [problem, ...]} as JSON instead of text")


class UnknownTarget(errors.ConfigError, LookupError):
    """A target is neither a manifest file or folder nor an installed manifest integration."""


def _installed_manifests() -> dict[str, Path]:
    from integrations import available

    found: dict[str, Path] = {}
    for slug, entry_point in sorted(available().items()):
        try:
            cls = entry_point.load()
        except Exception:  # noqa: BLE001 - a manifest that cannot load is validated to say why
            shipped = _package_manifest(entry_point.module)
            if shipped is not None:
                found[slug] = shipped
            continue
        directory = getattr(cls, "manifest_dir", None)
        if isinstance(directory, Path):
            found[slug] = directory / "manifest.json"
    return found


def _package_manifest(module: str) -> Path | None:
    """The ``manifest.json`` beside an entry point's module, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    candidate = Path(spec.origin).parent / "manifest.json"
    return candidate if candidate.is_file() else None


def resolve(target: str) -> Path:
    """The ``manifest.json`` a target names.

    Raises:
        UnknownTarget: The target is not a file, a folder holding a manifest, or the slug of an
            installed manifest integration.
    """
    from ..manifest import manifest_file

    path = Path(target)
    if path.is_dir() or path.is_file():
        file = manifest_file(path)
        if not file.is_file():
            raise UnknownTarget(f"{target}: no manifest.json in this folder")
        return file
    installed = _installed_manifests()
    if target in installed:
        return installed[target]
    known = ", ".join(installed) or "none"
    raise UnknownTarget(f"{target!r} is neither a manifest file or folder nor an installed "
                        f"manifest integration (installed: {known})")


def validate_targets(targets: list[str]) -> dict[str, list[errors.Problem]]:
    """Every problem of each target's manifest, by target.

    Raises:
        UnknownTarget: A target names nothing.
    """
    from ..manifest.checks import manifest_problems

    if targets:
        files = {target: resolve(target) for target in targets}
    else:
        files = {slug: path for slug, path in _installed_manifests().items()}
    return {target: manifest_problems(path) for target, path in files.items()}


def run(args: argparse.Namespace) -> int:
    """Run the command."""
    try:
        found = validate_targets(list(args.targets))
    except UnknownTarget as exc:
        print(f"framework validate: {exc}", file=sys.stderr)
        return 2
    if args.json:
        data: dict[str, Any] = {t: [p.to_dict() for p in ps] for t, ps in found.items()}
        print(json.dumps(data, indent=2))
    else:
        _print_text(found)
    return 1 if any(found.values()) else 0


def _print_text(found: dict[str, list[errors.Problem]]) -> None:
    if not found:
        print("no manifest integration installed (entry-point group framework.integrations)")
    for target, problems in found.items():
        if not problems:
            print(f"{target}: ok")
            continue
        print(f"{target}: {len(problems)} problem{'s' if len(problems) > 1 else ''}")
        for problem in problems:
            print(f"  {problem} [{problem.rule}]")
    bad = sum(1 for problems in found.values() if problems)
    if bad:
        print(f"framework validate: {bad} of {len(found)} manifest(s) invalid", file=sys.stderr)
