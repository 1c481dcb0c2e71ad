"""Hostile inputs: deep nesting, a huge first line, a byte order mark, invalid UTF-8.

Each one is one input error with the right line; every good record around it is delivered.
"""

from __future__ import annotations

import io
import json

import pytest

from framework import jsonlimits
from framework.runner import Backoff, InputReader, Runner

from send_helpers import Scripted, track

DEEP = b'{"a":' + b"[" * 10_000 + b"]" * 10_000 + b"}"
LIMIT_REASON = "invalid JSON: nested 10001 levels deep, over the limit of 100"


def read(data: bytes, **kwargs):
    reader = InputReader(io.BytesIO(data), **kwargs)
    messages = [message for _, message in reader]
    return [(e.line, e.reason) for e in reader.errors], messages


def line(n: int) -> bytes:
    return json.dumps(track(n)).encode()


class Unseekable(io.RawIOBase):
    """A pipe-like stream: no seek, reads in small pieces."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), len(self._data), 10_000)
        buffer[:n] = self._data[:n]
        self._data = self._data[n:]
        return n


# -- the reusable limit ----------------------------------------------------------------------

def test_loads_refuses_deep_documents_with_the_depth_and_the_limit():
    with pytest.raises(jsonlimits.JSONDepthError) as caught:
        jsonlimits.loads(DEEP)
    assert (caught.value.depth, caught.value.limit) == (10_001, 100)
    assert isinstance(caught.value, ValueError)
    assert jsonlimits.loads('{"a": [[1]], "s": "[[[[[[[["}', max_depth=3) == {
        "a": [[1]], "s": "[[[[[[[["}
    with pytest.raises(jsonlimits.JSONDepthError):
        jsonlimits.loads("[[[[1]]]]", max_depth=3)
    with pytest.raises(ValueError):
        jsonlimits.loads("{oops")


def test_value_extent_steps_over_strings_and_reports_incomplete_values():
    text = '{"x": "]}[{\\"", "y": [1, {"z": 2}]} tail'
    end, depth = jsonlimits.value_extent(text, 0)
    assert text[end:] == " tail" and depth == 3
    assert jsonlimits.value_extent('[[1, "a', 0) == (None, 2)


# -- defect 1: deep JSON ---------------------------------------------------------------------

def test_a_deep_ndjson_line_is_one_error_and_the_rest_is_read():
    data = line(1) + b"\n" + DEEP + b"\n" + line(2) + b"\n"
    errors, messages = read(data)
    assert errors == [(2, LIMIT_REASON)]
    assert [m["messageId"] for m in messages] == ["m1", "m2"]


@pytest.mark.parametrize("shape", ["array", "batch"])
def test_a_deep_array_element_is_stepped_over(shape):
    items = b",\n".join([line(1), DEEP, line(2), b'{"n": [[[1]]]}'])
    data = b"[\n" + items + b"\n]" if shape == "array" else \
        b'{\n"batch": [\n' + items + b"\n]\n}"
    errors, messages = read(data)
    assert errors == [(3 if shape == "array" else 4, LIMIT_REASON)]
    assert [m.get("messageId", m.get("n")) for m in messages] == ["m1", "m2", [[[1]]]]


def test_a_value_deeper_than_the_limit_but_parseable_is_refused_too():
    deep = b'{"a":' + b"[" * 150 + b"]" * 150 + b"}"
    errors, messages = read(b"[" + line(1) + b"," + deep + b"," + line(2) + b"]")
    assert errors == [(1, "invalid JSON: nested 151 levels deep, over the limit of 100")]
    assert len(messages) == 2


def test_the_runner_delivers_everything_around_a_deep_line_far_into_the_input(tmp_path, queue):
    path = tmp_path / "in.ndjson"
    path.write_bytes(b"".join(line(n) + b"\n" for n in range(1500)) + DEEP + b"\n"
                     + b"".join(line(n) + b"\n" for n in range(1500, 1510)))
    runner = Runner(Scripted, {}, queue, backoff=Backoff(base=0.001), concurrency=2)
    runner.feed(str(path))
    summary = runner.run()
    assert (summary.delivered, summary.input_errors) == (1510, 1)
    assert summary.input_error_samples == [f"{path}:1501: {LIMIT_REASON}"]
    assert queue.input_offsets()[str(path)].done


# -- defect 7: format detection does not depend on a buffer size ------------------------------

@pytest.mark.parametrize("wrap", [io.BytesIO, lambda data: io.BufferedReader(Unseekable(data))])
def test_a_first_ndjson_line_over_4_mb_keeps_the_input_ndjson(wrap):
    big = json.dumps(track(0, properties={"blob": "x" * (4 * 1024 * 1024 + 10)})).encode()
    data = big + b"\n" + line(1) + b"\n{oops}\n" + line(2) + b"\n"
    reader = InputReader(wrap(data))
    messages = [m["messageId"] for _, m in reader]
    assert reader.format == "ndjson"
    assert messages == ["m0", "m1", "m2"]
    reason = "invalid JSON: Expecting property name enclosed in double quotes"
    assert [(e.line, e.reason) for e in reader.errors] == [(3, reason)]


def test_what_a_document_reader_cannot_read_is_reported():
    errors, messages = read(b'{\n"batch": [\n' + line(1) + b",\n{oops},\n" + line(2) + b"]}")
    assert [m["messageId"] for m in messages] == ["m1"]
    assert len(errors) == 1 and errors[0][0] == 4
    assert errors[0][1].endswith("the input is not read past this point")


# -- defect 11: BOM and invalid UTF-8 --------------------------------------------------------

@pytest.mark.parametrize("body", [
    b"\n".join(line(n) for n in range(3)) + b"\n",
    b"[" + b",\n".join(line(n) for n in range(3)) + b"]",
    b'{"batch": [' + b",\n".join(line(n) for n in range(3)) + b"]}",
])
def test_a_leading_byte_order_mark_is_accepted(body):
    errors, messages = read(b"\xef\xbb\xbf" + body)
    assert errors == []
    assert [m["messageId"] for m in messages] == ["m0", "m1", "m2"]


def test_invalid_utf8_in_an_array_keeps_the_elements_before_it_and_names_its_line():
    data = b"[\n" + line(1) + b",\n" + line(2) + b',\n{"type": "track", "x": "\xff"},\n' \
        + line(3) + b"\n]"
    errors, messages = read(data)
    assert [m["messageId"] for m in messages] == ["m1", "m2"]
    assert len(errors) == 1 and errors[0][0] == 4
    assert errors[0][1].startswith("invalid UTF-8: invalid start byte")


def test_invalid_utf8_after_a_chunk_boundary_names_its_line():
    lines = [line(n) for n in range(2000)]  # well past the reader's 64 KiB chunk
    data = b"[\n" + b",\n".join(lines) + b',\n{"x": "\xc3\x28"}\n]'
    errors, messages = read(data)
    assert len(messages) == 2000
    assert errors[0][0] == 2002 and "invalid UTF-8" in errors[0][1]
