"""The records the builder's declarations store, and the values they parse.

:class:`Validation` (one ``ensure`` rule) and :class:`BatchPolicy` (a ``.batch(...)``
declaration) are what :class:`framework.builder.Builder` keeps on a class and what ``spec()``
describes; :func:`parse_duration` reads the ``'3s'`` durations declarations accept, and
:func:`slugify` makes an integration's slug from its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["slugify", "parse_duration", "Validation", "BatchPolicy", "DEFAULT_TIMEOUT",
           "MESSAGE_TYPES"]

DEFAULT_TIMEOUT = 10.0
MESSAGE_TYPES = ("identify", "track", "page", "screen", "group", "alias", "delete")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def slugify(name: str) -> str:
    """The original's slug: lower-case, whitespace runs to ``-``, then only ``[a-z0-9-]``.

    ``'My Test.IO'`` gives ``'my-testio'``.
    """
    slug = re.sub(r"\s+", "-", str(name).lower().strip())
    return re.sub(r"[^a-z0-9-]", "", slug)


def parse_duration(value: float | int | str) -> float:
    """Seconds from a number of seconds or a string such as ``'3s'``, ``'500ms'``, ``'1m'``."""
    if isinstance(value, bool):
        raise ValueError(
            f"duration must be a number of seconds or a string like '3s', got {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(
                f"duration must be a number of seconds or a string like '3s', got {value!r}")
        seconds = float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"duration must be positive, got {value!r}")
    return seconds


@dataclass(frozen=True)
class Validation:
    """One ``ensure`` rule.

    Attributes:
        kind: ``'settings'``, ``'message'`` or ``'function'``.
        path: The path after the kind (``'apiKey'``, ``'context.ip'``); the function's name for
            function rules.
        methods: The message types the rule applies to, or ``None`` for all.
        fn: The function of a function rule.
    """

    kind: str
    path: str
    methods: tuple[str, ...] | None = None
    fn: Callable[..., Any] | None = field(default=None, compare=False)

    def applies_to(self, message_type: str | None) -> bool:
        """Whether the rule runs for a message of this type."""
        return self.methods is None or message_type in self.methods

    def describe(self) -> dict[str, Any]:
        """The rule as data, for ``spec()``."""
        return {"type": self.kind, "path": self.path,
                "methods": list(self.methods) if self.methods is not None else None}


@dataclass(frozen=True)
class BatchPolicy:
    """How the runner groups messages for an integration's ``batch()``.

    Attributes:
        size: At most this many items per call.
        max_bytes: At most this many bytes of message JSON per call, if set.
        max_wait: Seconds the runner may wait to fill a batch.
        methods: The routed methods that go through ``batch()``; ``None`` means all.
    """

    size: int = 100
    max_bytes: int | None = None
    max_wait: float = 1.0
    methods: tuple[str, ...] | None = None
