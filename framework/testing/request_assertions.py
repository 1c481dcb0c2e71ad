"""Assertions about the requests an integration makes, and the responses they get.

Mixed into :class:`~framework.testing.IntegrationTester`. Each assertion applies to the
current request (:meth:`RequestAssertions.request` picks it; the first by default), is checked
when a terminator runs, and returns the tester, so they chain::

    (tester.track(msg).request(0).method("POST")
        .sends("Content-Type", "application/json")
        .expects(200)
        .end())
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping, TypeVar

from . import checks
from .sandbox import Exchange

__all__ = ["RequestAssertions"]

T = TypeVar("T", bound="RequestAssertions")


class RequestAssertions:
    """Request and response assertions; needs ``_index``, ``_count``, ``_checks`` and
    ``_queries`` (reset by the tester after each run)."""

    _index: int
    _count: int | None
    _checks: list[tuple[int, Callable[[Exchange], str | None]]]
    _queries: dict[tuple[int, bool], tuple[dict[str, Any], dict[str, Any]]]

    def request(self: T, index: int) -> T:
        """Apply the following request assertions to request ``index`` (0-based)."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError(f"request index must be a whole number >= 0, got {index!r}")
        self._index = index
        return self

    def requests(self: T, count: int) -> T:
        """Assert exactly ``count`` requests are made."""
        self._count = count
        return self

    def _add(self: T, check: Callable[[Exchange], str | None]) -> T:
        self._checks.append((self._index, check))
        return self

    def sends(self: T, *args: Any) -> T:
        """Assert what the current request sends.

        * ``sends(obj)``: a dict or list: the JSON body equals it;
        * ``sends(name, value)``: the header equals ``value`` (or a compiled regex matches;
          ``None``: the header is absent);
        * ``sends(re.compile(...))``: the raw body matches (a ``bytes`` pattern, such as
          ``re.compile(rb'...')``, is matched against the body bytes);
        * ``sends('?a=b')``: the query string contains ``a=b``;
        * ``sends('text')`` / ``sends(b'bytes')``: the raw body equals it.
        """
        if len(args) == 2:
            return self._add(checks.header(args[0], args[1]))
        if len(args) != 1:
            raise TypeError("sends() takes a body, a (header, value) pair, a regex or '?query'")
        value = args[0]
        if isinstance(value, re.Pattern) or isinstance(value, bytes):
            return self._add(checks.raw_body(value))
        if isinstance(value, str):
            if value.startswith("?"):
                return self._add(checks.query_includes(value[1:]))
            return self._add(checks.raw_body(value))
        return self._add(checks.json_body(value))

    def sends_almost(self: T, expected: Any, ignored: list[str] | None = None
                     ) -> T:
        """Like ``sends(obj)`` with the ``ignored`` keys removed at any depth, for this
        assertion only."""
        return self._add(checks.json_body(expected, ignored or []))

    def _query(self: T, almost: bool, key: str | Mapping[str, Any], value: Any,
               parse: Callable[[str], Any] | None) -> T:
        slot = (self._index, almost)
        if slot not in self._queries:
            self._queries[slot] = ({}, {})
            expected, parsers = self._queries[slot]
            self._add(checks.query(expected, parsers, almost))
        expected, parsers = self._queries[slot]
        if isinstance(key, Mapping):
            expected.update(key)
        else:
            expected[key] = value
            if parse is not None:
                parsers[key] = parse
        return self

    def query(self: T, key: str | Mapping[str, Any], value: Any = None,
              parse: Callable[[str], Any] | None = None) -> T:
        """Assert the whole parsed query: ``query({...})`` or ``query(key, value, parse)``,
        where ``parse`` converts the actual value first (e.g. ``json.loads``). Calls add up."""
        return self._query(False, key, value, parse)

    def query_almost(self: T, key: str | Mapping[str, Any], value: Any = None,
                     parse: Callable[[str], Any] | None = None) -> T:
        """Like :meth:`query`, but other keys may be present."""
        return self._query(True, key, value, parse)

    def pathname(self: T, path: str) -> T:
        """Assert the URL path (without the query string)."""
        return self._add(checks.pathname(path))

    def method(self: T, method: str) -> T:
        """Assert the HTTP method."""
        return self._add(checks.method(method))

    def url(self: T, url: str) -> T:
        """Assert the full URL, query string included."""
        return self._add(checks.url(url))

    def expects(self: T, *args: Any) -> T:
        """Assert the current request's response: ``expects(200)`` (status), ``expects(obj)``
        (JSON body), ``expects(name, value)`` (header), ``expects(regex | 'text')`` (text)."""
        if len(args) == 2:
            return self._add(checks.response_header(args[0], args[1]))
        if len(args) != 1:
            raise TypeError("expects() takes a status, a body, a (header, value) pair or text")
        value = args[0]
        if isinstance(value, int) and not isinstance(value, bool):
            return self._add(checks.status(value))
        if isinstance(value, (str, re.Pattern)):
            return self._add(checks.response_text(value))
        return self._add(checks.response_json(value))
