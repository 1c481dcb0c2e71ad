"""The HTTP contract of a mediarithmics audience feed plugin, served for one connector.

Every feed route (``POST /v1/<route>``) reads a JSON object of up to 12 MB and answers as the
mediarithmics SDK does:

* an empty body (or ``{}``) answers 500 ``{"error": "Missing request body"}``;
* a handler that raises answers 500 ``{"status": "error", "message": ...}`` (the message with
  secrets redacted, never a stack trace; the traceback goes to the feed's log);
* otherwise the handler's status maps to HTTP with :data:`STATUS_CODES` (500 for any status
  the table does not list) and ``next_msg_delay_in_ms`` becomes ``x-mics-next-msg-delay``.

Where the SDK leaves a body undefined, these routes answer (documented in the README):
malformed JSON or a body that is not an object: 400 ``{"status": "error", "message"}``; a
required field missing or not an id: 400 naming the field; a body over the limit: 413; with
throttling on, a request above ``max_in_flight``: 429 ``{"status": "RETRY", "message": "I'm
busy right now, sorry."}``. ``POST /v1/init`` answers 200 ``{"status": "ok"}``,
``GET /v1/status`` 200 ``{"status": "ok"}`` (503 without worker id and token),
``GET|PUT /v1/log_level`` ``{"level": "INFO"}``, ``GET /v1/metadata`` the runtime, the feed
class and its handlers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import platform
import traceback
from collections import deque
from typing import TYPE_CHECKING, Any, AsyncIterator, Final, Mapping, final

from .. import __version__, errors, jsonlimits
from .base import OPTIONAL_HANDLERS, GenericAudienceFeedConnector
from .cache import ContextCache
from .gateway import CredentialsCache, GatewayClient
from .handlers import Reply as _Reply
from .handlers import bad_request as _bad_request
from .handlers import invoke
from .types import AudienceFeedInstanceContext, FeedDestinationCredentials

if TYPE_CHECKING:  # pragma: no cover
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

__all__ = ["create_feed_app", "FeedRoutes", "STATUS_CODES", "MAX_BODY_BYTES", "FEED_ROUTES",
           "BUSY_MESSAGE", "TROUBLESHOOT_ACTIONS"]

#: Largest accepted request body (the SDK's ``bodyParser.json({limit: '12mb'})``).
MAX_BODY_BYTES: Final = 12 * 1024 * 1024
BUSY_MESSAGE: Final = "I'm busy right now, sorry."
TROUBLESHOOT_ACTIONS: Final = ("FETCH_DESTINATION_AUDIENCE",)
_NEXT_DELAY: Final = "x-mics-next-msg-delay"
_MISSING_BODY: Final = {"error": "Missing request body"}
_LEVELS: Final = {"error": logging.ERROR, "warn": logging.WARNING, "warning": logging.WARNING,
                  "info": logging.INFO, "verbose": logging.DEBUG, "debug": logging.DEBUG,
                  "silly": logging.DEBUG}

#: Route -> handler status -> HTTP status; a status not listed answers 500.
STATUS_CODES: Final[Mapping[str, Mapping[str, int]]] = {
    "external_segment_creation": {"ok": 200},
    "external_segment_connection": {"ok": 200, "error": 500,
                                    "external_segment_not_ready_yet": 502},
    "user_segment_update": {"ok": 200, "error": 500, "retry": 429,
                            "no_eligible_identifier": 400},
    "batch_update": {"OK": 200, "ERROR": 400, "RETRY": 503},
    "troubleshoot": {"ok": 200, "error": 500, "not_implemented": 400},
    "authentication_status_queries": {"authenticated": 200, "not_authenticated": 200,
                                      "error": 500, "not_implemented": 400},
    "authentication": {"ok": 200, "error": 500, "not_implemented": 400},
    "logout": {"ok": 200, "error": 500, "not_implemented": 400},
    "dynamic_property_values_queries": {"ok": 200, "empty": 200, "error": 500,
                                        "not_implemented": 400},
    "test_authentication": {"ok": 200, "invalid_credentials": 401, "error": 500,
                            "not_implemented": 400},
    "oauth_redirect_url": {},  # answers {"login_url"} with 200, see handlers
}
#: The ``POST /v1/<name>`` routes that read a JSON body.
FEED_ROUTES: Final = tuple(STATUS_CODES)


@final
class FeedRoutes:
    """The routes of one served connector, with its caches.

    Args:
        connector: The feed.
        gateway: Its gateway client (attached to the connector).
        contexts: The instance-context cache (600 s x (1 + 0.1 x random) by default).
        credentials: The feed-destination credentials cache.
        max_body_bytes: Largest accepted body.
        max_in_flight: With throttling on, requests handled at once at most (others answer
            429); ``None`` turns throttling off.
    """

    def __init__(self, connector: GenericAudienceFeedConnector[Any], gateway: GatewayClient, *,
                 contexts: ContextCache[AudienceFeedInstanceContext] | None = None,
                 credentials: CredentialsCache | None = None,
                 max_body_bytes: int = MAX_BODY_BYTES, max_in_flight: int | None = None) -> None:
        connector.attach(gateway)
        self.connector = connector
        self.gateway = gateway
        self.contexts: ContextCache[AudienceFeedInstanceContext] = \
            contexts if contexts is not None else ContextCache()
        self.credentials = credentials if credentials is not None else \
            CredentialsCache(gateway)
        self.max_body_bytes = max_body_bytes
        self.max_in_flight = max_in_flight
        self.in_flight = 0
        #: The last handler exceptions (route, exception), newest last, for tests and metrics.
        self.failures: deque[tuple[str, BaseException]] = deque(maxlen=100)
        self.logger = connector.logger

    # -- plumbing ----------------------------------------------------------------------------

    def status_code(self, route: str, status: Any) -> int:
        """The HTTP status of a handler ``status`` on ``route`` (500 when unlisted)."""
        return STATUS_CODES[route].get(status, 500) if isinstance(status, str) else 500

    async def read_body(self, request: "Request") -> dict[str, Any]:
        """The request's JSON object.

        Raises:
            _Reply: 500 for an empty body (as the SDK), 413 over the limit, 400 when the body
                is not a JSON object.
        """
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise self._too_large()
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body_bytes:
                raise self._too_large()
            chunks.append(chunk)
        raw = b"".join(chunks)
        if not raw.strip():
            raise _Reply(500, _MISSING_BODY)
        try:
            body = jsonlimits.loads(raw)  # a nesting limit, not a RecursionError
        except (UnicodeDecodeError, ValueError) as exc:
            raise _bad_request(f"the request body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise _bad_request(f"the request body must be a JSON object, got "
                               f"{type(body).__name__}")
        if not body:
            raise _Reply(500, _MISSING_BODY)
        return body

    def _too_large(self) -> _Reply:
        return _Reply(413, {"status": "error", "message": f"the request body exceeds "
                                                          f"{self.max_body_bytes} bytes"})

    @staticmethod
    def require_id(body: Mapping[str, Any], field: str, *, where: str = "") -> str:
        """``body[field]`` as a string id.

        Raises:
            _Reply: 400 naming the field when it is missing, blank or not a string/integer.
        """
        value = body.get(field)
        if isinstance(value, bool) or not isinstance(value, (str, int)) or \
                (isinstance(value, str) and not value.strip()):
            shown = "missing" if value is None else f"got {json.dumps(value)[:80]}"
            raise _bad_request(f"{where}{field}: required, a non-empty string id ({shown})")
        return str(value)

    @staticmethod
    def optional_id(body: Mapping[str, Any], field: str) -> str | None:
        """``body[field]`` as a string id, or ``None`` when absent or blank."""
        value = body.get(field)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return None
        return str(value) if str(value).strip() else None

    def reply(self, status: int, body: Mapping[str, Any],
              delay: Any = None) -> "Response":
        """A JSON response, with ``x-mics-next-msg-delay`` when ``delay`` is a number."""
        from starlette.responses import JSONResponse

        headers = {}
        if isinstance(delay, (int, float)) and not isinstance(delay, bool) and delay >= 0:
            headers[_NEXT_DELAY] = str(int(delay))
        return JSONResponse(dict(body), status_code=status, headers=headers)

    def error_message(self, exc: BaseException) -> str:
        """The exception's message for a response body, with secrets redacted."""
        text = str(exc) or type(exc).__name__
        return errors.redact(text, self.secrets())

    def secrets(self) -> list[str]:
        """Values no answer may contain: the plugin's token, secret-looking feed properties
        (``api_token``, ``password``...) of the cached contexts, and every value of the cached
        destination credentials; longest first."""
        found = {self.gateway.credentials.authentication_token}
        for context in self.contexts.values():
            for prop in getattr(context.get("feed_properties"), "properties", ()):
                if errors.is_secret_key(prop.get("technical_name", "")):
                    found.update(errors.secret_values({"secret": prop.get("value")}))
        for credentials in self.credentials.cache.values():
            found.update(errors.secret_values({"credentials": credentials}))
        return sorted((s for s in found if s), key=len, reverse=True)

    def check_initialized(self) -> None:
        """Raise when the plugin has no worker id and token (the SDK's ``Plugin not
        initialized``)."""
        if not self.gateway.credentials.initialized:
            raise RuntimeError("Plugin not initialized")

    async def destination_credentials(
            self, body: Mapping[str, Any]) -> FeedDestinationCredentials | None:
        """The cached credentials of ``body["feed_destination_id"]``; ``None`` without one
        or when none are stored."""
        destination = self.optional_id(body, "feed_destination_id")
        if destination is None:
            return None
        return await self.credentials.get(destination)

    async def instance_context(self, feed_id: str,
                               credentials: FeedDestinationCredentials | None = None, *,
                               force: bool = False) -> AudienceFeedInstanceContext:
        """The feed's instance context, from the cache unless stale or ``force``."""
        async def build() -> AudienceFeedInstanceContext:
            built: AudienceFeedInstanceContext = await invoke(
                self.connector.instance_context_builder, feed_id, credentials)
            return built

        return await self.contexts.get(feed_id, build, force=force)

    # -- the app -----------------------------------------------------------------------------

    def app(self) -> "Starlette":
        """The Starlette application serving every route."""
        from starlette.applications import Starlette
        from starlette.routing import Route

        from . import handlers

        routes = [Route(f"/v1/{name}", self._endpoint(name, getattr(handlers, name)),
                        methods=["POST"]) for name in FEED_ROUTES]
        routes += [
            Route("/v1/init", self._plain(self._init), methods=["POST"]),
            Route("/v1/status", self._plain(self._status), methods=["GET"]),
            Route("/v1/log_level", self._plain(self._log_level), methods=["GET", "PUT"]),
            Route("/v1/metadata", self._plain(self._metadata), methods=["GET"]),
        ]
        application = Starlette(routes=routes, lifespan=self._lifespan)
        application.state.feed_routes = self
        return application

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Any) -> AsyncIterator[None]:
        yield
        self.gateway.close()

    def _endpoint(self, name: str, handler: Any) -> Any:
        async def endpoint(request: "Request") -> "Response":
            if self.max_in_flight is not None and self.in_flight >= self.max_in_flight:
                return self.reply(429, {"status": "RETRY", "message": BUSY_MESSAGE})
            self.in_flight += 1
            try:
                body = await self.read_body(request)
                result: Response = await handler(self, body)
                return result
            except _Reply as answer:
                return self.reply(answer.status, answer.body)
            except Exception as exc:  # a handler's bug or a gateway failure: 500, logged
                self.failures.append((name, exc))
                trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
                self.logger.error("%s failed:\n%s", name, errors.redact(trace, self.secrets()))
                body = {"status": "error", "message": self.error_message(exc)}
                if name == "external_segment_creation":
                    body["visibility"] = "PUBLIC" if getattr(exc, "visibility", None) == \
                        "PUBLIC" else "PRIVATE"
                return self.reply(500, body)
            finally:
                self.in_flight -= 1

        endpoint.__name__ = name
        return endpoint

    def _plain(self, handler: Any) -> Any:
        async def endpoint(request: "Request") -> "Response":
            try:
                result: Response = await handler(request)
                return result
            except _Reply as answer:
                return self.reply(answer.status, answer.body)

        endpoint.__name__ = handler.__name__
        return endpoint

    async def _init(self, request: "Request") -> "Response":
        return self.reply(200, {"status": "ok"})

    async def _status(self, request: "Request") -> "Response":
        if self.gateway.credentials.initialized:
            return self.reply(200, {"status": "ok"})
        return self.reply(503, {"status": "error", "message": "PLUGIN_WORKER_ID and "
                                "PLUGIN_AUTHENTICATION_TOKEN are not set"})

    async def _log_level(self, request: "Request") -> "Response":
        if request.method == "PUT":
            body = await self.read_body(request)
            level = body.get("level")
            if not isinstance(level, str) or level.lower() not in _LEVELS:
                raise _bad_request(f"level: must be one of error, warn, info, debug, got "
                                   f"{json.dumps(level)[:80]}")
            self.logger.setLevel(_LEVELS[level.lower()])
        return self.reply(200, {"level": logging.getLevelName(
            self.logger.getEffectiveLevel())})

    async def _metadata(self, request: "Request") -> "Response":
        cls = type(self.connector)
        implemented = sorted(n for n in OPTIONAL_HANDLERS
                             if getattr(cls, n) is not getattr(GenericAudienceFeedConnector, n))
        metadata: dict[str, Any] = {
            "runtime": "python", "runtime_version": platform.python_version(),
            "framework_version": __version__, "feed": f"{cls.__module__}:{cls.__qualname__}",
            "batched": cls.batched, "optional_handlers": implemented}
        policy = getattr(cls, "batch_policy", None)
        if cls.batched and policy is not None:
            metadata["batch_policy"] = {"max_size": policy.max_size,
                                        "max_wait": policy.max_wait}
        return self.reply(200, metadata)


def create_feed_app(connector: GenericAudienceFeedConnector[Any], gateway: GatewayClient, *,
                    contexts: ContextCache[AudienceFeedInstanceContext] | None = None,
                    max_body_bytes: int = MAX_BODY_BYTES,
                    max_in_flight: int | None = None) -> "Starlette":
    """The ASGI app serving ``connector``'s routes (see the module docstring).

    Args:
        connector: The feed instance.
        gateway: The gateway client it uses (and the credentials ``/v1/status`` checks).
        contexts: An instance-context cache (tests inject one with a fake clock).
        max_body_bytes: Largest accepted request body (12 MB).
        max_in_flight: Turn throttling on: requests beyond this many at once answer 429.
    """
    return FeedRoutes(connector, gateway, contexts=contexts, max_body_bytes=max_body_bytes,
                      max_in_flight=max_in_flight).app()
