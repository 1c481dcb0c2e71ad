"""Segment mapper: the message as the Tracking API takes it, with its type made canonical.

The mapper is pure; ``messageId`` (when missing) and ``sentAt`` are added at send time by
:meth:`integrations.segment.Segment.batch`.
"""

from __future__ import annotations

from typing import Any, Mapping

from facade import Facade

__all__ = ["identify", "track", "page", "screen", "group", "alias", "message"]


def message(msg: Facade, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The raw message (no facade conversions) with ``type`` set to its canonical name."""
    out = msg.raw_event()
    out["type"] = msg.type()
    out.pop("writeKey", None)
    return out


identify = track = page = screen = group = alias = message
