"""``framework list``."""

import json

from command_toys import install


def test_list_shows_each_integration(command, monkeypatch):
    install(monkeypatch, webhooks="integrations.webhooks:Webhooks")
    code, out, err = command("list")
    assert code == 0 and err == ""
    assert "acme  Acme\n  methods   group, identify, page, track\n  channels  server\n" in out
    assert "  endpoint  https://api.acme.test/v1\n  settings  apiKey\n" \
           "  retries   0, timeout 10s\n" in out
    assert "webhooks  Webhooks\n" in out
    assert "  settings  optional: hooks, globalHook, headers, sharedSecret; rules: " \
           "has_a_hook\n" in out
    assert "  endpoint  -\n" in out


def test_list_as_json(command, monkeypatch):
    install(monkeypatch)
    code, out, _ = command("list", "--json")
    assert code == 0 and json.loads(out)["acme"]["slug"] == "acme"


def test_an_integration_that_cannot_load_is_reported(command, monkeypatch):
    install(monkeypatch, broken="no_such_module:X")
    code, out, err = command("list")
    assert code == 1
    assert "broken\n  error     cannot load no_such_module:X: ModuleNotFoundError" in out
    assert "acme  Acme" in out and err == "framework list: cannot load broken\n"
    code, out, _ = command("list", "--json")
    assert code == 1 and "ModuleNotFoundError" in json.loads(out)["broken"]["error"]


def test_nothing_installed(command, monkeypatch):
    monkeypatch.setattr("integrations.available", lambda: {})
    assert command("list")[:2] == (0, "no integration installed (entry-point group "
                                      "framework.integrations)\n")


def test_the_installed_integrations_are_listed(command):
    code, out, _ = command("list")
    assert "webhooks  Webhooks" in out


def test_list_shows_what_a_manifest_integration_declares(command, monkeypatch):
    install(monkeypatch, signed_webhook="command_toys:SignedWebhook")
    code, out, _ = command("list")
    assert code == 0
    block = out[out.index("signed_webhook  Signed webhook"):]
    assert "  methods   default, flag\n" in block
    assert "  endpoint  {{url}}\n" in block
    assert "  delivery  POST, templates: flag (templates/flag.json.hbs), default " \
        "(templates/default.json.hbs), validation (templates/validation.json.hbs), signed " \
        "in X-Signature\n" in block
    assert "  policy    proj/*:env/production:flag/* (setting 'policy' replaces it)\n" in block
    assert "  custom    ticket (Ticket)\n" in block
    spec = json.loads(command("list", "--json")[1])["signed_webhook"]
    assert spec["custom_properties"] == [{"key": "ticket", "name": "Ticket",
                                          "description": "Ticket ids."}]
