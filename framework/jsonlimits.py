"""A nesting limit for every JSON document the framework reads.

Python's ``json`` module parses nested arrays and objects recursively: a line such as
``{"a":`` + ``[`` x 10000 + ``]`` x 10000 + ``}`` raises :class:`RecursionError` (a crash, not a
bad record), and a value nested a few hundred levels deep parses but then breaks every
recursive step after it (encoding, mapping). So every JSON input path (files, stdin, HTTP
bodies) parses with :func:`loads`, which refuses documents nested deeper than ``max_depth``
with a :class:`JSONDepthError` (a :class:`ValueError`: callers that already turn invalid JSON
into a clear error handle it with no change)::

    from framework import jsonlimits

    try:
        body = jsonlimits.loads(text)
    except jsonlimits.JSONDepthError as exc:   # exc.depth, exc.limit
        ...
    except ValueError as exc:                  # any other invalid JSON
        ...

The check costs two ``str.count`` calls for ordinary documents: only a text with more opening
brackets than the limit is scanned token by token to find its real depth.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["DEFAULT_MAX_DEPTH", "JSONDepthError", "loads", "nesting_depth", "check_depth",
           "value_extent", "value_depth"]

#: Arrays and objects nested deeper than this are refused. Real messages rarely nest more than
#: a handful of levels; the limit stays far below Python's recursion limit (1000).
DEFAULT_MAX_DEPTH = 100

# A string (escapes included) or one bracket: what decides nesting outside strings.
# A lone quote is a string that the text ends inside.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|"', re.DOTALL)


class JSONDepthError(ValueError):
    """A JSON document nests arrays/objects deeper than the limit.

    Attributes:
        depth: How deep the document nests (at least ``limit + 1``; the scan may stop early).
        limit: The limit it broke.
    """

    def __init__(self, depth: int, limit: int) -> None:
        super().__init__(f"JSON nested {depth} levels deep; the limit is {limit}")
        self.depth = depth
        self.limit = limit


def nesting_depth(text: str, start: int = 0, end: int | None = None) -> int:
    """The deepest array/object nesting in ``text[start:end]`` (brackets inside strings do not
    count).

    Args:
        text: JSON text (need not be valid; unbalanced brackets are counted as they come).
        start: Where to start scanning.
        end: Where to stop (default: the end of ``text``).
    """
    depth = deepest = 0
    stop = len(text) if end is None else end
    for match in _TOKENS.finditer(text, start, stop):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif char in "]}":
            depth -= 1
        elif char == '"':
            break
    return deepest


def check_depth(text: str, max_depth: int = DEFAULT_MAX_DEPTH, start: int = 0,
                end: int | None = None) -> None:
    """Raise :class:`JSONDepthError` when ``text[start:end]`` nests deeper than ``max_depth``.

    Cheap for ordinary documents: a text with at most ``max_depth`` opening brackets cannot
    nest deeper, and that is two ``str.count`` calls.
    """
    stop = len(text) if end is None else end
    if text.count("[", start, stop) + text.count("{", start, stop) <= max_depth:
        return
    depth = nesting_depth(text, start, stop)
    if depth > max_depth:
        raise JSONDepthError(depth, max_depth)


def loads(text: str | bytes, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """``json.loads(text)`` that refuses documents nested deeper than ``max_depth``.

    Args:
        text: JSON text (bytes are decoded as UTF-8 first, as ``json.loads`` does).
        max_depth: The deepest array/object nesting accepted.

    Raises:
        JSONDepthError: The document nests deeper than ``max_depth``.
        ValueError: Any other invalid JSON (``json.JSONDecodeError``) or invalid UTF-8
            (``UnicodeDecodeError``).
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")
    check_depth(text, max_depth)
    try:
        return json.loads(text)
    except RecursionError:  # pragma: no cover - the check above refuses such depths first
        raise JSONDepthError(max_depth + 1, max_depth) from None


def value_extent(text: str, start: int) -> tuple[int | None, int]:
    """Where the JSON array/object starting at ``text[start]`` ends, without parsing it.

    Used to step over a value too deep to parse, so that a stream can go on after it.

    Returns:
        ``(end, depth)``: the index just past the closing bracket (``None`` when ``text`` ends
        before the value does) and the deepest nesting seen.
    """
    depth = deepest = 0
    for match in _TOKENS.finditer(text, start):
        char = match.group()
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
            if depth <= 0:
                return match.end(), deepest
        elif char == '"':
            return None, deepest
    return None, deepest


def value_depth(value: Any, stop: int) -> int:
    """How many levels of arrays and objects a parsed ``value`` nests (counting stops at
    ``stop``): the check for a document already parsed, cheaper than scanning a long text."""
    depth = 0
    level = [value] if isinstance(value, (dict, list)) else []
    while level:
        depth += 1
        if depth >= stop:
            return depth
        below = []
        for item in level:
            for child in (item.values() if isinstance(item, dict) else item):
                if isinstance(child, (dict, list)):
                    below.append(child)
        level = below
    return depth
