"""The base classes partners subclass to write an audience feed.

    from framework.audience import AudienceFeedConnector

    class AcmeFeed(AudienceFeedConnector):
        def on_external_segment_creation(self, request, context):
            return {"status": "ok"}

        def on_external_segment_connection(self, request, context):
            return {"status": "ok"}

        async def on_user_segment_update(self, request, context, credentials=None):
            ...  # call Acme, or return FILE_DELIVERY lines
            return {"status": "ok"}

Handlers are the mediarithmics SDK's (``onUserSegmentUpdate`` -> ``on_user_segment_update``);
each takes and returns plain dicts with the platform's JSON keys (see :mod:`.types`), and may
be a plain method (run in a worker thread, so blocking HTTP is fine) or ``async def``. The
routes (:mod:`.routes`) parse bodies, build and cache instance contexts, fetch credentials and
map statuses to HTTP; a connector only maps and delivers.

Required handlers are abstract: a feed missing one cannot be instantiated, and
``framework serve --feed`` names what is missing. The optional ones answer
``{"status": "not_implemented"}`` as the SDK's do, except ``on_create_oauth_redirect_url``,
which raises (the route answers 500).

Two flavours, as in the SDK (a feed is either batched or file-delivering):

* :class:`AudienceFeedConnector`: ``on_user_segment_update`` calls the partner itself, or
  returns ``FILE_DELIVERY`` lines; ``/v1/batch_update`` answers 500.
* :class:`BatchedAudienceFeedConnector`: ``on_user_segment_update`` returns ``BATCH_DELIVERY``
  items, which the platform groups by ``grouping_key`` and sends to ``on_batch_update``.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, ClassVar, Generic, TypeVar, Union

from .gateway import GatewayClient
from .properties import PropertiesWrapper
from .types import (AudienceFeedInstanceContext, BatchedUserSegmentUpdatePluginResponse,
                    BatchUpdatePluginResponse, BatchUpdateRequest,
                    CreateOAuthRedirectUrlPluginResponse, CreateOAuthRedirectUrlRequest,
                    ExternalSegmentAuthenticationRequest, ExternalSegmentAuthenticationResponse,
                    ExternalSegmentAuthenticationStatusQueryRequest,
                    ExternalSegmentAuthenticationStatusQueryResponse,
                    ExternalSegmentConnectionPluginResponse, ExternalSegmentConnectionRequest,
                    ExternalSegmentCreationPluginResponse, ExternalSegmentCreationRequest,
                    ExternalSegmentDynamicPropertyValuesQueryRequest,
                    ExternalSegmentDynamicPropertyValuesQueryResponse,
                    ExternalSegmentLogoutRequest, ExternalSegmentLogoutResponse,
                    ExternalSegmentTroubleshootRequest, ExternalSegmentTroubleshootResponse,
                    FeedDestinationCredentials, TestAuthenticationPluginResponse,
                    TestAuthenticationRequest, UserSegmentUpdatePluginResponse,
                    UserSegmentUpdateRequest)

__all__ = ["GenericAudienceFeedConnector", "AudienceFeedConnector",
           "BatchedAudienceFeedConnector", "BatchPolicy", "MaybeAwaitable", "missing_handlers",
           "REQUIRED_HANDLERS", "OPTIONAL_HANDLERS"]

T = TypeVar("T")
R = TypeVar("R")
#: What a handler returns: the value, or (``async def``) an awaitable of it.
MaybeAwaitable = Union[T, Awaitable[T]]

REQUIRED_HANDLERS = ("on_external_segment_creation", "on_external_segment_connection",
                     "on_user_segment_update")
OPTIONAL_HANDLERS = ("on_troubleshoot", "on_authentication_status_query", "on_authentication",
                     "on_logout", "on_dynamic_property_values_query", "on_test_authentication",
                     "on_create_oauth_redirect_url")


@dataclass(frozen=True)
class BatchPolicy:
    """How the platform should batch a batched feed's items (its batching configuration).

    Attributes:
        max_size: Items per ``/v1/batch_update`` call at most (``batch_flush_max_size``).
        max_wait: Seconds the platform may hold items before flushing a smaller batch.
    """

    max_size: int = 100
    max_wait: float = 30.0

    def __post_init__(self) -> None:
        if self.max_size < 1:
            raise ValueError(f"BatchPolicy.max_size must be at least 1, got {self.max_size}")
        if self.max_wait <= 0:
            raise ValueError(f"BatchPolicy.max_wait must be positive, got {self.max_wait}")


class GenericAudienceFeedConnector(abc.ABC, Generic[R]):
    """What both flavours share; subclass one of them, not this.

    Args:
        gateway: The gateway client; the routes attach one when they serve the connector.
        logger: The feed's logger (``framework.audience.<ClassName>`` by default).
    """

    #: Whether ``/v1/batch_update`` reaches ``on_batch_update``.
    batched: ClassVar[bool] = False

    def __init__(self, gateway: GatewayClient | None = None, *,
                 logger: logging.Logger | None = None) -> None:
        self._gateway = gateway
        self.logger = logger or logging.getLogger(f"framework.audience.{type(self).__name__}")

    @property
    def gateway(self) -> GatewayClient:
        """The gateway client the feed was served with."""
        if self._gateway is None:
            raise RuntimeError(f"{type(self).__name__} has no gateway client: serve it with "
                               "create_feed_app() or pass gateway=")
        return self._gateway

    def attach(self, gateway: GatewayClient) -> None:
        """Use ``gateway`` for the gateway helpers (called by the routes)."""
        self._gateway = gateway

    async def instance_context_builder(
            self, feed_id: str,
            credentials: FeedDestinationCredentials | None = None) -> AudienceFeedInstanceContext:
        """The feed and its properties, fetched from the gateway in parallel.

        Override it to add checks or more state (raise
        :class:`~framework.errors.MissingConfigurationPropertyError` and its siblings for a
        bad configuration); the routes cache the result per feed id.
        """
        import anyio.to_thread

        feed, properties = await asyncio.gather(
            anyio.to_thread.run_sync(self.gateway.fetch_audience_feed, feed_id),
            anyio.to_thread.run_sync(self.gateway.fetch_audience_feed_properties, feed_id))
        return {"feed": feed, "feed_properties": PropertiesWrapper(properties)}

    # -- required ----------------------------------------------------------------------------

    @abc.abstractmethod
    def on_external_segment_creation(
            self, request: ExternalSegmentCreationRequest, context: AudienceFeedInstanceContext
    ) -> MaybeAwaitable[ExternalSegmentCreationPluginResponse]:
        """Create the segment at the partner (or check it can be); ``{"status": "ok"}``."""

    @abc.abstractmethod
    def on_external_segment_connection(
            self, request: ExternalSegmentConnectionRequest,
            context: AudienceFeedInstanceContext
    ) -> MaybeAwaitable[ExternalSegmentConnectionPluginResponse]:
        """Check the segment at the partner is ready; ``external_segment_not_ready_yet``
        makes the platform try again."""

    @abc.abstractmethod
    def on_user_segment_update(
            self, request: UserSegmentUpdateRequest, context: AudienceFeedInstanceContext,
            credentials: FeedDestinationCredentials | None = None) -> MaybeAwaitable[R]:
        """Deliver one user's entry (``UPSERT``) or exit (``DELETE``)."""

    # -- optional: not_implemented by default, as in the SDK -------------------------------

    def on_troubleshoot(
            self, request: ExternalSegmentTroubleshootRequest,
            context: AudienceFeedInstanceContext,
            credentials: FeedDestinationCredentials | None = None
    ) -> MaybeAwaitable[ExternalSegmentTroubleshootResponse]:
        """Answer a troubleshooting ``action`` (``FETCH_DESTINATION_AUDIENCE``)."""
        return {"status": "not_implemented"}

    def on_authentication_status_query(
            self, request: ExternalSegmentAuthenticationStatusQueryRequest
    ) -> MaybeAwaitable[ExternalSegmentAuthenticationStatusQueryResponse]:
        """Whether the user is signed in to the partner (``data.login_url`` if not)."""
        return {"status": "not_implemented"}

    def on_authentication(
            self, request: ExternalSegmentAuthenticationRequest
    ) -> MaybeAwaitable[ExternalSegmentAuthenticationResponse]:
        """Sign the user in; with ``feed_destination_id``, return a ``refresh_token``."""
        return {"status": "not_implemented"}

    def on_logout(self, request: ExternalSegmentLogoutRequest
                  ) -> MaybeAwaitable[ExternalSegmentLogoutResponse]:
        """Sign the user out of the partner."""
        return {"status": "not_implemented"}

    def on_dynamic_property_values_query(
            self, request: ExternalSegmentDynamicPropertyValuesQueryRequest,
            credentials: FeedDestinationCredentials | None = None
    ) -> MaybeAwaitable[ExternalSegmentDynamicPropertyValuesQueryResponse]:
        """Suggest values for the feed's properties."""
        return {"status": "not_implemented"}

    def on_test_authentication(
            self, request: TestAuthenticationRequest, credentials: FeedDestinationCredentials
    ) -> MaybeAwaitable[TestAuthenticationPluginResponse]:
        """Check the stored credentials still work (``invalid_credentials`` if not)."""
        return {"status": "not_implemented"}

    def on_create_oauth_redirect_url(
            self, request: CreateOAuthRedirectUrlRequest
    ) -> MaybeAwaitable[CreateOAuthRedirectUrlPluginResponse]:
        """The partner's sign-in URL; it must carry the ``feed_destination_id`` query
        parameter. Not implemented by default: raises, and the route answers 500."""
        raise NotImplementedError("on_create_oauth_redirect_url is not implemented")


class AudienceFeedConnector(GenericAudienceFeedConnector[UserSegmentUpdatePluginResponse]):
    """A feed that delivers each update itself, or as ``FILE_DELIVERY`` lines."""

    batched: ClassVar[bool] = False


class BatchedAudienceFeedConnector(
        GenericAudienceFeedConnector[BatchedUserSegmentUpdatePluginResponse]):
    """A feed whose updates become ``BATCH_DELIVERY`` items, delivered by
    :meth:`on_batch_update`.

    Attributes:
        batch_policy: How the platform should batch this feed's items.
    """

    batched: ClassVar[bool] = True
    batch_policy: ClassVar[BatchPolicy] = BatchPolicy()

    @abc.abstractmethod
    def on_batch_update(self, request: BatchUpdateRequest,
                        context: AudienceFeedInstanceContext
                        ) -> MaybeAwaitable[BatchUpdatePluginResponse]:
        """Deliver one batch of item contents (all of one ``context.grouping_key``)."""


def missing_handlers(cls: type) -> list[str]:
    """The required handlers ``cls`` does not define, sorted (empty when it is complete)."""
    return sorted(getattr(cls, "__abstractmethods__", ()))
