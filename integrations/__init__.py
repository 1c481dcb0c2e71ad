"""Installed integrations, found through the ``framework.integrations`` entry-point group.

    from integrations import load
    Webhooks = load('webhooks')
    Webhooks({'hooks': ['https://example.test/hook']}).process({'type': 'track', ...})

Third-party packages register their integrations under the same group and are found the same way.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

__all__ = ["GROUP", "available", "load"]

GROUP = "framework.integrations"


def available() -> dict[str, EntryPoint]:
    """Every installed integration's entry point, by slug."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def load(slug: str) -> type:
    """The integration class registered under ``slug``.

    Raises:
        LookupError: No integration is installed under that slug (the message lists those that
            are).
    """
    found = available()
    if slug not in found:
        known = ", ".join(sorted(found)) or "none"
        raise LookupError(f"no integration installed under the slug {slug!r} (installed: {known})")
    loaded: type = found[slug].load()
    return loaded
