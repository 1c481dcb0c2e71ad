"""The base class of every integration and the delivery pipeline it runs.

``Integration(settings).process(message)``:

1. wrap the message with :func:`facade.create`;
2. skip it (:class:`errors.Skipped`) when its ``integrations`` object disables this integration
   or its channel (``server`` when absent) is not one the integration declared;
3. raise the settings' :class:`errors.ValidationError` when the typed settings
   (``.setting()``) are invalid (checked once, when the instance is made, with every problem
   listed), then run the ``ensure`` rules in order and raise the first failure;
4. route it: the method named by its type, or for a track whose event is a spec'd event, the
   snake_case method of that event (``order_completed``) when the class defines it;
   (an integration that declares ``.templates(...)`` routes an event that has a string
   ``kind`` field to its template: see :mod:`framework.templated`; its ``.policy(...)`` skips
   events before step 3);
5. raise :class:`errors.NotSupported` when the class has no such method;
6. call the method with ``mapper.<method>(msg, settings)`` when the mapper has that function
   (``mapper.<method>(msg, settings, integration)`` when it takes a third argument: the
   instance, as Segment's ``this``), else with the facade;
7. return the responses the method produced as a list (possibly empty).

The class reads as the pipeline; the details of step 3 live in :mod:`framework.validation`,
batches and outcomes in :mod:`framework.outcomes`, and ``spec()`` in :mod:`framework.spec`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, ClassVar, Mapping, Sequence

import requests

import facade
from facade import Facade

from . import errors, templated, validation
from .builder import Builder
from .declarations import MESSAGE_TYPES
from .callables import call_with_integration
from .events import PATTERNS
from .http import Request
from .outcomes import Outcome, as_list, process_batch
from .retry import RetryPolicy
from .settings_schema import SettingsSchema
from .spec import describe
from .transport import LeanAdapter

__all__ = ["Integration", "Outcome"]

_BASE_ATTRIBUTES = frozenset(dir(Builder))


class Integration(Builder):
    """Base class of built integrations; see the module docstring for the pipeline.

    Args:
        settings: The integration's settings; kept as ``self.settings`` (``None`` means ``{}``)
            with the declared defaults applied. Invalid typed settings do not stop
            construction: every message then fails with their ``ValidationError`` (check
            first with :meth:`validate_settings` to fail early).
        session: A ``requests.Session`` to use instead of a new pooled one.
        clock: Returns the current time in seconds (``time.time``); for tests.
        sleep: Waits a number of seconds (``time.sleep``); for tests.
        on_request: Called with each ``requests.PreparedRequest`` before it is sent.
        on_response: Called with each ``requests.Response`` (or the exception) after it.
        pool_size: Connections kept per host; raise it when many threads share the instance.
    """

    _compiled_settings: ClassVar[SettingsSchema | None] = None
    #: The instance's retry policy. It shadows the class-level declaration ``.policy(...)``
    #: (templates' event policy) on instances, hence the ignore: rename one of them to drop it.
    policy: RetryPolicy  # type: ignore[assignment]

    def __init__(self, settings: Mapping[str, Any] | None = None, *,
                 session: requests.Session | None = None,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], None] | None = None,
                 on_request: Callable[[requests.PreparedRequest], None] | None = None,
                 on_response: Callable[[Any], None] | None = None,
                 pool_size: int = 10) -> None:
        if settings is not None and not isinstance(settings, Mapping):
            raise errors.ValidationError(
                f"settings must be an object, got {type(settings).__name__}",
                integration=self.name)
        self.settings: dict[str, Any] = dict(settings or {})
        self._settings_error: errors.ValidationError | None = None
        if self._settings or self._settings_rules:
            try:
                self.settings = self.validate_settings(self.settings)
            except errors.ValidationError as exc:
                self._settings_error = exc
        self.logger = logging.getLogger(f"framework.integrations.{self.slug()}")
        self.on_request = on_request
        self.on_response = on_response
        self.policy = RetryPolicy(retries=self._retries, rules=self._retry_rules,
                                  clock=clock, sleep=sleep)
        self._session = session
        self._pool_size = pool_size
        self._session_lock = threading.Lock()
        self._routes: tuple[tuple[tuple[str, Any], ...], frozenset[str]] | None = None
        self.initialize()

    def initialize(self) -> None:
        """Hook run at the end of construction; override to prepare state from settings."""

    def __repr__(self) -> str:
        masked = errors.mask(self.settings, self.secret_settings())
        return f"<{type(self).__name__} {self.name!r} settings={masked!r}>"

    # -- declarations as data ---------------------------------------------------------------

    @classmethod
    def implemented(cls) -> list[str]:
        """The message and semantic-event methods this class defines, sorted."""
        names = [*MESSAGE_TYPES, *PATTERNS]
        found = {n for n in names if cls._defines(n) or n in cls._map_to_track}
        return sorted(found | set(cls.template_routes()))

    @classmethod
    def template_routes(cls) -> list[str]:
        """The routes events can take through the declared templates (``flag``,
        ``default``, ``event``...); none without ``.templates(...)``."""
        if cls._templates is None:
            return []
        routes = {n for n in cls._templates if n != "validation"}
        if "default" not in routes:
            routes.add(templated.EVENT_ROUTE)
        return sorted(routes)

    @classmethod
    def _defines(cls, name: str) -> bool:
        """Whether a subclass defines ``name`` as a method (not the base's helpers)."""
        for klass in cls.__mro__:
            if klass is Integration or klass is Builder:
                return False
            value = klass.__dict__.get(name)
            if value is not None:
                return callable(value) and not isinstance(value, (classmethod, staticmethod))
        return False

    @classmethod
    def typed_settings(cls) -> SettingsSchema:
        """The declared settings compiled (schema and validator), once per class."""
        compiled = cls.__dict__.get("_compiled_settings")
        if compiled is None or compiled.settings is not cls._settings:
            compiled = SettingsSchema(cls._settings, integration=cls.name)
            cls._compiled_settings = compiled
        return compiled

    @classmethod
    def validate_settings(cls, settings: Mapping[str, Any] | None) -> dict[str, Any]:
        """A new dict of ``settings`` with the declared defaults applied, once every declared
        setting is valid and every ``ensure('settings.<key>')`` rule that applies to all
        message types passes.

        Raises:
            errors.ValidationError: Some are not; ``problems`` lists every one (setting,
                rule, RFC 6901 pointer), secret values redacted.
        """
        return validation.validate_settings(cls, settings)

    @classmethod
    def secret_settings(cls) -> frozenset[tuple[str, ...]]:
        """The key paths of the settings declared ``secret=True``."""
        return cls.typed_settings().secrets

    @classmethod
    def spec(cls) -> dict[str, Any]:
        """The whole declaration as data (see :mod:`framework.spec`)."""
        return describe(cls)

    # -- the pipeline ----------------------------------------------------------------------

    @classmethod
    def validate(cls, message: Facade | Mapping[str, Any],
                 settings: Mapping[str, Any] | None) -> None:
        """Check the typed settings, then run the ``ensure`` rules in order and raise the
        first failure.

        Raises:
            errors.ValidationError: The typed settings are invalid (every problem listed) or
                a settings rule failed.
            errors.RejectedError: A message rule failed.
            errors.ProgrammingError: A function rule returned something other than an
                integration error or ``None``.
        """
        msg = message if isinstance(message, Facade) else facade.create(message)
        cls._run_rules(msg, cls.validate_settings(settings))

    @classmethod
    def _run_rules(cls, msg: Facade, settings: Mapping[str, Any]) -> None:
        validation.run_rules(cls, msg, settings)

    def check_enabled(self, msg: Facade) -> None:
        """Raise :class:`errors.Skipped` when the message is not for this integration."""
        if not msg.enabled(self.name):
            raise errors.Skipped(
                f"{self.name} is disabled in the message's integrations object",
                integration=self.name)
        channel = msg.channel() or "server"
        if channel not in self._channels:
            raise errors.Skipped(
                f"{self.name} does not accept the {channel!r} channel "
                f"(accepts {', '.join(self._channels)})", integration=self.name)
        if self._policy is not None and self._is_event(msg):
            reason = templated.denied(self, msg.raw_event())
            if reason is not None:
                raise errors.Skipped(reason, integration=self.name)

    def _is_event(self, msg: Facade) -> bool:
        """Whether ``msg`` is an event for the declared templates (it has a ``kind``)."""
        return self._templates is not None and isinstance(msg.field("kind"), str)

    def route(self, msg: Facade) -> str:
        """The name of the method that handles ``msg``.

        Raises:
            errors.NotSupported: The class has no method for the message.
        """
        if self._templates is not None and self._is_event(msg):
            return templated.route_for(self._templates, msg.field("kind"))
        message_type = msg.type()
        routes = self._routes
        if routes is None:
            routes = self._routes = self._routing_table()
        semantic, handled = routes
        if message_type == "track" and semantic and isinstance(msg, facade.Track):
            event = msg.event()
            if isinstance(event, str) and event:
                for method, pattern in semantic:
                    if pattern.match(event):
                        return method
        if message_type in handled:
            return message_type
        shown = message_type if message_type else "untyped"
        raise errors.NotSupported(f"{self.name} does not support {shown} messages",
                                  integration=self.name)

    def _routing_table(self) -> tuple[tuple[tuple[str, Any], ...], frozenset[str]]:
        """The semantic methods this class defines (with their patterns, in routing order) and
        the message types it handles; computed on first use, as routing runs per message."""
        semantic = tuple((m, p) for m, p in PATTERNS.items() if self._defines(m))
        handled = frozenset(t for t in MESSAGE_TYPES
                            if t in self._map_to_track or self._defines(t))
        return semantic, handled

    def payload_for(self, method: str, msg: Facade) -> Any:
        """What the method receives: the mapper's payload when it maps ``method``, else
        the facade."""
        if self._templates is not None and method in self.template_routes() \
                and self._is_event(msg):
            return templated.render_request(self, method, msg.raw_event())
        mapper_fn = getattr(self._mapper, method, None) if self._mapper is not None else None
        if not callable(mapper_fn):
            return msg
        return call_with_integration(mapper_fn, msg, self.settings, self)

    def prepare(self, message: Facade | Mapping[str, Any]) -> tuple[str, Facade]:
        """Steps 1-5 of the pipeline: wrap, skip, validate and route; nothing is sent.

        Returns:
            The method name and the facade.
        """
        msg = message if isinstance(message, Facade) else facade.create(message)
        self.check_enabled(msg)
        failed = self._settings_error
        if failed is not None:  # a fresh error per message: one shared traceback would grow
            raise errors.ValidationError(failed.message, problems=failed.problems,
                                         integration=failed.integration)
        self._run_rules(msg, self.settings)
        return self.route(msg), msg

    def process(self, message: Facade | Mapping[str, Any]) -> list[Any]:
        """Run the whole pipeline for one message.

        Returns:
            The responses the integration's method produced (possibly none).

        Raises:
            errors.IntegrationError: Anything that kept the message from being delivered.
        """
        method, msg = self.prepare(message)
        return self.call(method, msg)

    def call(self, method: str, msg: Facade) -> list[Any]:
        """Steps 6-7: map the message and call ``method``; the responses as a list."""
        if method in self._map_to_track and not self._defines(method):
            return self._page_to_tracks(msg)
        if self._templates is not None and not self._defines(method) \
                and method in self.template_routes():
            return [templated.send_rendered(self, self.payload_for(method, msg))]
        result = getattr(self, method)(self.payload_for(method, msg))
        return as_list(result)

    def _page_to_tracks(self, msg: Facade) -> list[Any]:
        settings = self.settings
        tracks: list[Facade] = []
        if not isinstance(msg, facade.Page):  # map_to_track declares page and screen only
            return []
        if settings.get("trackAllPages"):
            tracks.append(msg.track())
        category = msg.category()
        if category and settings.get("trackCategorizedPages"):
            tracks.append(msg.track(category))
        if msg.name() and settings.get("trackNamedPages"):
            tracks.append(msg.track(msg.full_name()))
        responses: list[Any] = []
        for track in tracks:
            responses.extend(self.call(self.route(track), track))
        return responses

    def delivers_in_batch(self, method: str) -> bool:
        """Whether a message routed to ``method`` goes through ``batch(items)`` in
        :meth:`process_batch` (the class declares ``.batch(...)`` for it and defines
        ``batch``), as ``framework send`` delivers it."""
        policy = self._batch
        return policy is not None and (policy.methods is None or method in policy.methods) \
            and self._defines("batch")

    def test_connection(self, event: Mapping[str, Any] | None = None) -> list[Any]:
        """Send the ``validation`` template (what a "test connection" button sends).

        Args:
            event: The audit-log event it is rendered with; by default the product's sample
                environment update.

        Raises:
            errors.NotSupported: The integration declares no ``validation`` template.
            errors.IntegrationError: The settings are invalid, or the endpoint failed.
        """
        return [templated.send_validation(self, event)]

    def process_batch(self, messages: Sequence[Facade | Mapping[str, Any]]) -> list[Outcome]:
        """Deliver many messages, through ``batch(items)`` where the class defines it.

        Returns:
            One outcome per message, in order: the list of responses when it was delivered,
            or the :class:`errors.IntegrationError` that stopped it. One bad message never
            fails its neighbours.
        """
        return process_batch(self, messages)

    # -- HTTP ------------------------------------------------------------------------------

    @property
    def session(self) -> requests.Session:
        """The instance's pooled session, created on first use."""
        if self._session is None:
            with self._session_lock:
                if self._session is None:
                    session = requests.Session()
                    adapter = LeanAdapter(pool_connections=self._pool_size,
                                          pool_maxsize=self._pool_size)
                    session.mount("http://", adapter)
                    session.mount("https://", adapter)
                    self._session = session
        return self._session

    def close(self) -> None:
        """Close the pooled connections."""
        if self._session is not None:
            self._session.close()

    def request(self, method: str, path: str = "") -> Request:
        """Start a request; ``path`` is joined to the endpoint unless it is an absolute URL."""
        return Request(self, method.upper(), path)

    def get(self, path: str = "") -> Request:
        """Start a GET request."""
        return self.request("GET", path)

    def post(self, path: str = "") -> Request:
        """Start a POST request."""
        return self.request("POST", path)

    def put(self, path: str = "") -> Request:
        """Start a PUT request."""
        return self.request("PUT", path)

    def patch(self, path: str = "") -> Request:
        """Start a PATCH request."""
        return self.request("PATCH", path)

    def delete(self, path: str = "") -> Request:
        """Start a DELETE request.

        An integration that handles Segment ``delete`` messages defines its own ``delete``
        method, which replaces this helper; it can still use ``self.request('DELETE', path)``.
        """
        return self.request("DELETE", path)

    def secrets(self) -> list[str]:
        """The values of secret settings, which no error or log line may contain."""
        return errors.secret_values(self.settings, self.secret_settings())
