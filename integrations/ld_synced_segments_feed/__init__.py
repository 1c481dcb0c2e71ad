"""A batched audience feed from mediarithmics into LaunchDarkly synced segments.

The platform sends each user entering (``UPSERT``) or leaving (``DELETE``) a segment to
``/v1/user_segment_update``; the feed keeps the identifiers of the configured type as
``BATCH_DELIVERY`` items grouped by operation, and ``/v1/batch_update`` posts each batch as one
synced-segment request (LaunchDarkly's ``POST /api/v2/segment-targets/<integrationKey>``, which
the framework's own receiver also serves)::

    {"environmentId": "<environment_id>", "contextKind": "<context_kind>",
     "cohortId": "<segment_id>", "cohortName": "<segment name>",
     "listData": {"add": [{"id": "u1"}, ...], "remove": [...]}}

The shape is the add/remove-arrays one (``environmentIdPath /environmentId``,
``contextKindPath /contextKind``, ``cohortIdPath /cohortId``, ``cohortNamePath /cohortName``,
``addMemberArrayPath /listData/add``, ``removeMemberArrayPath /listData/remove``,
``memberIdPath /id``, as RudderStack's manifest declares); the synced-segment manifest
``manifests/mediarithmics/manifest.json`` (:data:`MANIFESTS`) parses it, so our receiver
serves it with ``framework serve --manifests <MANIFESTS>``. The LaunchDarkly segment is
``<integration_key>-<segment_id>``.

Feed properties: ``ld_base_url`` (URL), ``ld_api_token`` (secret), ``integration_key``,
``environment_id``, ``identifier_type`` (``USER_ACCOUNT``, ``USER_EMAIL``, ``USER_POINT``,
``USER_AGENT`` or ``USER_DEVICE_POINT``) and, optionally, ``context_kind`` (``user``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, cast
from urllib.parse import quote, urlsplit

from framework import errors
from framework.audience import BatchedAudienceFeedConnector, BatchPolicy, PropertiesWrapper
from framework.audience.types import (AudienceFeedInstanceContext,
                                      BatchedUserSegmentUpdatePluginResponse,
                                      BatchUpdatePluginResponse, BatchUpdateRequest,
                                      ExternalSegmentConnectionPluginResponse,
                                      ExternalSegmentConnectionRequest,
                                      ExternalSegmentCreationPluginResponse,
                                      ExternalSegmentCreationRequest,
                                      ExternalSegmentTroubleshootRequest,
                                      ExternalSegmentTroubleshootResponse,
                                      FeedDestinationCredentials, UserSegmentUpdateRequest)
from framework.integration import Integration

__all__ = ["LaunchDarklySyncedSegmentsFeed", "FeedConfig", "IDENTIFIER_FIELDS",
           "synced_segment_body", "rate_limit_delay_ms", "MANIFESTS"]

#: The directory of the synced-segment manifest (integration key ``mediarithmics``) whose
#: ``requestParser`` reads this feed's bodies.
MANIFESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "manifests")

#: Where each identifier type keeps the id LaunchDarkly receives as the member's key.
IDENTIFIER_FIELDS: dict[str, tuple[str, ...]] = {
    "USER_ACCOUNT": ("user_account_id",),
    "USER_EMAIL": ("email", "hash"),
    "USER_POINT": ("user_point_id",),
    "USER_AGENT": ("vector_id",),
    "USER_DEVICE_POINT": ("id",),
}
_REQUIRED = ("ld_base_url", "ld_api_token", "integration_key", "environment_id",
             "identifier_type")
#: ``X-Ratelimit-Reset`` values above these are epoch milliseconds / seconds, not a delta.
_EPOCH_MS = 100_000_000_000
_EPOCH_S = 1_000_000_000


@dataclass(frozen=True)
class FeedConfig:
    """The feed's properties, checked."""

    base_url: str
    api_token: str
    integration_key: str
    environment_id: str
    context_kind: str
    identifier_type: str

    def __repr__(self) -> str:
        return (f"FeedConfig({self.base_url!r}, integration_key={self.integration_key!r}, "
                f"environment_id={self.environment_id!r}, api_token=***)")

    @classmethod
    def from_properties(cls, feed_id: str, properties: PropertiesWrapper) -> "FeedConfig":
        """The configuration, or the feed error naming the first bad property."""
        values: dict[str, str] = {}
        for name in _REQUIRED:
            value = properties.url_value(name) or properties.string_value(name)
            if value is None:
                if properties.get(name) is None:
                    raise errors.MissingConfigurationPropertyError(feed_id, name)
                raise errors.MandatoryPropertyValueError(feed_id, name)
            values[name] = value.strip()
        base = values["ld_base_url"]
        if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc:
            raise errors.InvalidPropertyValueError(feed_id, "ld_base_url", base,
                                                   ["an http:// or https:// URL"])
        if values["identifier_type"] not in IDENTIFIER_FIELDS:
            raise errors.InvalidPropertyValueError(feed_id, "identifier_type",
                                                   values["identifier_type"],
                                                   list(IDENTIFIER_FIELDS))
        return cls(base.rstrip("/"), values["ld_api_token"], values["integration_key"],
                   values["environment_id"],
                   (properties.string_value("context_kind") or "user").strip(),
                   values["identifier_type"])

    def segment_key(self, segment_id: str) -> str:
        """The LaunchDarkly segment key of a mediarithmics segment."""
        return f"{self.integration_key}-{segment_id}"

    def targets_url(self) -> str:
        """Where synced-segment requests go."""
        return f"{self.base_url}/api/v2/segment-targets/{quote(self.integration_key, safe='')}"

    def segment_url(self, segment_id: str) -> str:
        """Where the stored segment is read."""
        return (f"{self.base_url}/api/v2/segments/{quote(self.environment_id, safe='')}/"
                f"{quote(self.segment_key(segment_id), safe='')}")


class _LaunchDarklyHTTP(Integration):
    """The request builder's view of LaunchDarkly; retries are the platform's (``RETRY``)."""

    name = "LaunchDarkly synced segments"


def synced_segment_body(config: FeedConfig, segment_id: str, segment_name: str,
                        operation: str, members: list[str]) -> dict[str, Any]:
    """One synced-segment request adding (``UPSERT``) or removing (``DELETE``) ``members``."""
    listed = [{"id": member} for member in members]
    return {"environmentId": config.environment_id, "contextKind": config.context_kind,
            "cohortId": str(segment_id), "cohortName": segment_name,
            "listData": {"add": listed if operation != "DELETE" else [],
                         "remove": listed if operation == "DELETE" else []}}


def rate_limit_delay_ms(headers: Mapping[str, str], now: float) -> int | None:
    """Milliseconds until ``X-Ratelimit-Reset`` (epoch milliseconds as LaunchDarkly sends it,
    epoch seconds, or a delta in seconds), or ``Retry-After`` seconds; ``None`` if neither."""
    for name, scale in (("X-Ratelimit-Reset", None), ("Retry-After", 1000.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            value = float(raw.strip())
        except ValueError:
            continue
        if scale is not None:
            return max(0, int(value * scale))
        if value > _EPOCH_MS:
            return max(0, int(value - now * 1000))
        if value > _EPOCH_S:
            return max(0, int((value - now) * 1000))
        return max(0, int(value * 1000))
    return None


class LaunchDarklySyncedSegmentsFeed(BatchedAudienceFeedConnector):
    """mediarithmics segment -> LaunchDarkly synced segment (see the module docstring).

    Args:
        gateway: The plugin gateway client (attached by the routes when served).
        clock: Current time in seconds, for the rate-limit delay; injectable for tests.
    """

    batch_policy = BatchPolicy(max_size=500, max_wait=10.0)

    def __init__(self, gateway: Any = None, *, clock: Callable[[], float] = time.time,
                 **kwargs: Any) -> None:
        super().__init__(gateway, **kwargs)
        self.clock = clock
        self._clients: dict[tuple[str, str], _LaunchDarklyHTTP] = {}

    # -- context -----------------------------------------------------------------------------

    async def instance_context_builder(
            self, feed_id: str,
            credentials: FeedDestinationCredentials | None = None) -> AudienceFeedInstanceContext:
        """The default context plus the checked configuration and the segment's name."""
        import anyio.to_thread

        context = await super().instance_context_builder(feed_id, credentials)
        config = FeedConfig.from_properties(feed_id, context["feed_properties"])
        try:
            segment = await anyio.to_thread.run_sync(self.gateway.fetch_audience_segment,
                                                     feed_id)
        except errors.IntegrationError:
            segment = {}
        extended = cast(dict[str, Any], context)
        extended["config"] = config
        extended["segment_name"] = segment.get("name") if isinstance(segment, dict) else None
        return context

    def _config(self, context: AudienceFeedInstanceContext) -> FeedConfig:
        return cast(FeedConfig, cast(dict[str, Any], context)["config"])

    def _segment_name(self, context: AudienceFeedInstanceContext, segment_id: str) -> str:
        name = cast(dict[str, Any], context).get("segment_name")
        return name if isinstance(name, str) and name else f"mediarithmics segment {segment_id}"

    def http(self, config: FeedConfig) -> _LaunchDarklyHTTP:
        """The pooled client for one LaunchDarkly account (URL and token)."""
        key = (config.base_url, config.api_token)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = _LaunchDarklyHTTP({"ld_api_token": config.api_token})
        return client

    # -- handlers ----------------------------------------------------------------------------

    def on_external_segment_creation(
            self, request: ExternalSegmentCreationRequest, context: AudienceFeedInstanceContext
    ) -> ExternalSegmentCreationPluginResponse:
        """The properties were checked building the context: the segment can be fed."""
        config = self._config(context)
        return {"status": "ok", "visibility": "PUBLIC",
                "message": f"feeding LaunchDarkly segment "
                           f"{config.segment_key(str(request['segment_id']))} in environment "
                           f"{config.environment_id}"}

    def on_external_segment_connection(
            self, request: ExternalSegmentConnectionRequest,
            context: AudienceFeedInstanceContext) -> ExternalSegmentConnectionPluginResponse:
        """LaunchDarkly answers for the segment (200, or 404 before its first member)."""
        config = self._config(context)
        try:
            self.http(config).get(config.segment_url(str(request["segment_id"]))) \
                .set("Authorization", config.api_token).end()
        except errors.HTTPError as exc:
            if exc.status == 404:
                return {"status": "ok", "message": "the segment is created with its first "
                                                   "members"}
            if exc.status in (401, 403):
                return {"status": "error",
                        "message": f"LaunchDarkly refused ld_api_token ({exc.status})"}
            return {"status": "external_segment_not_ready_yet", "message": str(exc)}
        except errors.IntegrationError as exc:  # timeout, connection refused
            return {"status": "external_segment_not_ready_yet", "message": str(exc)}
        return {"status": "ok"}

    def on_user_segment_update(
            self, request: UserSegmentUpdateRequest, context: AudienceFeedInstanceContext,
            credentials: FeedDestinationCredentials | None = None
    ) -> BatchedUserSegmentUpdatePluginResponse:
        """One ``BATCH_DELIVERY`` item per distinct id of the configured identifier type."""
        config = self._config(context)
        fields = IDENTIFIER_FIELDS[config.identifier_type]
        members: list[str] = []
        for identifier in request.get("user_identifiers") or []:
            if not isinstance(identifier, dict) or \
                    identifier.get("type") != config.identifier_type:
                continue
            member = next((identifier[f] for f in fields
                           if isinstance(identifier.get(f), (str, int))
                           and not isinstance(identifier.get(f), bool)
                           and str(identifier[f]).strip()), None)
            if member is not None and str(member) not in members:
                members.append(str(member))
        if not members:
            return {"status": "no_eligible_identifier",
                    "message": f"no {config.identifier_type} identifier with "
                               f"{' or '.join(fields)}"}
        operation = "DELETE" if request.get("operation") == "DELETE" else "UPSERT"
        return {"status": "ok",
                "data": [{"type": "BATCH_DELIVERY", "content": member,
                          "grouping_key": operation} for member in members],
                "stats": [{"identifier": member, "sync_result": "PROCESSED"}
                          for member in members]}

    def on_batch_update(self, request: BatchUpdateRequest,
                        context: AudienceFeedInstanceContext) -> BatchUpdatePluginResponse:
        """One synced-segment request for the batch; LaunchDarkly's answer becomes the
        batch status (2xx OK, 429 and 5xx RETRY, other 4xx ERROR)."""
        config = self._config(context)
        batch_context = request["context"]
        segment_id = str(batch_context.get("segment_id"))
        members = [str(m) for m in request["batch_content"]
                   if isinstance(m, (str, int)) and not isinstance(m, bool)]
        count = len(request["batch_content"])
        if not members:
            return {"status": "OK", "sent_items_in_success": 0, "sent_items_in_error": count,
                    "message": "no member ids in the batch"}
        body = synced_segment_body(config, segment_id, self._segment_name(context, segment_id),
                                   str(batch_context.get("grouping_key")), members)
        try:
            self.http(config).post(config.targets_url()) \
                .set("Authorization", config.api_token).type("json").send(body).end()
        except errors.HTTPError as exc:
            return self._failed(exc, count)
        except errors.IntegrationError as exc:  # timeout, connection refused: try again
            return {"status": "RETRY", "sent_items_in_success": 0, "sent_items_in_error": count,
                    "message": str(exc)}
        return {"status": "OK", "sent_items_in_success": len(members),
                "sent_items_in_error": count - len(members)}

    def _failed(self, exc: errors.HTTPError, count: int) -> BatchUpdatePluginResponse:
        if exc.status == 429 or (exc.status or 0) >= 500:
            answer: BatchUpdatePluginResponse = {
                "status": "RETRY", "sent_items_in_success": 0, "sent_items_in_error": count,
                "message": str(exc)}
            headers = exc.response.headers if exc.response is not None else {}
            delay = rate_limit_delay_ms(headers, self.clock())
            if delay is not None:
                answer["next_msg_delay_in_ms"] = delay
            return answer
        return {"status": "ERROR", "sent_items_in_success": 0, "sent_items_in_error": count,
                "message": str(exc)}

    def on_troubleshoot(
            self, request: ExternalSegmentTroubleshootRequest,
            context: AudienceFeedInstanceContext,
            credentials: FeedDestinationCredentials | None = None
    ) -> ExternalSegmentTroubleshootResponse:
        """``FETCH_DESTINATION_AUDIENCE``: the segment as LaunchDarkly stores it."""
        config = self._config(context)
        key = config.segment_key(str(request["segment_id"]))
        try:
            response = self.http(config).get(config.segment_url(str(request["segment_id"]))) \
                .set("Authorization", config.api_token).end()
        except errors.HTTPError as exc:
            if exc.status == 404:
                return {"status": "error", "message": f"LaunchDarkly has no segment {key} in "
                                                      f"environment {config.environment_id}"}
            return {"status": "error", "message": str(exc)}
        except errors.IntegrationError as exc:
            return {"status": "error", "message": str(exc)}
        try:
            data = response.json()
        except ValueError:
            return {"status": "error", "message": f"LaunchDarkly answered {key} without JSON"}
        return {"status": "ok", "data": data}
