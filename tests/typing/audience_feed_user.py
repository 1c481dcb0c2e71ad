"""How a partner writes a typed feed; `mypy --strict tests/typing/audience_feed_user.py` must
pass (and `tests/audience/test_feed_exports.py` imports it)."""

from __future__ import annotations

from framework import errors
from framework.audience import BatchedAudienceFeedConnector, create_feed_app, load_feed
from framework.audience.testing import AudienceFeedClient, FakeGateway
from framework.audience.types import (AudienceFeedInstanceContext,
                                      BatchedUserSegmentUpdatePluginResponse,
                                      BatchUpdatePluginResponse, BatchUpdateRequest,
                                      ExternalSegmentConnectionPluginResponse,
                                      ExternalSegmentConnectionRequest,
                                      ExternalSegmentCreationPluginResponse,
                                      ExternalSegmentCreationRequest,
                                      FeedDestinationCredentials, UserSegmentUpdateRequest)


class TypedFeed(BatchedAudienceFeedConnector):
    def on_external_segment_creation(
            self, request: ExternalSegmentCreationRequest, context: AudienceFeedInstanceContext
    ) -> ExternalSegmentCreationPluginResponse:
        if context["feed_properties"].string_value("api_token") is None:
            raise errors.MissingConfigurationPropertyError(request["feed_id"], "api_token")
        return {"status": "ok", "visibility": "PRIVATE"}

    async def on_external_segment_connection(
            self, request: ExternalSegmentConnectionRequest,
            context: AudienceFeedInstanceContext) -> ExternalSegmentConnectionPluginResponse:
        return {"status": "external_segment_not_ready_yet"}

    def on_user_segment_update(
            self, request: UserSegmentUpdateRequest, context: AudienceFeedInstanceContext,
            credentials: FeedDestinationCredentials | None = None
    ) -> BatchedUserSegmentUpdatePluginResponse:
        return {"status": "ok", "data": [{"type": "BATCH_DELIVERY", "content": 1,
                                          "grouping_key": request["operation"]}]}

    async def on_batch_update(self, request: BatchUpdateRequest,
                              context: AudienceFeedInstanceContext
                              ) -> BatchUpdatePluginResponse:
        return {"status": "OK", "sent_items_in_success": len(request["batch_content"]),
                "sent_items_in_error": 0}


def serve_and_drive() -> int:
    gateway = FakeGateway()
    gateway.add_feed("1")
    app = create_feed_app(TypedFeed(), gateway.client())
    assert app is not None and load_feed("audience_feed_user:TypedFeed") is not None
    try:
        with AudienceFeedClient(TypedFeed, gateway) as client:
            return client.create_segment().status_code
    except errors.IntegrationError:
        return 0
