"""Checks of one exchange (a request and its response), run after the pipeline finished.

Each builder returns a :data:`Check`: a function of an :class:`~.sandbox.Exchange` that returns
``None`` when it holds, else a sentence saying what was expected and what happened.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import parse_qs

from .. import errors
from .compare import contains, diff, matches, show, strip_ignored, to_json
from .sandbox import Exchange

__all__ = ["Check", "header", "json_body", "raw_body", "query_includes", "query", "pathname",
           "method", "url", "status", "response_header", "response_json", "response_text",
           "error_mismatches"]

Check = Callable[[Exchange], "str | None"]
_NOT_JSON = object()


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _NOT_JSON


def header(name: str, expected: Any) -> Check:
    """The request header ``name`` equals ``expected`` (a compiled regex: matches it; ``None``:
    the header is absent)."""
    def check(exchange: Exchange) -> str | None:
        actual = exchange.request.headers.get(name)
        if expected is None:
            return None if actual is None else \
                f"expected no header {name!r} but got {show(actual)}"
        if matches(actual, expected):
            return None
        got = "no such header" if actual is None else show(actual)
        return f"expected header {name!r} to match {show(expected)} but got {got}"
    return check


def _is_form(exchange: Exchange) -> bool:
    kind = exchange.request.headers.get("Content-Type") or ""
    if isinstance(kind, bytes):
        kind = kind.decode("latin-1")
    return kind.startswith("application/x-www-form-urlencoded")


def json_body(expected: Any, ignored: Iterable[str] = ()) -> Check:
    """The request body is JSON equal to ``expected`` (dates compare as ISO strings), after
    removing the ``ignored`` keys from both sides. A form-encoded body is compared as the
    object it encodes (one value per key, a list when the key repeats)."""
    ignored = tuple(ignored)
    wanted = strip_ignored(to_json(expected), ignored)

    def check(exchange: Exchange) -> str | None:
        actual = _json(exchange.body)
        if actual is _NOT_JSON and _is_form(exchange):
            parsed = parse_qs(exchange.text, keep_blank_values=True)
            actual = {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}
        if actual is _NOT_JSON:
            return f"expected a JSON body equal to {show(wanted)} but the body is not JSON: " \
                f"{show(exchange.body)}"
        actual = strip_ignored(actual, ignored)
        if actual == wanted:
            return None
        return f"expected JSON body {show(wanted)} but got {show(actual)}\n" + \
            diff(wanted, actual)
    return check


def raw_body(expected: str | bytes | re.Pattern[str] | re.Pattern[bytes]) -> Check:
    """The raw request body equals ``expected`` (a compiled regex: matches it)."""
    def check(exchange: Exchange) -> str | None:
        if isinstance(expected, re.Pattern):
            subject: Any = exchange.body if isinstance(expected.pattern, bytes) \
                else exchange.text
            if expected.search(subject):
                return None
            return f"expected the body to match {show(expected)} but got {show(exchange.text)}"
        if isinstance(expected, bytes):
            ok = exchange.body == expected
        else:
            ok = exchange.text == expected
        return None if ok else \
            f"expected the body {show(expected)} but got {show(exchange.text)}"
    return check


def query_includes(fragment: str) -> Check:
    """The raw query string contains ``fragment`` (``'a=b'``)."""
    def check(exchange: Exchange) -> str | None:
        if fragment in exchange.query_string:
            return None
        return f"expected the query string {exchange.query_string!r} to include {fragment!r}"
    return check


def query(expected: Mapping[str, Any], parsers: Mapping[str, Callable[[str], Any]],
          almost: bool = False) -> Check:
    """The parsed query equals ``expected`` (``almost``: contains it); ``parsers`` turn the
    actual value of a key into what is compared (e.g. ``json.loads``)."""
    def check(exchange: Exchange) -> str | None:
        if not exchange.query_string:
            return f"expected the query {show(dict(expected))} but the request has no " \
                "query string"
        actual = exchange.query()
        for key, parse in parsers.items():
            if key in actual:
                try:
                    actual[key] = parse(actual[key])
                except Exception as exc:  # noqa: BLE001 - reported as the failure
                    return f"could not parse query key {key!r} ({show(actual[key])}): {exc}"
        if almost:
            if contains(actual, dict(expected)):
                return None
            return f"expected {show(dict(expected))} to exist in the query {show(actual)}"
        if actual == dict(expected):
            return None
        return f"expected the query {show(dict(expected))} but got {show(actual)}"
    return check


def pathname(expected: str) -> Check:
    """The URL path (without the query string) equals ``expected``."""
    def check(exchange: Exchange) -> str | None:
        if exchange.path == expected:
            return None
        return f"expected the path {expected!r} but got {exchange.path!r}"
    return check


def method(expected: str) -> Check:
    """The HTTP method is ``expected`` (case-insensitive)."""
    def check(exchange: Exchange) -> str | None:
        if exchange.method.upper() == expected.upper():
            return None
        return f"expected method {expected.upper()} but got {exchange.method}"
    return check


def url(expected: str) -> Check:
    """The full URL, query string included, equals ``expected``."""
    def check(exchange: Exchange) -> str | None:
        if exchange.url == expected:
            return None
        return f"expected the URL {expected!r} but got {exchange.url!r}"
    return check


def _no_response(exchange: Exchange, wanted: str) -> str | None:
    if exchange.response is not None:
        return None
    error = exchange.error
    raised = type(error).__name__ if error is not None else "nothing"
    return f"expected {wanted} but the request got no response (it raised {raised})"


def status(expected: int) -> Check:
    """The response status is ``expected``."""
    def check(exchange: Exchange) -> str | None:
        missing = _no_response(exchange, f"status {expected}")
        if missing:
            return missing
        if exchange.status == expected:
            return None
        return f"expected status {expected} but got {exchange.status}"
    return check


def response_header(name: str, expected: Any) -> Check:
    """The response header ``name`` equals ``expected`` (a compiled regex: matches it)."""
    def check(exchange: Exchange) -> str | None:
        missing = _no_response(exchange, f"response header {name!r}")
        if missing:
            return missing
        actual = exchange.response.headers.get(name)  # type: ignore[union-attr]
        if matches(actual, expected):
            return None
        got = "no such header" if actual is None else show(actual)
        return f"expected response header {name!r} to match {show(expected)} but got {got}"
    return check


def response_json(expected: Any) -> Check:
    """The response body is JSON equal to ``expected``."""
    wanted = to_json(expected)

    def check(exchange: Exchange) -> str | None:
        missing = _no_response(exchange, f"response body {show(wanted)}")
        if missing:
            return missing
        actual = _json(exchange.response.content)  # type: ignore[union-attr]
        if actual == wanted:
            return None
        shown = "a body that is not JSON" if actual is _NOT_JSON else show(actual)
        return f"expected response body {show(wanted)} but got {shown}"
    return check


def response_text(expected: str | re.Pattern[str]) -> Check:
    """The response text equals ``expected`` (a compiled regex: matches it)."""
    def check(exchange: Exchange) -> str | None:
        missing = _no_response(exchange, f"response text {show(expected)}")
        if missing:
            return missing
        text = exchange.response.content.decode("utf-8", "replace")  # type: ignore[union-attr]
        if matches(text, expected):
            return None
        return f"expected response text to match {show(expected)} but got {show(text)}"
    return check


def error_mismatches(error: errors.IntegrationError, status: int | None,
                     message: str | re.Pattern[str] | None, code: str | None) -> list[str]:
    """What differs between ``error`` and the expected status, message and code."""
    found = f"{type(error).__name__} ({error.code}, status {error.status}): {error}"
    problems = []
    if status is not None and error.status != status:
        problems.append(f"expected error status {status} but got {error.status} ({found})")
    if message is not None:
        text = str(error)
        ok = message.search(text) is not None if isinstance(message, re.Pattern) \
            else message in text
        if not ok:
            problems.append(f"expected error message {show(message)} but got {text!r}")
    if code is not None and error.code != code:
        problems.append(f"expected error code {code!r} but got {error.code!r} ({found})")
    return problems


#: The outcome of a delivered message in ``outcomes()`` and a fixture's ``"outcomes"``.
DELIVERED = "delivered"
_OUTCOME_KEYS = ("code", "status", "message")


def outcome_spec_problem(item: Any) -> str | None:
    """What is wrong with one expected outcome (``"delivered"`` or ``{"code", ...}``)."""
    if item == DELIVERED:
        return None
    if not isinstance(item, Mapping):
        return f'an outcome is "{DELIVERED}" or an error object {{"code": ...}}, got {item!r}'
    unknown = sorted(set(item) - set(_OUTCOME_KEYS))
    if unknown:
        return f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: " + \
            ", ".join(_OUTCOME_KEYS)
    if not isinstance(item.get("code"), str) or not item["code"]:
        return 'an error outcome needs "code" (such as "MESSAGE_REJECTED")'
    status = item.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        return '"status" must be an HTTP status number'
    if item.get("message") is not None and not isinstance(item["message"], str):
        return '"message" must be a string'
    return None


def _describe_outcome(outcome: Any) -> str:
    if isinstance(outcome, BaseException):
        code = getattr(outcome, "code", None)
        return f"{type(outcome).__name__} ({code}): {outcome}"
    return f"{DELIVERED} ({len(outcome)} response(s))"


def outcome_mismatches(actual: list[Any], expected: list[Any] | None) -> list[str]:
    """What differs between a batch's outcomes and the expected ones (``None``: every
    message delivered)."""
    if expected is None:
        expected = [DELIVERED] * len(actual)
    if len(actual) != len(expected):
        return [f"expected {len(expected)} outcome(s) but the batch gave {len(actual)}"]
    problems = []
    for index, (outcome, wanted) in enumerate(zip(actual, expected)):
        failed = isinstance(outcome, BaseException)
        if wanted == DELIVERED:
            if failed:
                problems.append(f"message {index}: expected it delivered but got "
                                f"{_describe_outcome(outcome)}")
            continue
        if not isinstance(outcome, errors.IntegrationError):
            problems.append(f"message {index}: expected error {wanted['code']} but got "
                            f"{_describe_outcome(outcome)}")
            continue
        problems.extend(f"message {index}: {p}" for p in error_mismatches(
            outcome, wanted.get("status"), wanted.get("message"), wanted["code"]))
    return problems
