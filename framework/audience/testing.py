"""Testing audience feeds without the platform: a fake gateway, an in-process client and the
standard suite (the counterpart of the mediarithmics SDK's ``TestingPluginRunner``).

    from framework.audience.testing import AudienceFeedClient, FakeGateway

    gateway = FakeGateway()
    gateway.add_feed("1", [{"technical_name": "api_token", "property_type": "STRING",
                            "value": {"value": "t"}}])
    with AudienceFeedClient(AcmeFeed, gateway) as client:
        assert client.create_segment(feed_id="1").status_code == 200
        reply = client.update([{"type": "USER_POINT", "user_point_id": "u1"}])
        client.deliver(reply)                   # the platform's batching, for batched feeds
    gateway.calls                               # every gateway request, in order

:class:`FakeGateway` (:mod:`.fake_gateway`) answers the gateway's routes from what the test
stored; :class:`AudienceFeedClient` drives the routes in process, :class:`RemoteFeedClient`
a served feed over HTTP, both with the platform's calls (creation, connection, updates and the
batching of ``deliver``); :class:`~framework.audience.suite.AudienceFeedSuite` is the standard
suite.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol

from .base import GenericAudienceFeedConnector
from .cache import ContextCache
from .fake_gateway import (AUTHENTICATION_TOKEN, GATEWAY_URL, WORKER_ID, FakeGateway,
                           GatewayCall)
from .gateway import PluginCredentials
from .routes import FeedRoutes

if TYPE_CHECKING:  # pragma: no cover
    from .suite import AudienceFeedSuite

__all__ = ["FakeGateway", "GatewayCall", "AudienceFeedClient", "RemoteFeedClient",
           "PlatformCalls", "FeedResponse", "AudienceFeedSuite",
           "WORKER_ID", "AUTHENTICATION_TOKEN", "GATEWAY_URL"]


class FeedResponse(Protocol):
    """What the clients' calls return: an ``httpx`` (or ``httpx2``) response."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def text(self) -> str: ...

    def json(self, **kwargs: Any) -> Any: ...


class PlatformCalls:
    """The calls the platform makes, over :meth:`post` (shared by the in-process and the
    HTTP client)."""

    def post(self, route: str, body: Any = None, *, content: bytes | None = None
             ) -> "FeedResponse":
        """``POST /v1/<route>`` with ``body`` as JSON (or raw ``content``)."""
        raise NotImplementedError

    def batch_size(self) -> int:
        """Items per ``/v1/batch_update`` call in :meth:`deliver`."""
        return 100

    def create_segment(self, feed_id: str = "1", segment_id: str = "1",
                       datamart_id: str = "1", **extra: Any) -> "FeedResponse":
        """``POST /v1/external_segment_creation``."""
        return self.post("external_segment_creation", {
            "feed_id": feed_id, "segment_id": segment_id, "datamart_id": datamart_id, **extra})

    def connect_segment(self, feed_id: str = "1", segment_id: str = "1",
                        datamart_id: str = "1", **extra: Any) -> "FeedResponse":
        """``POST /v1/external_segment_connection``."""
        return self.post("external_segment_connection", {
            "feed_id": feed_id, "segment_id": segment_id, "datamart_id": datamart_id, **extra})

    def update(self, identifiers: list[dict[str, Any]], operation: str = "UPSERT", *,
               feed_id: str = "1", segment_id: str = "1", datamart_id: str = "1",
               **extra: Any) -> "FeedResponse":
        """``POST /v1/user_segment_update`` for one user with ``identifiers``."""
        return self.post("user_segment_update", {
            "feed_id": feed_id, "session_id": "s1", "datamart_id": datamart_id,
            "segment_id": segment_id, "user_identifiers": identifiers, "user_profiles": [],
            "ts": 1_700_000_000_000, "operation": operation, **extra})

    def deliver(self, *replies: "FeedResponse", feed_id: str = "1", segment_id: str = "1",
                datamart_id: str = "1", **context: Any) -> list["FeedResponse"]:
        """Do what the platform does with ``BATCH_DELIVERY`` items: group the items of
        ``replies`` by ``grouping_key`` (in order of first appearance), cut each group into
        batches of the feed's ``batch_policy.max_size`` and ``POST /v1/batch_update`` each.

        Returns:
            The batch responses, in order.
        """
        groups: dict[str, list[Any]] = {}
        for reply in replies:
            for item in reply.json().get("data") or []:
                if item.get("type") == "BATCH_DELIVERY":
                    groups.setdefault(item["grouping_key"], []).append(item["content"])
        size = self.batch_size()
        sent = []
        for key, contents in groups.items():
            for start in range(0, len(contents), size):
                sent.append(self.post("batch_update", {
                    "batch_content": contents[start:start + size], "ts": 1_700_000_000_000,
                    "context": {"endpoint": "/v1/batch_update", "grouping_key": key,
                                "feed_id": feed_id, "feed_session_id": "s1",
                                "segment_id": segment_id, "datamart_id": datamart_id,
                                **context}}))
        return sent


class RemoteFeedClient(PlatformCalls):
    """Drive a served feed over HTTP, as the platform does (end-to-end tests, the demo).

    Args:
        url: The feed server's base URL.
        batch_size: Items per batch in :meth:`deliver` (the feed's ``batch_policy.max_size``).
        timeout: Seconds per request.
    """

    def __init__(self, url: str, *, batch_size: int = 100, timeout: float = 10.0) -> None:
        import httpx

        self.http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout, trust_env=False)
        self._batch_size = batch_size

    def __enter__(self) -> "RemoteFeedClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.http.close()

    def batch_size(self) -> int:
        return self._batch_size

    def post(self, route: str, body: Any = None, *, content: bytes | None = None
             ) -> "FeedResponse":
        path = route if route.startswith("/") else f"/v1/{route}"
        response: FeedResponse = self.http.post(path, content=content) \
            if content is not None else self.http.post(path, json=body)
        return response


class AudienceFeedClient(PlatformCalls):
    """Drive a feed's routes in process, with a fake gateway.

    Args:
        feed: The connector class (instantiated with the fake's gateway client) or instance.
        gateway: The fake gateway (a new empty one by default).
        clock: The instance-context cache's clock (injectable to test expiry).
        rng: The cache's jitter source.
        max_in_flight: Turn the routes' throttling on.
    """

    def __init__(self, feed: type[GenericAudienceFeedConnector[Any]] |
                 GenericAudienceFeedConnector[Any], gateway: FakeGateway | None = None, *,
                 clock: Callable[[], float] | None = None, rng: Callable[[], float] | None = None,
                 max_in_flight: int | None = None,
                 credentials: PluginCredentials | None = None) -> None:
        from starlette.testclient import TestClient

        self.gateway = gateway if gateway is not None else FakeGateway()
        self.gateway_client = self.gateway.client(credentials=credentials)
        self.connector = feed(self.gateway_client) if inspect.isclass(feed) else feed
        cache_options: dict[str, Any] = {}
        if clock is not None:
            cache_options["clock"] = clock
        if rng is not None:
            cache_options["rng"] = rng
        self.routes = FeedRoutes(self.connector, self.gateway_client,
                                 contexts=ContextCache(**cache_options),
                                 max_in_flight=max_in_flight)
        self.app = self.routes.app()
        self.http = TestClient(self.app, raise_server_exceptions=False)

    def __enter__(self) -> "AudienceFeedClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client and the gateway client."""
        self.http.close()
        self.gateway_client.close()

    @property
    def failures(self) -> list[tuple[str, BaseException]]:
        """The exceptions handlers raised (route, exception), oldest first."""
        return list(self.routes.failures)

    def post(self, route: str, body: Any = None, *, content: bytes | None = None
             ) -> "FeedResponse":
        """``POST /v1/<route>`` with ``body`` as JSON (or raw ``content``)."""
        path = route if route.startswith("/") else f"/v1/{route}"
        response: FeedResponse = self.http.post(path, content=content) \
            if content is not None else self.http.post(path, json=body)
        return response

    def get(self, path: str) -> "FeedResponse":
        """``GET <path>``."""
        response: FeedResponse = self.http.get(path)
        return response

    def batch_size(self) -> int:
        policy = getattr(self.connector, "batch_policy", None)
        return policy.max_size if policy is not None else 100


def __getattr__(name: str) -> Any:
    if name == "AudienceFeedSuite":
        from .suite import AudienceFeedSuite
        return AudienceFeedSuite
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
