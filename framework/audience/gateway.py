"""The mediarithmics plugin gateway, as a feed sees it: feeds, properties, segments and
feed destination credentials.

The gateway lives at ``http://{GATEWAY_HOST}:{GATEWAY_PORT}`` (``plugin-gateway.platform`` and
8080 when unset) and takes HTTP Basic authentication with the plugin's worker id as user and
its authentication token as password (``PLUGIN_WORKER_ID`` and ``PLUGIN_AUTHENTICATION_TOKEN``).
Every answer is an envelope ``{"status": "ok", "data": ...}`` (lists add ``count``); the
helpers return ``data``. Requests go through the framework's request builder: timeouts, no
proxies, retries of network errors and 5xx answers with backoff.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping, cast, final
from urllib.parse import quote

import requests

from .. import errors
from ..integration import Integration
from .cache import ContextCache
from .types import AudienceFeedResource, FeedDestinationCredentials, PluginProperty

__all__ = ["PluginCredentials", "GatewayClient", "CredentialsCache", "gateway_url",
           "DEFAULT_GATEWAY_HOST", "DEFAULT_GATEWAY_PORT"]

DEFAULT_GATEWAY_HOST = "plugin-gateway.platform"
DEFAULT_GATEWAY_PORT = "8080"


def gateway_url(environ: Mapping[str, str] = os.environ) -> str:
    """The gateway's base URL from ``GATEWAY_HOST`` and ``GATEWAY_PORT`` (blank means unset)."""
    host = environ.get("GATEWAY_HOST") or DEFAULT_GATEWAY_HOST
    port = environ.get("GATEWAY_PORT") or DEFAULT_GATEWAY_PORT
    return f"http://{host}:{port}"


@dataclass(frozen=True)
class PluginCredentials:
    """Who the plugin is to the gateway.

    Attributes:
        worker_id: ``PLUGIN_WORKER_ID``, the Basic auth user.
        authentication_token: ``PLUGIN_AUTHENTICATION_TOKEN``, the Basic auth password.
    """

    worker_id: str
    authentication_token: str

    def __repr__(self) -> str:
        return f"PluginCredentials(worker_id={self.worker_id!r}, authentication_token=***)"

    @property
    def initialized(self) -> bool:
        """Whether both values are set (``GET /v1/status`` answers 503 otherwise)."""
        return bool(self.worker_id and self.authentication_token)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> "PluginCredentials":
        """The credentials from the environment.

        Raises:
            errors.ConfigError: ``PLUGIN_WORKER_ID`` or ``PLUGIN_AUTHENTICATION_TOKEN`` is
                unset or blank (every missing one is listed).
        """
        problems = [
            errors.Problem("environment", name, "required",
                           f"{name} is not set; the plugin gateway needs it to authenticate "
                           "the feed")
            for name in ("PLUGIN_WORKER_ID", "PLUGIN_AUTHENTICATION_TOKEN")
            if not (environ.get(name) or "").strip()]
        if problems:
            raise errors.ConfigError(problems=problems)
        return cls(environ["PLUGIN_WORKER_ID"].strip(),
                   environ["PLUGIN_AUTHENTICATION_TOKEN"].strip())


class _GatewayHTTP(Integration):
    """The request builder's view of the gateway (named for logs and errors)."""

    name = "mediarithmics plugin gateway"


@final
class GatewayClient:
    """The gateway helpers of the mediarithmics SDK, returning each answer's ``data``.

    Args:
        credentials: The plugin's worker id and token.
        base_url: The gateway's URL; :func:`gateway_url` of the environment by default.
        session: A ``requests.Session`` to send with (tests mount a fake gateway on one).
        retries: Retries of network errors and retryable statuses (5xx, 408, 429).
        timeout: Connect and read timeout, in seconds.
        sleep: Waits between retries (``time.sleep``); injectable for tests.
    """

    def __init__(self, credentials: PluginCredentials, base_url: str | None = None, *,
                 session: requests.Session | None = None, retries: int = 2,
                 timeout: float = 10.0, sleep: Callable[[float], None] | None = None) -> None:
        self.credentials = credentials
        self.base_url = (base_url or gateway_url()).rstrip("/")
        http_class: type[_GatewayHTTP] = _GatewayHTTP
        if timeout != _GatewayHTTP._timeout:
            http_class = type("_GatewayHTTP", (_GatewayHTTP,), {"_timeout": float(timeout)})
        self._http = http_class({"authentication_token": credentials.authentication_token},
                                session=session, sleep=sleep)
        # The instance's RetryPolicy (the class attribute of that name is a declaration).
        vars(self._http)["policy"].retries = retries

    def __repr__(self) -> str:
        return f"<GatewayClient {self.base_url} worker={self.credentials.worker_id!r}>"

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    def url(self, path: str) -> str:
        """The absolute URL of a gateway path."""
        return self.base_url + path

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Call the gateway and return the envelope's ``data``.

        Raises:
            errors.HTTPError: The gateway answered 4xx/5xx (after retries), or an answer that
                is not an ``{"status": "ok", "data": ...}`` envelope.
            errors.TimeoutError: The gateway did not answer in time.
            errors.ConnectionError: The gateway could not be reached.
        """
        builder = self._http.request(method, self.url(path))
        builder.auth(self.credentials.worker_id, self.credentials.authentication_token)
        builder.set("Accept", "application/json")
        if body is not None:
            builder.type("json").send(body)
        response = builder.end()
        return _envelope_data(method, path, response)

    # -- the SDK's helpers ------------------------------------------------------------------

    def fetch_audience_feed(self, feed_id: str) -> AudienceFeedResource:
        """``GET /v1/audience_segment_external_feeds/{feed_id}``: the feed resource."""
        return cast(AudienceFeedResource, self.request("GET", _feed(feed_id)))

    def fetch_audience_feed_properties(self, feed_id: str) -> list[PluginProperty]:
        """``GET /v1/audience_segment_external_feeds/{feed_id}/properties``."""
        data = self.request("GET", _feed(feed_id) + "/properties")
        return cast(list[PluginProperty], data if isinstance(data, list) else [])

    def fetch_audience_segment(self, feed_id: str) -> dict[str, Any]:
        """``GET /v1/audience_segment_external_feeds/{feed_id}/audience_segment``."""
        return cast(dict[str, Any], self.request("GET", _feed(feed_id) + "/audience_segment"))

    def create_audience_feed_properties(self, feed_id: str,
                                        prop: PluginProperty) -> PluginProperty:
        """``POST /v1/audience_segment_external_feeds/{feed_id}/properties``."""
        return cast(PluginProperty, self.request("POST", _feed(feed_id) + "/properties", prop))

    def update_audience_feed_properties(self, feed_id: str,
                                        prop: PluginProperty) -> PluginProperty:
        """``PUT .../{feed_id}/properties/technical_name={name}``."""
        path = f"{_feed(feed_id)}/properties/technical_name={_segment(prop['technical_name'])}"
        return cast(PluginProperty, self.request("PUT", path, prop))

    def fetch_user_agent_identifier_realms(self, datamart_id: str) -> list[dict[str, Any]]:
        """``GET /v1/datamarts/{datamart_id}/user_agent_identifier_realm_selections``."""
        data = self.request(
            "GET", f"/v1/datamarts/{_segment(datamart_id)}/user_agent_identifier_realm_selections")
        return cast(list[dict[str, Any]], data if isinstance(data, list) else [])

    def check_user_agent_identifier_realm(self, datamart_id: str, realm_filter: str) -> None:
        """Whether the datamart selects a realm named ``realm_filter`` (its ``realm_name``).

        Raises:
            errors.MissingRealmError: No selected realm has that name.
        """
        realms = self.fetch_user_agent_identifier_realms(datamart_id)
        if not any(isinstance(r, dict) and r.get("realm_name") == realm_filter for r in realms):
            raise errors.MissingRealmError(datamart_id, realm_filter)

    def fetch_feed_destination_credentials(
            self, feed_destination_id: str) -> FeedDestinationCredentials | None:
        """``GET /v1/feed_destinations/{id}/credentials``; ``None`` when the gateway answers
        404 (nothing stored)."""
        try:
            data = self.request("GET", _destination(feed_destination_id))
        except errors.HTTPError as exc:
            if exc.status == 404:
                return None
            raise
        return cast(FeedDestinationCredentials, data)

    def upsert_feed_destination_credentials(
            self, feed_destination_id: str, credentials: FeedDestinationCredentials) -> Any:
        """``POST /v1/feed_destinations/{id}/credentials`` with ``{scheme, credentials}``."""
        body = {"scheme": credentials["scheme"], "credentials": credentials["credentials"]}
        return self.request("POST", _destination(feed_destination_id), body)


def _segment(value: Any) -> str:
    return quote(str(value), safe="")


def _feed(feed_id: str) -> str:
    return f"/v1/audience_segment_external_feeds/{_segment(feed_id)}"


def _destination(feed_destination_id: str) -> str:
    return f"/v1/feed_destinations/{_segment(feed_destination_id)}/credentials"


def _envelope_data(method: str, path: str, response: requests.Response) -> Any:
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict) or document.get("status") != "ok" \
            or "data" not in document:
        raise errors.HTTPError(
            f"{method} {path}: the gateway answered {response.status_code} without an "
            '{"status": "ok", "data": ...} envelope', status=response.status_code,
            response=response, code="GATEWAY_ANSWER", integration=_GatewayHTTP.name)
    return document["data"]


@final
class CredentialsCache:
    """Feed destination credentials by feed destination id, fetched once per TTL.

    Absent credentials (a 404) are not cached, so credentials stored later (by the
    ``/v1/authentication`` route, or by the platform) are seen by the next request.

    Args:
        gateway: Where credentials are fetched.
        cache: The store (a :class:`ContextCache` of its own by default).
    """

    def __init__(self, gateway: GatewayClient,
                 cache: ContextCache[FeedDestinationCredentials | None] | None = None) -> None:
        self.gateway = gateway
        self.cache: ContextCache[FeedDestinationCredentials | None] = \
            cache if cache is not None else ContextCache()

    @staticmethod
    def key(feed_destination_id: str) -> str:
        """The cache key of a feed destination's credentials."""
        return f"feed_destination_credentials:{feed_destination_id}"

    async def get(self, feed_destination_id: str) -> FeedDestinationCredentials | None:
        """The credentials (cached), or ``None`` when none are stored."""
        import anyio.to_thread

        key = self.key(feed_destination_id)

        async def fetch() -> FeedDestinationCredentials | None:
            return await anyio.to_thread.run_sync(
                self.gateway.fetch_feed_destination_credentials, feed_destination_id)

        credentials = await self.cache.get(key, fetch)
        if credentials is None:
            self.cache.evict(key)
        return credentials

    def remember(self, feed_destination_id: str,
                 credentials: FeedDestinationCredentials) -> None:
        """Cache credentials just stored, so the next request uses them."""
        self.cache.put(self.key(feed_destination_id), credentials)
