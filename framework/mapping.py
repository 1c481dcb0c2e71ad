"""Settings that map event names to values (``.mapping('events')``)."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["to_no_case", "map_setting"]

_SEPARATORS = re.compile(r"[_\-.:]+")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


def to_no_case(value: Any) -> str:
    """Normalise a name as ``to-no-case`` did: a string with whitespace is only lower-cased;
    otherwise separators become spaces and camelCase is split, then lower-cased."""
    text = "" if value is None else str(value)
    if re.search(r"\s", text):
        return text.lower()
    if _SEPARATORS.search(text):
        return _SEPARATORS.sub(" ", text).strip().lower()
    return _CAMEL.sub(r"\1 \2", text).lower()


def map_setting(setting: Any, value: Any) -> list[Any]:
    """Every value of ``setting`` whose key matches ``value`` ignoring case and separators.

    Args:
        setting: ``{"My Event": "id"}`` or ``[{"key": ..., "value": ...}, ...]``; anything
            else maps nothing.
        value: The name to look up.
    """
    wanted = to_no_case(value)
    if isinstance(setting, dict):
        return [v for k, v in setting.items() if to_no_case(k) == wanted]
    if isinstance(setting, list):
        return [item.get("value") for item in setting
                if isinstance(item, dict) and "key" in item and to_no_case(item["key"]) == wanted]
    return []
