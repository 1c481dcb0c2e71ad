"""The hot paths (enabled, proxy, Track.email/referrer/revenue, library, address, dates in
JSON) answer exactly what the straightforward get()/out() formulations answer."""

from collections import OrderedDict
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facade import Group, Identify, Page, Track, create, dumps, export
from facade.dates import UTC, _TEXT_MAX, iso_value
from facade.objcase import find, find_key, lookup
from facade.values import is_email, out, truthy
from facade.views import get
from framework.testing.strategies import any_messages, messages

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
NAMES = ["Acme", "Mixpanel", "mixpanel", "hub_spot", "All", "all", "providers", "", "a.b",
         "Customer.io", None, 5]


def reference_enabled(f, name):
    """The algorithm of enabled() as first written (before the fast path)."""
    options = f._ctx()
    enabled = lookup(options, "providers.all")
    if type(enabled) is not bool:
        enabled = lookup(options, "all")
    if type(enabled) is not bool:
        enabled = find(f._integrations_view(), "all")
    if type(enabled) is not bool:
        enabled = True
    integrations = f._integrations_view()
    providers = integrations.get("providers")
    key = find_key(providers, name)
    if key is not None:
        enabled = providers[key]
    key = find_key(integrations, name)
    if key is not None:
        settings_ = integrations[key]
        enabled = settings_ if type(settings_) is bool else True
    return truthy(enabled)


def reference_proxy(f, path):
    """proxy() as first written: accessor or view root, then an obj-case walk."""
    first, dot, rest = path.partition(".")
    root = f._ROOTS.get(first)
    if root is None:
        value = f._obj.get(first)
    else:
        value = getattr(f, root[0])()
        if root[1]:
            return export(value[0]) if not dot else export(get(value, rest))
    return export(value) if not dot else export(find(value, rest))


def reference_track_email(f):
    email = get(f._trt(), "email")
    if not truthy(email):
        email = get(f._prp(), "email")
        if not truthy(email):
            email = get(f._ctx(), "traits.email")
    if truthy(email):
        return out(email)
    user_id = f.user_id()
    return user_id if is_email(user_id) else None


def reference_referrer(f):
    value = get(f._ctx(), "referrer.url")
    if not truthy(value):
        value = get(f._ctx(), "page.referrer")
        if not truthy(value):
            value = get(f._prp(), "referrer")
    return out(value)


PROXY_PATHS = ["context.locale", "context.page.url", "context.ip", "traits.email",
               "properties.revenue", "properties.products.0", "integrations.All", "userId",
               "user_id", "timestamp", "context", "traits", "context.", "properties",
               "options.library.name", "event", "nope.a", "sentAt"]


def _same(a, b):
    return dumps(a) == dumps(b) and type(a) is type(b)


@SETTINGS
@given(st.one_of(messages(), any_messages()))
def test_fast_paths_match_the_reference(message):
    f = create(message)
    for name in NAMES:
        assert f.enabled(name) is reference_enabled(create(message), name)
    for path in PROXY_PATHS:
        assert _same(f.proxy(path), reference_proxy(f, path))
    if isinstance(f, (Track, Page)):
        assert _same(f.referrer(), reference_referrer(f))
    if isinstance(f, Track):
        assert _same(f.email(), reference_track_email(f))
        assert _same(f.library(), create(message).library())


@pytest.mark.parametrize("msg, expected", [
    ({"integrations": OrderedDict([("All", False), ("Acme", True)])}, True),
    ({"integrations": OrderedDict([("All", False)])}, False),
    ({"integrations": {"ACME": False, "Acme": True}}, True),  # the exact key wins
    ({"integrations": {"ACME": {"k": 1}}}, True),
    ({"integrations": {"All": False, "providers": {"acme": True}}}, True),
    ({"integrations": {"providers": {"Acme": False}, "Acme": True}}, True),
    ({"context": {"providers.all": False}}, False),
    ({"context": {"Providers": {"ALL": False}}}, False),
    ({"context": {"providers": {"all": "no"}, "ALL": False}}, False),
    ({"context": {"all": True}, "integrations": {"All": False}}, True),
    ({"integrations": {}, "context": {"all": False}}, False),
    ({"integrations": {}}, True),
])
def test_enabled_edge_cases(msg, expected):
    assert Track(msg).enabled("Acme") is expected
    assert reference_enabled(Track(msg), "Acme") is expected


def test_proxy_readers_are_per_class():
    msg = {"type": "page", "name": "Home", "properties": {"name": "prop"},
           "context": {"Locale": "fr", "library": {"name": "n"}}, "traits": {"a": 1}}
    assert Page(msg).proxy("properties.name") == "Home"  # Page's own properties view
    assert Track(msg).proxy("properties.name") == "prop"
    assert Page(msg).proxy("context.locale") == "fr"
    assert Identify(msg).proxy("traits.a") == 1
    assert Track(msg).proxy("traits.a") is None  # Track's traits are context.traits
    assert Track(msg).proxy("context.library") == {"name": "n"}
    assert Track({"context": {"x": "2014-01-02"}}).proxy("context.x") == \
        datetime(2014, 1, 2, tzinfo=UTC)


def test_revenue_of_order_completed_events():
    class Name(str):
        pass
    for event in ("Order Completed", "completed order", Name("Order Completed")):
        assert Track({"event": event, "properties": {"total": "$5"}}).revenue() == 5
    assert Track({"event": "Order Viewed", "properties": {"total": 5}}).revenue() is None
    assert Track({"properties": {"revenue": "2014-01-01"}}).revenue() is None
    assert Track({"properties": {"Revenue": "12.5"}}).revenue() == 12.5


def test_track_email_and_referrer_sources():
    ctx = {"traits": {"email": ""}, "referrer": {"url": ""}, "page": {"referrer": 0}}
    f = Track({"userId": "a@b.co", "context": ctx, "properties": {"referrer": ""}})
    assert f.email() == "a@b.co"
    assert f.referrer() == ""  # the last value looked at, as JavaScript's || chain
    f = Track({"context": {"traits.email": "x@y.z", "traits": {"email": ""}}})
    assert f.email() == "x@y.z"  # "traits.email" comes before "traits" in the context
    f = Track({"properties": {"email": "2014-01-01"}})
    assert f.email() == datetime(2014, 1, 1, tzinfo=UTC)
    f = Track({"context": {"page": {"referrer": {"a": [1]}}}})
    ref = f.referrer()
    ref["a"].append(2)
    assert f.referrer() == {"a": [1]}


@pytest.mark.parametrize("library, expected", [
    ({"name": "n", "version": "1"}, {"name": "n", "version": "1"}),
    ({}, {}),
    (OrderedDict(name="o"), {"name": "o"}),
    ("analytics.js", {"name": "analytics.js", "version": None}),
    ("", {"name": "unknown", "version": None}),
    ("2014-01-01", {"name": "unknown", "version": None}),  # read as a date
    ("2014-xx", {"name": "2014-xx", "version": None}),
    (5, {"name": "unknown", "version": None}),
    (None, {"name": "unknown", "version": None}),
])
def test_library(library, expected):
    f = Track({"context": {"library": library}})
    got = f.library()
    assert got == expected and type(got) is dict
    if isinstance(library, dict):
        got["x"] = 1
        assert "x" not in library


def test_address_lookups():
    traits = {"address": {"city": ""}, "City": "2014-01-01", "country": 0}
    f = Identify({"traits": traits})
    assert f.city() == datetime(2014, 1, 1, tzinfo=UTC)
    assert f.country() is None  # the last value looked at: properties.country
    g = Group({"traits": {"address": {"city": {"n": 1}}}})
    city = g.city()
    city["n"] = 2
    assert g.city() == {"n": 1}


def test_dates_in_json_survive_the_text_cache_filling_up():
    texts = ["2024-01-01T00:00:%02d.%03dZ" % (i % 60, i % 1000)
             for i in range(_TEXT_MAX * 2 + 3)]
    dates = [iso_value(t) for t in texts]
    assert dumps(dates) == dumps(texts)
    naive = datetime(2024, 1, 1, 10, 0, 0, 123456)
    assert dumps([naive]) == '["2024-01-01T10:00:00.123Z"]'
