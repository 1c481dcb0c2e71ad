"""Input readers: formats, bad records with line numbers, resuming, streaming memory."""

from __future__ import annotations

import io
import json
import sys
import tracemalloc

import pytest

from framework.runner import InputError, InputReader, Position, detect_format, read_messages
from framework.runner.inputs import UNREAD_NOTE


def read(data: bytes, **kwargs):
    reader = InputReader(io.BytesIO(data), **kwargs)
    messages = [message for _, message in reader]
    return reader, messages


def reasons(reader):
    return [(error.line, error.reason) for error in reader.errors]


@pytest.mark.parametrize("head, expected", [
    (b"", "ndjson"),
    (b"  \n ", "ndjson"),
    (b'{"a":1}\n{"b":2}\n', "ndjson"),
    (b'{"batch":[{"a":1}]}', "json-object"),  # one line, one batch body: streamed
    (b'{"batch":[{"a":1}]}\n{"a":2}\n', "ndjson"),
    (b"\n\n [\n{}]", "json-array"),
    (b'{\n  "batch": [\n', "json-object"),
    (b'{"batch": [\n', "json-object"),
    (b'{"a": 1,\n "b": 2}', "json-object"),
    (b"{oops}\n{}\n", "ndjson"),  # a bad first line is reported, not a format change
])
def test_detect_format(head, expected):
    assert detect_format(head) == expected


def test_detect_format_names_what_it_found():
    with pytest.raises(ValueError, match="expected '{' or '\\[' first, found 'x'"):
        detect_format(b"  x,y,z")


def test_ndjson_reads_messages_and_skips_blank_lines():
    data = b'{"type":"track","n":1}\r\n\n   \n{"type":"identify","n":2}'
    reader, messages = read(data)
    assert reader.format == "ndjson"
    assert [m["n"] for m in messages] == [1, 2]
    assert reader.errors == [] and reader.error_count == 0
    assert reader.position == Position("<stream>", len(data), 4, 0, True)


def test_ndjson_bad_lines_are_reported_with_their_line_and_the_rest_continues():
    data = (b'{"n":1}\n{"n": oops}\n[1,2]\n"text"\n{"n": "\xff"}\n{"n":2}\n'
            b'{"batch": "nope"}\n{"batch": [{"n":3}, 4, {"n":5}]}\n')
    reader, messages = read(data)
    assert [m["n"] for m in messages] == [1, 2, 3, 5]
    assert reasons(reader) == [
        (2, "invalid JSON: Expecting value"),
        (3, "expected a JSON object (a message), got an array"),
        (4, "expected a JSON object (a message), got a string"),
        (5, "invalid UTF-8: invalid start byte at byte 8 of the line"),
        (7, "'batch' must be a JSON array, got a string"),
        (8, "expected a JSON object (a message), got a number"),
    ]
    assert str(reader.errors[0]) == "<stream>:2: invalid JSON: Expecting value"
    assert reader.errors[0].to_dict() == {"path": "<stream>", "line": 2,
                                          "reason": "invalid JSON: Expecting value"}


def test_json_array_is_streamed_with_line_numbers():
    data = b'[\n  {"n": 1},\n  7,\n  {"batch": [{"n": 2}, {"n": 3}]},\n  {"n": "\xc3\xa9"}\n]\n'
    reader, messages = read(data)
    assert reader.format == "json-array"
    assert [m["n"] for m in messages] == [1, 2, 3, "é"]
    assert reasons(reader) == [(3, "expected a JSON object (a message), got a number")]
    assert reader.position.offset == len(data) and reader.position.done


@pytest.mark.parametrize("data, line, reason", [
    (b'[\n{"n":1},\n{"n": tru},\n{"n":3}]', 3, "invalid JSON: Expecting value" + UNREAD_NOTE),
    (b'[{"n":1}\n{"n":2}]', 2, "invalid JSON: expected ',' or ']' after an array element, "
                               "found '{'" + UNREAD_NOTE),
    (b'[{"n":1},\n{"n":', 2, "invalid JSON: unexpected end of input" + UNREAD_NOTE),
    (b'[{"n":1},', 1, "invalid JSON: expected ']' to end the array, found the end of the "
                      "input"),
    (b'[{"n":1}] {"x":2}', 1, "invalid JSON: unexpected data after the array" + UNREAD_NOTE),
    (b'[{"n":1},]', 1, "invalid JSON: Expecting value" + UNREAD_NOTE),
])
def test_invalid_json_in_an_array_is_reported_with_its_line(data, line, reason):
    reader, messages = read(data)
    assert messages[0] == {"n": 1}
    assert reasons(reader)[-1] == (line, reason)


def test_whole_file_batch_body_is_streamed_item_by_item():
    body = {"batch": [{"type": "track", "n": n} for n in range(5)] + ["bad"],
            "sentAt": "2024-01-01T00:00:00Z"}
    data = json.dumps(body, indent=2).encode()
    reader, messages = read(data)
    assert reader.format == "json-object"
    assert [m["n"] for m in messages] == list(range(5))
    assert reasons(reader) == [(23, "expected a JSON object (a message), got a string")]


def test_pretty_printed_documents_follow_each_other():
    data = b'{\n  "type": "track",\n  "n": 1\n}\n{\n  "batch": [ {"n": 2} ]\n}\n{"n": 3}'
    reader, messages = read(data)
    assert [m["n"] for m in messages] == [1, 2, 3]


def test_invalid_json_in_a_document_is_reported_and_ends_the_input():
    data = b'{\n  "batch": [\n    {"n": 1},\n    {"n": !}\n  ]\n}\n{"n": 9}\n'
    reader, messages = read(data)
    assert messages == [{"n": 1}]
    assert reasons(reader) == [(4, "invalid JSON: Expecting value" + UNREAD_NOTE)]


def test_a_non_json_input_is_one_error():
    reader, messages = read(b"id,name\n1,x\n")
    assert messages == []
    assert reasons(reader) == [(1, "not JSON messages: expected '{' or '[' first, found 'i'")]


def test_forced_format_and_unknown_format():
    reader, messages = read(b'{"n":1}\n', format="ndjson")
    assert messages == [{"n": 1}]
    with pytest.raises(ValueError, match="format must be one of ndjson, json-array, "
                                         "json-object, got 'csv'"):
        InputReader(io.BytesIO(b""), format="csv")


def test_on_error_and_keep_errors():
    seen = []
    data = b"x\n" * 5 + b'{"n":1}\n'
    reader = InputReader(io.BytesIO(data), on_error=seen.append, keep_errors=2,
                         format="ndjson")
    assert [m for _, m in reader] == [{"n": 1}]
    assert len(seen) == 5 and reader.error_count == 5 and len(reader.errors) == 2
    assert all(isinstance(error, InputError) for error in seen)


def test_paths_and_stdin(tmp_path, monkeypatch):
    path = tmp_path / "in.ndjson"
    path.write_bytes(b'{"n":1}\n{"n":2}\n')
    positions = [position for position, _ in read_messages(str(path))]
    assert positions[-1] == Position(str(path), 16, 3)

    class Stdin:
        buffer = io.BytesIO(b'[{"n":1}]')

    monkeypatch.setattr(sys, "stdin", Stdin)
    reader = InputReader("-")
    assert [m for _, m in reader] == [{"n": 1}] and reader.path == "-"


def test_stdin_cannot_be_resumed(monkeypatch):
    class Stdin:
        buffer = io.BufferedReader(io.BytesIO(b'{"n":1}\n'))

    Stdin.buffer.seekable = lambda: False
    monkeypatch.setattr(sys, "stdin", Stdin)
    reader = InputReader("-", start=Position("-", 8, 2))
    assert list(reader) == []
    assert reasons(reader) == [(2, "cannot resume '-' at byte 8: it is not a file")]


def test_missing_file_raises_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(read_messages(str(tmp_path / "missing.ndjson")))


RESUME_CASES = {
    "ndjson": b'{"a":1}\n\nnot json\n{"batch":[{"b":1},{"b":2},3]}\n{"c":1}\n'
              b'{"batch":[{"d":1},{"d":2}]}\n',
    "json-array": b' [ {"a":1}, {"b":2} ,\n {"batch":[{"x":1},{"y":2}]}, 5, '
                  b'{"z":"\xc3\xa9"} ,{"w":1}]  ',
    "json-object": b'{\n "batch": [\n  {"a":1},\n  {"b":2}\n ],\n "sentAt": "x"\n}\n'
                   b'{\n "type": "track"\n}\n{"batch": [{"q":1}, {"q":2}, {"q":3}]}',
}


@pytest.mark.parametrize("name", sorted(RESUME_CASES))
def test_every_position_resumes_exactly_after_its_message(tmp_path, name):
    path = tmp_path / "input.json"
    path.write_bytes(RESUME_CASES[name])
    full = list(read_messages(str(path)))
    messages = [message for _, message in full]
    assert len(messages) == 6
    for index, (position, _) in enumerate(full):
        rest = [message for _, message in read_messages(str(path), start=position)]
        assert rest == messages[index + 1:], position


def _memory_peak(path):
    tracemalloc.start()
    try:
        count = 0
        for _ in read_messages(str(path)):
            count += 1
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("shape", ["ndjson", "json-array", "json-object"])
def test_memory_stays_flat_on_a_large_input(tmp_path, shape):
    message = {"type": "track", "event": "Order Completed", "userId": "user-123",
               "properties": {"revenue": 12.5, "note": "x" * 200}}
    line = json.dumps(message)
    n = 12_000  # about 4 MB
    path = tmp_path / "big"
    with open(path, "w") as out:
        if shape == "ndjson":
            out.writelines(line + "\n" for _ in range(n))
        elif shape == "json-array":
            out.write("[\n" + ",\n".join(line for _ in range(n)) + "\n]")
        else:
            out.write('{\n"batch": [\n' + ",\n".join(line for _ in range(n)) + "\n]\n}")
    assert path.stat().st_size > 3_500_000
    count, peak = _memory_peak(path)
    assert count == n
    assert peak < 1_000_000, f"peak {peak} bytes for a {path.stat().st_size}-byte input"
