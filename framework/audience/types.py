"""The JSON shapes of mediarithmics' audience feed protocol, as ``TypedDict``s.

Handlers receive and return plain dicts with the platform's JSON keys; these types only tell
a type checker (and a reader) which keys exist and which statuses are allowed. Required keys
are declared on a private base, optional ones on the public ``total=False`` subclass (the
spelling Python 3.10 accepts). The shapes follow the mediarithmics Node SDK's
``AudienceFeedConnectorRequestInterface`` and ``AudienceFeedConnectorPluginResponseInterface``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypedDict

if TYPE_CHECKING:  # pragma: no cover
    from .properties import PropertiesWrapper

__all__ = [
    "UpdateType", "AudienceFeedConnectorStatus", "ConnectionStatus", "TroubleshootStatus",
    "AuthenticationStatusQueryStatus", "AuthenticationStatus", "LogoutStatus",
    "DynamicPropertyValuesQueryStatus", "TestAuthenticationStatus", "BatchUpdateStatus",
    "Visibility", "ContentType", "SyncResult", "CredentialsScheme", "TroubleshootAction",
    "UserIdentifierInfo", "UserProfileInfo", "PluginProperty", "FeedDestinationCredentials",
    "AudienceFeedResource", "AudienceFeedInstanceContext",
    "ExternalSegmentCreationRequest", "ExternalSegmentConnectionRequest",
    "UserSegmentUpdateRequest", "ExternalSegmentTroubleshootRequest",
    "ExternalSegmentAuthenticationStatusQueryRequest", "ExternalSegmentAuthenticationRequest",
    "ExternalSegmentLogoutRequest", "ExternalSegmentDynamicPropertyValuesQueryRequest",
    "TestAuthenticationRequest", "CreateOAuthRedirectUrlRequest", "AudienceFeedBatchContext",
    "BatchUpdateRequest",
    "UserSegmentUpdateStats", "FileDeliveryData", "BatchDeliveryData",
    "UserSegmentUpdatePluginResponse", "BatchedUserSegmentUpdatePluginResponse",
    "ExternalSegmentCreationPluginResponse", "ExternalSegmentConnectionPluginResponse",
    "ExternalSegmentTroubleshootResponse", "ExternalSegmentAuthenticationStatusQueryResponse",
    "ExternalSegmentAuthenticationResponse", "ExternalSegmentLogoutResponse",
    "DynamicPropertyValues", "ExternalSegmentDynamicPropertyValuesQueryResponse",
    "CreateOAuthRedirectUrlPluginResponse", "TestAuthenticationPluginResponse",
    "BatchUpdatePluginResponse",
]

UpdateType = Literal["UPSERT", "DELETE"]
AudienceFeedConnectorStatus = Literal["ok", "error", "retry", "no_eligible_identifier"]
ConnectionStatus = Literal["ok", "error", "external_segment_not_ready_yet"]
TroubleshootStatus = Literal["ok", "error", "not_implemented"]
AuthenticationStatusQueryStatus = Literal[
    "authenticated", "not_authenticated", "error", "not_implemented"]
AuthenticationStatus = Literal["ok", "error", "not_implemented"]
LogoutStatus = Literal["ok", "error", "not_implemented"]
DynamicPropertyValuesQueryStatus = Literal["ok", "error", "empty", "not_implemented"]
TestAuthenticationStatus = Literal["ok", "invalid_credentials", "error", "not_implemented"]
BatchUpdateStatus = Literal["OK", "ERROR", "RETRY"]
Visibility = Literal["PUBLIC", "PRIVATE"]
ContentType = Literal["text/csv", "application/json", "text/plain"]
SyncResult = Literal["PROCESSED", "SUCCESS", "REJECTED"]
CredentialsScheme = Literal["OAUTH2", "API_TOKEN", "LOGIN_PASSWORD"]
TroubleshootAction = Literal["FETCH_DESTINATION_AUDIENCE"]

#: One user identifier (``type`` is ``USER_POINT``, ``USER_ACCOUNT``, ``USER_EMAIL``,
#: ``USER_AGENT`` or ``USER_DEVICE_POINT``; the other keys depend on it).
UserIdentifierInfo = dict[str, Any]
#: One user profile (``$compartment_id``, ``$creation_ts``, ... and free keys).
UserProfileInfo = dict[str, Any]


class _PluginProperty(TypedDict):
    technical_name: str
    property_type: str
    value: dict[str, Any]


class PluginProperty(_PluginProperty, total=False):
    """One feed property: ``{"technical_name", "property_type", "value": {...}}``."""

    origin: str
    writable: bool
    deletable: bool


class FeedDestinationCredentials(TypedDict):
    """Credentials stored for a feed destination."""

    scheme: CredentialsScheme
    credentials: dict[str, Any]


class _AudienceFeedResource(TypedDict):
    id: str


class AudienceFeedResource(_AudienceFeedResource, total=False):
    """The feed resource the gateway returns."""

    plugin_id: str
    organisation_id: str
    group_id: str
    artifact_id: str
    version_id: str
    selected_identifying_resources: list[Any]
    created_by: str


class AudienceFeedInstanceContext(TypedDict):
    """What the default ``instance_context_builder`` returns for a feed."""

    feed: AudienceFeedResource
    feed_properties: "PropertiesWrapper"


class _SegmentRequest(TypedDict):
    feed_id: str
    datamart_id: str
    segment_id: str


class ExternalSegmentCreationRequest(_SegmentRequest, total=False):
    """``POST /v1/external_segment_creation``."""

    feed_destination_id: str


class ExternalSegmentConnectionRequest(_SegmentRequest, total=False):
    """``POST /v1/external_segment_connection`` (same shape as creation)."""

    feed_destination_id: str


class _UserSegmentUpdateRequest(_SegmentRequest):
    session_id: str
    user_identifiers: list[UserIdentifierInfo]
    user_profiles: list[UserProfileInfo]
    ts: int
    operation: UpdateType


class UserSegmentUpdateRequest(_UserSegmentUpdateRequest, total=False):
    """``POST /v1/user_segment_update``: one user entering (``UPSERT``) or leaving
    (``DELETE``) the segment."""

    feed_destination_id: str
    preset_id: str


class _TroubleshootRequest(_SegmentRequest):
    action: TroubleshootAction


class ExternalSegmentTroubleshootRequest(_TroubleshootRequest, total=False):
    """``POST /v1/troubleshoot``."""

    feed_destination_id: str


class _AuthenticationStatusQueryRequest(TypedDict):
    datamart_id: str
    plugin_version_id: str
    user_id: str


class ExternalSegmentAuthenticationStatusQueryRequest(_AuthenticationStatusQueryRequest,
                                                      total=False):
    """``POST /v1/authentication_status_queries``."""

    segment_id: str
    properties: list[PluginProperty]


class _AuthenticationRequest(TypedDict):
    user_id: str
    plugin_version_id: str


class ExternalSegmentAuthenticationRequest(_AuthenticationRequest, total=False):
    """``POST /v1/authentication``."""

    params: dict[str, str]
    feed_destination_id: str


class ExternalSegmentLogoutRequest(TypedDict):
    """``POST /v1/logout``."""

    user_id: str
    plugin_version_id: str
    datamart_id: str


class _DynamicPropertyValuesQueryRequest(TypedDict):
    datamart_id: str
    user_id: str


class ExternalSegmentDynamicPropertyValuesQueryRequest(_DynamicPropertyValuesQueryRequest,
                                                       total=False):
    """``POST /v1/dynamic_property_values_queries``."""

    segment_id: str
    properties: list[PluginProperty]
    feed_destination_id: str


class TestAuthenticationRequest(TypedDict):
    """``POST /v1/test_authentication``."""

    feed_destination_id: str


class CreateOAuthRedirectUrlRequest(TypedDict):
    """``POST /v1/oauth_redirect_url``."""

    feed_destination_id: str
    plugin_version_id: str


class _AudienceFeedBatchContext(TypedDict):
    endpoint: str
    grouping_key: str
    feed_id: str
    feed_session_id: str
    segment_id: str
    datamart_id: str


class AudienceFeedBatchContext(_AudienceFeedBatchContext, total=False):
    """The ``context`` of a batch: which feed, segment and grouping key it belongs to."""

    feed_destination_id: str


class BatchUpdateRequest(TypedDict):
    """``POST /v1/batch_update``: the contents of many ``BATCH_DELIVERY`` items of one
    grouping key."""

    batch_content: list[Any]
    ts: int
    context: AudienceFeedBatchContext


class _UserSegmentUpdateStats(TypedDict):
    identifier: str
    sync_result: SyncResult


class UserSegmentUpdateStats(_UserSegmentUpdateStats, total=False):
    """What happened to one identifier."""

    tags: list[dict[str, str]]


class FileDeliveryData(TypedDict):
    """One line of a file the platform assembles and uploads to ``destination_token``."""

    type: Literal["FILE_DELIVERY"]
    content: str
    grouping_key: str
    destination_token: str


class BatchDeliveryData(TypedDict):
    """One item the platform groups by ``grouping_key`` and sends to ``/v1/batch_update``."""

    type: Literal["BATCH_DELIVERY"]
    content: Any
    grouping_key: str


class _UserSegmentUpdateResponse(TypedDict):
    status: AudienceFeedConnectorStatus


class UserSegmentUpdatePluginResponse(_UserSegmentUpdateResponse, total=False):
    """The answer of ``on_user_segment_update`` of a single-call or file-delivery feed."""

    data: list[FileDeliveryData]
    stats: list[UserSegmentUpdateStats]
    message: str
    next_msg_delay_in_ms: int


class BatchedUserSegmentUpdatePluginResponse(_UserSegmentUpdateResponse, total=False):
    """The answer of ``on_user_segment_update`` of a batched feed."""

    data: list[BatchDeliveryData]
    stats: list[UserSegmentUpdateStats]
    message: str
    next_msg_delay_in_ms: int


class _CreationResponse(TypedDict):
    status: AudienceFeedConnectorStatus


class ExternalSegmentCreationPluginResponse(_CreationResponse, total=False):
    """The answer of ``on_external_segment_creation`` (``visibility`` defaults to PUBLIC)."""

    message: str
    visibility: Visibility


class _ConnectionResponse(TypedDict):
    status: ConnectionStatus


class ExternalSegmentConnectionPluginResponse(_ConnectionResponse, total=False):
    """The answer of ``on_external_segment_connection``."""

    message: str


class _TroubleshootResponse(TypedDict):
    status: TroubleshootStatus


class ExternalSegmentTroubleshootResponse(_TroubleshootResponse, total=False):
    """The answer of ``on_troubleshoot``; ``data`` is what the destination holds."""

    message: str
    data: Any


class _AuthenticationStatusQueryResponse(TypedDict):
    status: AuthenticationStatusQueryStatus


class ExternalSegmentAuthenticationStatusQueryResponse(_AuthenticationStatusQueryResponse,
                                                       total=False):
    """The answer of ``on_authentication_status_query`` (``data.login_url`` to sign in)."""

    message: str
    data: dict[str, Any]


class _AuthenticationResponse(TypedDict):
    status: AuthenticationStatus


class ExternalSegmentAuthenticationResponse(_AuthenticationResponse, total=False):
    """The answer of ``on_authentication``; ``refresh_token`` is stored, never echoed."""

    message: str
    refresh_token: str


class _LogoutResponse(TypedDict):
    status: LogoutStatus


class ExternalSegmentLogoutResponse(_LogoutResponse, total=False):
    """The answer of ``on_logout``."""

    message: str


class DynamicPropertyValues(TypedDict):
    """The values offered for one property: ``enum`` is a list of ``{label, value}``."""

    property_technical_name: str
    enum: list[dict[str, str]]


class _DynamicPropertyValuesQueryResponse(TypedDict):
    status: DynamicPropertyValuesQueryStatus


class ExternalSegmentDynamicPropertyValuesQueryResponse(_DynamicPropertyValuesQueryResponse,
                                                        total=False):
    """The answer of ``on_dynamic_property_values_query``."""

    message: str
    data: list[DynamicPropertyValues]


class CreateOAuthRedirectUrlPluginResponse(TypedDict):
    """The answer of ``on_create_oauth_redirect_url``."""

    login_url: str


class _TestAuthenticationResponse(TypedDict):
    status: TestAuthenticationStatus


class TestAuthenticationPluginResponse(_TestAuthenticationResponse, total=False):
    """The answer of ``on_test_authentication``."""

    message: str


class _BatchUpdateResponse(TypedDict):
    status: BatchUpdateStatus
    sent_items_in_success: int
    sent_items_in_error: int


class BatchUpdatePluginResponse(_BatchUpdateResponse, total=False):
    """The answer of ``on_batch_update``."""

    message: str
    next_msg_delay_in_ms: int
