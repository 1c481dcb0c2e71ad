"""Messages the input holds verbatim are queued as their original text, never re-encoded."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pytest

from framework import integration
from framework.runner import InputReader, Runner
from framework.runner.feeder import make_source, read_chunks

# Spacing, key order, a duplicate key, NaN, an integer beyond 64 bits, escapes: what a
# re-encoding would have changed (or, for the integer, what orjson would have turned to a float).
ODD = ('{ "type" : "track", "event":"Odd", "userId":"u1", "a":1, "a":2,'
       ' "properties": {"nan": NaN, "big": 123456789012345678901234567890,'
       ' "esc": "caf\\u00e9 \\ud83d\\ude00", "f": 1E2 } }')


def entries(data: bytes, **options: Any) -> list[tuple[dict[str, Any], str | None]]:
    reader = InputReader(io.BytesIO(data), **options)
    return [(message, text) for _, message, text in reader.records()]


def test_ndjson_lines_keep_their_text_without_surrounding_space():
    data = ("\ufeff" + ODD + "\r\n\n   {\"type\":\"identify\",\"userId\":\"u2\"}  \n").encode()
    (first, first_text), (second, second_text) = entries(data)
    assert first_text == ODD
    assert second_text == '{"type":"identify","userId":"u2"}'
    assert first["a"] == 2 and first["properties"]["big"] == 123456789012345678901234567890
    assert math.isnan(first["properties"]["nan"])


def test_array_elements_and_batch_items_keep_their_text():
    array = b'[ {"type":"track", "event":"A"} ,\n  {"type" : "page"}\n]'
    assert [text for _, text in entries(array)] == ['{"type":"track", "event":"A"}',
                                                    '{"type" : "page"}']
    batch = b'{"sentAt": "x",\n "batch": [ {"type":"track",  "event":"B"}, {"type":"alias"} ]}'
    assert [text for _, text in entries(batch)] == ['{"type":"track",  "event":"B"}',
                                                    '{"type":"alias"}']


def test_messages_a_converter_made_have_no_text():
    line = b'{"batch":[{"type":"track","event":"A"},{"type":"page"}]}\n{"type":"page"}\n'
    assert [text for _, text in entries(line)] == [None, None, '{"type":"page"}']
    document = b'{\n "type": "identify",\n "userId": "u"\n}'
    assert entries(document) == [({"type": "identify", "userId": "u"}, None)]

    def upper(records):
        for record in records:
            yield {**record, "event": record["event"].upper()}

    assert entries(b'{"type":"track","event":"a"}\n', converter=upper) == \
        [({"type": "track", "event": "A"}, None)]


def test_iterating_a_reader_still_gives_position_and_message():
    reader = InputReader(io.BytesIO(b'{"n":1}\n{"n":2}\n'))
    assert [(position.line, message) for position, message in reader] == \
        [(2, {"n": 1}), (3, {"n": 2})]


def test_read_chunks_stores_original_lines_and_encodes_the_rest(tmp_path):
    path = tmp_path / "in.ndjson"
    path.write_text(ODD + '\n{"batch":[{"type":"page", "name":"P"}]}\n')
    [(chunk, offset)] = list(read_chunks(make_source(str(path)), on_error=pytest.fail))
    assert chunk == [ODD, '{"type":"page","name":"P"}']
    assert offset is not None and offset.done
    [(messages, _)] = list(read_chunks(make_source([{"type": "page", "n": math.nan}]),
                                       on_error=pytest.fail))
    assert messages == ['{"type":"page","n":NaN}']


class Recorder(integration("Recorder").channels(["server"])):
    def initialize(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def track(self, msg: Any) -> None:
        self.seen.append(msg.json())


def test_the_queue_holds_the_line_and_delivery_sees_its_value(tmp_path, either_queue):
    queue = either_queue
    path = tmp_path / "in.ndjson"
    path.write_text(ODD + "\n")
    runner = Runner(Recorder, {}, queue)
    runner.feed(str(path))
    jobs = []
    original_reserve = queue.reserve

    def reserve(*args: Any, **kwargs: Any):
        reserved = original_reserve(*args, **kwargs)
        jobs.extend(reserved)
        return reserved

    queue.reserve = reserve  # type: ignore[method-assign]
    summary = runner.run()
    assert summary.delivered == 1
    assert [job.body for job in jobs] == [ODD]
    [seen] = runner.integration.seen
    expected = json.loads(ODD)
    assert seen["properties"]["big"] == expected["properties"]["big"]
    assert seen["properties"]["esc"] == "café 😀" and seen["properties"]["f"] == 100.0
    assert math.isnan(seen["properties"]["nan"]) and seen["a"] == 2
