"""LaunchDarkly-style triggers: a monitoring tool's alert, posted to a secret URL, becomes a
track message for an integration.

``framework triggers create <manifest> --integration SLUG --settings JSON`` stores a trigger
(see :mod:`framework.server.trigger_store`) and prints its URL. ``POST /triggers/<token>``:

* 404 ``{"status": 404, "message": "not found"}`` for a token that is unknown or revoked (the
  same answer for both, so a URL's owner learns nothing from probing);
* 401 when the manifest says ``"auth": "sharedSecret"`` and ``Authorization`` is not the
  trigger's shared secret;
* 400 for a body that is not JSON (an empty body counts as ``{}``), 413 past ``max_body_bytes``;
* the body is read with the manifest's ``capabilities.trigger.parser`` pointers (``eventName``,
  ``value``, ``url``); without an event name (missing, not a string or a number, empty) it is
  ``defaultEventName`` (``An alert``);
* an event name in which ``testEventNameRegexp`` (default ``.*[Tt][Ee][Ss][Tt].*``) is found is
  a test: recorded, answered 200 ``{"status": "test"}``, nothing else happens;
* otherwise a track message named after the event, with ``properties.value`` and
  ``properties.url``, is committed to the queue for the trigger's destination
  (``trigger/<id>``, the trigger's integration and settings) and answered 202
  ``{"status": "queued"}``; 503 with ``Retry-After`` when the queue cannot take it.

Every firing is recorded with its time, event name, whether it was a test and its outcome
(``test``, ``queued``, ``unauthorized``, ``rejected``, ``unavailable``).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from jsonpointer import EndOfList, JsonPointer, JsonPointerException

from ..errors import BadRequestError, ManifestError, Problem, UnavailableError
from .ld_manifests import capability, find_manifests, read_manifest
from .trigger_store import DEFAULT_TRIGGER_STORE_PATH, Firing, Trigger, TriggerStore

if TYPE_CHECKING:  # pragma: no cover
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute

    from .config import SectionContext
    from .deps import Deps
    from .table import Table

__all__ = ["TriggersConfig", "TriggerManifest", "TriggerEvent", "parse_section",
           "load_trigger_manifests", "parse_trigger_event", "trigger_message", "routes",
           "lifespan", "stored_destinations", "configured_destinations", "DEFAULT_EVENT_NAME",
           "DEFAULT_TEST_EVENT_PATTERN"]

log = logging.getLogger("framework.server")

#: The config table this surface reads.
SECTION = "triggers"
#: LaunchDarkly's defaults for a trigger capability without them.
DEFAULT_EVENT_NAME = "An alert"
DEFAULT_TEST_EVENT_PATTERN = ".*[Tt][Ee][Ss][Tt].*"

_PARSER_KEYS = ("eventName", "value", "url")
_MISSING: Any = object()


@dataclass(frozen=True)
class TriggersConfig:
    """The ``[triggers]`` table.

    Attributes:
        store: The trigger database (SQLite file).
        manifests: Directories holding ``<key>/manifest.json`` (then the installed manifests).
        max_body_bytes: The largest request body accepted.
    """

    store: str = DEFAULT_TRIGGER_STORE_PATH
    manifests: tuple[str, ...] = ()
    max_body_bytes: int = 1_000_000


@dataclass(frozen=True)
class TriggerManifest:
    """A manifest's ``capabilities.trigger``, checked.

    Attributes:
        key: The manifest's key (its directory's name).
        parser: RFC 6901 pointers by field (``eventName``, ``value``, ``url``).
        default_event_name: The event name when the body has none.
        test_pattern: Event names in which it is found are tests.
        shared_secret: Whether firing needs the trigger's shared secret (``auth``).
    """

    key: str
    parser: Mapping[str, str]
    default_event_name: str = DEFAULT_EVENT_NAME
    test_pattern: str = DEFAULT_TEST_EVENT_PATTERN
    shared_secret: bool = False


@dataclass(frozen=True)
class TriggerEvent:
    """What one firing's body says."""

    event_name: str
    value: Any
    url: str | None
    test: bool


def parse_section(table: "Table", context: "SectionContext") -> TriggersConfig:
    """The ``[triggers]`` table, checked (problems go to ``context.problems``)."""
    defaults = TriggersConfig()
    store = table.path_value("store", defaults.store) or defaults.store
    raw = table.raw("manifests", [])
    manifests: list[str] = []
    if not isinstance(raw, list) or not all(isinstance(v, str) and v for v in raw):
        table.problems.add(table.at("manifests"), "type", "must be an array of directory paths")
    else:
        manifests = [os.path.normpath(os.path.join(table.base_dir, os.path.expanduser(v)))
                     for v in raw]
    manifests += [str(extra) for extra in context.options.get("manifests", ()) or ()]
    max_body = table.integer("max_body_bytes", defaults.max_body_bytes, minimum=1024)
    return TriggersConfig(store=store, manifests=tuple(manifests), max_body_bytes=max_body)


def load_trigger_manifests(
        directories: Sequence[str]) -> dict[str, TriggerManifest | ManifestError]:
    """Every manifest with the ``trigger`` capability, by key; a broken one maps to its error."""
    found: dict[str, TriggerManifest | ManifestError] = {}
    for key, manifest_file in find_manifests(directories).items():
        try:
            trigger = capability(read_manifest(manifest_file), "trigger")
        except ManifestError as exc:
            found[key] = exc
            continue
        if trigger is not None:
            found[key] = _trigger_manifest(key, manifest_file.path, trigger)
    return found


def _trigger_manifest(key: str, path: str,
                      trigger: Mapping[str, Any]) -> TriggerManifest | ManifestError:
    where = "/capabilities/trigger"
    problems: list[Problem] = []
    parser = trigger.get("parser", {})
    pointers: dict[str, str] = {}
    if not isinstance(parser, Mapping):
        problems.append(Problem(path, f"{where}/parser", "type", "must be an object"))
        parser = {}
    for name in _PARSER_KEYS:
        value = parser.get(name)
        if value is None or value == "":
            continue
        try:
            if not isinstance(value, str):
                raise JsonPointerException(f"got {value!r}")
            JsonPointer(value)
            pointers[name] = value
        except JsonPointerException as exc:
            problems.append(Problem(path, f"{where}/parser/{name}", "pointer",
                                    f"must be an RFC 6901 pointer string ({exc})"))
    default_name = trigger.get("defaultEventName", DEFAULT_EVENT_NAME)
    if not isinstance(default_name, str) or not default_name:
        problems.append(Problem(path, f"{where}/defaultEventName", "type",
                                "must be a non-empty string"))
    pattern = trigger.get("testEventNameRegexp", DEFAULT_TEST_EVENT_PATTERN)
    try:
        if not isinstance(pattern, str):
            raise re.error(f"got {pattern!r}")
        re.compile(pattern)
    except re.error as exc:
        problems.append(Problem(path, f"{where}/testEventNameRegexp", "regex",
                                f"must be a regular expression ({exc})"))
    auth = trigger.get("auth")
    if auth not in (None, "sharedSecret"):
        problems.append(Problem(path, f"{where}/auth", "enum",
                                f"must be \"sharedSecret\" when given, got {auth!r}"))
    if problems:
        return ManifestError(problems=problems)
    return TriggerManifest(key, pointers, default_name, pattern, auth == "sharedSecret")


def parse_trigger_event(manifest: TriggerManifest, body: Any) -> TriggerEvent:
    """The event name (or the default), value, URL and test flag of one firing's body."""
    name = _at(body, manifest.parser.get("eventName"))
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        name = str(name)
    if not isinstance(name, str) or not name:
        name = manifest.default_event_name
    value = _at(body, manifest.parser.get("value"))
    url = _at(body, manifest.parser.get("url"))
    return TriggerEvent(event_name=name,
                        value=None if value is _MISSING else value,
                        url=url if isinstance(url, str) and url else None,
                        test=re.search(manifest.test_pattern, name) is not None)


def _at(body: Any, pointer: str | None) -> Any:
    if not pointer:
        return _MISSING
    found = JsonPointer(pointer).resolve(body, _MISSING)
    return _MISSING if isinstance(found, EndOfList) else found


def trigger_message(trigger: Trigger, event: TriggerEvent, now: float) -> dict[str, Any]:
    """The track message a firing sends: named after the event, with its value and URL."""
    stamp = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    properties: dict[str, Any] = {}
    if event.value is not None:
        properties["value"] = event.value
    if event.url is not None:
        properties["url"] = event.url
    return {"type": "track", "event": event.event_name, "messageId": f"trigger-{uuid.uuid4()}",
            "anonymousId": f"trigger-{trigger.id}", "timestamp": stamp, "receivedAt": stamp,
            "properties": properties,
            "context": {"source": {"name": trigger.destination},
                        "trigger": {"id": trigger.id, "manifest": trigger.manifest}}}


class Triggers:
    """The surface: trigger manifests and the trigger store (opened by :func:`lifespan`)."""

    def __init__(self, deps: "Deps", config: TriggersConfig) -> None:
        self.deps = deps
        self.config = config
        self.manifests = load_trigger_manifests(config.manifests)
        self.store: TriggerStore | None = None

    async def fire(self, request: "Request") -> "Response":
        """Handle ``POST /triggers/<token>`` (see the module docstring)."""
        from starlette.concurrency import run_in_threadpool

        store = self.store
        if store is None:
            raise RuntimeError("the trigger store is not open (the app's lifespan did not run)")
        trigger = await run_in_threadpool(store.find, request.path_params["token"])
        manifest = self.manifests.get(trigger.manifest) if trigger else None
        if trigger is None:
            return _error(404, "not_found", "not found")
        now = self.deps.clock()
        if not isinstance(manifest, TriggerManifest):
            log.error("trigger %d: manifest %r is missing or broken: %s", trigger.id,
                      trigger.manifest, manifest)
            await self._record(Firing(trigger.id, now, "", False, "failed",
                                      f"manifest {trigger.manifest!r} is missing or broken"))
            return _error(500, "INTERNAL_ERROR", "the trigger's manifest cannot be used")
        if trigger.has_secret and not await run_in_threadpool(
                store.check_secret, trigger, request.headers.get("authorization")):
            await self._record(Firing(trigger.id, now, "", False, "unauthorized"))
            return _error(401, "unauthorized",
                          "the Authorization header is missing or is not the trigger's secret")
        try:
            body = await self._read_json(request)
        except BadRequestError as exc:
            await self._record(Firing(trigger.id, now, "", False, "rejected", exc.message))
            return _error(exc.status or 400, exc.code, exc.message)
        event = parse_trigger_event(manifest, body)
        if event.test:
            await self._record(Firing(trigger.id, now, event.event_name, True, "test"))
            from starlette.responses import JSONResponse

            return JSONResponse({"status": "test"})
        await self._ensure_delivery(trigger)
        from .intake import enqueue

        try:
            await enqueue(self.deps, [trigger_message(trigger, event, now)],
                          source=trigger.destination, destinations=[trigger.destination])
        except UnavailableError as exc:
            await self._record(Firing(trigger.id, now, event.event_name, False, "unavailable",
                                      exc.message))
            raise
        await self._record(Firing(trigger.id, now, event.event_name, False, "queued"))
        from starlette.responses import JSONResponse

        return JSONResponse({"status": "queued"}, status_code=202)

    async def _record(self, firing: Firing) -> None:
        from starlette.concurrency import run_in_threadpool

        assert self.store is not None
        try:
            await run_in_threadpool(self.store.record, firing)
        except Exception:  # the answer stands; a lost record must not fail the firing
            log.exception("trigger %d: cannot record a firing", firing.trigger_id)

    async def _read_json(self, request: "Request") -> Any:
        from .body import parse_json, read_body

        raw = await read_body(request.stream(), request.headers.get("content-encoding"),
                              limit=self.config.max_body_bytes)
        if not raw.strip():
            return {}
        return parse_json(raw)

    async def _ensure_delivery(self, trigger: Trigger) -> None:
        """Start delivering ``trigger/<id>`` when this server delivers and does not yet."""
        pool = self.deps.extras.get("delivery")
        if pool is not None and trigger.destination not in pool.workers:
            from starlette.concurrency import run_in_threadpool

            await run_in_threadpool(pool.add, destination_of(trigger),
                                    _integration(trigger.integration))

    def destinations(self) -> dict[str, Any]:
        """Every trigger's destination config whose integration is installed, by name (for
        the delivery pool)."""
        assert self.store is not None
        return stored_destinations(self.store)


def stored_destinations(store: TriggerStore) -> dict[str, Any]:
    """The destination config of every trigger in ``store`` (revoked ones too, as what they
    queued before was acknowledged) whose integration is installed, by name."""
    from integrations import available

    installed = available()
    found = {}
    for trigger in store.triggers():
        if trigger.integration in installed:
            found[trigger.destination] = destination_of(trigger)
        else:
            log.error("trigger %d: integration %r is not installed; its messages wait in "
                      "the queue", trigger.id, trigger.integration)
    return found


def configured_destinations(config: Any) -> dict[str, Any]:
    """:func:`stored_destinations` of the trigger database a server config names (empty when
    the database does not exist yet), for delivering processes that do not serve."""
    section = config.sections.get(SECTION)
    path = section.store if isinstance(section, TriggersConfig) else DEFAULT_TRIGGER_STORE_PATH
    if not os.path.exists(path):
        return {}
    with TriggerStore(path) as store:
        return stored_destinations(store)


def destination_of(trigger: Trigger) -> Any:
    """The :class:`~framework.server.config.DestinationConfig` of a trigger's messages."""
    from .config import DestinationConfig

    return DestinationConfig(name=trigger.destination, integration=trigger.integration,
                             settings=dict(trigger.settings), concurrency=1,
                             key=f"triggers[{trigger.id}]")


def _integration(slug: str) -> type:
    from integrations import load

    return load(slug)


def _error(status: int, code: str, message: str) -> "Response":
    from starlette.responses import JSONResponse

    return JSONResponse({"status": status, "code": code, "message": message},
                        status_code=status)


def _surface(deps: "Deps") -> Triggers:
    surface = deps.extras.get(SECTION)
    if surface is None:
        config = deps.config.sections.get(SECTION) or TriggersConfig()
        surface = deps.extras[SECTION] = Triggers(deps, config)
    assert isinstance(surface, Triggers)
    return surface


def routes(deps: "Deps") -> list["BaseRoute"]:
    """``POST /triggers/{token}``."""
    from starlette.routing import Route

    return [Route("/triggers/{token:path}", _surface(deps).fire, methods=["POST"])]


@contextlib.contextmanager
def lifespan(deps: "Deps") -> Iterator[None]:
    """Open the trigger store for the app's life."""
    surface = _surface(deps)
    surface.store = TriggerStore(surface.config.store, clock=deps.clock)
    # Every trigger's destination, revoked ones too: what they queued before being revoked
    # was acknowledged, so it is still delivered.
    deps.extras.setdefault("destinations", {}).update(surface.destinations())
    try:
        yield
    finally:
        surface.store.close()
        surface.store = None
