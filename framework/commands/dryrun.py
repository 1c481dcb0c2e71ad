"""What ``framework preview`` and ``framework curl`` share: the arguments, reading the settings
and the message, and running the pipeline once in the network sandbox."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence, TextIO

from .. import errors

if TYPE_CHECKING:  # pragma: no cover
    from ..integration import Integration

__all__ = ["add_arguments", "DryRun", "UsageError", "dry_run", "run_command", "load_settings",
           "load_message", "Masker", "NO_PAYLOAD"]

#: ``DryRun.payload`` when the pipeline stopped before mapping.
NO_PAYLOAD = object()


class UsageError(Exception):
    """The command line cannot be acted on (unknown slug, unreadable JSON...)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``preview`` and ``curl``."""
    parser.add_argument("slug", help="the integration's slug (see `framework list`), or a "
                        "manifest integration's folder")
    parser.add_argument("message", nargs="?",
                        help="a message JSON file, the name of one of the integration's "
                        "fixtures, or - to read the message from stdin (optional for "
                        "template integrations: see --event)")
    parser.add_argument("--event", metavar="PATH|KIND/NAME",
                        help="template integrations: the audit-log event, a JSON file or a "
                        "sample such as flag/toggle (default: flag/targeting-rule-update, "
                        "timestamped now)")
    parser.add_argument("--validation", action="store_true",
                        help="template integrations: the connection test (the validation "
                        "template) instead of an event")
    parser.add_argument("--settings", metavar="JSON|@FILE",
                        help="the settings as a JSON object, or @file to read them "
                        "(default: the fixture's settings, else {})")
    parser.add_argument("--status", type=int, default=200,
                        help="the status the fake endpoint answers (default 200)")
    parser.add_argument("--show-secrets", action="store_true",
                        help="show secret settings as is (those declared secret, and keys "
                        "that look secret: key, token, secret, password...)")


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} "
                         f"column {exc.colno}") from None


def _read(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} {path!r}: {exc}") from None


def load_settings(value: str | None) -> dict[str, Any] | None:
    """The settings from ``--settings`` (``None`` when not given).

    Raises:
        UsageError: Not JSON, not an object, or an unreadable ``@file``.
    """
    if value is None:
        return None
    text = _read(value[1:], "the settings file") if value.startswith("@") else value
    settings = _json(text, "--settings")
    if not isinstance(settings, dict):
        raise UsageError(f"--settings must be a JSON object, got {type(settings).__name__}")
    return settings


def load_message(value: str, integration: type[Integration], stdin: TextIO | None = None
                 ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The message, and the settings of the fixture it came from (if it did).

    ``value`` is ``-`` (stdin), a JSON file (a message, or a whole fixture document), or the
    name of one of the integration's fixtures.

    Raises:
        UsageError: Nothing readable by that name, or not a JSON object.
    """
    from ..testing.fixtures import FixtureError, find_fixture, fixture_dirs, load_fixture

    if value == "-":
        data = _json((stdin or sys.stdin).read(), "the message on stdin")
    elif Path(value).is_file():
        data = _json(_read(value, "the message file"), value)
    else:
        try:
            fixture = load_fixture(find_fixture(value, fixture_dirs(integration.slug(),
                                                                    integration.__module__)))
        except FixtureError as exc:
            raise UsageError(f"{value!r} is neither a file nor a usable fixture: {exc}") \
                from None
        return fixture.input, fixture.settings
    if not isinstance(data, dict):
        raise UsageError(f"the message must be a JSON object, got {type(data).__name__}")
    if isinstance(data.get("input"), dict) and "type" not in data:  # a fixture document
        settings = data.get("settings")
        return data["input"], settings if isinstance(settings, dict) else None
    return data, None


class Masker:
    """Hides the values of secret settings in text, unless told to show them.

    A setting is secret when the integration declares it ``secret=True`` (``declared``: key
    paths such as ``("auth", "key")``) or its key, at any depth, looks secret (``apiKey``,
    ``token``, ``sharedSecret``, ``headers.Authorization``...).
    """

    def __init__(self, settings: dict[str, Any], show: bool = False,
                 declared: Iterable[Sequence[str]] = ()) -> None:
        self.show = show
        self.declared = tuple(tuple(path) for path in declared)
        self.secrets = [] if show else errors.secret_values(settings, self.declared)

    def text(self, value: str) -> str:
        """``value`` with every secret replaced by ``[REDACTED]``."""
        return value if self.show else errors.redact(value, self.secrets)

    def header(self, name: str, value: str) -> str:
        """A header's value, hidden entirely when its name looks secret (Authorization...)."""
        if not self.show and errors.is_secret_key(name):
            return "[REDACTED]"
        return self.text(value)

    def settings(self, settings: Any) -> Any:
        """The settings with the value of each secret-looking key hidden, at any depth."""
        return settings if self.show else errors.mask(settings, self.declared)


@dataclass
class DryRun:
    """One offline run of the pipeline.

    Attributes:
        integration: The integration class.
        settings: The settings used.
        message: The message dict.
        facade: The message's facade (``None`` when it could not be built).
        method: The method the message routed to, if it got that far.
        payload: What the method received, or :data:`NO_PAYLOAD`.
        exchanges: Each request made, with the sandbox's reply.
        responses: What ``process`` returned.
        error: What ``process`` raised, if anything.
        batched: Whether the message went through the integration's ``batch(items)``, as
            ``framework send`` delivers it (a batch of one).
        wires: Every request as shown (:class:`~framework.commands.wire.Wire`).
        label: What the message is (a fixture, a file, a sample event), for ``BODY:``.
        stand_in: Whether the settings are stand-in values (rendered, never sent).
    """

    integration: type[Integration]
    settings: dict[str, Any]
    message: dict[str, Any]
    facade: Any = None
    method: str | None = None
    payload: Any = NO_PAYLOAD
    exchanges: list[Any] = field(default_factory=list)
    responses: list[Any] = field(default_factory=list)
    error: BaseException | None = None
    batched: bool = False
    wires: list[Any] = field(default_factory=list)
    label: str | None = None
    stand_in: bool = False


def _no_sleep(seconds: float) -> None:
    """A dry run never waits between retries."""


def _integration(slug: str) -> type[Integration]:
    from integrations import available, load

    if slug not in available() and Path(slug).is_dir() and (Path(slug) / "manifest.json").is_file():
        from ..manifest import load as load_manifest

        try:
            return load_manifest(slug)
        except errors.ManifestError as exc:
            raise UsageError(f"{slug}: {exc} (see framework validate {slug})") from None
    try:
        return load(slug)
    except LookupError as exc:
        raise UsageError(str(exc).strip("'\"")) from None


def _message(args: argparse.Namespace, integration: type[Integration], stdin: TextIO | None,
             now: float) -> tuple[dict[str, Any], dict[str, Any] | None, str]:
    """The message, the settings of the fixture it came from (if any), and its label."""
    from . import auditlog

    event = getattr(args, "event", None)
    templated = getattr(integration, "_templates", None) is not None
    if event is not None and args.message is not None:
        raise UsageError("give a message or --event, not both")
    if event is not None:
        return auditlog.load_event(event, now, UsageError), None, event
    if args.message is not None:
        message, settings = load_message(args.message, integration, stdin)
        return message, settings, "stdin" if args.message == "-" else args.message
    if templated:
        message, label = auditlog.default_event(getattr(args, "validation", False), now)
        return message, None, label
    raise UsageError("a message is required: a JSON file, a fixture name, or - for stdin")


def dry_run(args: argparse.Namespace, stdin: TextIO | None = None,
            clock: Callable[[], float] = time.time) -> DryRun:
    """Load the integration, settings and message named by ``args`` and run the pipeline in
    the sandbox, where every request gets ``args.status``; for a template integration
    without settings, render its request with stand-in values instead (see
    :mod:`framework.commands.auditlog`).

    Raises:
        UsageError: The arguments name nothing usable.
    """
    import facade

    from ..testing.sandbox import Reply, Sandbox
    from .wire import from_exchange

    integration = _integration(args.slug)
    settings = load_settings(args.settings)
    message, fixture_settings, label = _message(args, integration, stdin, clock())
    validation = bool(getattr(args, "validation", False))
    if settings is None and fixture_settings is None and \
            getattr(integration, "_templates", None) is not None:
        return _stand_in_run(integration, message, label, validation)
    if settings is None:
        settings = fixture_settings or {}
    run = DryRun(integration, settings, message, label=label)
    run.facade = facade.create(message)
    try:
        instance = integration(settings, sleep=_no_sleep)
        if validation:
            run.method = "validation"
        else:
            run.method, msg = instance.prepare(run.facade)
            run.payload = instance.payload_for(run.method, msg)
    except Exception as exc:  # noqa: BLE001 - shown to the user
        run.error = exc
        return run
    run.batched = not validation and instance.delivers_in_batch(run.method)
    sandbox = Sandbox(default=Reply(args.status))
    with sandbox:
        try:
            if validation:
                run.responses = instance.test_connection(message)
            elif run.batched:  # as framework send delivers it: through batch(items)
                outcome = instance.process_batch([run.facade])[0]
                if isinstance(outcome, BaseException):
                    raise outcome
                run.responses = outcome
            else:
                run.responses = instance.process(run.facade)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            run.error = exc
    run.exchanges = sandbox.exchanges
    run.wires = [from_exchange(e) for e in sandbox.exchanges]
    return run


def _stand_in_run(integration: type[Integration], message: dict[str, Any], label: str,
                  validation: bool) -> DryRun:
    import facade

    from .auditlog import stand_in_settings, stand_in_wires

    run = DryRun(integration, stand_in_settings(integration), message, label=label,
                 stand_in=True)
    run.facade = facade.create(message)
    try:
        run.settings, run.method, run.wires = stand_in_wires(integration, message, validation)
    except errors.IntegrationError as exc:
        run.error = exc
    return run


def run_command(args: argparse.Namespace, command: str,
                show: Callable[[DryRun, Masker], int]) -> int:
    """Run ``framework <command>``: a dry run handed to ``show`` with a masker for secrets;
    exit 2 on a usage error."""
    try:
        result = dry_run(args)
    except UsageError as exc:
        print(f"framework {command}: {exc}", file=sys.stderr)
        return 2
    declared = getattr(result.integration, "secret_settings", lambda: ())()
    # Stand-in values are placeholders, not secrets: shown as they are.
    return show(result, Masker(result.settings, args.show_secrets or result.stand_in,
                               declared))
