"""Complete sample messages, one per type, for checks that need a plausible message."""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["sample_message", "SAMPLE_TYPES"]

SAMPLE_TYPES = ("identify", "track", "page", "screen", "group", "alias", "delete")

_COMMON: dict[str, Any] = {
    "userId": "user-1",
    "anonymousId": "anonymous-1",
    "messageId": "message-1",
    "timestamp": "2024-01-02T03:04:05.678Z",
    "context": {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (sample)",
                "locale": "en-US", "traits": {"email": "ada@example.com"}},
    "traits": {"email": "ada@example.com", "name": "Ada Lovelace", "plan": "pro"},
    "properties": {"plan": "pro", "revenue": 19.99, "currency": "USD",
                   "url": "https://example.com/pricing"},
}

_BY_TYPE: dict[str, dict[str, Any]] = {
    "track": {"event": "Signed Up"},
    "page": {"name": "Pricing", "category": "Docs"},
    "screen": {"name": "Pricing", "category": "Docs"},
    "group": {"groupId": "group-1"},
    "alias": {"previousId": "anonymous-1"},
}


def sample_message(kind: str = "track") -> dict[str, Any]:
    """A message of type ``kind`` with the fields most integrations require (a new dict)."""
    message = copy.deepcopy(_COMMON)
    message.update(copy.deepcopy(_BY_TYPE.get(kind, {})))
    message["type"] = kind
    return message
