"""Facade base accessors, proxy/field, options/enabled, create()."""

import copy
from datetime import datetime, timezone

import pytest

from facade import Alias, Delete, Facade, Group, Identify, Page, Screen, Track, create

UTC = timezone.utc


# -- create ---------------------------------------------------------------------

@pytest.mark.parametrize("kind, cls", [
    ("identify", Identify), ("track", Track), ("page", Page), ("screen", Screen),
    ("group", Group), ("alias", Alias), ("delete", Delete), ("Track", Track),
    ("IDENTIFY", Identify), ("unknown", Facade), ("", Facade), (None, Facade),
    (5, Facade), ({"a": 1}, Facade), (["track"], Facade),
])
def test_create_picks_the_class(kind, cls):
    assert type(create({"type": kind})) is cls


def test_create_falls_back_to_action_and_handles_odd_input():
    assert type(create({"action": "track"})) is Track
    assert type(create({})) is Facade
    assert type(create(None)) is Facade
    with pytest.raises(TypeError):
        create("track")
    with pytest.raises(TypeError):
        Facade(["not", "a", "dict"])


def test_type_and_action():
    assert Track({}).type() == Track({}).action() == "track"
    assert Delete({}).type() == "delete"
    assert Facade({"type": "custom"}).type() == "custom"
    assert Facade({"type": 5}).type() is None
    assert Facade({}).action() is None


# -- proxy and field ---------------------------------------------------------------

def test_proxy_first_segment_accessor_then_raw_field():
    msg = {"userId": "u", "context": {"ip": "1.2.3.4", "Page": {"URL": "x"}},
           "messageId": "m", "custom": {"Deep_Key": {"x": 1}}, "Field": 1}
    f = Track(msg)
    assert f.proxy("userId") == "u"
    assert f.proxy("user_id") is None  # not an accessor name: the raw (missing) field
    assert Track({"user_id": "raw", "userId": "u"}).proxy("user_id") == "raw"
    assert f.proxy("context.ip") == "1.2.3.4"
    assert f.proxy("options.ip") == "1.2.3.4"
    assert f.proxy("context.page.url") == "x"
    assert f.proxy("messageId") == "m"
    assert f.proxy("custom.deepKey.X") == 1
    assert f.proxy("custom") == {"Deep_Key": {"x": 1}}
    assert f.proxy("field") is None  # the first segment is exact-case
    assert f.proxy("Field") == 1
    assert f.proxy("Context.ip") is None


def test_proxy_missing_is_none_not_an_empty_object():
    f = Track({})
    assert f.proxy("userId") is None
    assert f.proxy("event") is None
    assert f.proxy("nothing") is None
    assert f.proxy("nothing.deeper") is None
    assert f.proxy("context.missing") is None
    assert f.proxy(None) is None
    assert f.proxy(5) is None


def test_proxy_returns_falsy_values_as_they_are():
    f = Track({"properties": {"zero": 0, "empty": "", "no": False}, "count": 0,
               "active": False})
    assert f.proxy("properties.zero") == 0
    assert f.proxy("properties.empty") == ""
    assert f.proxy("properties.no") is False
    assert f.proxy("count") == 0
    assert f.proxy("count.x") is None


def test_proxy_resolves_against_each_types_accessors():
    msg = {"traits": {"email": "top@x.io"}, "context": {"traits": {"email": "ctx@x.io"}},
           "properties": {"name": "prop"}, "name": "top", "userId": "u"}
    assert Identify(msg).proxy("traits.email") == "top@x.io"
    assert Track(msg).proxy("traits.email") == "ctx@x.io"
    assert Page(msg).proxy("traits.email") == "ctx@x.io"
    assert Track(msg).proxy("traits.id") == "u"
    assert Page(msg).proxy("properties.name") == "top"  # Page#properties mixes in name
    assert Track(msg).proxy("properties.name") == "prop"
    assert Identify(msg).proxy("properties.name") == "prop"  # no accessor: raw field
    assert Group({"groupId": "g", "traits": {"a": 1}}).proxy("traits.id") == "g"


def test_proxy_prefers_options_over_context():
    f = Track({"options": {"ip": "opt"}, "context": {"ip": "ctx"}})
    assert f.proxy("context.ip") == "opt"
    assert f.ip() == "opt"
    assert f.options() == {"ip": "opt"}
    assert Track({"options": {}, "context": {"ip": "ctx"}}).ip() is None  # {} is truthy


def test_field_is_top_level_and_exact():
    f = Track({"messageId": "m", "nested": {"a": 1}, "sentAt": "2014-01-01"})
    assert f.field("messageId") == "m"
    assert f.field("messageid") is None
    assert f.field("nested") == {"a": 1}
    assert f.field("sentAt") == datetime(2014, 1, 1, tzinfo=UTC)
    assert f.field(None) is None


# -- copies, mutation, json, raw_event -------------------------------------------------

def test_returned_values_are_fresh_copies():
    msg = {"type": "track", "properties": {"a": {"b": [1]}}, "context": {"traits": {"x": 1}}}
    snapshot = copy.deepcopy(msg)
    f = create(msg)
    props = f.properties()
    props["a"]["b"].append(2)
    props["new"] = 1
    f.traits()["x"] = 2
    f.context()["traits"]["x"] = 3
    f.proxy("properties.a")["b"].append(3)
    f.json()["properties"]["a"] = None
    f.raw_event()["properties"]["a"] = None
    assert msg == snapshot
    assert f.properties() == {"a": {"b": [1]}}
    assert f.traits() == {"x": 1}


def test_json_sets_type_and_timestamp_and_converts_dates():
    msg = {"type": "page", "timestamp": "2014", "sentAt": "2014-01-02T00:00:00Z"}
    out = Track(msg).json()
    assert out["type"] == "track"
    assert out["timestamp"] == datetime(2014, 1, 1, tzinfo=UTC)
    assert out["sentAt"] == datetime(2014, 1, 2, tzinfo=UTC)
    assert Facade({"type": "custom"}).json()["type"] == "custom"
    assert isinstance(Facade({}).json()["timestamp"], datetime)


def test_raw_event_is_the_input_unchanged():
    msg = {"type": "track", "timestamp": "2014", "sentAt": "2014-01-02"}
    assert Track(msg).raw_event() == msg
    assert "timestamp" not in Track({}).raw_event()


# -- options / context / integrations / enabled ---------------------------------------

def test_options_and_context():
    msg = {"context": {"ip": "1", "Mixpanel": {"ctx": 1}},
           "integrations": {"HubSpot": {"portal": 5}, "Mixpanel": True, "Off": False}}
    f = Track(msg)
    assert f.options() == f.context() == {"ip": "1", "Mixpanel": {"ctx": 1}}
    assert f.options("HubSpot") == {"portal": 5}
    assert f.context("hub_spot") == {"portal": 5}
    assert f.options("HUBSPOT") == {"portal": 5}
    assert f.options("Mixpanel") == {"ctx": 1}  # not an object: read from the context
    assert f.options("Off") is None  # disabled
    assert f.options("Other") == {}
    assert Track({}).options() == {}
    assert Track({"context": "nope"}).options() == {}


def test_integrations_fallbacks():
    assert Track({"integrations": {"a": 1}}).integrations() == {"a": 1}
    assert Track({"context": {"providers": {"b": 2}}}).integrations() == {"b": 2}
    assert Track({"context": {"c": 3}}).integrations() == {"c": 3}
    assert Track({"integrations": {}, "context": {"providers": {"b": 2}}}).integrations() == {}
    assert Track({"integrations": "x"}).integrations() == {}


@pytest.mark.parametrize("msg, name, expected", [
    ({}, "Mixpanel", True),
    ({}, "Salesforce", True),  # no Salesforce special case
    ({"integrations": {"All": False}}, "Mixpanel", False),
    ({"integrations": {"all": False, "Mixpanel": True}}, "Mixpanel", True),
    ({"integrations": {"All": False, "Mixpanel": {"key": 1}}}, "Mixpanel", True),
    ({"integrations": {"All": False, "Mixpanel": None}}, "Mixpanel", True),
    ({"integrations": {"Mixpanel": False}}, "Mixpanel", False),
    ({"integrations": {"Mixpanel": False}}, "mixpanel", False),  # case-insensitive
    ({"integrations": {"HubSpot": False}}, "hub_spot", False),
    ({"integrations": {"Google Analytics": False}}, "google-analytics", False),
    ({"integrations": {"Customer.io": False}}, "customer.io", False),
    ({"context": {"Customer.io": False}}, "Customer.io", False),  # falls back to context
    ({"context": {"providers": {"all": False}}}, "Mixpanel", False),
    ({"context": {"providers": {"Mixpanel": False}}}, "Mixpanel", False),
    ({"context": {"providers": {"Mixpanel": 0}}}, "Mixpanel", True),  # not a boolean
    ({"context": {"providers": {"Mixpanel": {}}}}, "Mixpanel", True),
    ({"context": {"all": False}}, "Mixpanel", False),
    ({"context": {"all": "no"}, "integrations": {"All": False}}, "X", False),
    ({"integrations": {"All": "false"}}, "X", True),  # only booleans count for All
    ({"integrations": {"providers": {"X": False}}}, "X", False),
])
def test_enabled(msg, name, expected):
    assert Track(msg).enabled(name) is expected


def test_enabled_odd_names():
    assert Track({"integrations": {"All": False}}).enabled(None) is False
    assert Track({}).enabled(5) is True


# -- simple base accessors ---------------------------------------------------------------

def test_active():
    assert Track({}).active() is True
    assert Track({"context": {"active": None}}).active() is True
    assert Track({"context": {"active": False}}).active() is False
    assert Track({"context": {"active": 0}}).active() == 0  # not coerced
    assert Track({"context": {"active": "yes"}}).active() == "yes"


@pytest.mark.parametrize("msg, expected", [
    ({"anonymousId": "a", "sessionId": "s"}, "a"),
    ({"sessionId": "s"}, "s"),
    ({"anonymousId": "", "sessionId": "s"}, "s"),
    ({"anonymousId": 0}, None),
    ({}, None),
])
def test_anonymous_and_session_id(msg, expected):
    assert Track(msg).anonymous_id() == expected
    assert Track(msg).session_id() == expected


def test_ids_and_simple_context_fields():
    f = Track({"userId": "u", "channel": "server",
               "context": {"groupId": "g", "user_agent": "UA", "timezone": "Europe/Berlin",
                           "IP": "9.9.9.9"}})
    assert f.user_id() == "u"
    assert f.group_id() == "g"
    assert f.user_agent() == "UA"
    assert f.timezone() == "Europe/Berlin"
    assert f.ip() == "9.9.9.9"
    assert f.channel() == "server"
    assert Track({}).user_id() is None


@pytest.mark.parametrize("library, expected", [
    (None, {"name": "unknown", "version": None}),
    ("", {"name": "unknown", "version": None}),
    ("analytics.js", {"name": "analytics.js", "version": None}),
    ({"name": "analytics-ios", "version": "1"}, {"name": "analytics-ios", "version": "1"}),
    ({}, {}),
    (5, {"name": "unknown", "version": None}),
])
def test_library(library, expected):
    assert Track({"context": {"library": library}}).library() == expected


@pytest.mark.parametrize("context, expected", [
    ({}, {}),
    ({"device": {"type": "tv"}}, {"type": "tv"}),
    ({"device": {"id": 1}, "library": {"name": "analytics-ios"}}, {"id": 1, "type": "ios"}),
    ({"library": "analytics-android"}, {"type": "android"}),
    ({"device": "phone", "library": "analytics-ios"}, {"type": "ios"}),
    ({"device": {"type": ""}, "library": "analytics-ios"}, {"type": "ios"}),
    ({"library": {"name": 5}}, {}),
])
def test_device(context, expected):
    assert Track({"context": context}).device() == expected


# -- traits (base: context traits) and aliases -------------------------------------------

def test_base_traits_are_context_traits_plus_id():
    f = Track({"userId": "u", "context": {"traits": {"a": 1}}})
    assert f.traits() == {"a": 1, "id": "u"}
    assert Track({}).traits() == {}
    assert Track({"context": {"traits": "x"}, "userId": "u"}).traits() == {"id": "u"}
    assert Alias({"to": "t"}).traits() == {"id": "t"}


def test_base_traits_aliases():
    f = Track({"userId": "u", "context": {"traits": {"firstName": "Ada", "x": 1, "y": None}}})
    assert f.traits({"firstName": "first", "x": "x", "y": "z", "missing": "m"}) == \
        {"first": "Ada", "x": 1, "y": None, "id": "u"}
    # an accessor's value wins over the trait of the same name
    assert f.traits({"userId": "uid"})["uid"] == "u"
    assert f.traits("not a dict") == {"firstName": "Ada", "x": 1, "y": None, "id": "u"}


# -- address ------------------------------------------------------------------------------

@pytest.mark.parametrize("cls, msg, method, expected", [
    (Track, {"context": {"traits": {"address": {"country": "country"}}}}, "country", "country"),
    (Facade, {"context": {"traits": {"postalCode": "postalCode"}}}, "zip", "postalCode"),
    (Facade, {"context": {"traits": {"zip": "z"}}}, "zip", "z"),
    (Facade, {"context": {"traits": {"address": {"zip": "z"}, "postalCode": "p"}}}, "zip", "p"),
    (Facade, {"context": {"traits": {"address": {"postal_code": "pc"}}}}, "zip", "pc"),
    (Track, {"properties": {"address": {"city": "c"}}}, "city", "c"),
    (Track, {"properties": {"street": "s"}}, "street", "s"),
    (Track, {"context": {"traits": {"state": "t"}}, "properties": {"state": "p"}}, "state", "t"),
    (Track, {"properties": {"address": {"zip": "z"}}}, "zip", "z"),
    (Identify, {"traits": {"address": {"region": "r"}}}, "region", "r"),
    (Identify, {"traits": {"city": ""}}, "city", None),  # the chain ends with props
    (Track, {"properties": {"city": ""}}, "city", None),  # one-key chains end with null
    (Track, {"properties": {"zip": ""}}, "zip", ""),  # two-key ones with the last value
    (Identify, {"properties": {"city": "x"}}, "city", None),  # Identify has no properties
    (Group, {"traits": {"address": {"city": "gc"}}}, "city", "gc"),
    (Group, {"properties": {"city": "pc"}}, "city", "pc"),
    (Page, {"properties": {"country": "pc"}}, "country", "pc"),
    (Facade, {}, "city", None),
])
def test_address(cls, msg, method, expected):
    assert getattr(cls(msg), method)() == expected


# -- one / multi ---------------------------------------------------------------------------

class Custom(Facade):
    bird = Facade.one("properties.bird")
    birds = Facade.multi("properties.bird")


@pytest.mark.parametrize("props, one, many", [
    ({"bird": "a"}, "a", ["a"]),
    ({"birds": ["b", "c"]}, "b", ["b", "c"]),
    ({"bird": "a", "birds": ["b"]}, "a", ["b"]),
    ({"birds": []}, None, []),
    ({"birds": "x"}, None, []),
    ({}, None, []),
])
def test_one_and_multi(props, one, many):
    f = Custom({"properties": props})
    assert f.bird() == one
    assert f.birds() == many


def test_roots_are_the_original_camel_case_names():
    f = Identify({"userId": "u", "anonymousId": "a", "traits": {"firstName": "Ada"},
                  "context": {"userAgent": "UA"}, "first_name": "raw"})
    assert f.proxy("anonymousId") == "a"
    assert f.proxy("anonymous_id") is None  # the raw field, as in the original
    assert f.proxy("firstName") == "Ada"
    assert f.proxy("first_name") == "raw"
    assert f.proxy("userAgent") == "UA"
    assert Alias({"from": "p", "to": "n"}).proxy("from") == "p"
    assert Alias({"from": "p", "to": "n"}).proxy("previousId") == "p"


def test_raw_copies_one_field_as_given():
    message = {"type": "track", "properties": {"at": "2014-01-01", "nested": {"a": [1]}}}
    msg = create(message)
    raw = msg.raw("properties")
    assert raw == {"at": "2014-01-01", "nested": {"a": [1]}}
    raw["nested"]["a"].append(2)
    assert message["properties"]["nested"]["a"] == [1]
    assert msg.raw("missing") is None
    assert msg.raw("type") == "track"
