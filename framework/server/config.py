"""The server's configuration: one TOML file, checked whole before anything starts.

:func:`load_config` reads the file (``tomllib``; ``tomli`` on Python 3.10), replaces
``${NAME}`` in every string with the environment variable (``${NAME:-default}`` gives a
default; an unset variable is a problem), resolves relative paths against the file's directory,
checks every key (types, required keys, unknown keys, installed integration slugs and their
settings) and raises one :class:`~framework.errors.ConfigError` listing every problem, each at
its dotted key path (``sources[0].destinations[1].settings.hooks``). Nothing binds a port or
opens a queue before it returns.

Surfaces other than the Segment ones contribute their own top-level table: a *section parser*
``parse(table: Table, context: SectionContext) -> Any`` registered in :data:`SECTIONS` under
the table's name (``synced_segments``...). It is called whether or not the file has the table
(an absent table reads as empty, so defaults apply); its result is in
``ServerConfig.sections[name]``.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from ..errors import ConfigError, ValidationError
from ..runner.workers import WORKER_MODES
from .table import Problems, Table, key_path, substitute

__all__ = ["ServerConfig", "ServerSettings", "SourceConfig", "HookConfig", "DestinationConfig",
           "SectionContext", "SECTIONS", "DEFAULT_CONFIG", "load_config", "parse_config"]

#: Top-level tables that surface modules parse: name -> ``"module:function"`` (imported
#: only when the config has that table).
SECTIONS: Mapping[str, str] = {
    "synced_segments": "framework.server.synced_segments:parse_section",
    "triggers": "framework.server.triggers:parse_section",
}

#: What ``framework serve`` runs with no ``--config`` (``make demo``): a Segment HTTP API
#: source ``demo`` (write key ``demo-write-key``) delivering to Webhooks, and the FME webhook
#: receiver ``segment-to-fme`` (secret ``demo-fme-secret``) delivering to Harness FME, both
#: aimed at ``${FRAMEWORK_DEMO_SINK}`` (default ``http://127.0.0.1:9000``, a ``framework sink``).
DEFAULT_CONFIG = """\
[server]
queue = ".framework/serve-queue.sqlite3"

[[sources]]
name = "demo"
write_key = "demo-write-key"
[[sources.destinations]]
integration = "webhooks"
settings = { hooks = ["${FRAMEWORK_DEMO_SINK:-http://127.0.0.1:9000}/webhooks"] }

[[hooks]]
name = "segment-to-fme"
secret = "demo-fme-secret"
[[hooks.destinations]]
integration = "harness-fme"
[hooks.destinations.settings]
apiKey = "demo-sdk-key"
adminApiKey = "demo-admin-key"
environment = "Production"
eventsEndpoint = "${FRAMEWORK_DEMO_SINK:-http://127.0.0.1:9000}/fme/events"
apiEndpoint = "${FRAMEWORK_DEMO_SINK:-http://127.0.0.1:9000}/fme/admin"
identityMappings = [{ segmentIdentity = "userId", trafficType = "user" },
                    { segmentIdentity = "anonymousId", trafficType = "anonymous" }]
"""

_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}"


@dataclass(frozen=True)
class DestinationConfig:
    """Where one source's messages go.

    Attributes:
        name: The destination's name, unique in the config; stored with each job (settings
            never are). Defaults to ``<source name>/<integration>``.
        integration: The installed integration's slug.
        settings: The integration's settings (defaults filled in when the integration declares
            typed settings).
        concurrency: Deliveries in progress at once for this destination (``None``: the
            ``[server]`` default, which ``--concurrency`` sets).
        key: Its key path in the config, for messages.
    """

    name: str
    integration: str
    settings: Mapping[str, Any]
    concurrency: int | None = None
    key: str = ""


@dataclass(frozen=True)
class SourceConfig:
    """A Segment HTTP Tracking API source (``[[sources]]``)."""

    name: str
    write_key: str
    destinations: tuple[DestinationConfig, ...]


@dataclass(frozen=True)
class HookConfig:
    """A receiver of Segment's Webhooks destination (``[[hooks]]``): ``POST /hooks/<name>``.

    Attributes:
        secret: Must equal the request's ``Authorization`` header.
        shared_secret: When set, ``X-Signature`` must be the HMAC-SHA1 of the body with it.
    """

    name: str
    secret: str
    shared_secret: str | None
    destinations: tuple[DestinationConfig, ...]


@dataclass(frozen=True)
class ServerSettings:
    """The ``[server]`` table: queue, backpressure, dedupe and delivery.

    Attributes:
        queue: The queue (a SQLite path, relative to the config file), unless ``--queue``.
        max_queue_depth: Pending jobs past which inbound routes answer 503.
        retry_after: Seconds sent in ``Retry-After`` with a 503.
        dedupe_window: Seconds a source's ``messageId`` is remembered.
        concurrency: Deliveries in progress at once per destination (its default).
        worker_mode: How each destination's workers run: ``"cooperative"`` (greenlets of one
            thread per destination) or ``"threads"`` (see :mod:`framework.runner.workers`).
        max_attempts: Attempts per job before a retryable failure is a dead letter.
        max_age: Seconds after queueing past which a job is not retried any more.
        retry_delay: The first retry's backoff in seconds (doubling up to 10 minutes).
        shutdown_timeout: Seconds SIGTERM waits for requests in progress.
    """

    queue: str | None = None
    max_queue_depth: int = 100_000
    retry_after: float = 5.0
    dedupe_window: float = 24 * 3600.0
    concurrency: int = 8
    worker_mode: str = WORKER_MODES[0]
    max_attempts: int = 8
    max_age: float = 4 * 3600.0
    retry_delay: float = 1.0
    shutdown_timeout: float = 10.0


@dataclass(frozen=True)
class ServerConfig:
    """A checked server configuration (build it with :func:`load_config`).

    Attributes:
        path: The config file, or ``None`` for :data:`DEFAULT_CONFIG`.
        base_dir: Where relative paths were resolved from.
        server: The ``[server]`` table.
        sources: The ``[[sources]]``.
        hooks: The ``[[hooks]]``.
        sections: What each :data:`SECTIONS` parser returned, by table name.
    """

    path: str | None = None
    base_dir: str = "."
    server: ServerSettings = field(default_factory=ServerSettings)
    sources: tuple[SourceConfig, ...] = ()
    hooks: tuple[HookConfig, ...] = ()
    sections: Mapping[str, Any] = field(default_factory=dict)

    def destinations(self) -> dict[str, DestinationConfig]:
        """Every destination of every source and hook, by name."""
        found: dict[str, DestinationConfig] = {}
        owners: list[SourceConfig | HookConfig] = [*self.sources, *self.hooks]
        for owner in owners:
            for destination in owner.destinations:
                found[destination.name] = destination
        return found


@dataclass(frozen=True)
class SectionContext:
    """What a section parser gets besides its table.

    Attributes:
        problems: Record problems here (``table.problems`` is the same object).
        options: Command-line additions (``manifests``: the ``--manifests`` directories).
        environ: The environment used for ``${NAME}``.
    """

    problems: Problems
    options: Mapping[str, Any]
    environ: Mapping[str, str]


def load_config(path: str | os.PathLike[str] | None, environ: Mapping[str, str] = os.environ,
                *, sections: Mapping[str, str] | None = None,
                options: Mapping[str, Any] | None = None) -> ServerConfig:
    """The checked configuration in the TOML file at ``path`` (``None``: the embedded
    :data:`DEFAULT_CONFIG`).

    Args:
        path: The config file.
        environ: Where ``${NAME}`` values come from.
        sections: Section parsers by table name (default :data:`SECTIONS`).
        options: Command-line additions passed to section parsers.

    Raises:
        ConfigError: With every problem found (``problems``), each at its key path.
    """
    if path is None:
        return parse_config(DEFAULT_CONFIG, None, environ, sections=sections, options=options)
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read the config: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: the config is not UTF-8 text (byte {exc.start})") from None
    return parse_config(text, name, environ, sections=sections, options=options)


def parse_config(text: str, path: str | None, environ: Mapping[str, str] = os.environ, *,
                 sections: Mapping[str, str] | None = None,
                 options: Mapping[str, Any] | None = None) -> ServerConfig:
    """:func:`load_config` for TOML text; ``path`` names it in problems (and is the base of
    relative paths)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    source = path or "<default config>"
    base_dir = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    problems = Problems(source)
    document = substitute(document, environ, problems)
    root = Table(document, "", problems, base_dir)
    server = _server(root.table("server"))
    integrations = _Integrations()
    sources = tuple(_source(t, server, integrations) for t in root.tables("sources"))
    hooks = tuple(_hook(t, server, integrations) for t in root.tables("hooks"))
    _check_unique(sources, hooks, problems)
    parsed = _sections(root, SECTIONS if sections is None else sections,
                       SectionContext(problems, dict(options or {}), environ))
    root.finish()
    if problems:
        raise ConfigError(problems=list(problems))
    return ServerConfig(path=path, base_dir=base_dir, server=server, sources=sources,
                        hooks=hooks, sections=parsed)


def _server(table: Table) -> ServerSettings:
    defaults = ServerSettings()
    settings = ServerSettings(
        queue=table.path_value("queue"),
        max_queue_depth=table.integer("max_queue_depth", defaults.max_queue_depth, minimum=1),
        retry_after=table.seconds("retry_after", defaults.retry_after),
        dedupe_window=table.seconds("dedupe_window", defaults.dedupe_window),
        concurrency=table.integer("concurrency", defaults.concurrency, minimum=1),
        worker_mode=table.choice("worker_mode", defaults.worker_mode, WORKER_MODES),
        max_attempts=table.integer("max_attempts", defaults.max_attempts, minimum=1),
        max_age=table.seconds("max_age", defaults.max_age),
        retry_delay=table.seconds("retry_delay", defaults.retry_delay),
        shutdown_timeout=table.seconds("shutdown_timeout", defaults.shutdown_timeout))
    table.finish()
    return settings


def _source(table: Table, server: ServerSettings, integrations: "_Integrations") -> SourceConfig:
    name = table.string("name", "", required=True, pattern=_NAME) or ""
    write_key = table.string("write_key", "", required=True) or ""
    destinations = _destinations(table, name, server, integrations)
    table.finish()
    return SourceConfig(name=name, write_key=write_key, destinations=destinations)


def _hook(table: Table, server: ServerSettings, integrations: "_Integrations") -> HookConfig:
    name = table.string("name", "", required=True, pattern=_NAME) or ""
    secret = table.string("secret", "", required=True) or ""
    shared_secret = table.string("shared_secret")
    destinations = _destinations(table, name, server, integrations)
    table.finish()
    return HookConfig(name=name, secret=secret, shared_secret=shared_secret,
                      destinations=destinations)


def _destinations(owner: Table, owner_name: str, server: ServerSettings,
                  integrations: "_Integrations") -> tuple[DestinationConfig, ...]:
    tables = owner.tables("destinations")
    if not tables and "destinations" not in owner.data:
        owner.problems.add(owner.at("destinations"), "required",
                           "at least one [[...destinations]] table is required")
    found = []
    for table in tables:
        slug = table.string("integration", "", required=True) or ""
        name = table.string("name", f"{owner_name}/{slug}", pattern=_NAME + r"(/" + _NAME + ")?")
        settings_value = table.raw("settings", {})
        settings = integrations.check(slug, settings_value, table)
        concurrency = table.integer("concurrency", 0, minimum=1) or None
        table.finish()
        found.append(DestinationConfig(name=name or "", integration=slug, settings=settings,
                                       concurrency=concurrency, key=table.path))
    return tuple(found)


class _Integrations:
    """Installed integrations, looked up once per config."""

    def __init__(self) -> None:
        self._available: dict[str, Any] | None = None

    def check(self, slug: str, settings: Any, table: Table) -> dict[str, Any]:
        """The settings (with the integration's defaults) after recording their problems."""
        if not isinstance(settings, dict):
            table.problems.add(table.at("settings"), "type", "must be a table")
            return {}
        if not slug:
            return settings
        if self._available is None:
            from integrations import available
            self._available = available()
        if slug not in self._available:
            known = ", ".join(sorted(self._available)) or "none"
            table.problems.add(table.at("integration"), "installed",
                               f"no integration installed under the slug {slug!r} "
                               f"(installed: {known})")
            return settings
        cls = self._available[slug].load()
        validate: Callable[[Any], Any] | None = getattr(cls, "validate_settings", None)
        if validate is None:
            return settings
        try:
            return dict(validate(settings))
        except ValidationError as exc:
            where = table.at("settings")
            for problem in exc.problems or ():
                table.problems.add(_dotted(where, problem.pointer), problem.rule,
                                   problem.message)
            if not exc.problems:
                table.problems.add(where, "settings", exc.message)
            return settings


def _dotted(prefix: str, pointer: str) -> str:
    """A dotted key path from an RFC 6901 pointer below ``prefix`` (``/hooks/0`` ->
    ``prefix.hooks[0]``)."""
    path = prefix
    for part in pointer.split("/")[1:] if pointer else []:
        part = part.replace("~1", "/").replace("~0", "~")
        path = key_path(path, int(part) if part.isdigit() else part)
    return path


def _check_unique(sources: Sequence[SourceConfig], hooks: Sequence[HookConfig],
                  problems: Problems) -> None:
    owners: dict[str, str] = {}
    keys: dict[str, str] = {}
    destinations: dict[str, str] = {}
    groups: tuple[tuple[str, Sequence[SourceConfig | HookConfig]], ...] = (
        ("sources", sources), ("hooks", hooks))
    for kind, group in groups:
        for index, owner in enumerate(group):
            at = key_path(kind, index)
            if owner.name and owner.name in owners:
                problems.add(key_path(at, "name"), "unique",
                             f"{owner.name!r} is already the name of {owners[owner.name]} "
                             f"(source and hook names share one namespace)")
            owners.setdefault(owner.name, at)
            key = getattr(owner, "write_key", "")
            if key and key in keys:
                problems.add(key_path(at, "write_key"), "unique",
                             f"the same write key is used by {keys[key]}")
            keys.setdefault(key, at)
            for destination in owner.destinations:
                if destination.name in destinations:
                    problems.add(key_path(destination.key, "name"), "unique",
                                 f"destination name {destination.name!r} is also used by "
                                 f"{destinations[destination.name]}; set a distinct name")
                destinations.setdefault(destination.name, destination.key)


def _sections(root: Table, parsers: Mapping[str, str], context: SectionContext) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for name, target in parsers.items():
        module_name, _, function = target.partition(":")
        parse = getattr(importlib.import_module(module_name), function)
        table = root.table(name)
        parsed[name] = parse(table, context)
        table.finish()
    return parsed
