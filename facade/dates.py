"""Dates: ISO-8601 detection and parsing, timestamp coercion, and formatting.

This is the Python counterpart of three small Segment modules:

* ``isodate``: a lax ISO-8601 matcher and parser (``"2014"``, ``"2014-01"``,
  ``"20140101"``, ``"2014-01-01T10:00:00.123+02:00"`` ...). Missing month or day
  default to 1, sub-second digits are truncated to milliseconds, and fields out
  of range roll over exactly as JavaScript's ``Date.UTC`` does (so does its
  mapping of years 0-99 to 1900-1999).
* ``isodate-traverse``: *strict* ISO strings (they must begin ``YYYY-MM-DD``)
  found anywhere in a message are read as dates (:func:`iso_value`).
* ``new-date``: the coercion of a message's ``timestamp`` (:func:`parse_timestamp`).

Every date returned is a timezone-aware ``datetime`` in UTC. Deliberate
differences from JavaScript, which depended on the host's time zone: a space
separator (``"2014-01-01 10:00"``) and the free-form fallback parser read
wall-clock times as UTC, not as local time (what Node gives with ``TZ=UTC``). Dates
outside years 1-9999, which a Python datetime cannot hold, are None.
"""

from __future__ import annotations

import math
import re
import sys
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, Optional, Tuple

__all__ = [
    "UTC",
    "EPOCH",
    "is_iso",
    "parse_iso",
    "iso_value",
    "parse_timestamp",
    "to_millis",
    "format_iso",
    "now",
]

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# JavaScript's Date range is +-8.64e15 ms; Python's datetime is narrower (years 1-9999).
_MIN_MS = -62135596800000  # 0001-01-01T00:00:00Z
_MAX_MS = 253402300799999  # 9999-12-31T23:59:59.999Z
_SECONDS_LIMIT = 31557600000  # below: seconds, otherwise milliseconds (new-date)

# isodate's matcher, with ASCII digits and a true end-of-string anchor.
_LAX = re.compile(
    r"([0-9]{4})(?:-?([0-9]{2})(?:-?([0-9]{2}))?)?"
    r"(?:([ T])([0-9]{2}):?([0-9]{2})(?::?([0-9]{2})(?:[,.]([0-9]+))?)?"
    r"(?:(Z)|([+\-])([0-9]{2})(?::?([0-9]{2}))?)?)?\Z"
)
_STRICT_PREFIX = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MILLIS = re.compile(r"[0-9]{13}")
_SECONDS = re.compile(r"[0-9]{10}")
_LEADING_INT = re.compile(r"([+-]?[0-9]+)")


def now() -> datetime:
    """The current time in UTC: the timestamp of a message without one, and "today" for
    ``Identify.age()``. Tests replace ``facade.dates.now`` to freeze the clock.

    Returns:
        A timezone-aware datetime.
    """
    return datetime.now(UTC)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 for a proleptic Gregorian date (month 1-12, any day)."""
    year -= month <= 2
    era = year // 400  # floor division: no special case for negative years
    yoe = year - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _from_millis(ms: float) -> Optional[datetime]:
    """A UTC datetime for epoch milliseconds (truncated like JavaScript), or None."""
    if isinstance(ms, float):
        if not math.isfinite(ms):
            return None
        ms = int(ms)  # TimeClip truncates towards zero
    if ms < _MIN_MS or ms > _MAX_MS:
        return None
    return EPOCH + timedelta(milliseconds=ms)


def _utc_millis(year: int, month0: int, day: int, hour: int, minute: int, second: int,
                ms: int) -> int:
    """JavaScript's ``Date.UTC``: out-of-range fields roll over; years 0-99 mean 19xx."""
    if 0 <= year <= 99:
        year += 1900
    year += month0 // 12
    month0 %= 12
    days = _days_from_civil(year, month0 + 1, 1) + day - 1
    return (((days * 24 + hour) * 60 + minute) * 60 + second) * 1000 + ms


_fromisoformat = datetime.fromisoformat
_FROMISO_Z = sys.version_info >= (3, 11)  # fromisoformat() reads a "Z" suffix since 3.11
# The canonical text of recently parsed datetimes, keyed by id() (the entry keeps the
# datetime alive, so the id cannot be reused while it is here): format_iso() of a date
# read from a message is then a dict lookup. Hashing an aware datetime is slow.
_TEXT: Dict[int, Tuple[datetime, str]] = {}
_TEXT_MAX = 256


def _fast(text: str) -> Optional[datetime]:
    """The two forms Segment libraries send, without the regex.

    ``YYYY-MM-DDTHH:MM:SS.mmmZ`` and ``YYYY-MM-DDTHH:MM:SS.mmm+hh:mm``; None for anything
    else (including out-of-range fields, which the general path rolls over).
    """
    n = len(text)
    if text[:2] == "00":  # years 0-99 are 1900-1999: the general path applies that rule
        return None
    if n == 24:
        if text[23] != "Z" or text[4:20:3] != "--T::.":
            return None
        try:
            dt = _fromisoformat(text if _FROMISO_Z else text[:23] + "+00:00")
        except ValueError:
            return None
        if len(_TEXT) >= _TEXT_MAX:
            _TEXT.clear()
        _TEXT[id(dt)] = (dt, text)
        return dt
    if n != 29 or text[4:20:3] != "--T::." or text[23] not in "+-" or text[26] != ":":
        return None
    try:
        dt = _fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is not UTC:
        try:
            dt = dt.astimezone(UTC)
        except (ValueError, OverflowError):
            return None
    return dt


def _from_match(m: "re.Match[str]", text: str) -> Optional[datetime]:
    """Build the datetime for an ``_LAX`` match, as ``isodate.parse`` does."""
    g = m.groups()
    frac = g[7]
    offset = 0
    if g[3] == "T" and not g[8] and g[9]:
        offset = int(g[10]) * 60 + int(g[11] or 0)
        if g[9] == "+":
            offset = -offset
    ms = _utc_millis(
        int(g[0]),
        (int(g[1]) if g[1] and int(g[1]) else 1) - 1,
        int(g[2]) if g[2] and int(g[2]) else 1,
        int(g[4] or 0),
        int(g[5] or 0) + offset,
        int(g[6] or 0),
        int((frac + "00")[:3]) if frac else 0,
    )
    return _from_millis(ms)


def is_iso(value: Any, strict: bool = True) -> bool:
    """Tell whether ``value`` is an ISO-8601 date string (``isodate.is``).

    Args:
        value: Anything; only strings can match.
        strict: Require the string to begin ``YYYY-MM-DD`` (the traversal's rule).

    Returns:
        True when ``value`` is a matching string.
    """
    if type(value) is not str:
        return False
    if strict and not _STRICT_PREFIX.match(value):
        return False
    return _LAX.match(value) is not None


def parse_iso(value: str) -> Optional[datetime]:
    """Parse a lax ISO-8601 string (``isodate.parse``) into a UTC datetime.

    Args:
        value: A string such as ``"2014"``, ``"2014-01-02"`` or ``"2014-01-02T03:04:05Z"``.

    Returns:
        The datetime, or None when the string is not ISO-8601 or out of range.
    """
    if type(value) is not str:
        return None
    m = _LAX.match(value)
    return _from_match(m, value) if m else None


def iso_value(value: Any) -> Any:
    """Return a strict ISO string as a datetime; any other value is returned unchanged.

    This is what ``isodate-traverse`` does to every string of a message. A strict ISO
    string that does not fit in a Python datetime stays a string.

    Args:
        value: Any value read from a message.

    Returns:
        A datetime for a strict ISO-8601 string, else ``value`` itself.
    """
    if type(value) is str and len(value) > 9 and value[4] == "-" and value[7] == "-":
        dt = _fast(value)
        if dt is not None:
            return dt
        m = _LAX.match(value)
        if m is not None and m.group(2) is not None and m.group(3) is not None:
            dt = _from_match(m, value)
            if dt is not None:
                return dt
    return value


def _js_parse_int(text: str) -> Optional[int]:
    """``parseInt(text, 10)``: the leading integer after JavaScript whitespace."""
    from .jsvalues import WHITESPACE

    m = _LEADING_INT.match(text.lstrip(WHITESPACE))
    return int(m.group(1)) if m else None


def _from_string(value: str) -> Optional[datetime]:
    """``new-date`` of a string that is not lax ISO-8601: 13 digits anywhere are
    milliseconds, else 10 digits are seconds (``parseInt`` of the whole string), else
    ``new Date(string)`` (V8's parser, :mod:`facade.jsdate`)."""
    if _MILLIS.search(value):
        ms = _js_parse_int(value)
        return None if ms is None else _from_millis(ms)
    if _SECONDS.search(value):
        s = _js_parse_int(value)
        return None if s is None else _from_millis(s * 1000)
    from .jsdate import parse

    ms = parse(value)
    return None if ms is None else _from_millis(ms)


def parse_timestamp(value: Any) -> Optional[datetime]:
    """Coerce a message timestamp into a UTC datetime, as ``new-date`` does.

    * a ``datetime`` is returned in UTC (a naive one is taken as UTC); a ``date`` is
      midnight UTC;
    * a number below 31557600000 is seconds since the epoch, otherwise milliseconds;
    * a lax ISO-8601 string (``"2014"``, ``"2014-01"``, ``"20140101"``, ...) is parsed;
    * a string containing 13 digits is read as milliseconds, 10 digits as seconds
      (JavaScript ``parseInt`` of its leading integer);
    * any other string is ``new Date(string)``: V8's parser (:mod:`facade.jsdate`),
      local times read as UTC;
    * ``True``/``False`` are 1 and 0 ms after the epoch and a list is read as its
      JavaScript string form (``[2014]`` is ``"2014"``), as ``new Date(value)`` does.

    Args:
        value: The raw timestamp.

    Returns:
        The datetime, or None when the value cannot be read as a date (None, objects,
        unparseable strings, non-finite numbers, dates outside years 1-9999).
    """
    t = type(value)
    if t is str:
        dt = _fast(value)
        if dt is not None:
            return dt
        m = _LAX.match(value)
        if m is not None:
            return _from_match(m, value)
        return _from_string(value)
    if t is int or t is float:
        if t is float and not math.isfinite(value):
            return None
        return _from_millis(value * 1000 if value < _SECONDS_LIMIT else value)
    if t is bool:  # new Date(true) is 1 ms after the epoch
        return _from_millis(int(value))
    if isinstance(value, datetime):
        if value.tzinfo is UTC:
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except (ValueError, OverflowError):
            return None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, list):  # new Date([...]) parses the list's string form
        from .jsvalues import to_string

        return _from_string(to_string(value))
    return None


def to_millis(value: datetime) -> int:
    """Milliseconds since the epoch, exactly (``Date#getTime``); naive means UTC.

    Args:
        value: A datetime.

    Returns:
        The integer number of milliseconds.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    d = value - EPOCH
    return d.days * 86400000 + d.seconds * 1000 + d.microseconds // 1000


def format_iso(value: datetime) -> str:
    """Format a datetime as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC (``Date#toISOString``).

    Args:
        value: A datetime; a naive one is taken as UTC.

    Returns:
        The ISO string with milliseconds and a ``Z``.
    """
    known = _TEXT.get(id(value))
    if known is not None and known[0] is value:
        return known[1]
    tz = value.tzinfo
    if tz is not None and tz is not UTC:
        value = value.astimezone(UTC)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        value.year, value.month, value.day, value.hour, value.minute, value.second,
        value.microsecond // 1000)
