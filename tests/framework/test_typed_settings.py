"""``Builder.setting`` and what the pipeline does with typed settings."""

import copy

import jsonschema
import pytest

from framework import errors, integration
from framework.testing import IntegrationTester
from framework.testing.sandbox import Reply, Sandbox


def make_acme():
    class Acme(integration("Acme").endpoint("https://api.acme.test")
               .setting("apiKey", required=True, secret=True, name="API key",
                        description="The key of an Acme project")
               .setting("region", type="enum", allowed=["us", "eu"], default="us")
               .setting("auth.token", secret=True)
               .setting("hook", type="uri")):
        def track(self, msg):
            return self.post("/t").set("X-Region", self.settings["region"]).send(
                {"event": msg.event()}).end()
    return Acme


Acme = make_acme()
TRACK = {"type": "track", "event": "Signed Up", "userId": "u1"}


def test_declarations_are_copy_on_write():
    Base = integration("Base").setting("a")
    Child = type("Child", (Base,), {}).setting("b", type="integer")
    assert [s.key for s in Base._settings] == ["a"]
    assert [s.key for s in Child._settings] == ["a", "b"]
    assert list(Base.spec()["settings_schema"]["properties"]) == ["a"]
    assert list(Child.spec()["settings_schema"]["properties"]) == ["a", "b"]


def test_declaring_a_key_again_replaces_it_in_place():
    Twice = integration("Twice").setting("a").setting("b").setting("a", type="integer")
    assert [(s.key, s.type) for s in Twice._settings] == [("a", "integer"), ("b", "string")]


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        integration("Positional").setting("a", "string")


def test_nesting_under_a_non_object_setting_is_refused():
    with pytest.raises(ValueError, match="'auth.key' is nested in 'auth', which is a string"):
        integration("Clash").setting("auth").setting("auth.key")
    with pytest.raises(ValueError, match="nested in 'auth'"):
        integration("Clash").setting("auth.key").setting("auth", type="boolean")
    integration("Fine").setting("auth", type="object").setting("auth.key")


def test_bad_declarations_fail_at_declaration():
    with pytest.raises(ValueError, match="setting 'region': type 'enum' needs"):
        integration("Bad").setting("region", type="enum")


def test_spec_exports_the_schema_and_the_declarations():
    spec = Acme.spec()
    schema = spec["settings_schema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == "Acme settings"
    assert schema["properties"]["apiKey"]["title"] == "API key"
    assert schema["properties"]["auth"]["properties"]["token"]["writeOnly"] is True
    assert [s["key"] for s in spec["settings"]] == ["apiKey", "region", "auth.token", "hook"]
    assert spec["settings"][1] == {
        "key": "region", "type": "enum", "name": "region", "description": "",
        "required": False, "default": "us", "secret": False, "allowed": ["us", "eu"],
        "placeholder": None, "ui": None}
    spec["settings_schema"]["properties"].clear()  # a copy: the class keeps its own
    assert Acme.spec()["settings_schema"]["properties"]


def test_validate_settings_returns_a_new_dict_with_defaults():
    given = {"apiKey": "k-123"}
    assert Acme.validate_settings(given) == {"apiKey": "k-123", "region": "us"}
    assert given == {"apiKey": "k-123"}


def test_validate_settings_raises_every_problem():
    with pytest.raises(errors.ValidationError) as info:
        Acme.validate_settings({"region": "mars", "hook": "ftp://x", "auth": {"token": 7}})
    assert [(p.pointer, p.rule) for p in info.value.problems] == [
        ("/apiKey", "required"), ("/region", "enum"), ("/auth/token", "type"),
        ("/hook", "format")]
    assert info.value.integration == "Acme"


def test_an_instance_has_the_defaults_applied():
    assert Acme({"apiKey": "k-123"}).settings["region"] == "us"


def test_invalid_settings_fail_every_message_before_anything_is_sent():
    instance = Acme({"region": "mars"})
    with Sandbox(default=Reply(200)) as sandbox:
        for _ in range(2):
            with pytest.raises(errors.ValidationError) as info:
                instance.process(TRACK)
            assert [p.rule for p in info.value.problems] == ["required", "enum"]
    assert sandbox.exchanges == []


def test_settings_are_validated_once_per_instance(monkeypatch):
    instance = Acme({"apiKey": "k-123"})
    calls = []
    monkeypatch.setattr(type(instance), "validate_settings",
                        classmethod(lambda cls, s: calls.append(s) or dict(s)))
    with Sandbox(default=Reply(200)):
        for _ in range(3):
            instance.process(TRACK)
    assert calls == []


def test_the_classmethod_validate_checks_the_typed_settings_too():
    with pytest.raises(errors.ValidationError, match='setting "apiKey" is required'):
        Acme.validate(TRACK, {})
    Acme.validate(TRACK, {"apiKey": "k"})


def test_ensure_and_typed_settings_work_together():
    Both = (integration("Both").setting("mode", type="enum", allowed=["a", "b"])
            .ensure("settings.token"))
    with pytest.raises(errors.ValidationError, match='setting "mode" must be one of'):
        Both.validate(TRACK, {"mode": "c", "token": "t"})
    with pytest.raises(errors.ValidationError, match='setting "token" is required'):
        Both.validate(TRACK, {"mode": "a", "token": "   "})


def test_the_tester_sends_with_defaults_applied():
    (IntegrationTester(Acme, {"apiKey": "k-123"}).track({"event": "x", "userId": "u"})
     .sends("X-Region", "us").expects(200).end())


# -- declared secrets are masked where the heuristics mask ------------------------------------

SECRETIVE = (integration("Secretive")
             .setting("hush", secret=True)            # no secret-looking word in the name
             .setting("nested.pin", secret=True)
             .setting("blob", type="object", secret=True)
             .setting("plain"))
SETTINGS = {"hush": "hush-value-1", "nested": {"pin": "pin-value-2"},
            "blob": {"inner": "blob-value-3"}, "plain": "plain-value", "apiKey": "heuristic-4"}


def test_declared_secrets_are_in_secrets():
    assert sorted(SECRETIVE(copy.deepcopy(SETTINGS)).secrets()) == sorted(
        ["hush-value-1", "pin-value-2", "blob-value-3", "heuristic-4"])


def test_declared_secrets_are_masked_in_repr():
    text = repr(SECRETIVE(copy.deepcopy(SETTINGS)))
    for secret in ("hush-value-1", "pin-value-2", "blob-value-3", "heuristic-4"):
        assert secret not in text
    assert "plain-value" in text


def test_mask_and_secret_values_take_declared_paths():
    masked = errors.mask(SETTINGS, SECRETIVE.secret_settings())
    assert masked == {"hush": "[REDACTED]", "nested": {"pin": "[REDACTED]"},
                      "blob": "[REDACTED]", "plain": "plain-value", "apiKey": "[REDACTED]"}
    assert errors.mask(SETTINGS)["hush"] == "hush-value-1"  # the heuristics alone
    assert "hush-value-1" in errors.secret_values(SETTINGS, [("hush",)])
    assert "hush-value-1" not in errors.secret_values(SETTINGS)


def test_declared_secrets_are_redacted_from_error_bodies():
    class Echo(SECRETIVE):
        def track(self, msg):
            return self.post("https://echo.test/").send({}).end()

    instance = Echo(copy.deepcopy(SETTINGS))
    with Sandbox(default=Reply(400, "you sent hush-value-1 and pin-value-2")):
        with pytest.raises(errors.HTTPError) as info:
            instance.process(TRACK)
    text = str(info.value) + info.value.body
    assert "hush-value-1" not in text and "pin-value-2" not in text


# -- the shipped integrations -----------------------------------------------------------------

@pytest.mark.parametrize("slug", ["webhooks", "segment", "harness-fme"])
def test_shipped_schemas_are_valid_2020_12_documents(slug):
    from integrations import load

    cls = load(slug)
    schema = cls.spec()["settings_schema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"], f"{slug} declares no typed settings"


def test_harness_fme_reports_every_settings_problem_at_once():
    from integrations import load

    with pytest.raises(errors.ValidationError) as info:
        load("harness-fme").validate_settings(
            {"apiKey": "  ", "enableTrack": "yes", "apiEndpoint": "x",
             "identityMappings": [{"segmentIdentity": "email", "trafficType": "user"}],
             "pageEventFormat": "page"})
    assert [(p.pointer, p.rule) for p in info.value.problems] == [
        ("/apiKey", "required"), ("/environment", "required"),
        ("/identityMappings/0/segmentIdentity", "enum"), ("/enableTrack", "type"),
        ("/pageEventFormat", "pattern"), ("/apiEndpoint", "format")]


def test_segment_masks_its_declared_write_key_and_applies_the_region():
    from integrations import load

    Segment = load("segment")
    instance = Segment({"writeKey": "wk-12345"})
    assert instance.settings["region"] == "us"
    assert "wk-12345" not in repr(instance) and instance.secrets() == ["wk-12345"]
