"""Value helpers shared by the facade classes: JavaScript truthiness, safe copies, e-mail.

The facade never copies a whole message up front. Every value an accessor hands
out goes through :func:`export`, a deep copy of dicts and lists that also turns
strict ISO-8601 strings into UTC datetimes (what ``isodate-traverse`` did to the
whole message in the original). Only what is returned gets copied.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from .dates import iso_value

__all__ = ["truthy", "export", "out", "conv", "copy_raw", "is_email"]

# is-email 0.1.x (/.+\@.+\..+/), unanchored and loose; JavaScript's "." excludes the four
# line terminators, Python's only "\n".
_ANY = "[^\n\r\u2028\u2029]"
_EMAIL = re.compile(_ANY + "+@" + _ANY + "+\\." + _ANY + "+")
_IMMUTABLE = frozenset([int, float, bool, type(None), datetime, date, time, timedelta,
                        bytes, complex])


_SCALARS = _IMMUTABLE | {str}


def conv(value: Any) -> Any:
    """A strict ISO string as a datetime; anything else unchanged and uncopied."""
    if type(value) is str and len(value) > 9 and value[4] == "-":
        return iso_value(value)
    return value


def truthy(value: Any) -> bool:
    """JavaScript truthiness: empty dicts and lists are true; 0, NaN, '' and None are false.

    Args:
        value: Any value.

    Returns:
        What ``!!value`` gives in JavaScript.
    """
    if value is None or value is False or value is True:
        return value is True
    t = type(value)
    if t is str:
        return value != ""
    if t is int:
        return value != 0
    if t is float:
        return value == value and value != 0.0
    return True


def _export_dict(d: dict) -> dict:
    out = d.copy()
    for k, v in d.items():
        t = type(v)
        if t is str:
            if len(v) > 9 and v[4] == "-":
                out[k] = iso_value(v)
        elif t is dict:
            out[k] = _export_dict(v)
        elif t is list:
            out[k] = _export_list(v)
        elif t not in _IMMUTABLE:
            out[k] = export(v)
    return out


def _export_list(seq: list) -> list:
    out = seq.copy()
    i = 0
    for v in seq:
        t = type(v)
        if t is str:
            if len(v) > 9 and v[4] == "-":
                out[i] = iso_value(v)
        elif t is dict:
            out[i] = _export_dict(v)
        elif t is list:
            out[i] = _export_list(v)
        elif t not in _IMMUTABLE:
            out[i] = export(v)
        i += 1
    return out


def export(value: Any) -> Any:
    """A fresh deep copy of ``value`` with strict ISO strings read as UTC datetimes.

    Dicts (and dict subclasses) become plain dicts, lists and tuples become lists;
    scalars and datetimes are immutable and returned as they are. Other objects are
    shared, as the original's clone did for class instances.

    Args:
        value: A value read from a message.

    Returns:
        A value the caller may mutate freely.
    """
    t = type(value)
    if t is str:
        if len(value) > 9 and value[4] == "-":
            return iso_value(value)
        return value
    if t is dict:
        return _export_dict(value)
    if t is list:
        return _export_list(value)
    if t in _IMMUTABLE:
        return value
    if isinstance(value, str):
        return export(str(value))
    if isinstance(value, dict):
        return _export_dict(dict(value))
    if isinstance(value, (list, tuple)):
        return _export_list(list(value))
    return value


def out(value: Any) -> Any:
    """:func:`export` for a value whose strings are already converted (scalars pass)."""
    return value if type(value) in _SCALARS else export(value)


def copy_raw(value: Any) -> Any:
    """A deep copy of dicts and lists with nothing converted (for ``raw_event()``).

    Args:
        value: A value.

    Returns:
        The copy.
    """
    if isinstance(value, dict):
        return {k: copy_raw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [copy_raw(v) for v in value]
    return value


def is_email(value: Any) -> bool:
    """The original facade's loose e-mail test (``/.+@.+\\..+/``, unanchored; ``.`` is
    any character but a line terminator, as in JavaScript).

    Args:
        value: Anything; a list is read as its JavaScript string form (``["a@b.c"]`` is
            ``"a@b.c"``), as ``RegExp#test`` does; other non-strings never match.

    Returns:
        True when ``value`` looks like an e-mail address.
    """
    if type(value) is not str:
        if value is None or isinstance(value, (bool, int, float, dict)):
            return False
        from .jsvalues import to_string  # RegExp#test reads a list as its joined items

        value = to_string(value)
    return _EMAIL.search(value) is not None
