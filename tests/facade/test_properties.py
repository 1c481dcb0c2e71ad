"""Property-based tests: no accessor raises on any JSON-like message, none mutates it."""

import copy
import json
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facade import Alias, Facade, Group, Identify, Page, Track, create, dumps
from framework.testing.strategies import any_messages, json_values, messages

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

BASE = ["options", "context", "integrations", "active", "anonymous_id", "session_id",
        "user_id", "group_id", "traits", "library", "device", "user_agent", "timezone",
        "ip", "timestamp", "channel", "zip", "country", "street", "state", "city",
        "region", "json", "raw_event", "type", "action"]
EXTRA = {
    Identify: ["email", "created", "company_created", "company_name", "name", "first_name",
               "last_name", "uid", "description", "age", "avatar", "position", "username",
               "website", "websites", "phone", "phones", "address", "gender", "birthday"],
    Track: ["event", "properties", "value", "category", "id", "sku", "tax", "name", "price",
            "total", "repeat", "coupon", "shipping", "discount", "description", "plan",
            "product_id", "promotion_id", "cart_id", "checkout_id", "payment_id",
            "coupon_id", "wishlist_id", "review_id", "shipping_method", "payment_method",
            "order_id", "subtotal", "products", "quantity", "currency", "referrer", "query",
            "username", "email", "revenue", "cents", "identify"],
    Page: ["category", "name", "title", "path", "url", "referrer", "properties", "email",
           "full_name", "event", "track"],
    Group: ["group_id", "properties", "traits", "created", "email", "name", "industry",
            "employees"],
    Alias: ["previous_id", "user_id"],
}
NAMES = ["Mixpanel", "hub_spot", "All", "", "a.b"]
PATHS = ["userId", "context.ip", "properties.revenue", "traits.email", "context.page.url",
         "integrations.All", "a.b.c", "", ".", "traits.address.city", "properties.products.0"]


def accessors(f):
    names = list(BASE)
    for cls, extra in EXTRA.items():
        if isinstance(f, cls):
            names += extra
    return names


def exercise(f):
    results = {}
    for name in accessors(f):
        value = getattr(f, name)()
        results[name] = value.json() if isinstance(value, Facade) else value
    for name in NAMES:
        results["enabled:" + name] = f.enabled(name)
        results["options:" + name] = f.options(name)
    for path in PATHS:
        results["proxy:" + path] = f.proxy(path)
        results["field:" + path] = f.field(path)
    results["aliases"] = f.traits({"email": "e", "name": "name", "userId": "uid"})
    if hasattr(f, "properties") and not isinstance(f, Group):
        results["props_aliases"] = f.properties({"revenue": "r", "url": "url"})
    return results


def check(message):
    snapshot = copy.deepcopy(message)
    f = create(message)
    first = exercise(f)
    second = exercise(f)
    assert message == snapshot, "the caller's message was mutated"
    # reading twice gives equal results (the timestamp is fixed at construction)
    assert dumps(first) == dumps(second)
    assert isinstance(f.timestamp(), (datetime, type(None)))
    json.loads(dumps(f.json()))


@SETTINGS
@given(messages())
def test_realistic_messages(message):
    check(message)


@SETTINGS
@given(any_messages())
def test_odd_messages(message):
    check(message)


@SETTINGS
@given(st.sampled_from(["track", "identify", "page", "screen", "group", "alias", "x"]),
       json_values(8))
def test_any_value_in_every_field(kind, value):
    fields = ["userId", "anonymousId", "traits", "properties", "context", "options",
              "integrations", "timestamp", "event", "name", "category", "groupId",
              "previousId", "channel"]
    check(dict({field: value for field in fields}, type=kind))


@SETTINGS
@given(messages())
def test_returned_values_do_not_leak(message):
    f = create(message)
    for name in accessors(f):
        value = getattr(f, name)()
        if isinstance(value, dict):
            value["__injected__"] = 1
        elif isinstance(value, list):
            value.append("__injected__")
    assert "__injected__" not in dumps(f.json())
    assert "__injected__" not in json.dumps(f.raw_event(), default=str)
