'''The new audience feed's package, test module and README, as ``string.Template`` texts.

Placeholders: ``${name}`` (display name), ``${package}``, ``${cls}`` (class name).
'''

PACKAGE = '''"""${name}: an audience feed that posts each batch of segment members to a partner.

Feed properties:
    endpoint (URL): Where batches are POSTed.
    api_token (STRING, secret): Sent as ``Authorization: Bearer <api_token>``.

``on_user_segment_update`` turns each ``USER_ACCOUNT`` identifier into a ``BATCH_DELIVERY``
item grouped by operation; ``on_batch_update`` posts ``{"operation", "members"}`` per batch.
To make it real: change the identifier type, the body and the status mapping to the
partner's API (see README.md).
"""

from __future__ import annotations

from typing import Any

from framework import errors
from framework.audience import BatchedAudienceFeedConnector, MissingConfigurationPropertyError
from framework.integration import Integration

__all__ = ["${cls}"]


class _Partner(Integration):
    """The request builder's view of the partner (timeouts, redaction of the token)."""

    name = "${name}"


class ${cls}(BatchedAudienceFeedConnector):
    """Posts each batch of segment members to the ``endpoint`` property."""

    async def instance_context_builder(self, feed_id: str, credentials: Any = None) -> Any:
        context = await super().instance_context_builder(feed_id, credentials)
        for name in ("endpoint", "api_token"):
            properties = context["feed_properties"]
            if not (properties.url_value(name) or properties.string_value(name)):
                raise MissingConfigurationPropertyError(feed_id, name)
        return context

    def on_external_segment_creation(self, request: Any, context: Any) -> Any:
        return {"status": "ok"}

    def on_external_segment_connection(self, request: Any, context: Any) -> Any:
        return {"status": "ok"}

    def on_user_segment_update(self, request: Any, context: Any,
                               credentials: Any = None) -> Any:
        members = [str(i["user_account_id"]) for i in request.get("user_identifiers") or []
                   if i.get("type") == "USER_ACCOUNT"
                   and isinstance(i.get("user_account_id"), (str, int))
                   and not isinstance(i.get("user_account_id"), bool)]
        if not members:
            return {"status": "no_eligible_identifier", "message": "no USER_ACCOUNT"}
        return {"status": "ok", "data": [
            {"type": "BATCH_DELIVERY", "content": member, "grouping_key": request["operation"]}
            for member in members]}

    def on_batch_update(self, request: Any, context: Any) -> Any:
        properties = context["feed_properties"]
        token = properties.string_value("api_token")
        count = len(request["batch_content"])
        partner = _Partner({"api_token": token})
        try:
            (partner.post(properties.url_value("endpoint"))
             .set("Authorization", f"Bearer {token}")
             .send({"operation": request["context"].get("grouping_key"),
                    "members": request["batch_content"]})
             .end())
        except errors.HTTPError as exc:
            status = "RETRY" if exc.retryable else "ERROR"
            return {"status": status, "sent_items_in_success": 0, "sent_items_in_error": count,
                    "message": str(exc)}
        except errors.IntegrationError as exc:  # timeout, connection refused
            return {"status": "RETRY", "sent_items_in_success": 0, "sent_items_in_error": count,
                    "message": str(exc)}
        finally:
            partner.close()
        return {"status": "OK", "sent_items_in_success": count, "sent_items_in_error": 0}
'''

TESTS = '''"""Tests of the ${name} feed: the standard audience-feed suite, and its requests."""

import json

import responses

from framework.audience.testing import AudienceFeedClient, AudienceFeedSuite, FakeGateway
from framework.testing import Reply
from integrations.${package} import ${cls}

ENDPOINT = "https://partner.example/audiences"
PROPERTIES = [
    {"technical_name": "endpoint", "property_type": "URL", "value": {"url": ENDPOINT}},
    {"technical_name": "api_token", "property_type": "STRING", "value": {"value": "t0ken"}},
]


class Test${cls}Suite(AudienceFeedSuite):
    feed = ${cls}
    feed_properties = PROPERTIES
    partner_replies = [Reply(200)]


def client():
    gateway = FakeGateway()
    gateway.add_feed("1", PROPERTIES)
    return AudienceFeedClient(${cls}, gateway)


@responses.activate
def test_each_batch_is_posted_with_the_token():
    responses.post(ENDPOINT, json={})
    with client() as feed:
        reply = feed.update([{"type": "USER_ACCOUNT", "user_account_id": "a1"}])
        [batch] = feed.deliver(reply)
    assert batch.json() == {"status": "OK", "sent_items_in_success": 1,
                            "sent_items_in_error": 0}
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == "Bearer t0ken"
    assert json.loads(sent.body) == {"operation": "UPSERT", "members": ["a1"]}


@responses.activate
def test_partner_failures_become_retry_or_error():
    responses.post(ENDPOINT, status=503)
    responses.post(ENDPOINT, status=400)
    with client() as feed:
        reply = feed.update([{"type": "USER_ACCOUNT", "user_account_id": "a1"}])
        assert feed.deliver(reply)[0].json()["status"] == "RETRY"
        assert feed.deliver(reply)[0].json()["status"] == "ERROR"


def test_a_missing_property_is_named():
    gateway = FakeGateway()
    gateway.add_feed("1", PROPERTIES[:1])
    with AudienceFeedClient(${cls}, gateway) as feed:
        response = feed.create_segment()
    assert response.status_code == 500
    assert "'api_token' is missing" in response.json()["message"]
'''

README = '''# ${name} (an audience feed)

A batched audience feed written on `framework.audience.BatchedAudienceFeedConnector`.

```sh
PLUGIN_WORKER_ID=... PLUGIN_AUTHENTICATION_TOKEN=... \\
  framework serve --feed integrations.${package}:${cls} --port 0
```

Feed properties: `endpoint` (URL, where batches are POSTed) and `api_token` (secret, sent as
`Authorization: Bearer`). Each `USER_ACCOUNT` identifier becomes a `BATCH_DELIVERY` item
grouped by operation; each batch is POSTed as `{"operation", "members"}`. A partner 5xx or
429 answers `RETRY`, another 4xx `ERROR`.

Tests: `tests/${package}/` (the standard `AudienceFeedSuite` and the partner requests).
'''
