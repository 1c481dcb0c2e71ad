"""Integrations for the command tests, registered by monkeypatching ``integrations.available``."""

from importlib.metadata import EntryPoint
from pathlib import Path
from types import SimpleNamespace

import integrations
from framework import integration
from framework.manifest import load as load_manifest


class Acme(integration("Acme")
           .endpoint("https://api.acme.test/v1")
           .ensure("settings.apiKey")
           .mapper(SimpleNamespace(identify=lambda msg, settings: {"id": msg.user_id()}))):
    def identify(self, payload):
        return (self.post("/users").set("Authorization", f"Bearer {self.settings['apiKey']}")
                .query({"key": self.settings["apiKey"]}).send(payload).end())

    def page(self, msg):
        return self.post("/pages").type("form").send({"name": "it's"}).end()

    def group(self, msg):
        raise KeyError("a bug")

    def track(self, msg):
        return None


def install(monkeypatch, **extra):
    """Make ``acme`` (and ``extra`` entry points) the installed integrations."""
    found = {"acme": EntryPoint("acme", "command_toys:Acme", integrations.GROUP)}
    found.update({name: EntryPoint(name, value, integrations.GROUP)
                  for name, value in extra.items()})
    monkeypatch.setattr(integrations, "available", lambda: dict(found))


class Typed(integration("Typed")
            .endpoint("https://api.typed.test")
            .setting("hush", required=True, secret=True, description="A secret | with a pipe")
            .setting("region", type="enum", allowed=["us", "eu"], default="us",
                     description="Where the data lives")
            .setting("account.user", description="Nested user")
            .ensure("settings.token")):
    def track(self, msg):
        return (self.post("/t").set("X-Hush", self.settings["hush"])
                .send({"hush": self.settings["hush"], "region": self.settings["region"]}).end())


#: A manifest integration, registered as ``signed_webhook`` by ``install(monkeypatch,
#: signed_webhook="command_toys:SignedWebhook")``.
SignedWebhook = load_manifest(Path(__file__).parents[1] / "manifest" / "data" / "signed_webhook")


class Bulk(integration("Bulk").endpoint("https://bulk.test").batch(size=50, methods=["track"])):
    """Tracks go through ``batch()`` (as ``framework send`` delivers them); identifies do not."""

    def track(self, msg):
        return self.post("/track").send({"event": msg.event()}).end()

    def identify(self, msg):
        return self.post("/identify").send({"userId": msg.user_id()}).end()

    def batch(self, items):
        response = self.post("/import?strict=1").send(
            {"batch": [{"event": m.event()} for m in items]}).end()
        return [[response] for _ in items]
