"""The project's JSON encoder."""

import json
from datetime import date, datetime, time, timedelta, timezone

import pytest

from facade import create, dumps, json_default

UTC = timezone.utc


def test_compact_and_unicode():
    assert dumps({"a": [1, 2.5, "é", None, True]}) == '{"a":[1,2.5,"é",null,true]}'
    assert dumps("x") == '"x"'
    assert dumps(3) == "3"
    assert dumps([]) == "[]"


def test_datetimes_are_utc_with_milliseconds():
    value = {"a": datetime(2014, 1, 1, 10, 20, 30, 456789, tzinfo=UTC),
             "b": datetime(2014, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))),
             "c": datetime(2014, 1, 1), "d": date(2014, 1, 2), "e": time(1, 2, 3)}
    assert dumps(value) == ('{"a":"2014-01-01T10:20:30.456Z","b":"2014-01-01T00:00:00.000Z",'
                            '"c":"2014-01-01T00:00:00.000Z","d":"2014-01-02",'
                            '"e":"01:02:03.000"}')


def test_default_hook_is_reusable_with_json_dumps():
    dt = datetime(2014, 1, 1, tzinfo=UTC)
    assert json.dumps([dt], default=json_default) == '["2014-01-01T00:00:00.000Z"]'
    assert json_default({1, 2}) in ([1, 2], [2, 1])
    with pytest.raises(TypeError):
        json_default(object())


def test_non_finite_floats_become_null():
    assert dumps({"a": float("nan"), "b": [float("inf"), -float("inf")], "c": 1.5}) == \
        '{"a":null,"b":[null,null],"c":1.5}'


def test_facades_serialise_as_their_json():
    track = create({"type": "track", "event": "E", "timestamp": "2014"})
    assert json.loads(dumps({"m": track})) == {
        "m": {"type": "track", "event": "E", "timestamp": "2014-01-01T00:00:00.000Z"}}


def test_errors():
    with pytest.raises(TypeError):
        dumps({"a": object()})
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError):
        dumps(loop)


def test_parsed_dates_round_trip_to_the_same_text():
    text = "2024-04-21T22:49:43.052Z"
    f = create({"type": "identify", "timestamp": text, "traits": {"createdAt": text}})
    assert dumps(f.timestamp()) == '"%s"' % text
    assert dumps(f.traits()) == '{"createdAt":"%s"}' % text
    assert json.loads(dumps(f.json()))["timestamp"] == text
