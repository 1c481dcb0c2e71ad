"""LaunchDarkly's Handlebars helpers, with the behaviour of LaunchDarkly's preview helpers.

``framework.templating`` registers these next to the built-ins (``if``, ``unless``, ``each``,
``with``, ``lookup``). What each one does, and where it departs from what a Python programmer
might guess:

``{{#equal a b}}...{{else}}...{{/equal}}`` (and its twin ``equalWithElse``)
    The block when ``a === b`` in JavaScript: same type and value, so ``1`` and ``'1'`` differ,
    ``1`` and ``1.0`` are equal (one number type), ``true`` is not ``1``, and two objects are
    equal only when they are the same object. A block helper only: ``{{equal a b}}`` is an error.
``{{pathEncode v}}``
    JavaScript's ``encodeURI(String(v))``: keeps ``; , / ? : @ & = + $ #`` and
    ``A-Z a-z 0-9 - _ . ! ~ * ' ( )``, percent-encodes the UTF-8 of everything else.
``{{queryEncode v}}``
    ``encodeURIComponent(String(v))``: keeps only ``A-Z a-z 0-9 - _ . ! ~ * ' ( )``.
``{{{basicAuthHeaderValue user password}}}``
    ``Basic `` + base64 of the UTF-8 of ``user:password``. With double braces the ``=`` padding
    is HTML-escaped to ``&#x3D;`` (as in handlebars.js), hence the triple braces.
``{{formatWithOffset milliseconds offsetSeconds format}}``
    Adds ``offsetSeconds`` (seconds, not milliseconds) to a Unix timestamp in milliseconds, then
    formats it: ``milliseconds`` (the default for any other or no format), ``seconds`` (rounded
    half up, as ``Math.round``, not floored), ``rfc3339`` (always with milliseconds:
    ``2020-02-04T00:54:45.229Z``) and ``simple`` (``yyyy-mm-dd h:MM:ss`` in UTC with a 12-hour,
    unpadded hour and no AM/PM: 00:54:45 is ``2020-02-04 12:54:45``). LaunchDarkly's preview uses
    the host's time zone for ``simple``; we fix it to UTC so a rendering never depends on where it
    runs.

A helper given the wrong kind of argument raises :class:`HelperArgumentError`, which
``templating`` turns into a ``TemplateError`` naming the helper and the template.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import quote

from dotpromptz_handlebars import HelperOptions

__all__ = ["HELPERS", "HelperArgumentError", "js_string", "js_strict_equal"]

# The characters encodeURI and encodeURIComponent leave alone, besides letters, digits and
# "_.-~", which urllib's quote never encodes (ECMA-262 sections 19.2.6.2 and 19.2.6.4).
_URI_SAFE = ";,/?:@&=+$#!*'()"
_URI_COMPONENT_SAFE = "!*'()"

# JavaScript Dates span +-8.64e15 ms around the epoch; Python's datetime spans years 1..9999.
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


class HelperArgumentError(ValueError):
    """A helper was called with arguments it cannot use (names the helper and the rule)."""


def js_string(value: Any) -> str:
    """The text JavaScript's ``String(value)`` gives for a JSON-like value.

    >>> js_string(1.0), js_string(True), js_string(None), js_string(["a", 1])
    ('1', 'true', 'null', 'a,1')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, Mapping):
        return "[object Object]"
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return ",".join("" if item is None else js_string(item) for item in value)
    return str(value)


def _js_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def js_strict_equal(left: Any, right: Any) -> bool:
    """Whether ``left === right`` in JavaScript (objects and arrays: only the same object)."""
    kind = _js_type(left)
    if kind != _js_type(right):
        return False
    if kind == "object":
        return left is right
    return bool(left == right)


def _arguments(name: str, args: list[Any], count: int) -> list[Any]:
    if len(args) < count:
        raise HelperArgumentError(f"{name}: takes {count} argument{'s' if count > 1 else ''}, "
                                  f"got {len(args)}")
    return args[:count]


def _equal(args: list[Any], options: HelperOptions) -> str:
    left, right = _arguments("equal", args, 2)
    if not options.is_block:
        raise HelperArgumentError(
            "equal: a block helper, write {{#equal a b}}...{{else}}...{{/equal}}")
    return options.fn() if js_strict_equal(left, right) else options.inverse()


def _path_encode(args: list[Any], options: HelperOptions) -> str:
    (value,) = _arguments("pathEncode", args, 1)
    return _encode("pathEncode", value, _URI_SAFE)


def _query_encode(args: list[Any], options: HelperOptions) -> str:
    (value,) = _arguments("queryEncode", args, 1)
    return _encode("queryEncode", value, _URI_COMPONENT_SAFE)


def _encode(name: str, value: Any, safe: str) -> str:
    try:
        return quote(js_string(value), safe=safe, encoding="utf-8", errors="strict")
    except UnicodeEncodeError:
        # encodeURI throws URIError on a lone surrogate too.
        raise HelperArgumentError(f"{name}: the value contains a lone UTF-16 surrogate, "
                                  "which cannot be URI-encoded") from None


def _basic_auth_header_value(args: list[Any], options: HelperOptions) -> str:
    user, password = _arguments("basicAuthHeaderValue", args, 2)
    pair = f"{js_string(user)}:{js_string(password)}".encode("utf-8", "surrogatepass")
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _number(name: str, what: str, value: Any, *, numeric_strings: bool) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if numeric_strings and isinstance(value, str):
        try:
            return float(value.strip() or "0")  # Number('') is 0 in JavaScript
        except ValueError:
            pass
    raise HelperArgumentError(f"{name}: {what} must be a number, got {value!r}")


def _format_with_offset(args: list[Any], options: HelperOptions) -> str | int:
    if len(args) < 2:
        raise HelperArgumentError("formatWithOffset: takes a timestamp in milliseconds, an offset "
                                  f"in seconds and a format, got {len(args)} argument(s)")
    fmt = args[2] if len(args) > 2 else None
    millis = _number("formatWithOffset", "the timestamp (milliseconds)", args[0],
                     numeric_strings=False)
    # JavaScript coerces the offset: 1000 * '3600' is 3600000.
    offset = _number("formatWithOffset", "the offset (seconds)", args[1], numeric_strings=True)
    total = millis + 1000 * offset
    if not math.isfinite(total) or abs(total) > 8.64e15:
        raise HelperArgumentError(f"formatWithOffset: {total!r} ms is not a valid date")
    time_value = math.trunc(total)  # new Date(x) truncates to whole milliseconds (TimeClip)
    if fmt == "seconds":
        return math.floor(time_value / 1000 + 0.5)  # Math.round rounds .5 up, also below zero
    if fmt in ("rfc3339", "simple"):
        moment = _moment(time_value)
        date = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        if fmt == "rfc3339":
            return (f"{date}T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}."
                    f"{moment.microsecond // 1000:03d}Z")
        hour = moment.hour % 12 or 12
        return f"{date} {hour}:{moment.minute:02d}:{moment.second:02d}"
    return time_value


def _moment(time_value: int) -> _dt.datetime:
    try:
        return _EPOCH + _dt.timedelta(milliseconds=time_value)
    except OverflowError:
        raise HelperArgumentError(f"formatWithOffset: {time_value} ms is outside the years "
                                  "1-9999 this formatter supports") from None


HELPERS: dict[str, Callable[[list[Any], HelperOptions], Any]] = {
    "equal": _equal,
    "equalWithElse": _equal,
    "pathEncode": _path_encode,
    "queryEncode": _query_encode,
    "basicAuthHeaderValue": _basic_auth_header_value,
    "formatWithOffset": _format_with_offset,
}
"""LaunchDarkly's helpers by name, in the calling convention of ``dotpromptz_handlebars``."""
