"""Small feeds for the audience tests: each handler answers what the test scripted."""

from __future__ import annotations

from typing import Any

from framework.audience import AudienceFeedConnector, BatchedAudienceFeedConnector, BatchPolicy

PROPERTIES = [{"technical_name": "destination", "property_type": "STRING",
               "value": {"value": "acme"}}]


class Scripted:
    """Mixin: ``self.script[handler]`` is returned (or raised) by that handler; every call is
    recorded in ``self.seen`` as ``(handler, request, context, credentials)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.script: dict[str, Any] = {}
        self.seen: list[tuple[str, Any, Any, Any]] = []

    def _answer(self, name: str, request: Any, context: Any = None, credentials: Any = None,
                default: Any = None) -> Any:
        self.seen.append((name, request, context, credentials))
        answer = self.script.get(name, default)
        if isinstance(answer, BaseException):
            raise answer
        return answer


class FileFeed(Scripted, AudienceFeedConnector):
    """A file-delivery feed: one CSV line per USER_POINT."""

    def on_external_segment_creation(self, request, context):
        return self._answer("creation", request, context,
                            default={"status": "ok", "message": "test_creation"})

    def on_external_segment_connection(self, request, context):
        return self._answer("connection", request, context,
                            default={"status": "ok", "message": "test_connection"})

    def on_user_segment_update(self, request, context, credentials=None):
        lines = [{"type": "FILE_DELIVERY", "content": f"{i.get('user_point_id')},"
                  f"{request['operation']}\n", "grouping_key": request["operation"],
                  "destination_token": "dest-1"}
                 for i in request["user_identifiers"] if i.get("type") == "USER_POINT"]
        stats = [{"identifier": str(i.get("user_point_id")), "sync_result": "PROCESSED"}
                 for i in request["user_identifiers"] if i.get("type") == "USER_POINT"]
        default = {"status": "ok", "data": lines, "stats": stats} if lines else \
            {"status": "no_eligible_identifier", "message": "no USER_POINT"}
        return self._answer("update", request, context, credentials, default=default)

    def on_troubleshoot(self, request, context, credentials=None):
        return self._answer("troubleshoot", request, context, credentials,
                            default={"status": "ok",
                                     "data": {"id": "1", "name": "myExternalAudience"}})

    def on_authentication_status_query(self, request):
        return self._answer("auth_status", request, default={"status": "authenticated"})

    def on_authentication(self, request):
        return self._answer("authentication", request, default={"status": "ok"})

    def on_logout(self, request):
        return self._answer("logout", request, default={"status": "ok"})

    def on_dynamic_property_values_query(self, request, credentials=None):
        return self._answer("dynamic", request, credentials=credentials,
                            default={"status": "ok", "data": []})

    def on_test_authentication(self, request, credentials):
        return self._answer("test_authentication", request, credentials=credentials,
                            default={"status": "ok"})

    def on_create_oauth_redirect_url(self, request):
        return self._answer("oauth", request, default={
            "login_url": "https://partner.example/login?feed_destination_id="
                         f"{request['feed_destination_id']}&state=x"})


class BatchFeed(Scripted, BatchedAudienceFeedConnector):
    """A batched feed, all handlers ``async def``: one item per identifier id."""

    batch_policy = BatchPolicy(max_size=2)

    async def on_external_segment_creation(self, request, context):
        return self._answer("creation", request, context, default={"status": "ok"})

    async def on_external_segment_connection(self, request, context):
        return self._answer("connection", request, context, default={"status": "ok"})

    async def on_user_segment_update(self, request, context, credentials=None):
        items = [{"type": "BATCH_DELIVERY", "content": {"id": i.get("user_point_id")},
                  "grouping_key": request["operation"]}
                 for i in request["user_identifiers"] if i.get("type") == "USER_POINT"]
        return self._answer("update", request, context, credentials,
                            default={"status": "ok", "data": items})

    async def on_batch_update(self, request, context):
        content = request["batch_content"]
        return self._answer("batch", request, context, default={
            "status": "OK", "sent_items_in_success": len(content), "sent_items_in_error": 0,
            "message": str(content)})


class Minimal(AudienceFeedConnector):
    """Only the required handlers: every optional one keeps its default."""

    def on_external_segment_creation(self, request, context):
        return {"status": "ok"}

    def on_external_segment_connection(self, request, context):
        return {"status": "ok"}

    def on_user_segment_update(self, request, context, credentials=None):
        return {"status": "ok"}


class Incomplete(AudienceFeedConnector):
    """Lacks on_user_segment_update (and so cannot be served)."""

    def on_external_segment_creation(self, request, context):
        return {"status": "ok"}

    def on_external_segment_connection(self, request, context):
        return {"status": "ok"}


class NoBatchHandler(BatchedAudienceFeedConnector):
    """Batched, but without on_batch_update."""

    def on_external_segment_creation(self, request, context):
        return {"status": "ok"}

    def on_external_segment_connection(self, request, context):
        return {"status": "ok"}

    def on_user_segment_update(self, request, context, credentials=None):
        return {"status": "ok"}
