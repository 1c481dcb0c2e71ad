"""``framework serve``: one ASGI server for every inbound surface, durable before it answers.

    from framework.server import create_app, load_config
    from framework.runner import SQLiteQueue

    config = load_config("serve.toml")
    with SQLiteQueue(".framework/serve-queue.sqlite3") as queue:
        app = create_app(config, queue, deliver=True)

Names resolve lazily (PEP 562), so importing ``framework.server.boot`` (the sink does) or the
config does not import Starlette.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .app import create_app
    from .boot import BackgroundServer, serve
    from .config import ServerConfig, load_config
    from .deps import Deps
    from .intake import enqueue

__all__ = ["create_app", "load_config", "ServerConfig", "Deps", "enqueue", "serve",
           "BackgroundServer"]

_WHERE = {"create_app": "app", "load_config": "config", "ServerConfig": "config",
          "Deps": "deps", "enqueue": "intake", "serve": "boot", "BackgroundServer": "boot"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
