"""A small integration exercising every path the tester has to report on."""

import json
import socket
from types import SimpleNamespace

from framework import integration


def _identify(msg, settings):
    return {"id": msg.user_id(), "traits": msg.traits(), "at": msg.timestamp()}


def _track(msg, settings):
    return {"event": msg.event(), "userId": msg.user_id(), "region": settings.get("region")}


def _order_completed(msg, settings):
    return {"order": msg.properties().get("orderId"), "at": msg.timestamp()}


def _alias(msg, settings):
    return None


mapper = SimpleNamespace(identify=_identify, track=_track, order_completed=_order_completed,
                         alias=_alias)


class Acme(integration("Acme")
           .endpoint("https://api.acme.test/v1")
           .channels(["server", "mobile"])
           .ensure("settings.apiKey")
           .ensure("message.userId", methods=["identify"])
           .retries(2)
           .timeout("3s")
           .mapper(mapper)):
    """Each method talks to the API in its own way."""

    def auth(self, request):
        return request.set("Authorization", f"Bearer {self.settings['apiKey']}")

    def identify(self, payload):
        return self.auth(self.post("/users")).send(payload).end()

    def track(self, payload):
        return self.auth(self.get("/events")).query({"e": payload["event"], "n": "1",
                                                     "data": json.dumps({"a": 1})}).end()

    def order_completed(self, payload):
        return self.put("/orders").send(payload).end()

    def page(self, msg):
        return self.post("/pages").type("form").send({"name": msg.name()}).end()

    def screen(self, msg):
        return self.request("PROPFIND", "/screens").end()

    def group(self, msg):
        raise KeyError("a bug in group")

    def alias(self, msg):
        socket.create_connection(("203.0.113.9", 80), timeout=1)


SETTINGS = {"apiKey": "k-123456", "region": "eu"}
