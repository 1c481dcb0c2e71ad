"""``.mapping(name)`` and the to-no-case matching behind it (the original's #map table)."""

import pytest

from framework import integration
from framework.mapping import map_setting, to_no_case


@pytest.mark.parametrize("text, expected", [
    ("My Event", "my event"), ("my_event", "my event"), ("myEvent", "my event"),
    ("my-event", "my event"), ("My  Event", "my  event"), ("my.event", "my event"),
])
def test_to_no_case(text, expected):
    assert to_no_case(text) == expected


@pytest.mark.parametrize("setting, value, expected", [
    ({"a": "d2ecbc98"}, "A", ["d2ecbc98"]),
    ({"My Event": "7b4fe803"}, "my_event", ["7b4fe803"]),
    ([{"key": "baz", "value": "4cff6219"}, {"key": "baz", "value": "4426d54"},
      {"key": "other", "value": "x"}], "baz", ["4cff6219", "4426d54"]),
    ([], "baz", []),
    ([{"value": "no key"}], "baz", []),
    (None, "", []), (0, "", []), ("", "", []), (5, "x", []),
    ({"My  Event": "two spaces"}, "my event", []),
])
def test_map_setting(setting, value, expected):
    assert map_setting(setting, value) == expected


def test_mapping_defines_a_method():
    Test = integration("Test").mapping("events")
    assert Test({"events": {"a": "d2ecbc98"}}).events("A") == ["d2ecbc98"]
    assert Test({}).events("A") == []


@pytest.mark.parametrize("name", ["track", "ensure", "endpoint"])
def test_mapping_refuses_to_replace_a_method(name):
    with pytest.raises(ValueError, match="would replace a method"):
        integration("Test").mapping(name)
