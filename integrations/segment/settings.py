"""Segment destination settings: defaults, the regional endpoints, and their validation."""

from __future__ import annotations

import re
from typing import Any, Mapping

from framework import errors

__all__ = ["NAME", "REGIONS", "DEFAULTS", "with_defaults", "base_url", "check_settings"]

NAME = "Segment"

#: The Tracking API host of each region (EU workspaces must use the EU host: events posted
#: to api.segment.io are accepted there but never show up).
REGIONS: dict[str, str] = {
    "us": "https://api.segment.io",
    "eu": "https://events.eu1.segmentapis.com",
}

DEFAULTS: dict[str, Any] = {"region": "us", "endpoint": None}

_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)


def with_defaults(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings with every default applied (absent or ``None`` takes the default)."""
    merged = dict(DEFAULTS)
    merged.update({k: v for k, v in (settings or {}).items() if v is not None})
    return merged


def base_url(settings: Mapping[str, Any] | None) -> str:
    """Where requests go: the ``endpoint`` override when set, else the region's host."""
    values = with_defaults(settings)
    return (values["endpoint"] or REGIONS[values["region"]]).rstrip("/")


def check_settings(msg: Any, settings: Mapping[str, Any]) -> errors.ValidationError | None:
    """``writeKey`` a string, ``region`` a known region, ``endpoint`` an http(s) URL."""
    values = with_defaults(settings)
    if not isinstance(values.get("writeKey"), str):
        return errors.ValidationError('setting "writeKey" must be a string (the write key of '
                                      'a Segment HTTP API source)', integration=NAME)
    if values["region"] not in REGIONS:
        return errors.ValidationError(
            'setting "region" must be one of %s, got %r'
            % (", ".join(f'"{r}"' for r in REGIONS), values["region"]), integration=NAME)
    endpoint = values["endpoint"]
    if endpoint is not None and (not isinstance(endpoint, str) or not _URL.match(endpoint)):
        return errors.ValidationError(f'setting "endpoint" must be an http(s) URL, got '
                                      f'{endpoint!r}', integration=NAME)
    return None
