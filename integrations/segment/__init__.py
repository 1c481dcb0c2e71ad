"""Segment: forward Segment-spec messages to Segment's HTTP Tracking API.

Every message goes through ``POST {endpoint}/v1/batch`` with HTTP Basic auth (the write key as
user, an empty password): :meth:`Segment.batch` fills requests up to 2,500 messages and 500 KB,
a message over 32 KB is rejected with its size, ``messageId`` is kept or generated and
``sentAt`` is the send time. 429 and 5xx answers are retried through the retry policy.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

import facade
from framework import Integration, build, errors, integration
from framework.settings_declarations import declare_all

from . import mapper
from .batching import MAX_MESSAGE_BYTES, pack
from .settings import DECLARATIONS, NAME, REGIONS, base_url

__all__ = ["Segment"]

METHODS = ["identify", "track", "page", "screen", "group", "alias"]
MAX_MESSAGE_ID = 100


def check_message(msg: Any, settings: Mapping[str, Any]) -> errors.RejectedError | None:
    """Reject what Segment would accept with 200 and then drop: no ``userId`` nor
    ``anonymousId``, a track without ``event``, a ``messageId`` over 100 characters."""
    raw = msg.raw_event()
    if not raw.get("userId") and not raw.get("anonymousId"):
        return Segment.reject('message needs "userId" or "anonymousId"; Segment drops it '
                              'otherwise (no_user_anon_id)')
    if msg.type() == "track" and (not isinstance(raw.get("event"), str) or not raw["event"]):
        return Segment.reject('track message needs a non-empty string "event"; Segment '
                              'drops it otherwise')
    message_id = raw.get("messageId")
    if message_id is not None and len(str(message_id)) > MAX_MESSAGE_ID:
        return Segment.reject('"messageId" has %d characters; Segment accepts at most %d',
                              len(str(message_id)), MAX_MESSAGE_ID)
    return None


@build(declare_all(integration(NAME), DECLARATIONS)
       .endpoint(REGIONS["us"])
       .channels(["server", "client", "mobile"])
       .ensure(check_message)
       .mapper(mapper)
       .timeout("10s")
       .retries(3)
       .batch(size=2500, max_bytes=500_000, methods=METHODS))
class Segment(Integration):
    """Sends messages to a Segment source's Tracking API."""

    def send_one(self, payload: dict[str, Any]) -> list[Any]:
        """Send one message as a batch of one."""
        outcome: list[Any] | errors.IntegrationError = self.batch([payload])[0]
        if isinstance(outcome, errors.IntegrationError):
            raise outcome
        return outcome

    identify = track = page = screen = group = alias = send_one

    # The instance's batch() sends; the builder's classmethod batch(size=...) declared it.
    def batch(self, items: Sequence[dict[str, Any]]) -> list[Any]:  # type: ignore[override]
        """Send many messages in as few ``/v1/batch`` requests as the limits allow.

        Returns:
            One outcome per item, in order: ``[response]``, or the error for that item (a
            :class:`errors.RejectedError` for a message over 32 KB, or the request's error).
        """
        sent_at = facade.format_iso(datetime.fromtimestamp(self.policy.clock(), timezone.utc))
        outcomes: list[Any] = [None] * len(items)
        encoded: list[tuple[int, str]] = []
        for index, payload in enumerate(items):
            message = dict(payload)
            if not message.get("messageId"):
                message["messageId"] = str(uuid.uuid4())
            message["sentAt"] = sent_at
            text = facade.dumps(message)
            size = len(text.encode("utf-8"))
            if size > MAX_MESSAGE_BYTES:
                outcomes[index] = self.reject(
                    "message %s is %d bytes of JSON; Segment accepts at most %d bytes per "
                    "message", message["messageId"], size, MAX_MESSAGE_BYTES)
                continue
            encoded.append((index, text))
        url = base_url(self.settings) + "/v1/batch"
        for batch in pack(encoded):
            try:
                response = (self.post(url).auth(self.settings["writeKey"], "")
                            .type("json").send(batch.body()).end())
            except errors.IntegrationError as error:
                for owner in batch.owners:
                    outcomes[owner] = error
                continue
            for owner in batch.owners:
                outcomes[owner] = [response]
        return outcomes
