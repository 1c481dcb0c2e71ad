"""LaunchDarkly-style manifests (``manifest.json``).

``parse_synced_segment`` lives in :mod:`framework.manifest.synced_segment`; it is resolved lazily
so that importing this package does not import ``jsonpointer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .synced_segment import parse_synced_segment

__all__ = ["parse_synced_segment"]


def __getattr__(name: str) -> Any:
    if name == "parse_synced_segment":
        from .synced_segment import parse_synced_segment

        return parse_synced_segment
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
