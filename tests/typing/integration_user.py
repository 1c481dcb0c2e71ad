"""How a partner writes a typed integration; `mypy --strict tests/typing/integration_user.py`
must pass (`make lint` runs it; tests/framework/test_build.py imports and runs it)."""

from __future__ import annotations

from typing import Any, Mapping

import requests

from facade import Identify, Track
from framework import Integration, build, errors, integration
from framework.testing import IntegrationTester


def map_track(msg: Track, settings: Mapping[str, Any], acme: Integration) -> dict[str, Any]:
    return {"event": msg.event(), "revenue": msg.revenue(), "userId": msg.user_id(),
            "apiKey": settings["apiKey"], "via": acme.name}


def map_identify(msg: Identify, settings: Mapping[str, Any]) -> dict[str, Any]:
    return {"userId": msg.user_id(), "email": msg.email(), "name": msg.name()}


class Mapper:
    track = staticmethod(map_track)
    identify = staticmethod(map_identify)


def needs_a_region(msg: Track, settings: Mapping[str, Any],
                   cls: type[Integration]) -> errors.IntegrationError | None:
    return None if settings.get("region") else cls.invalid("setting %s is required", "region")


@build(integration("Typed Acme").endpoint("https://api.acme.test/v1")
       .ensure("settings.apiKey").ensure(needs_a_region).mapper(Mapper).retries(2)
       .timeout("3s"))
class TypedAcme(Integration):
    def track(self, payload: dict[str, Any]) -> requests.Response:
        return self.post("/track").auth(str(payload.pop("apiKey")), "").send(payload).end()

    def identify(self, payload: dict[str, Any]) -> requests.Response:
        return self.post("/identify").type("json").send(payload).end()


Chained = integration("Chained").endpoint("https://chained.test").retries(1)


def run() -> list[Any]:
    settings = {"apiKey": "k", "region": "eu"}
    tester = IntegrationTester(TypedAcme, settings)
    tester.invalid({"userId": "u"}, {"apiKey": "k"}).valid({"userId": "u"})
    return tester.track({"event": "Order Completed", "userId": "u",
                         "properties": {"revenue": "$5"}}).sends(
        {"event": "Order Completed", "revenue": 5, "userId": "u", "via": "Typed Acme"}
    ).requests(1).end()
