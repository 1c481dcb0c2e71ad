"""obj-case: case- and separator-insensitive path lookup."""

import pytest

from facade import find, normalize
from facade.objcase import find_key, index, lookup


@pytest.mark.parametrize("key, expected", [
    ("firstName", "firstname"),
    ("first_name", "firstname"),
    ("FIRST NAME", "firstname"),
    ("first-name", "firstname"),
    ("A.HELL(!*&#(!)O_WOR   LD.bar", "a.helloworld.bar"),
    ("ÜberName", "bername"),
    ("", ""),
    (5, "5"),
])
def test_normalize(key, expected):
    assert normalize(key) == expected


@pytest.mark.parametrize("obj, path, expected", [
    ({"first_name": "x"}, "firstName", "x"),
    ({"firstName": "x"}, "first_name", "x"),
    ({"firstName": "x"}, "FIRST NAME", "x"),
    ({"first-name": "x"}, "firstname", "x"),
    ({"my": {"super_cool": {"climbingShoes": "x"}}}, "my.superCool.CLIMBING SHOES", "x"),
    ({"a": {"b.c": 10}}, "a.b.c", 10),
    ({"a.b": {"c": 10}}, "a.b.c", 10),
    ({"a.b.c": 10}, "a.b.c", 10),
    ({"a": {"b": 0}}, "a.b", 0),
    ({"a": {"b": ""}}, "a.b", ""),
    ({"a": {"b": False}}, "a.b", False),
    ({"a": None}, "a.b", None),
    ({"a": 5}, "a.b", None),
    ({"a": "string"}, "a.0", None),
    ({"a": [{"b": 1}, {"b": 2}]}, "a.1.b", 2),
    ({"a": [1, 2]}, "a.2", None),
    ({"a": [1, 2]}, "a.01", None),
    ({}, "a", None),
    ({"a": 1}, "", None),
    ({"$": 1}, "", 1),  # "$" normalises to ""
    ({"": 1}, "", None),  # obj-case never answers the empty key
    ({"a": {"b": 1}}, "a.", {"b": 1}),
])
def test_find(obj, path, expected):
    assert find(obj, path) == expected


def test_first_key_in_order_wins():
    assert find({"FirstName": 1, "first_name": 2, "firstName": 3}, "firstName") == 1
    assert find({"first_name": 2, "FirstName": 1}, "FIRSTNAME") == 2
    # the first key that is a dot-prefix of the path wins, without backtracking
    assert find({"a": {"x": 1}, "a.b": 2}, "a.b") is None
    assert find({"a.b": 2, "a": {"b": 1}}, "a.b") == 2
    assert find({"a": {"b": 1}, "a.b": 2}, "a.b") == 1


def test_find_on_non_containers_and_bad_paths():
    assert find(None, "a") is None
    assert find(5, "a") is None
    assert find("abc", "a") is None
    assert find({"a": 1}, None) is None
    assert find({"a": 1}, 5) is None


def test_find_does_not_copy():
    inner = {"b": 1}
    assert find({"a": inner}, "A") is inner


def test_lookup_with_nested_cache():
    page = {"url": "u", "referrer": "r"}
    ctx = {"page": page, "Page.Title": "t"}
    view = (ctx, index(ctx), {})
    assert lookup(view, "page.url") == "u"
    assert lookup(view, "page.referrer") == "r"
    assert lookup(view, "page.title") is None  # "page" comes first and has no title
    assert lookup((ctx, index(ctx), None), "page.url") == "u"
    first = {"Page.Title": "t", "page": page}
    assert lookup((first, index(first), {}), "page.title") == "t"
    assert lookup(view, "PAGE.URL") == "u"
    assert lookup(view, 7) is None
    ctx["page"] = {"url": "other"}  # a replaced child is noticed
    assert lookup(view, "page.url") == "other"


@pytest.mark.parametrize("obj, name, expected", [
    ({"HubSpot": 1}, "hub_spot", "HubSpot"),
    ({"HubSpot": 1, "hubspot": 2}, "hubspot", "hubspot"),  # the exact key first
    ({"Customer.io": 1}, "customer.io", "Customer.io"),
    ({"Customer.io": 1}, "Customer.io", "Customer.io"),
    ({"a": 1}, "b", None),
    ([], "a", None),
    ({"a": 1}, None, None),
])
def test_find_key(obj, name, expected):
    assert find_key(obj, name) == expected
