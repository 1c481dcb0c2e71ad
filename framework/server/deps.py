"""What every surface's handlers read: :class:`Deps`, built once by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..runner.queue import Queue
from .config import ServerConfig
from .intake import Intake
from .metrics import Metrics

__all__ = ["Deps"]


@dataclass(frozen=True)
class Deps:
    """The server's shared state, handed to each surface's ``routes(deps)``.

    Handlers read it (never module globals), so two apps in one process never share anything.

    Attributes:
        queue: Where accepted messages are committed (through :func:`~framework.server.intake.
            enqueue` only).
        integrations: Installed integration classes by slug.
        config: The checked configuration.
        clock: Epoch seconds now (injected in tests).
        metrics: The counters ``GET /metrics`` shows.
        intake: Backpressure state and the workers' wake-up, used by ``enqueue``.
        extras: What a surface wants to keep for the app's life (e.g. a membership store),
            by surface name; filled before the app starts serving.
    """

    queue: Queue
    integrations: Mapping[str, type]
    config: ServerConfig
    clock: Callable[[], float]
    metrics: Metrics = field(default_factory=Metrics)
    intake: Intake = field(default_factory=Intake)
    extras: dict[str, Any] = field(default_factory=dict)
