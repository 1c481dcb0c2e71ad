"""``facade.dumps`` with orjson: the same bytes as the stdlib encoder, or a documented float
spelling that parses back to the same value; whatever orjson refuses, the stdlib answers."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facade import dumpb, dumps
from facade.encoding import _orjson, _stdlib_dumps

pytestmark = pytest.mark.skipif(_orjson is None, reason="orjson is not installed")

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text()
           | st.datetimes(timezones=st.just(timezone.utc)) | st.dates())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8) | st.integers(max_value=99) | st.booleans(), inner, max_size=4),
    max_leaves=20)


def has_float(value):
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(has_float(v) for v in value)
    return False


@settings(max_examples=300, deadline=None)
@given(values)
def test_the_same_json_as_the_stdlib_or_only_a_float_spelled_otherwise(value):
    try:
        expected = _stdlib_dumps(value)
    except (TypeError, ValueError) as exc:
        with pytest.raises(type(exc)):
            dumps(value)
        return
    got = dumps(value)
    assert dumpb(value) == got.encode("utf-8")
    if got != expected:
        assert has_float(value), (got, expected)
        assert json.loads(got) == json.loads(expected)


@pytest.mark.parametrize("value,spelled", [(1e-07, "1e-7"), (1e-05, "0.00001")])
def test_the_documented_float_spellings(value, spelled):
    assert dumps([value]) == f"[{spelled}]"
    assert json.loads(dumps([value])) == [value]


def test_dates_read_exactly_as_before():
    value = {"at": datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc),
             "day": date(2024, 1, 2), "clock": time(3, 4, 5)}
    assert dumps(value) == _stdlib_dumps(value) == \
        '{"at":"2024-01-02T03:04:05.678Z","day":"2024-01-02","clock":"03:04:05.000"}'


@pytest.mark.parametrize("value", [
    {"big": 2**64}, {1: "int key"}, {"lone": "\ud800"}, {"nan": float("nan")},
])
def test_what_orjson_refuses_is_written_by_the_stdlib(value):
    assert dumps(value) == _stdlib_dumps(value)


def test_deep_nesting_past_orjsons_limit_falls_back():
    deep: list = []
    for _ in range(300):
        deep = [deep]
    assert dumps(deep) == "[" * 301 + "]" * 301


def test_unserialisable_values_still_raise_type_error():
    with pytest.raises(TypeError):
        dumps({"x": object()})
    circular: list = []
    circular.append(circular)
    with pytest.raises(ValueError, match="Circular"):
        dumps(circular)
