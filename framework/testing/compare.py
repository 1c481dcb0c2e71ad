"""Comparisons for assertions: JSON round-trips, ignored keys, subsets, matches and diffs."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any, Iterable

import facade

__all__ = ["to_json", "strip_ignored", "contains", "matches", "diff", "show"]

_SHOWN = 300


def to_json(value: Any) -> Any:
    """``value`` as it looks after a trip through the project's JSON encoder (dates become
    ``YYYY-MM-DDTHH:MM:SS.mmmZ`` strings, tuples become lists)."""
    return json.loads(facade.dumps(value))


def strip_ignored(value: Any, ignored: Iterable[str]) -> Any:
    """A copy of ``value`` without the ``ignored`` keys at any depth, nor list items equal to
    an ignored string."""
    keys = set(ignored)
    if not keys:
        return value
    if isinstance(value, dict):
        return {k: strip_ignored(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [strip_ignored(v, keys) for v in value if not (isinstance(v, str) and v in keys)]
    return value


def contains(actual: Any, expected: Any) -> bool:
    """Whether ``expected`` is a subset of ``actual``: dicts recursively by key, anything else
    by equality."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and contains(actual[k], v) for k, v in expected.items())
    return bool(actual == expected)


def matches(actual: Any, expected: Any) -> bool:
    """A compiled regex searches ``actual`` (as text); anything else compares as text."""
    if actual is None:
        return False
    if isinstance(expected, re.Pattern):
        return expected.search(str(actual)) is not None
    return str(actual) == str(expected)


def show(value: Any) -> str:
    """A short, readable rendering of a value for an assertion message."""
    if isinstance(value, re.Pattern):
        text = f"/{value.pattern}/"
    elif isinstance(value, bytes):
        text = repr(value)
    else:
        try:
            text = facade.dumps(value) if isinstance(value, (dict, list)) else repr(value)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + f"... ({len(text)} chars)"


def _pretty(value: Any) -> list[str]:
    try:
        text = json.dumps(to_json(value), indent=2, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text.splitlines()


def diff(expected: Any, actual: Any) -> str:
    """A unified diff of the pretty JSON of ``expected`` and ``actual`` (keys sorted)."""
    lines = difflib.unified_diff(_pretty(expected), _pretty(actual), "expected", "actual",
                                 lineterm="", n=2)
    return "\n".join(lines)
