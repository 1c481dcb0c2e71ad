"""Secret values anywhere in settings, for the checks and commands that must never show them."""

from __future__ import annotations

from typing import Any

from .. import errors

__all__ = ["deep_secret_values"]


def deep_secret_values(settings: Any) -> list[str]:
    """The values of secret-looking keys at any depth of ``settings`` (``apiKey``,
    ``headers.Authorization``...), longest first; see :func:`framework.errors.is_secret_key`."""
    found: set[str] = set()
    _collect(settings, found)
    return sorted(found, key=len, reverse=True)


def _collect(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        found.update(errors.secret_values(value))
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)
