"""Segment destination settings: their declarations, the regional endpoints, the defaults.

:data:`DECLARATIONS` describes each setting once;
:func:`~framework.settings_declarations.declare_all` puts them on the class with ``.setting()``,
so the schema checks them all (and names every problem) before anything is sent.
"""

from __future__ import annotations

from typing import Any, Mapping

from framework.settings_declarations import defaults_of

__all__ = ["NAME", "REGIONS", "DECLARATIONS", "DEFAULTS", "with_defaults",
           "base_url"]

NAME = "Segment"

#: The Tracking API host of each region (EU workspaces must use the EU host: events posted
#: to api.segment.io are accepted there but never show up).
REGIONS: dict[str, str] = {
    "us": "https://api.segment.io",
    "eu": "https://events.eu1.segmentapis.com",
}

#: Every setting: ``key -> .setting() options``.
DECLARATIONS: dict[str, dict[str, Any]] = {
    "writeKey": dict(required=True, secret=True, name="Write key",
                     description="The write key of a Segment HTTP API source."),
    "region": dict(type="enum", allowed=list(REGIONS), default="us", name="Region",
                   description=", ".join(f"{region} -> {host}"
                                         for region, host in REGIONS.items()) + "."),
    "endpoint": dict(type="uri", name="Endpoint",
                     description="An http(s) base URL that replaces the region's host (tests, "
                                 "proxies)."),
}

#: The default of every optional setting (``None`` for none).
DEFAULTS: dict[str, Any] = defaults_of(DECLARATIONS)


def with_defaults(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings with every default applied (absent or ``None`` takes the default)."""
    merged = dict(DEFAULTS)
    merged.update({k: v for k, v in (settings or {}).items() if v is not None})
    return merged


def base_url(settings: Mapping[str, Any] | None) -> str:
    """Where requests go: the ``endpoint`` override when set, else the region's host."""
    values = with_defaults(settings)
    return str(values["endpoint"] or REGIONS[values["region"]]).rstrip("/")
