"""Pure helpers for FME identity attributes (identify and group).

Identity values are a string-to-string map; attribute ids must start with a letter and
contain only letters, digits, ``-`` and ``_``, up to 200 characters; values are limited to
255 characters (see the README for the sources).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import facade

__all__ = ["ATTRIBUTE_ID", "MAX_ATTRIBUTE_ID", "MAX_VALUE_LENGTH", "attribute_value",
           "attribute_values"]

ATTRIBUTE_ID = re.compile(r"^[a-zA-Z][-_a-zA-Z0-9]*$")
MAX_ATTRIBUTE_ID = 200
MAX_VALUE_LENGTH = 255


def attribute_value(value: Any) -> str:
    """A trait as an attribute value: strings as they are, anything else as compact JSON
    (``5`` -> ``"5"``, ``True`` -> ``"true"``, objects and arrays as JSON text), cut to
    :data:`MAX_VALUE_LENGTH` characters."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, (datetime, date)):
        text = facade.json_default(value)
    else:
        text = facade.dumps(value)
    return text[:MAX_VALUE_LENGTH]


def attribute_values(traits: Any, notes: list[str]) -> dict[str, str]:
    """Every trait except ``split`` as an attribute value.

    Args:
        traits: The message's raw ``traits``.
        notes: Receives one line for each trait left out because its name is not a valid
            attribute id.
    """
    if not isinstance(traits, dict):
        return {}
    values: dict[str, str] = {}
    for name, value in traits.items():
        if name == "split":
            continue
        if not isinstance(name, str) or not ATTRIBUTE_ID.match(name) \
                or len(name) > MAX_ATTRIBUTE_ID:
            notes.append(f"trait {facade.dumps(str(name))[:80]} left out: attribute ids must "
                         f"match {ATTRIBUTE_ID.pattern} and have at most {MAX_ATTRIBUTE_ID} "
                         f"characters")
            continue
        values[name] = attribute_value(value)
    return values
