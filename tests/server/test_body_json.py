"""parse_json: the nesting limit at its boundary, and the stdlib's values through orjson."""

from __future__ import annotations

import math

import pytest

from framework.errors import BadRequestError
from framework.server.body import MAX_DEPTH, depth_of, parse_json


def nested(levels: int) -> bytes:
    return b'{"a":' * (levels - 1) + b"{}" + b"}" * (levels - 1)


def test_bodies_nested_up_to_the_limit_are_read_and_deeper_ones_refused():
    assert depth_of(parse_json(nested(MAX_DEPTH)), MAX_DEPTH + 1) == MAX_DEPTH
    with pytest.raises(BadRequestError, match=f"more than {MAX_DEPTH} levels deep"):
        parse_json(nested(MAX_DEPTH + 1))


def test_values_are_the_stdlib_ones():
    value = parse_json(b'\xef\xbb\xbf{"big": 123456789012345678901234567890, "n": NaN}')
    assert value["big"] == 123456789012345678901234567890 and math.isnan(value["n"])


def test_a_syntax_error_names_its_line_and_column():
    with pytest.raises(BadRequestError, match="not valid JSON: Expecting property name "
                                              "enclosed in double quotes at line 2 column 6"):
        parse_json(b'{"a":\n  1, }')
