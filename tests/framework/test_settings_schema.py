"""Typed settings: the JSON Schema export and validation with every problem at once."""

import jsonschema
import pytest

from framework import errors
from framework.settings_schema import (DIALECT, SettingsSchema, build_schema, is_http_url,
                                       make_setting)


def compiled(*settings):
    return SettingsSchema([make_setting(key, **options) for key, options in settings],
                          integration="Acme")


def problems(schema, values):
    with pytest.raises(errors.ValidationError) as info:
        schema.validate(values)
    assert info.value.code == "INVALID_SETTINGS"
    assert info.value.integration == "Acme"
    return [(p.pointer, p.rule, p.message) for p in info.value.problems]


EVERY_TYPE = compiled(
    ("apiKey", dict(required=True, secret=True, description="The API key")),
    ("enabled", dict(type="boolean", default=True)),
    ("retries", dict(type="integer", default=3)),
    ("ratio", dict(type="number")),
    ("endpoint", dict(type="uri", default="https://api.acme.test")),
    ("region", dict(type="enum", allowed=["us", "eu"], default="us")),
    ("tags", dict(type="array")),
    ("events", dict(type="multiselect", allowed=["a", "b"])),
    ("extra", dict(type="object")),
    ("account.user", dict(required=True)),
    ("account.password", dict(secret=True)),
)


def test_valid_settings_come_back_with_defaults_and_undeclared_keys_kept():
    given = {"apiKey": "k-1234", "account": {"user": "u"}, "unknown": [1], "retries": None}
    result = EVERY_TYPE.validate(given)
    assert result == {"apiKey": "k-1234", "account": {"user": "u"}, "unknown": [1],
                      "enabled": True, "retries": 3, "endpoint": "https://api.acme.test",
                      "region": "us"}
    assert given["retries"] is None and "enabled" not in given  # the input is not changed


def test_defaults_are_copies():
    schema = compiled(("list", dict(type="array", default=["x"])))
    first = schema.validate({})
    first["list"].append("y")
    assert schema.validate({}) == {"list": ["x"]}


@pytest.mark.parametrize("key,value,rule,text", [
    ("enabled", "yes", "type", 'setting "enabled" must be true or false, got "yes"'),
    ("retries", 1.5, "type", 'setting "retries" must be a whole number, got 1.5'),
    ("retries", True, "type", 'setting "retries" must be a whole number, got true'),
    ("ratio", "1", "type", 'setting "ratio" must be a number, got "1"'),
    ("endpoint", "ftp://x.test", "format",
     'setting "endpoint" must be an absolute http(s) URL, got "ftp://x.test"'),
    ("endpoint", "/relative", "format",
     'setting "endpoint" must be an absolute http(s) URL, got "/relative"'),
    ("endpoint", 5, "type", 'setting "endpoint" must be an absolute http(s) URL, got 5'),
    ("region", "mars", "enum", 'setting "region" must be one of "us", "eu", got "mars"'),
    ("tags", "a", "type", 'setting "tags" must be a list of strings, got "a"'),
    ("events", ["a", "c"], "enum",
     'setting "events" item 1 must be one of "a", "b", got "c"'),
    ("events", ["a", "a"], "uniqueItems", 'setting "events" must not repeat a value'),
    ("extra", [], "type", 'setting "extra" must be an object, got []'),
])
def test_each_type_names_the_setting_the_rule_and_the_value(key, value, rule, text):
    found = problems(EVERY_TYPE, {"apiKey": "k-1234", "account": {"user": "u"}, key: value})
    assert len(found) == 1
    pointer, got_rule, message = found[0]
    assert (got_rule, message.split(", got")[0]) == (rule, text.split(", got")[0])
    assert message == text or rule == "uniqueItems"
    assert pointer.startswith("/" + key)


def test_array_items_must_be_strings():
    found = problems(EVERY_TYPE, {"apiKey": "k-1234", "account": {"user": "u"}, "tags": ["a", 2]})
    assert found == [("/tags/1", "type", 'setting "tags" item 1 must be a string, got 2')]


@pytest.mark.parametrize("value,note", [(None, ""), ("", " (got a blank string)"),
                                        ("  \t", " (got a blank string)")])
def test_required_means_present_and_not_blank(value, note):
    values = {"account": {"user": "u"}}
    if value is not None:
        values["apiKey"] = value
    assert problems(EVERY_TYPE, values) == [
        ("/apiKey", "required", f'setting "apiKey" is required{note}')]


def test_a_required_list_must_not_be_empty():
    schema = compiled(("hooks", dict(type="array", required=True)))
    assert problems(schema, {"hooks": []}) == [
        ("/hooks", "required", 'setting "hooks" is required (got an empty list)')]


def test_nested_keys_are_reported_with_their_dotted_name_and_pointer():
    assert problems(EVERY_TYPE, {"apiKey": "k-1234", "account": {}}) == [
        ("/account/user", "required", 'setting "account.user" is required')]
    assert problems(EVERY_TYPE, {"apiKey": "k-1234"}) == [
        ("/account/user", "required", 'setting "account.user" is required')]
    assert problems(EVERY_TYPE, {"apiKey": "k-1234", "account": "x"}) == [
        ("/account", "type", 'setting "account" must be an object, got "x"')]


def test_every_problem_is_reported_at_once_in_declaration_order():
    with pytest.raises(errors.ValidationError) as info:
        EVERY_TYPE.validate({"enabled": 1, "region": "mars", "endpoint": "nope",
                             "account": {"user": " "}})
    found = [(p.source, p.pointer, p.rule) for p in info.value.problems]
    assert found == [("settings", "/apiKey", "required"), ("settings", "/enabled", "type"),
                     ("settings", "/endpoint", "format"), ("settings", "/region", "enum"),
                     ("settings", "/account/user", "required")]
    assert str(info.value).startswith("5 settings problems: setting \"apiKey\" is required; ")
    assert info.value.to_dict()["problems"][1]["pointer"] == "/enabled"


def test_secret_values_never_appear_in_problems():
    with pytest.raises(errors.ValidationError) as info:
        EVERY_TYPE.validate({"apiKey": ["hunter2-secret"],
                             "account": {"user": "u", "password": 12345}})
    text = str(info.value) + repr(info.value.to_dict())
    assert "hunter2" not in text and "12345" not in text
    assert [p.message for p in info.value.problems] == [
        'setting "apiKey" must be a string, got [REDACTED]',
        'setting "account.password" must be a string, got [REDACTED]']


def test_long_values_are_cut():
    found = problems(compiled(("n", dict(type="integer"))), {"n": "x" * 500})
    assert len(found[0][2]) < 120
    assert found[0][2].endswith('got "' + "x" * 56 + "...")


def test_settings_that_are_not_an_object():
    assert problems(EVERY_TYPE, ["a"]) == [("", "type", "settings must be an object, got a list")]


def test_pointers_escape_slash_and_tilde():
    schema = compiled(("a/b~c", dict(type="integer")))
    assert problems(schema, {"a/b~c": "x"})[0][0] == "/a~1b~0c"


def test_extra_schema_keywords_and_their_message():
    schema = compiled(
        ("format", dict(default="view_{name}", schema={
            "pattern": r"\{name\}", "x-message": 'must be a string containing "{name}"'})),
        ("mappings", dict(type="array", schema={"items": {
            "type": "object", "required": ["trafficType"],
            "properties": {"segmentIdentity": {"enum": ["userId", "anonymousId"]}}}})),
        ("size", dict(type="integer", schema={"minimum": 1})))
    found = problems(schema, {"format": "view", "size": 0,
                              "mappings": [{"segmentIdentity": "email", "trafficType": "t"},
                                           {}]})
    assert found == [
        ("/format", "pattern", 'setting "format" must be a string containing "{name}", '
                               'got "view"'),
        ("/mappings/0/segmentIdentity", "enum",
         'setting "mappings" item 0: "segmentIdentity" must be one of "userId", '
         '"anonymousId", got "email"'),
        ("/mappings/1/trafficType", "required",
         'setting "mappings" item 1: "trafficType" is required'),
        ("/size", "minimum", 'setting "size" must be at least 1, got 0')]


def test_undeclared_settings_need_no_jsonschema_and_pass():
    assert SettingsSchema([]).validate({"anything": object}) == {"anything": object}


# -- the document -----------------------------------------------------------------------------

def test_the_document_is_valid_json_schema_2020_12():
    schema = EVERY_TYPE.schema
    assert schema["$schema"] == DIALECT
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validators.validator_for(schema).check_schema(schema)
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft202012Validator


def test_the_document_carries_what_a_ui_renders():
    schema = EVERY_TYPE.schema
    props = schema["properties"]
    assert schema["title"] == "Acme settings"
    assert schema["required"] == ["apiKey", "account"]
    assert props["apiKey"] == {"title": "apiKey", "description": "The API key",
                               "type": "string", "minLength": 1, "pattern": r"\S",
                               "writeOnly": True, "secret": True, "x-setting-type": "string"}
    assert props["endpoint"]["format"] == "uri"
    assert props["endpoint"]["default"] == "https://api.acme.test"
    assert props["region"]["enum"] == ["us", "eu"]
    assert props["events"]["items"] == {"type": "string", "enum": ["a", "b"]}
    assert props["account"]["type"] == "object"
    assert props["account"]["required"] == ["user"]
    assert list(props["account"]["properties"]) == ["user", "password"]
    assert props["account"]["properties"]["password"]["writeOnly"] is True
    assert list(props) == ["apiKey", "enabled", "retries", "ratio", "endpoint", "region",
                           "tags", "events", "extra", "account"]


def test_name_placeholder_and_ui_are_kept():
    setting = make_setting("org", name="Organization", placeholder="acme-inc",
                           ui={"type": "dynamicEnum", "dynamicOptions": {"endpoint": "x"}})
    prop = build_schema([setting])["properties"]["org"]
    assert prop["title"] == "Organization"
    assert prop["x-placeholder"] == "acme-inc"
    assert prop["x-form-variable"] == {"type": "dynamicEnum", "dynamicOptions": {"endpoint": "x"}}


def test_an_object_declared_after_its_children_keeps_them():
    schema = build_schema([make_setting("auth.key", required=True),
                           make_setting("auth", type="object", description="Credentials")])
    auth = schema["properties"]["auth"]
    assert auth["description"] == "Credentials"
    assert list(auth["properties"]) == ["key"] and auth["required"] == ["key"]


# -- declarations that cannot work ------------------------------------------------------------

@pytest.mark.parametrize("key,options,text", [
    ("", {}, "non-empty string"),
    ("a..b", {}, "dot-separated"),
    ("a", {"type": "str"}, "type must be one of string, boolean"),
    ("a", {"type": "enum"}, "needs a non-empty list of allowed values"),
    ("a", {"type": "multiselect", "allowed": []}, "needs a non-empty list"),
    ("a", {"type": "boolean", "allowed": [True]}, "allowed values apply to"),
    ("a", {"type": "enum", "allowed": "ab"}, "got a string"),
    ("a", {"required": True, "default": "x"}, "cannot have a default"),
    ("a", {"type": "integer", "default": "3"}, "default '3' is not a whole number"),
    ("a", {"type": "uri", "default": "ftp://x"}, "is not an absolute http(s) URL"),
    ("a", {"type": "enum", "allowed": ["x"], "default": "y"}, "is not one of the allowed"),
    ("a", {"ui": "dynamicEnum"}, "ui must be a mapping"),
])
def test_bad_declarations_name_the_key_and_the_rule(key, options, text):
    with pytest.raises(ValueError, match=text.replace("(", r"\(").replace(")", r"\)")):
        make_setting(key, **options)


@pytest.mark.parametrize("value,ok", [
    ("https://a.test/x?y=1", True), ("http://127.0.0.1:8000/hook", True), ("HTTP://A.test", True),
    ("ftp://a.test", False), ("https://", False), ("https:///path", False), ("a.test", False),
    (" https://a.test", False), ("https://a.test:port/", False), ("", False), (None, False),
])
def test_is_http_url(value, ok):
    assert is_http_url(value) is ok


def test_a_blank_optional_uri_or_enum_is_unset_as_a_form_leaves_it():
    schema = compiled(("hook", dict(type="uri", default="")),
                      ("mode", dict(type="enum", allowed=["a", "b"], default="")),
                      ("fallback", dict(type="uri", default="https://f.test")),
                      ("pick", dict(type="enum", allowed=["", "x"], default="")))
    assert schema.validate({"hook": "", "mode": " ", "fallback": ""}) == {
        "fallback": "https://f.test", "pick": ""}
    assert "default" not in schema.schema["properties"]["hook"]
    required = compiled(("hook", dict(type="uri", required=True)))
    assert problems(required, {"hook": " "}) == [
        ("/hook", "required", 'setting "hook" is required (got a blank string)')]


def test_the_input_is_never_changed_and_undeclared_values_are_shared():
    schema = compiled(("account.region", dict(default="us")), ("account.user", dict()))
    lock = __import__("threading").Lock()  # cannot be deep-copied
    given = {"account": {"user": None, "other": 1}, "lock": lock}
    result = schema.validate(given)
    assert result == {"account": {"region": "us", "other": 1}, "lock": lock}
    assert given == {"account": {"user": None, "other": 1}, "lock": lock}
    assert result["lock"] is lock
