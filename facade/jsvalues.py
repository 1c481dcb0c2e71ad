"""JavaScript's reading of values where the original facade relies on it.

The original is JavaScript, so a few accessors inherit the language's rules: ``trim()``
strips a fixed set of characters, ``parseFloat`` reads the leading number of a string,
``total - tax`` converts both sides to numbers and ``total + discount`` concatenates when
either side is a string. These functions reproduce those rules on JSON values (and the
datetimes our facade reads ISO strings as), so that ours agrees on every input.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any, Union

__all__ = ["WHITESPACE", "trim", "parse_float", "to_number", "to_string", "add", "subtract"]

#: ``String.prototype.trim``'s set: WhiteSpace and LineTerminator (ECMA-262 12.2, 12.3).
#: U+0085, U+180E, U+200B and U+001C-U+001F are *not* in it.
WHITESPACE = ("\t\n\u000b\u000c\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")

Number = Union[int, float]

_FLOAT_PREFIX = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\Z")
_NON_DECIMAL = re.compile(r"0([xXoObB])([0-9a-fA-F]+)\Z")
_BASES = {"x": 16, "o": 8, "b": 2}


def trim(text: str) -> str:
    """``text.trim()`` in JavaScript."""
    return text.strip(WHITESPACE)


def _number(text: str) -> float:
    return float(text.replace("Infinity", "inf"))


def parse_float(text: str) -> float:
    """``parseFloat(text)``: the leading decimal number after JavaScript whitespace.

    Returns:
        The number; NaN when there is none (``Infinity`` counts as a number).
    """
    m = _FLOAT_PREFIX.match(text.lstrip(WHITESPACE))
    return _number(m.group(0)) if m else math.nan


def to_number(value: Any) -> float:
    """``Number(value)`` (what ``-`` does to each side) for a JSON value or a datetime."""
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        from .dates import to_millis
        return float(to_millis(value))
    if isinstance(value, str):
        text = trim(value)
        if not text:
            return 0.0
        if _DECIMAL.match(text):
            return _number(text)
        m = _NON_DECIMAL.match(text)
        if m:
            try:
                return float(int(m.group(2), _BASES[m.group(1).lower()]))
            except ValueError:
                return math.nan
        return math.nan
    if isinstance(value, list):
        return to_number(to_string(value))
    return math.nan


def _number_string(x: float) -> str:
    """``Number#toString()`` (ECMA-262 Number::toString, radix 10)."""
    if x != x:
        return "NaN"
    if x == 0:
        return "0"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x < 0:
        return "-" + _number_string(-x)
    text, _, exponent = repr(x).partition("e")
    whole, _, fraction = text.partition(".")
    if fraction == "0":
        fraction = ""
    joined = whole + fraction
    mantissa = joined.lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(joined) - len(mantissa))
    mantissa = mantissa.rstrip("0")
    k, n = len(mantissa), point  # the value is 0.<mantissa> * 10**n
    if k <= n <= 21:
        return mantissa + "0" * (n - k)
    if 0 < n <= 21:
        return mantissa[:n] + "." + mantissa[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + mantissa
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = mantissa[0] + ("." + mantissa[1:] if k > 1 else "")
    return "%se%s%d" % (head, sign, abs(e))


def _date_string(value: datetime) -> str:
    """``Date#toString()`` in UTC, as Node prints it with ``TZ=UTC``."""
    return value.strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")


def to_string(value: Any) -> str:
    """``String(value)`` for a JSON value or a datetime."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return _number_string(float(value)) if isinstance(value, float) or \
            abs(value) >= 2 ** 53 else str(value)
    if isinstance(value, datetime):
        return _date_string(value)
    if isinstance(value, list):
        return ",".join("" if v is None else to_string(v) for v in value)
    return "[object Object]"


def _result(x: float) -> Number:
    """A JavaScript number as we hand it out: integral finite values as ints."""
    return int(x) if x == x and not math.isinf(x) and x.is_integer() else x


def subtract(a: Any, b: Any) -> Number:
    """``a - b`` in JavaScript."""
    return _result(to_number(a) - to_number(b))


def add(a: Any, b: Any) -> Union[Number, str]:
    """``a + b`` in JavaScript: concatenation when either side is (or becomes) a string."""
    def primitive(v: Any) -> Any:
        return to_string(v) if isinstance(v, (list, dict, datetime)) else v
    a, b = primitive(a), primitive(b)
    if isinstance(a, str) or isinstance(b, str):
        return to_string(a) + to_string(b)
    return _result(to_number(a) + to_number(b))
