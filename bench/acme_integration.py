"""The Acme mapper as an integration on the framework, for the map and send benchmarks.

Every message goes through the whole pipeline (wrap, enabled, validate, route, map); the
payload is POSTed as JSON with HTTP Basic auth to ``settings["endpoint"]`` plus the path the
raw baseline uses for the message's type.
"""

from __future__ import annotations

from typing import Any

from framework import integration

from . import acme

__all__ = ["Acme", "PATHS"]

PATHS = {"track": "/v1/track", "page": "/v1/track", "screen": "/v1/track",
         "identify": "/v1/engage", "group": "/v1/groups", "alias": "/v1/alias"}


class Acme(integration("Acme")
           .channels(["server", "client", "mobile"])
           .ensure("settings.apiKey")
           .mapper(acme)):
    """Posts the Acme payload of every message type."""

    def deliver(self, payload: dict[str, Any]) -> Any:
        """POST one mapped payload."""
        url = self.settings["endpoint"].rstrip("/") + PATHS[payload["type"]]
        return self.post(url).auth(self.settings["apiKey"]).send(payload).end()

    track = identify = page = screen = group = alias = deliver
