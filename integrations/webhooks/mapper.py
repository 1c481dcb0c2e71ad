"""Webhooks sends every message as the Segment spec has it: the facade's JSON."""

from __future__ import annotations

from typing import Any, Mapping

from facade import Facade

__all__ = ["identify", "track", "page", "screen", "group", "alias", "delete"]


def _message(msg: Facade, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The whole message, with ``type`` and a parsed ``timestamp``."""
    return msg.json()


identify = track = page = screen = group = alias = delete = _message
