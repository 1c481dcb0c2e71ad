"""The message model: Segment-spec messages wrapped in typed accessors.

``create(message)`` picks the class from ``message["type"]`` (case-insensitive; the
original's ``action`` field is the fallback). Unknown, missing or non-string types
give a plain :class:`Facade`. ``create(None)`` wraps an empty message; any other
non-mapping raises ``TypeError``. Wrapping never copies or mutates the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Dict, Optional, Type

from .alias import Alias, Delete
from .base import Facade
from .dates import format_iso, is_iso, iso_value, parse_iso, parse_timestamp, to_millis
from .encoding import dumpb, dumps, json_default
from .group import Group
from .identify import Identify
from .objcase import find, normalize
from .page import Page, Screen
from .track import Track, currency
from .values import export, is_email, truthy

__all__ = [
    "create", "Facade", "Identify", "Track", "Page", "Screen", "Group", "Alias", "Delete",
    "dumps", "dumpb", "json_default", "parse_timestamp", "parse_iso", "is_iso", "iso_value",
    "to_millis", "format_iso", "is_email", "currency", "find", "normalize", "export",
    "truthy", "TYPES",
]

#: Message type -> facade class.
TYPES: Dict[str, Type[Facade]] = {
    "identify": Identify, "track": Track, "page": Page, "screen": Screen,
    "group": Group, "alias": Alias, "delete": Delete,
}


def create(message: Optional[Mapping[str, Any]]) -> Facade:
    """Wrap a message in the facade class for its type.

    Args:
        message: A Segment message (dict). None is an empty message.

    Returns:
        An Identify, Track, Page, Screen, Group, Alias or Delete; a Facade for an
        unknown, missing or non-string type.

    Raises:
        TypeError: When ``message`` is neither a mapping nor None.
    """
    kind: Any = None
    if type(message) is dict or isinstance(message, Mapping):
        kind = message.get("type") or message.get("action")
    cls: Optional[Type[Facade]] = None
    if type(kind) is str:
        cls = TYPES.get(kind) or TYPES.get(kind.lower())
    return (cls or Facade)(message)
