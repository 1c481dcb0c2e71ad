"""Pure helpers for FME event records: the eventTypeId rule, values, properties and keys.

The limits come from the Split SDKs' input validation (the Events API documents no
server-side limits), see the README for the sources.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any, Iterator, Mapping

import facade
from framework import errors

from .settings import NAME

__all__ = ["EVENT_TYPE_ID", "MAX_KEY_LENGTH", "MAX_PROPERTIES", "MAX_PROPERTIES_BYTES",
           "event_type_id", "number", "identity_key", "properties", "split_pairs"]

#: The SDKs' eventTypeId rule (the Events API page quotes a shorter one; the SDKs win).
EVENT_TYPE_ID = re.compile(r"^[a-zA-Z0-9][-_.:a-zA-Z0-9]{0,79}$")
#: The longest event key the SDKs accept.
MAX_KEY_LENGTH = 250
#: Properties kept per event (the SDKs warn that more are trimmed).
MAX_PROPERTIES = 300
#: The SDKs' limit on an event's properties, in bytes.
MAX_PROPERTIES_BYTES = 32 * 1024


def event_type_id(value: Any, source: str) -> str:
    """The eventTypeId from a resolved value: spaces become ``_``, then the SDK rule applies.

    Args:
        value: What the path or format produced.
        source: Where it came from, for the message (``'from "event"'``).

    Raises:
        errors.RejectedError: The value is not a string, or fails the rule.
    """
    if not isinstance(value, str) or not value:
        raise errors.RejectedError(
            f"eventTypeId {source} does not resolve to a non-empty string "
            f"(got {_shown(value)})", integration=NAME)
    candidate = value.replace(" ", "_")
    if not EVENT_TYPE_ID.match(candidate):
        raise errors.RejectedError(
            f"eventTypeId {facade.dumps(candidate)} {source} does not match "
            f"{EVENT_TYPE_ID.pattern}", integration=NAME)
    return candidate


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    text = facade.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def number(value: Any) -> int | float | None:
    """``value`` when it is a finite int or float (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def identity_key(value: Any) -> str | None:
    """An identity as an FME key: strings as they are, numbers as text, else ``None``."""
    if isinstance(value, (bool, int, float)):
        value = number(value)
        if value is None:
            return None
        value = facade.dumps(value)
    if isinstance(value, str) and value:
        return value
    return None


def split_pairs(value: Any) -> Iterator[tuple[Any, Any]]:
    """The ``(trafficType, key)`` pairs of a ``split`` value.

    ``properties.split`` is documented as a list of single-pair objects and ``traits.split``
    as one object; both shapes are accepted for both. Anything else yields one ``(None,
    item)`` pair so the caller can report it.
    """
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict) and item:
            yield from item.items()
        else:
            yield None, item


def _scalar(value: Any) -> Any:
    """A property value the Events API accepts: string, number, bool or null."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (datetime, date)):
        return facade.json_default(value)
    try:
        return facade.dumps(value)
    except (TypeError, ValueError):
        return None


def _flatten(value: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            yield from _flatten(item, name + ".")
        else:
            yield name, _scalar(item)


def _count(n: int) -> str:
    return f"{n} propert{'y' if n == 1 else 'ies'}"


def properties(raw: Any, notes: list[str]) -> dict[str, Any]:
    """An event's properties: ``split`` left out, objects flattened to dotted keys, values
    made scalar (arrays and other values as compact JSON strings), at most
    :data:`MAX_PROPERTIES` keys and :data:`MAX_PROPERTIES_BYTES` bytes of JSON.

    Args:
        raw: The message's raw ``properties``.
        notes: Receives one line for each property left out.
    """
    if not isinstance(raw, dict):
        return {}
    flat = dict(_flatten({k: v for k, v in raw.items() if k != "split"}, ""))
    if len(flat) <= MAX_PROPERTIES and len(facade.dumps(flat).encode()) <= MAX_PROPERTIES_BYTES:
        return flat  # the usual case: within both limits, nothing to measure one by one
    out: dict[str, Any] = {}
    size = 2  # the braces
    over_count = over_size = 0
    for key, value in flat.items():
        if len(out) >= MAX_PROPERTIES:
            over_count += 1
            continue
        entry = len(facade.dumps(key).encode()) + 1 + len(facade.dumps(value).encode())
        entry += 1 if out else 0
        if size + entry > MAX_PROPERTIES_BYTES:
            over_size += 1
            continue
        out[key] = value
        size += entry
    if over_count:
        notes.append(f"{_count(over_count)} left out: at most {MAX_PROPERTIES} are kept")
    if over_size:
        notes.append(f"{_count(over_size)} left out: properties are limited to "
                     f"{MAX_PROPERTIES_BYTES} bytes of JSON")
    return out
