"""An integration's declarations as data: what :meth:`Integration.spec` returns.

The tester, the CLI (``framework list``, ``preview``), the docs and the server read this one
dictionary instead of the class's private attributes.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .declarations import MESSAGE_TYPES
from .events import PATTERNS

if TYPE_CHECKING:
    from .integration import Integration

__all__ = ["describe"]


def describe(cls: type[Integration]) -> dict[str, Any]:
    """The whole declaration of ``cls`` as data (JSON-ready, copied: changing it changes
    nothing on the class)."""
    batch = cls._batch
    mapper = cls._mapper
    return {
        "name": cls.name,
        "slug": cls.slug(),
        "endpoint": cls._endpoint,
        "channels": list(cls._channels),
        "validations": [v.describe() for v in cls._validations],
        "settings": [s.describe() for s in cls._settings],
        "settings_schema": copy.deepcopy(cls.typed_settings().schema),
        "settings_rules": [getattr(r, "__name__", repr(r)) for r in cls._settings_rules],
        "retries": cls._retries,
        "timeout": cls._timeout,
        "methods": cls.implemented(),
        "mapper": sorted(n for n in [*MESSAGE_TYPES, *PATTERNS]
                         if callable(getattr(mapper, n, None))) if mapper else [],
        "map_to_track": list(cls._map_to_track),
        "batch": None if batch is None else {
            "size": batch.size, "max_bytes": batch.max_bytes, "max_wait": batch.max_wait,
            "methods": list(batch.methods) if batch.methods is not None else None,
            "implemented": cls._defines("batch")},
        **_template_spec(cls),
    }


def _template_spec(cls: type[Integration]) -> dict[str, Any]:
    """The template delivery, custom properties and capabilities; nothing for a class that
    declares none of them."""
    if cls._templates is None and not cls._custom_properties and not cls._capabilities:
        return {}
    hmac_ = cls._hmac
    return {
        "delivery": None if cls._templates is None else {
            "method": cls._method or "POST",
            "templates": {n: t.filename for n, t in cls._templates.items()},
            "headers": [{"name": n, "value": v} for n, v in cls._headers],
            "hmac": None if hmac_ is None else {"header": hmac_.header,
                                                "secret_setting": hmac_.secret_setting},
            "policy": None if cls._policy is None else {
                "default": [dict(s) for s in cls._policy], "setting": cls._policy_setting},
            "error_body": cls._error_body},
        "custom_properties": [p.describe() for p in cls._custom_properties],
        "capabilities": dict(cls._capabilities),
    }
