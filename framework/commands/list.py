"""``framework list``: the installed integrations and a summary of their declarations."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["add_arguments", "run", "summaries"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("--json", action="store_true",
                        help="print every integration's full spec as JSON")


def summaries() -> list[tuple[str, dict[str, Any] | None, str | None]]:
    """``(slug, spec, problem)`` for each installed integration, by slug; ``spec`` is
    ``None`` and ``problem`` says why when it cannot be loaded."""
    from integrations import available

    found = []
    for slug, entry_point in sorted(available().items()):
        try:
            found.append((slug, entry_point.load().spec(), None))
        except Exception as exc:  # noqa: BLE001 - reported, the others still listed
            found.append((slug, None, f"cannot load {entry_point.value}: "
                                      f"{type(exc).__name__}: {exc}"))
    return found


def _settings(spec: dict[str, Any]) -> str:
    named = [v["path"] for v in spec["validations"] if v["type"] == "settings"]
    rules = [v["path"] for v in spec["validations"] if v["type"] == "function"]
    parts = [", ".join(named) if named else ""]
    if rules:
        parts.append(f"rules: {', '.join(rules)}")
    return "; ".join(p for p in parts if p) or "-"


def _template_lines(spec: dict[str, Any]) -> list[str]:
    """What a template (manifest) integration adds: delivery, policy, custom properties."""
    lines = []
    delivery = spec.get("delivery")
    if delivery:
        templates = ", ".join(f"{k} ({v})" for k, v in delivery["templates"].items())
        lines.append(f"  delivery  {delivery['method']}, templates: "
                     f"{templates or 'none (the event as JSON)'}"
                     + (f", signed in {delivery['hmac']['header']}" if delivery["hmac"] else ""))
        if delivery["policy"]:
            resources = [r for s in delivery["policy"]["default"]
                         for r in s.get("resources", s.get("notResources", []))]
            lines.append(f"  policy    {', '.join(resources)} (setting "
                         f"{delivery['policy']['setting']!r} replaces it)")
    properties = spec.get("custom_properties")
    if properties:
        lines.append("  custom    " + ", ".join(f"{p['key']} ({p['name']})" for p in properties))
    capabilities = spec.get("capabilities")
    if capabilities:
        lines.append(f"  serves    {', '.join(sorted(capabilities))}")
    return lines


def run(args: argparse.Namespace) -> int:
    """Run the command; exits 1 when an integration cannot be loaded."""
    found = summaries()
    if args.json:
        print(json.dumps({slug: spec if spec is not None else {"error": problem}
                          for slug, spec, problem in found}, indent=2, default=str))
    elif not found:
        print("no integration installed (entry-point group framework.integrations)")
    for slug, spec, problem in found if not args.json else []:
        if spec is None:
            print(f"{slug}\n  error     {problem}\n")
            continue
        print(f"{slug}  {spec['name']}")
        print(f"  methods   {', '.join(spec['methods']) or '-'}")
        print(f"  channels  {', '.join(spec['channels'])}")
        print(f"  endpoint  {spec['endpoint'] or '-'}")
        print(f"  settings  {_settings(spec)}")
        print(f"  retries   {spec['retries']}, timeout {spec['timeout']:g}s"
              + (f", batch of {spec['batch']['size']}" if spec.get("batch") else ""))
        for line in _template_lines(spec):
            print(line)
        print()
    failed = [slug for slug, spec, _ in found if spec is None]
    if failed:
        print(f"framework list: cannot load {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
