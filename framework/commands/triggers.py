"""``framework triggers``: create, list and revoke the triggers ``framework serve`` answers.

::

    framework triggers create generic-trigger --integration webhooks \\
        --settings '{"hooks": ["https://example.test/hook"]}' [--config serve.toml]
    framework triggers list [--json]
    framework triggers revoke 3
    framework triggers firings [3] [--limit 20] [--json]

The trigger database is the one the server with the same ``--config`` uses
(``[triggers] store``, default ``.framework/triggers.sqlite3`` next to the config file, or in
the working directory without one). ``create`` prints the URL (and, for manifests with
``"auth": "sharedSecret"``, the secret to send in ``Authorization``) once: only their hashes
are stored.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import Any, Mapping

__all__ = ["add_arguments", "run"]


class _UsageError(Exception):
    """A problem with the command line (exit status 2)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``create``, ``list``, ``revoke`` and ``firings``."""
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True

    def common(command: argparse.ArgumentParser) -> None:
        command.add_argument("--config", metavar="PATH",
                             help="the server's config file (default: the embedded one)")
        command.add_argument("--manifests", metavar="DIR", action="append", default=[],
                             help="another directory of <key>/manifest.json (repeatable)")

    create = sub.add_parser("create", help="store a trigger and print its URL")
    create.add_argument("manifest", metavar="MANIFEST",
                        help="the key of a manifest with the trigger capability")
    create.add_argument("--integration", required=True, metavar="SLUG",
                        help="the installed integration the trigger's messages go to")
    create.add_argument("--settings", metavar="JSON|@FILE", default=None,
                        help="that integration's settings, inline or from a file")
    common(create)

    listing = sub.add_parser("list", help="list triggers (revoked ones too)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    common(listing)

    revoke = sub.add_parser("revoke", help="revoke a trigger: its URL answers 404 from now on")
    revoke.add_argument("id", metavar="ID", type=int, help="the trigger's id (see list)")
    common(revoke)

    firings = sub.add_parser("firings", help="show the latest recorded firings")
    firings.add_argument("id", metavar="ID", type=int, nargs="?", help="only this trigger's")
    firings.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    firings.add_argument("--json", action="store_true", help="one JSON object per line")
    common(firings)


def run(args: argparse.Namespace) -> int:
    """Run one action; 0 on success, 1 for an unknown trigger, 2 for bad input."""
    try:
        config = _config(args)
        from ..server.trigger_store import TriggerStore

        with TriggerStore(config.store) as store:
            action = {"create": _create, "list": _list, "revoke": _revoke,
                      "firings": _firings}[args.action]
            return action(args, config, store)
    except _UsageError as exc:
        print(f"framework triggers {args.action}: {exc}", file=sys.stderr)
        return 2


def _config(args: argparse.Namespace) -> Any:
    from ..errors import ConfigError
    from ..server.config import load_config
    from ..server.triggers import SECTION, TriggersConfig

    try:
        loaded = load_config(args.config, options={"manifests": list(args.manifests)})
    except ConfigError as exc:
        raise _UsageError(f"--config: {exc}") from None
    config = loaded.sections.get(SECTION)
    return config if isinstance(config, TriggersConfig) else TriggersConfig(
        manifests=tuple(args.manifests))


def _create(args: argparse.Namespace, config: Any, store: Any) -> int:
    from ..errors import ManifestError
    from ..runner.settings import SettingsError, parse_settings
    from ..server.triggers import load_trigger_manifests

    manifests = load_trigger_manifests(config.manifests)
    manifest = manifests.get(args.manifest)
    if manifest is None:
        known = ", ".join(sorted(manifests)) or "none"
        raise _UsageError(f"MANIFEST: no manifest with the trigger capability has the key "
                          f"{args.manifest!r} (found: {known})")
    if isinstance(manifest, ManifestError):
        raise _UsageError(f"MANIFEST {args.manifest!r} is broken: {manifest}")
    try:
        settings = parse_settings(args.settings)
    except SettingsError as exc:
        raise _UsageError(str(exc)) from None
    settings = _checked_settings(args.integration, settings)
    created = store.create(args.manifest, args.integration, settings,
                           shared_secret=manifest.shared_secret)
    print(f"trigger url: {created.url}")
    print(f"trigger id: {created.trigger.id} ({args.manifest} -> {args.integration})")
    if created.secret:
        print(f"shared secret (send it as the Authorization header): {created.secret}")
    print("only hashes are stored: keep the URL" + (" and the secret" if created.secret else "")
          + ", they cannot be shown again")
    return 0


def _checked_settings(slug: str, settings: dict[str, Any]) -> Any:
    from integrations import available, load

    from ..errors import ValidationError

    installed = available()
    if slug not in installed:
        raise _UsageError(f"--integration: no integration installed under the slug {slug!r} "
                          f"(installed: {', '.join(sorted(installed)) or 'none'})")
    cls: Any = load(slug)
    validate = getattr(cls, "validate_settings", None)
    if validate is None:
        return settings
    try:
        return dict(validate(settings))
    except ValidationError as exc:
        raise _UsageError(f"--settings: {exc}") from None


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "-"
    return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%SZ")


def _list(args: argparse.Namespace, config: Any, store: Any) -> int:
    from ..errors import mask

    triggers = store.triggers()
    if args.json:
        for t in triggers:
            _print_json({"id": t.id, "manifest": t.manifest, "integration": t.integration,
                         "settings": mask(t.settings), "created_at": t.created_at,
                         "revoked_at": t.revoked_at, "shared_secret": t.has_secret,
                         "firings": t.firings, "last_fired_at": t.last_fired_at})
        return 0
    if not triggers:
        print("no triggers (create one with: framework triggers create MANIFEST "
              "--integration SLUG --settings JSON)")
        return 0
    rows = [("ID", "MANIFEST", "INTEGRATION", "CREATED", "STATUS", "FIRINGS", "LAST FIRED")]
    rows += [(str(t.id), t.manifest, t.integration, _when(t.created_at),
              "revoked" if t.revoked_at is not None else "active", str(t.firings),
              _when(t.last_fired_at)) for t in triggers]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def _revoke(args: argparse.Namespace, config: Any, store: Any) -> int:
    if store.revoke(args.id):
        print(f"trigger {args.id} revoked: its URL answers 404 from now on")
        return 0
    found = store.get(args.id)
    reason = "is already revoked" if found is not None else "does not exist"
    print(f"framework triggers revoke: trigger {args.id} {reason}", file=sys.stderr)
    return 1


def _firings(args: argparse.Namespace, config: Any, store: Any) -> int:
    if args.id is not None and store.get(args.id) is None:
        print(f"framework triggers firings: trigger {args.id} does not exist", file=sys.stderr)
        return 1
    for firing in store.firings(args.id, limit=max(args.limit, 1)):
        if args.json:
            _print_json({"trigger": firing.trigger_id, "fired_at": firing.fired_at,
                         "event_name": firing.event_name, "test": firing.test,
                         "outcome": firing.outcome, "detail": firing.detail})
        else:
            detail = f" ({firing.detail})" if firing.detail else ""
            test = " [test]" if firing.test else ""
            print(f"{_when(firing.fired_at)}  trigger {firing.trigger_id}  "
                  f"{firing.outcome}{test}  {firing.event_name or '-'}{detail}")
    return 0


def _print_json(record: Mapping[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False, sort_keys=False))
