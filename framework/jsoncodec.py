"""JSON for the runner's inputs and queue: orjson's speed with exactly the stdlib's values.

The queue stores each message as JSON text and hands it back as a dict; what comes back must
be what went in. The stdlib reads and writes a few things that orjson does not, so each
function here takes orjson's fast path only where both agree, and the stdlib path otherwise:

* :func:`loads` parses with orjson unless the text holds a run of 19 or more digits (orjson
  reads integers beyond 64 bits as floats, losing digits; the stdlib keeps them exact). The
  nesting limit of :mod:`framework.jsonlimits` holds: a text with more opening brackets than
  the limit has its parsed value measured, and one nested too deep goes to the stdlib path,
  which refuses it with its usual error. Whatever orjson refuses (``NaN``, ``Infinity``,
  numbers that overflow to infinity, lone surrogates in escapes, invalid UTF-8, invalid JSON)
  goes to :func:`framework.jsonlimits.loads`, which accepts or refuses it, with the same
  message, as it always did.
* :func:`dumps` writes with orjson unless its output holds ``null``: orjson writes non-finite
  floats as ``null``, and a message may hold ``NaN`` (the stdlib reads it), which the stdlib
  writes back as ``NaN``. Whatever orjson cannot encode (integers beyond 64 bits, keys that are
  not strings, lone surrogates, dates, subclasses of ``str``/``int``/``dict``) goes to
  ``json.dumps``, which encodes or refuses it as before (orjson does write ``uuid.UUID`` values
  and enum members, as strings and their values, where ``json.dumps`` raises). Floats with
  small exponents are spelled differently (``1e-7`` where the stdlib writes ``1e-07``) and
  parse back to the same number.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Union

from . import jsonlimits

_orjson: Any
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is installed with the framework
    _orjson = None

__all__ = ["loads", "dumps"]

# 19 digits in a row may be an integer outside orjson's 64-bit range (or a long fraction,
# which the stdlib path reads just as well). Found by mapping every digit to "0" and looking
# for 19 of them: ten times faster than a regular expression.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19

_DUMP_OPTIONS = (_orjson.OPT_PASSTHROUGH_DATETIME | _orjson.OPT_PASSTHROUGH_DATACLASS
                 | _orjson.OPT_PASSTHROUGH_SUBCLASS) if _orjson is not None else 0


def loads(text: Union[str, bytes],
          max_depth: int | None = jsonlimits.DEFAULT_MAX_DEPTH) -> Any:
    """Parse JSON text to the value ``json.loads`` gives, refusing deep nesting.

    Args:
        text: JSON text, or UTF-8 bytes of it.
        max_depth: The deepest array/object nesting accepted; ``None`` for no limit but the
            parsers' own (text the queue wrote, which was checked when it was read).

    Raises:
        framework.jsonlimits.JSONDepthError: The text nests deeper than ``max_depth``.
        ValueError: Any other invalid JSON (``json.JSONDecodeError``) or invalid UTF-8
            (``UnicodeDecodeError``), as :func:`framework.jsonlimits.loads` raises it.
    """
    if _orjson is not None:
        try:
            data = text.encode("utf-8") if isinstance(text, str) else text
        except UnicodeEncodeError:  # lone surrogates: the stdlib reads them
            data = b""
        if data and _LONG_RUN not in data.translate(_DIGITS_AS_ZERO):
            try:
                value = _orjson.loads(data)
            except _orjson.JSONDecodeError:
                pass
            else:
                if max_depth is None or _within(data, value, max_depth):
                    return value
    if max_depth is None:
        return json.loads(text)
    return jsonlimits.loads(text, max_depth)


def _within(data: bytes, value: Any, max_depth: int) -> bool:
    """Whether ``value`` (parsed from ``data``) nests at most ``max_depth`` levels: certain when
    the text has no more opening brackets than that, else measured on the value."""
    if data.count(b"{") + data.count(b"[") <= max_depth:
        return True
    return jsonlimits.value_depth(value, max_depth + 1) <= max_depth


def dumps(message: Mapping[str, Any]) -> str:
    """Compact JSON text of ``message`` that :func:`loads` reads back to an equal value.

    Args:
        message: A JSON-like mapping.

    Returns:
        The text, as ``json.dumps(message, separators=(",", ":"), ensure_ascii=False)`` writes
        it up to the spelling of floats.

    Raises:
        TypeError: ``message`` holds a value JSON cannot represent.
        ValueError: ``message`` is circular.
    """
    if _orjson is not None:
        try:
            data: bytes = _orjson.dumps(message, option=_DUMP_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError
            pass
        else:
            if b"null" not in data:
                return data.decode("utf-8")
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)
