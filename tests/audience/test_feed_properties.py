"""PropertiesWrapper: lookups by name and type, and their values."""

import pytest

from framework.audience import PropertiesWrapper
from framework.audience.properties import PROPERTY_TYPES

PROPERTIES = [
    {"technical_name": "token", "property_type": "STRING", "value": {"value": "t"}},
    {"technical_name": "blank", "property_type": "STRING", "value": {"value": "  "}},
    {"technical_name": "base", "property_type": "URL", "value": {"url": "https://x.test"}},
    {"technical_name": "on", "property_type": "BOOLEAN", "value": {"value": False}},
    {"technical_name": "size", "property_type": "INT", "value": {"value": 3}},
    {"technical_name": "ratio", "property_type": "DOUBLE", "value": {"value": 0.5}},
    {"technical_name": "file", "property_type": "DATA_FILE", "value": {"uri": "mics://f"}},
    {"technical_name": "broken", "property_type": "STRING", "value": "not an object"},
    {"property_type": "STRING"}, "junk",
]


def test_lookups():
    wrapper = PropertiesWrapper(PROPERTIES)
    assert len(wrapper) == 8 and "token" in repr(wrapper)
    assert wrapper.get("token")["value"] == {"value": "t"}
    assert wrapper.get("absent") is None
    assert [p["technical_name"] for p in wrapper.of_type("STRING")] == ["token", "blank",
                                                                        "broken"]
    assert wrapper.find_string_property("token") is wrapper.get("token")
    assert wrapper.find_url_property("token") is None  # right name, wrong type
    assert wrapper.find_data_file_property("file")["value"]["uri"] == "mics://f"
    assert wrapper.find_boolean_property("on") is not None


def test_values():
    wrapper = PropertiesWrapper(PROPERTIES)
    assert wrapper.string_value("token") == "t"
    assert wrapper.string_value("blank") is None
    assert wrapper.string_value("broken") is None
    assert wrapper.string_value("absent") is None
    assert wrapper.url_value("base") == "https://x.test"
    assert wrapper.boolean_value("on") is False
    assert wrapper.number_value("size") == 3 and wrapper.number_value("ratio") == 0.5
    assert wrapper.number_value("token") is None


@pytest.mark.parametrize("property_type", PROPERTY_TYPES)
def test_every_type_has_a_finder(property_type):
    name = {"ASSET": "asset_file", "ASSET_FILE": "asset_file"}.get(
        property_type, property_type.lower())
    wrapper = PropertiesWrapper([{"technical_name": "p", "property_type": property_type,
                                  "value": {}}])
    assert getattr(wrapper, f"find_{name}_property")("p") is wrapper.get("p")
    assert getattr(wrapper, f"find_{name}_property")("q") is None
