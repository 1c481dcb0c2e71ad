"""framework.jsoncodec: orjson's speed, the stdlib's values, for inputs and queue bodies."""

from __future__ import annotations

import datetime
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework import jsoncodec, jsonlimits


def same(a, b):
    """Equal as JSON values, NaN equal to NaN, and ints never equal to floats."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


scalars = (st.none() | st.booleans() | st.floats(allow_nan=True, allow_infinity=True)
           | st.integers(min_value=-2 ** 80, max_value=2 ** 80)
           | st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)
messages = st.dictionaries(st.text(max_size=8), values, max_size=6)


@settings(max_examples=300, deadline=None)
@given(messages)
def test_dumps_then_loads_gives_what_the_stdlib_gives(message):
    text = jsoncodec.dumps(message)
    stdlib = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
    assert same(jsoncodec.loads(text, max_depth=None), json.loads(stdlib))


@settings(max_examples=300, deadline=None)
@given(messages, st.booleans())
def test_loads_agrees_with_the_stdlib_on_any_text(message, as_bytes):
    text = json.dumps(message, ensure_ascii=bool(len(message) % 2))
    try:
        data = text.encode("utf-8") if as_bytes else text
    except UnicodeEncodeError:  # a lone surrogate cannot be UTF-8 bytes
        data = text
    assert same(jsoncodec.loads(data, max_depth=None), json.loads(text))


@pytest.mark.parametrize("text, expected", [
    ('{"n":18446744073709551616}', {"n": 18446744073709551616}),   # orjson: a float
    ('{"n":-9223372036854775809}', {"n": -9223372036854775809}),   # orjson: a float
    ('{"n":18446744073709551615}', {"n": 18446744073709551615}),
    ('{"n":1e400,"m":-1e400}', {"n": math.inf, "m": -math.inf}),   # orjson refuses
    ('{"s":"\\ud800"}', {"s": "\ud800"}),                          # orjson refuses
    ('{"a":1,"a":2}', {"a": 2}),
    ('{"n":0.1234567890123456789}', {"n": 0.1234567890123456789}),
])
def test_loads_keeps_the_stdlib_values_where_orjson_differs(text, expected):
    value = jsoncodec.loads(text)
    assert same(value, expected)
    assert same(jsoncodec.loads(text.encode("utf-8")), expected)


def test_loads_reads_nan_and_infinity_as_the_stdlib_does():
    value = jsoncodec.loads(b'{"n":NaN,"p":Infinity,"m":-Infinity}')
    assert math.isnan(value["n"]) and value["p"] == math.inf and value["m"] == -math.inf


@pytest.mark.parametrize("data", [b'{"n": oops}', b'{"n":1', b"", b'{"n":"\x01"}'])
def test_loads_refuses_invalid_json_with_the_stdlib_message(data):
    with pytest.raises(ValueError) as ours:
        jsoncodec.loads(data)
    with pytest.raises(ValueError) as theirs:
        jsonlimits.loads(data)
    assert str(ours.value) == str(theirs.value)


def test_loads_reports_invalid_utf8_as_the_stdlib_does():
    with pytest.raises(UnicodeDecodeError) as ours:
        jsoncodec.loads(b'{"n":"\xff"}')
    assert ours.value.reason == "invalid start byte" and ours.value.start == 6


def test_loads_keeps_the_nesting_limit():
    deep = "[" * 101 + "]" * 101
    with pytest.raises(jsonlimits.JSONDepthError) as error:
        jsoncodec.loads(deep)
    assert (error.value.depth, error.value.limit) == (101, 100)
    assert jsoncodec.loads("[" * 100 + "]" * 100) is not None
    # 101 brackets spread out are not deep: the count only decides which parser reads it
    assert jsoncodec.loads("[" + ",".join(["[]"] * 100) + "]") == [[]] * 100
    assert jsoncodec.loads(deep, max_depth=None) == jsonlimits.loads(deep, max_depth=200)


def test_dumps_keeps_nan_and_infinity():
    text = jsoncodec.dumps({"n": math.nan, "p": math.inf, "s": "x"})
    assert text == '{"n":NaN,"p":Infinity,"s":"x"}'
    assert math.isnan(jsoncodec.loads(text)["n"])


@pytest.mark.parametrize("message, expected", [
    ({"s": "é€😀", "n": 1, "f": 1.5, "l": [True, False]},
     '{"s":"é€😀","n":1,"f":1.5,"l":[true,false]}'),
    ({"n": None}, '{"n":null}'),
    ({"big": 2 ** 70}, '{"big":1180591620717411303424}'),      # orjson refuses
    ({1: "a", None: "b"}, '{"1":"a","null":"b"}'),             # keys that are not strings
    ({"s": "\ud800"}, '{"s":"\ud800"}'),                        # a lone surrogate
])
def test_dumps_writes_what_the_stdlib_writes(message, expected):
    assert jsoncodec.dumps(message) == expected
    assert jsoncodec.dumps(message) == json.dumps(message, separators=(",", ":"),
                                                  ensure_ascii=False)


def test_dumps_refuses_what_the_stdlib_refuses():
    with pytest.raises(TypeError, match="datetime is not JSON serializable"):
        jsoncodec.dumps({"at": datetime.datetime(2026, 1, 1)})
    circular: dict = {}
    circular["self"] = circular
    with pytest.raises(ValueError, match="Circular reference"):
        jsoncodec.dumps(circular)


def test_long_shallow_documents_take_the_fast_path_and_keep_the_limit():
    wide = "[" + ",".join(['{"a":[1]}'] * 500) + "]"   # 1,001 brackets, 3 levels deep
    assert jsoncodec.loads(wide) == [{"a": [1]}] * 500
    assert jsonlimits.value_depth(jsoncodec.loads(wide), 100) == 3
    deep_and_wide = "[" * 101 + "]" * 101 + wide
    with pytest.raises(ValueError):
        jsoncodec.loads(deep_and_wide)  # extra data, refused as the stdlib refuses it
    with pytest.raises(jsonlimits.JSONDepthError):
        jsoncodec.loads("[" + "[" * 101 + "]" * 101 + "," + wide[1:])
