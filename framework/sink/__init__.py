"""A request bin for demos, tests and benchmarks (``framework sink``).

``Sink`` runs it on uvicorn in a background thread; ``SinkApp`` is the ASGI app; ``Recorder``
holds what it received. ``Sink`` is imported lazily, so loading the ``framework`` command does
not load the server library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .app import SinkApp
from .recorder import Recorder, message_ids

if TYPE_CHECKING:  # pragma: no cover
    from .server import Sink

__all__ = ["Sink", "SinkApp", "Recorder", "message_ids"]


def __getattr__(name: str) -> Any:
    if name == "Sink":
        from .server import Sink
        return Sink
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
