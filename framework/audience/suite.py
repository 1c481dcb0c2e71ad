"""``AudienceFeedSuite``: the standard checks every feed's test module inherits.

    class TestAcmeFeed(AudienceFeedSuite):
        feed = AcmeFeed
        feed_properties = [{"technical_name": "api_token", "property_type": "STRING",
                            "value": {"value": "t"}}]
        skip_checks = {"fuzzed_identifiers"}         # skip single checks by name

Checks (by name):

* ``required_handlers``: the class defines every required handler and loads with
  ``--feed``-style ``package.module:ClassName``;
* ``allowed_statuses``: every route, called with a well-formed body, answers one of the
  statuses its mapping allows, with a body status of the route's enum;
* ``lifecycle``: creation, connection, an ``UPSERT`` and a ``DELETE`` update (and, for batched
  feeds, their batch) answer allowed statuses and no handler raises;
* ``empty_bodies``: an empty body or ``{}`` answers 500 ``{"error": "Missing request body"}``
  on every feed route;
* ``malformed_bodies``: invalid JSON, a non-object body or a bad ``feed_id`` answers 400 with
  a message, and reaches no handler;
* ``fuzzed_identifiers``: hypothesis-generated identifier lists never make a handler raise
  (so never a 500 other than a handler's own ``error``) and answer allowed statuses.

Outbound HTTP of the feed runs inside a :class:`~framework.testing.Sandbox`: each request gets
the next of :attr:`AudienceFeedSuite.partner_replies`, then 200 ``{}``; no socket opens.
"""

from __future__ import annotations

import typing
from typing import Any, ClassVar, Iterable

import pytest

from ..testing.sandbox import Reply, Sandbox
from . import types
from .base import GenericAudienceFeedConnector, missing_handlers
from .handlers import check_update_response
from .loader import load_feed
from .routes import FEED_ROUTES, STATUS_CODES
from .testing import AudienceFeedClient, FakeGateway

__all__ = ["AudienceFeedSuite", "CHECKS", "IDENTIFIER_TYPES"]

CHECKS = ("required_handlers", "allowed_statuses", "lifecycle", "empty_bodies",
          "malformed_bodies", "fuzzed_identifiers")
IDENTIFIER_TYPES = ("USER_POINT", "USER_ACCOUNT", "USER_EMAIL", "USER_AGENT",
                    "USER_DEVICE_POINT")

#: The body status enum of each route (``oauth_redirect_url`` answers ``login_url``).
_ENUMS: dict[str, tuple[str, ...]] = {
    "external_segment_creation": typing.get_args(types.AudienceFeedConnectorStatus),
    "external_segment_connection": typing.get_args(types.ConnectionStatus),
    "user_segment_update": typing.get_args(types.AudienceFeedConnectorStatus),
    "batch_update": typing.get_args(types.BatchUpdateStatus),
    "troubleshoot": typing.get_args(types.TroubleshootStatus),
    "authentication_status_queries": typing.get_args(types.AuthenticationStatusQueryStatus),
    "authentication": typing.get_args(types.AuthenticationStatus),
    "logout": typing.get_args(types.LogoutStatus),
    "dynamic_property_values_queries": typing.get_args(
        types.DynamicPropertyValuesQueryStatus),
    "test_authentication": typing.get_args(types.TestAuthenticationStatus),
}


class AudienceFeedSuite:
    """Subclass it in a test module and set:

    Attributes:
        feed: The connector class under test.
        feed_properties: The feed's properties, as the gateway would return them.
        feed_id: The feed id the checks use (``"1"``).
        identifiers: A well-formed update's identifiers.
        feed_destination_credentials: Stored for destination ``"42"`` (the authentication
            routes' checks use it).
        partner_replies: What the feed's own HTTP calls get, in order (then 200 ``{}``).
        skip_checks: Names of checks to skip (see :data:`CHECKS`; ``test_`` prefix optional).
        hypothesis_settings: Keyword arguments for ``hypothesis.settings`` in
            ``fuzzed_identifiers``.
    """

    feed: ClassVar[type[GenericAudienceFeedConnector[Any]]]
    feed_properties: ClassVar[list[dict[str, Any]]] = []
    feed_id: ClassVar[str] = "1"
    identifiers: ClassVar[list[dict[str, Any]]] = [
        {"type": "USER_POINT", "user_point_id": "u1", "creation_ts": 1},
        {"type": "USER_ACCOUNT", "user_account_id": "a1", "creation_ts": 1},
        {"type": "USER_EMAIL", "hash": "h1", "email": "u1@example.com", "creation_ts": 1,
         "last_activity_ts": 1, "providers": []}]
    feed_destination_credentials: ClassVar[dict[str, Any]] = {
        "scheme": "API_TOKEN", "credentials": {"api_token": "suite-token"}}
    partner_replies: ClassVar[list[Reply]] = []
    skip_checks: ClassVar[Iterable[str]] = ()
    hypothesis_settings: ClassVar[dict[str, Any]] = {"max_examples": 20, "deadline": None}

    # -- setup -------------------------------------------------------------------------------

    @pytest.fixture(autouse=True)
    def _skip_named_checks(self, request: pytest.FixtureRequest) -> None:
        names = {name.removeprefix("test_") for name in self.skip_checks}
        unknown = names - set(CHECKS)
        if unknown:
            raise AssertionError(f"{type(self).__name__}.skip_checks names unknown checks "
                                 f"{sorted(unknown)}; the checks are {list(CHECKS)}")
        if request.function.__name__.removeprefix("test_") in names:
            pytest.skip(f"skipped by {type(self).__name__}.skip_checks")

    def gateway(self) -> FakeGateway:
        """The fake gateway the checks use: the feed, its properties and credentials."""
        gateway = FakeGateway()
        gateway.add_feed(self.feed_id, self.feed_properties)
        gateway.credentials["42"] = dict(self.feed_destination_credentials)
        return gateway

    def client(self) -> AudienceFeedClient:
        """A fresh in-process client over :meth:`gateway`."""
        return AudienceFeedClient(self.feed, self.gateway())

    def sandbox(self) -> Sandbox:
        """The sandbox the feed's outbound calls run in."""
        return Sandbox(list(self.partner_replies))

    def bodies(self) -> dict[str, dict[str, Any]]:
        """A well-formed body for every feed route."""
        segment = {"feed_id": self.feed_id, "datamart_id": "1", "segment_id": "1"}
        return {
            "external_segment_creation": dict(segment),
            "external_segment_connection": dict(segment),
            "user_segment_update": {**segment, "session_id": "s1", "ts": 1_700_000_000_000,
                                    "user_identifiers": list(self.identifiers),
                                    "user_profiles": [], "operation": "UPSERT"},
            "batch_update": {"batch_content": [], "ts": 1_700_000_000_000, "context": {
                "endpoint": "/v1/batch_update", "grouping_key": "UPSERT",
                "feed_id": self.feed_id, "feed_session_id": "s1", "segment_id": "1",
                "datamart_id": "1"}},
            "troubleshoot": {**segment, "action": "FETCH_DESTINATION_AUDIENCE"},
            "authentication_status_queries": {"datamart_id": "1", "plugin_version_id": "1",
                                              "user_id": "user-1"},
            "authentication": {"user_id": "user-1", "plugin_version_id": "1",
                               "params": {"code": "c"}},
            "logout": {"user_id": "user-1", "plugin_version_id": "1", "datamart_id": "1"},
            "dynamic_property_values_queries": {"datamart_id": "1", "user_id": "user-1"},
            "test_authentication": {"feed_destination_id": "42"},
            "oauth_redirect_url": {"feed_destination_id": "42", "plugin_version_id": "1"},
        }

    # -- helpers -----------------------------------------------------------------------------

    def assert_allowed(self, route: str, response: Any) -> None:
        """Fail unless ``response`` is a status (and body status) ``route`` may answer."""
        allowed = set(STATUS_CODES[route].values()) | {500}
        if route == "oauth_redirect_url":
            allowed.add(200)
        assert response.status_code in allowed, (
            f"{route} answered {response.status_code} {response.text[:200]}; allowed "
            f"{sorted(allowed)}")
        body = response.json()
        if response.status_code == 500 and body.get("status") == "error":
            assert isinstance(body.get("message", ""), str)  # the documented error body
            return
        if route == "oauth_redirect_url":
            assert response.status_code != 200 or isinstance(body.get("login_url"), str)
            return
        assert body.get("status") in _ENUMS[route], (
            f"{route} answered status {body.get('status')!r}; expected one of "
            f"{list(_ENUMS[route])}")
        delay = response.headers.get("x-mics-next-msg-delay")
        assert delay is None or delay.isdigit(), f"x-mics-next-msg-delay is {delay!r}"

    # -- the checks --------------------------------------------------------------------------

    def test_required_handlers(self) -> None:
        assert missing_handlers(self.feed) == [], \
            f"{self.feed.__name__} lacks required handlers {missing_handlers(self.feed)}"
        if "<locals>" not in self.feed.__qualname__:
            assert load_feed(f"{self.feed.__module__}:{self.feed.__qualname__}") is self.feed

    def test_allowed_statuses(self) -> None:
        with self.sandbox(), self.client() as client:
            for route, body in self.bodies().items():
                self.assert_allowed(route, client.post(route, body))

    def test_lifecycle(self) -> None:
        with self.sandbox(), self.client() as client:
            self.assert_allowed("external_segment_creation", client.create_segment(
                feed_id=self.feed_id))
            self.assert_allowed("external_segment_connection", client.connect_segment(
                feed_id=self.feed_id))
            replies = []
            for operation in ("UPSERT", "DELETE"):
                reply = client.update(list(self.identifiers), operation, feed_id=self.feed_id)
                self.assert_allowed("user_segment_update", reply)
                check_update_response(reply.json(), self.feed.batched)
                replies.append(reply)
            for batch in client.deliver(*replies, feed_id=self.feed_id):
                self.assert_allowed("batch_update", batch)
            assert client.failures == [], f"handlers raised: {client.failures}"

    def test_empty_bodies(self) -> None:
        with self.sandbox(), self.client() as client:
            for route in FEED_ROUTES:
                for content in (b"", b"{}"):
                    response = client.post(route, content=content)
                    assert (response.status_code, response.json()) == \
                        (500, {"error": "Missing request body"}), (route, content)

    def test_malformed_bodies(self) -> None:
        with self.sandbox(), self.client() as client:
            for route in FEED_ROUTES:
                for content in (b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"):
                    response = client.post(route, content=content)
                    assert response.status_code == 400, (route, content, response.text)
                    assert response.json()["message"], (route, content)
            for feed_id in (None, "", 3.5, True, ["1"], {"id": "1"}):
                body = dict(self.bodies()["user_segment_update"], feed_id=feed_id)
                response = client.post("user_segment_update", body)
                assert response.status_code == 400 and "feed_id" in response.json()["message"]
            assert client.failures == []
            assert client.gateway.calls == [], "a malformed request reached the gateway"

    def test_fuzzed_identifiers(self) -> None:
        from hypothesis import given, settings
        from hypothesis import strategies as st

        value = st.one_of(st.text(max_size=12), st.integers(), st.none(), st.booleans())
        identifier = st.fixed_dictionaries(
            {"type": st.one_of(st.sampled_from(IDENTIFIER_TYPES), st.text(max_size=8))},
            optional={key: value for key in (
                "user_point_id", "user_account_id", "compartment_id", "hash", "email",
                "vector_id", "id", "creation_ts", "providers")})
        with self.sandbox(), self.client() as client:
            @settings(**self.hypothesis_settings)
            @given(identifiers=st.lists(identifier, max_size=4),
                   operation=st.sampled_from(["UPSERT", "DELETE"]))
            def check(identifiers: list[dict[str, Any]], operation: str) -> None:
                reply = client.update(identifiers, operation, feed_id=self.feed_id)
                self.assert_allowed("user_segment_update", reply)
                for batch in client.deliver(reply, feed_id=self.feed_id):
                    self.assert_allowed("batch_update", batch)
                assert client.failures == [], f"handlers raised: {client.failures}"

            check()
