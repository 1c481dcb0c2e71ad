"""The ``--from`` converter registry and converters applied by the reader."""

from __future__ import annotations

import io
import json

import pytest

from framework.runner import (DEFAULT_CONVERTER, InputReader, UnknownFormatError,
                              converter_names, get_converter, read_messages,
                              register_converter)
from framework.runner.converters import _CONVERTERS, segment


@pytest.fixture(autouse=True)
def clean_registry():
    saved = dict(_CONVERTERS)
    yield
    _CONVERTERS.clear()
    _CONVERTERS.update(saved)


def pairs(records):
    """A 1 -> N converter: each record {"user", "events": [...]} gives one track per event."""
    for record in records:
        if not isinstance(record.get("events"), list):
            raise ValueError("'events' must be a list")
        for event in record["events"]:
            if event is None:
                yield ValueError("an event must not be null")
            else:
                yield {"type": "track", "userId": record["user"], "event": event}


def test_segment_is_the_default():
    assert DEFAULT_CONVERTER == "segment"
    assert get_converter("segment") is segment
    assert "segment" in converter_names()


def test_register_and_look_up():
    register_converter("pairs", pairs)
    register_converter("pairs", pairs)  # the same function again is fine
    assert get_converter("pairs") is pairs
    assert converter_names() == ["harness-fme-impressions", "pairs", "segment"]


def test_unknown_format_names_it_and_the_known_ones():
    register_converter("pairs", pairs)
    with pytest.raises(UnknownFormatError) as info:
        get_converter("harness")
    assert str(info.value) == "unknown input format 'harness' (--from); known formats: " \
                              "harness-fme-impressions, pairs, segment"
    with pytest.raises(UnknownFormatError, match="'nope'"):
        InputReader(io.BytesIO(b""), converter="nope")


def test_registration_errors():
    with pytest.raises(ValueError, match="converter name must be a non-empty string"):
        register_converter(" ", pairs)
    with pytest.raises(TypeError, match="converter 'x' must be callable, got int"):
        register_converter("x", 5)
    with pytest.raises(ValueError, match="'segment' is already registered; pass replace=True"):
        register_converter("segment", pairs)
    register_converter("segment", pairs, replace=True)
    assert get_converter("segment") is pairs


def test_converter_output_and_bad_items_with_line_numbers():
    register_converter("pairs", pairs)
    data = (b'{"user": "a", "events": ["x", null, "y"]}\n'
            b'{"user": "b", "events": 5}\n'
            b'{"events": ["z"]}\n'
            b'{"user": "c", "events": ["w"]}\n')
    reader = InputReader(io.BytesIO(data), converter="pairs")
    messages = [(m["userId"], m["event"]) for _, m in reader]
    assert messages == [("a", "x"), ("a", "y"), ("c", "w")]
    assert [(e.line, e.reason) for e in reader.errors] == [
        (1, "an event must not be null"),
        (2, "cannot convert record: 'events' must be a list"),
        (3, "cannot convert record: 'user'"),
    ]


def test_converter_callable_and_resume_inside_an_expanded_record(tmp_path):
    path = tmp_path / "in.ndjson"
    path.write_bytes(b'{"user": "a", "events": ["x", "y", "z"]}\n{"user": "b", "events": ["v"]}\n')
    full = list(read_messages(str(path), converter=pairs))
    assert [p.skip for p, _ in full] == [1, 2, 0, 0]
    rest = [m["event"] for _, m in read_messages(str(path), converter=pairs, start=full[0][0])]
    assert rest == ["y", "z", "v"]


def test_installed_converters_load_from_their_entry_point():
    from integrations.harness_fme.source import convert_impressions

    assert get_converter("harness-fme-impressions") is convert_impressions
    impression = {"key": "u1", "split": "new_checkout", "environmentId": "env-1",
                  "environmentName": "Production", "treatment": "on", "time": 1700000000000,
                  "label": "default rule", "splitVersionNumber": 7}
    reader = InputReader(io.BytesIO(json.dumps([impression]).encode()),
                         converter="harness-fme-impressions")
    (_, message), = list(reader)
    assert message["event"] == "get_treatment" and message["userId"] == "u1"
    assert message["properties"]["treatment"] == "on"
