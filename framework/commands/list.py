"""``framework list``: the installed integrations and a summary of their declarations.

``framework list --details SLUG`` adds the settings table of one integration (key, type,
required, default, secret, description) from its ``.setting()`` declarations;
``--markdown`` prints that table as the Markdown an integration's README carries.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["add_arguments", "run", "summaries", "settings_table", "markdown_table"]

#: The columns of the settings table, in order.
COLUMNS = ("Setting", "Type", "Required", "Default", "Secret", "Description")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("--json", action="store_true",
                        help="print every integration's full spec as JSON")
    parser.add_argument("--details", metavar="SLUG", default=None,
                        help="show one integration with its settings table (key, type, "
                             "required, default, secret, description)")
    parser.add_argument("--markdown", action="store_true",
                        help="with --details: print the settings table as Markdown, as the "
                             "integration's README has it")


def summaries() -> list[tuple[str, dict[str, Any] | None, str | None]]:
    """``(slug, spec, problem)`` for each installed integration, by slug; ``spec`` is
    ``None`` and ``problem`` says why when it cannot be loaded."""
    from integrations import available

    found: list[tuple[str, dict[str, Any] | None, str | None]] = []
    for slug, entry_point in sorted(available().items()):
        try:
            found.append((slug, entry_point.load().spec(), None))
        except Exception as exc:  # noqa: BLE001 - reported, the others still listed
            found.append((slug, None, f"cannot load {entry_point.value}: "
                                      f"{type(exc).__name__}: {exc}"))
    return found


def _settings(spec: dict[str, Any]) -> str:
    declared = spec.get("settings") or []
    named = [s["key"] for s in declared if s["required"]]
    named += [v["path"] for v in spec["validations"]
              if v["type"] == "settings" and v["path"] not in named]
    optional = [s["key"] for s in declared if not s["required"]]
    rules = [*(spec.get("settings_rules") or []),
             *(v["path"] for v in spec["validations"] if v["type"] == "function")]
    parts = [", ".join(named)]
    if optional:
        parts.append(f"optional: {', '.join(optional)}")
    if rules:
        parts.append(f"rules: {', '.join(rules)}")
    return "; ".join(p for p in parts if p) or "-"


def _default(setting: dict[str, Any], quote: str) -> str:
    value = setting["default"]
    if value is None:
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"{quote}{text}{quote}"


def _type(setting: dict[str, Any]) -> str:
    allowed = setting.get("allowed")
    if allowed:
        return f"{setting['type']} ({', '.join(str(v) for v in allowed)})"
    return str(setting["type"])


def settings_table(spec: dict[str, Any], quote: str = "") -> list[tuple[str, ...]]:
    """One row per declared setting, in declaration order (see :data:`COLUMNS`)."""
    return [(f"{quote}{s['key']}{quote}", _type(s), "yes" if s["required"] else "no",
             _default(s, quote), "yes" if s["secret"] else "no", s["description"] or "-")
            for s in spec.get("settings") or []]


def markdown_table(spec: dict[str, Any]) -> str:
    """The settings table as Markdown (keys and defaults in backticks, ``|`` escaped)."""
    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    rows = [line(COLUMNS), "|" + "---|" * len(COLUMNS)]
    rows += [line(row) for row in settings_table(spec, quote="`")]
    return "\n".join(rows) + "\n"


def _text_table(spec: dict[str, Any]) -> list[str]:
    rows = settings_table(spec)
    if not rows:
        return ["  (no typed settings declared)"]
    widths = [max(len(r[i]) for r in [COLUMNS, *rows]) for i in range(len(COLUMNS) - 1)]
    return ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths))
            + "  " + row[-1] for row in [COLUMNS, *rows]]


def _summary(slug: str, spec: dict[str, Any]) -> list[str]:
    return [f"{slug}  {spec['name']}",
            f"  methods   {', '.join(spec['methods']) or '-'}",
            f"  channels  {', '.join(spec['channels'])}",
            f"  endpoint  {spec['endpoint'] or '-'}",
            f"  settings  {_settings(spec)}",
            f"  retries   {spec['retries']}, timeout {spec['timeout']:g}s"
            + (f", batch of {spec['batch']['size']}" if spec.get("batch") else ""),
            *_template_lines(spec)]


def _details(args: argparse.Namespace,
             found: list[tuple[str, dict[str, Any] | None, str | None]]) -> int:
    by_slug = {slug: (spec, problem) for slug, spec, problem in found}
    if args.details not in by_slug:
        known = ", ".join(sorted(by_slug)) or "none"
        print(f"framework list: no integration installed under the slug {args.details!r} "
              f"(installed: {known})", file=sys.stderr)
        return 2
    spec, problem = by_slug[args.details]
    if spec is None:
        print(f"framework list: {args.details}: {problem}", file=sys.stderr)
        return 1
    if args.markdown:
        sys.stdout.write(markdown_table(spec))
        return 0
    print("\n".join(_summary(args.details, spec)))
    print("\nSettings")
    print("\n".join(_text_table(spec)))
    rules = [*(spec.get("settings_rules") or []),
             *(v["path"] for v in spec["validations"] if v["type"] == "function")]
    if rules:
        print(f"\n  Also checked by: {', '.join(rules)}")
    return 0


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
    """Run the command; exits 1 when an integration cannot be loaded, 2 for an unknown
    ``--details`` slug."""
    if getattr(args, "markdown", False) and not getattr(args, "details", None):
        print("framework list: --markdown needs --details SLUG", file=sys.stderr)
        return 2
    found = summaries()
    if getattr(args, "details", None):
        return _details(args, found)
    if args.json:
        print(json.dumps({slug: spec if spec is not None else {"error": problem}
                          for slug, spec, problem in found}, indent=2, default=str))
    elif not found:
        print("no integration installed (entry-point group framework.integrations)")
    for slug, spec, problem in found if not args.json else []:
        if spec is None:
            print(f"{slug}\n  error     {problem}\n")
            continue
        print("\n".join(_summary(slug, spec)))
        print()
    failed = [slug for slug, spec, _ in found if spec is None]
    if failed:
        print(f"framework list: cannot load {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
