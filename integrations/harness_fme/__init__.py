"""Harness FME (formerly Split): Segment calls as FME events and identities.

Track, named page and named screen calls become records of the Events API
(``POST {eventsEndpoint}/events/bulk``, SDK key); identify and group calls become merges
(``PATCH``) of the Identities API (Admin API key). Alias and delete are not supported. The
mapping rules are in :mod:`integrations.harness_fme.mapper`, the settings and their defaults
in :mod:`integrations.harness_fme.settings`, and the README lists the documented source of each
rule. FME impressions as a Segment source live in :mod:`integrations.harness_fme.source`.
"""

from __future__ import annotations

from typing import Any, Sequence
from urllib.parse import quote

from framework import Integration, build, errors, integration
from framework.settings_declarations import declare_all

from . import mapper
from .bulk import pack
from .settings import DECLARATIONS, DEFAULTS, NAME, check_admin_key, with_defaults

__all__ = ["HarnessFME"]

_EVENT_METHODS = ["track", "page", "screen"]


@build(declare_all(integration(NAME), DECLARATIONS)
       .endpoint(DEFAULTS["eventsEndpoint"])
       .channels(["server", "client", "mobile"])
       .ensure(check_admin_key, methods=["identify", "group"])
       .mapper(mapper)
       .timeout("10s")
       .retries(2)
       .batch(size=500, methods=_EVENT_METHODS))
class HarnessFME(Integration):
    """Sends events to FME's Events API and traits to its Identities API."""

    # -- events ----------------------------------------------------------------------------

    def track(self, payload: dict[str, Any]) -> list[Any]:
        """Send the records of one message (one bulk request unless they exceed its limits)."""
        outcome: list[Any] | errors.IntegrationError = self.batch([payload])[0]
        if isinstance(outcome, errors.IntegrationError):
            raise outcome
        return outcome

    page = screen = track

    # The instance's batch() sends; the builder's classmethod batch(size=...) declared it.
    def batch(self, items: Sequence[dict[str, Any]]) -> list[Any]:  # type: ignore[override]
        """Pack the records of many messages into as few bulk requests as the limits allow.

        Returns:
            One outcome per item, in order: the responses of the requests that carried its
            records (``[]`` when it had none), or the error of the first request that failed.
        """
        for payload in items:
            self._report(payload)
        outcomes: list[Any] = [[] for _ in items]
        settings = with_defaults(self.settings)
        url = settings["eventsEndpoint"].rstrip("/") + "/events/bulk"
        for chunk in pack([payload["records"] for payload in items]):
            try:
                response = (self.post(url)
                            .set("Authorization", f"Bearer {self.settings['apiKey']}")
                            .type("json").send(chunk.body()).end())
            except errors.IntegrationError as error:
                for owner in chunk.owners:
                    if not isinstance(outcomes[owner], errors.IntegrationError):
                        outcomes[owner] = error
                continue
            for owner in chunk.owners:
                if not isinstance(outcomes[owner], errors.IntegrationError):
                    outcomes[owner].append(response)
        return outcomes

    # -- identities ------------------------------------------------------------------------

    def identify(self, payload: dict[str, Any]) -> list[Any]:
        """Merge each identity's values with one PATCH (idempotent, so a retry is safe)."""
        self._report(payload)
        settings = with_defaults(self.settings)
        base = settings["apiEndpoint"].rstrip("/")
        environment = quote(str(settings["environmentId"]), safe="")
        responses = []
        for identity in payload["identities"]:
            url = (f"{base}/trafficTypes/{quote(identity['trafficType'], safe='')}"
                   f"/environments/{environment}/identities/{quote(identity['key'], safe='')}")
            responses.append(
                self.patch(url)
                .set("Authorization", f"Bearer {self.settings['adminApiKey']}")
                .type("json")
                .send({"key": identity["key"], "values": identity["values"]})
                .end())
        return responses

    group = identify

    # -- logging ---------------------------------------------------------------------------

    def _report(self, payload: dict[str, Any]) -> None:
        """Log what the mapper left out (warning) and why nothing is sent (info)."""
        for note in payload.get("notes") or ():
            self.logger.warning("%s: %s", self.name, note)
        if payload.get("skipped"):
            self.logger.info("%s: nothing sent: %s", self.name, payload["skipped"])
