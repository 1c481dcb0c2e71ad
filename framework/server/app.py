"""The server's ASGI application: :func:`create_app` wires the surfaces around one queue.

Each inbound surface is a module listed in :data:`SURFACES` that exposes ``routes(deps) ->
list[BaseRoute]`` (and optionally ``lifespan(deps)``, a context manager entered when the app
starts and left when it stops, for resources such as a membership store). Handlers read the
:class:`~framework.server.deps.Deps` they are given, commit through
:func:`~framework.server.intake.enqueue`, and answer 2xx only after it returned.

Starlette is the routing layer: path parameters, method checks (405), a lifespan and a
middleware stack, in a small, well-kept library whose ``TestClient`` runs the app in-process;
hand-routing ASGI (as the sink does) would mean re-writing those for every surface.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import time
from typing import Any, AsyncIterator, Callable, Mapping, Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import UnavailableError
from ..runner.queue import Queue
from .config import ServerConfig
from .delivery import DeliveryPool
from .deps import Deps
from .intake import Intake
from .metrics import Metrics

__all__ = ["create_app", "SURFACES"]

log = logging.getLogger("framework.server")

#: The surface modules every app serves, in routing order.
SURFACES: tuple[str, ...] = (
    "framework.server.health",
    "framework.server.segment_api",
    "framework.server.hooks",
    "framework.server.synced_segments",
    "framework.server.triggers",
)


def create_app(config: ServerConfig, queue: Queue, *, clock: Callable[[], float] = time.time,
               deliver: bool = False, integrations: Mapping[str, type] | None = None,
               surfaces: Sequence[str] = SURFACES) -> Starlette:
    """The ASGI app serving ``config``'s surfaces on ``queue``.

    Args:
        config: A checked config (:func:`~framework.server.config.load_config`).
        queue: Where accepted messages are committed; the caller opens and closes it.
        clock: Epoch seconds now (``receivedAt``, dedupe, retries).
        deliver: Run delivery workers (one per destination) while the app runs, starting with
            what an earlier run left in the queue; ``False`` leaves delivery to other processes.
        integrations: Integration classes by slug (default: the installed ones the config
            names).
        surfaces: The surface modules to serve.

    Returns:
        A Starlette app; its lifespan starts and stops the delivery workers.
    """
    if integrations is None:
        from integrations import load
        integrations = {d.integration: load(d.integration)
                        for d in config.destinations().values()}
    deps = Deps(queue=queue, integrations=integrations, config=config, clock=clock,
                metrics=Metrics(),
                intake=Intake(config.server.max_queue_depth, config.server.retry_after))
    modules = [importlib.import_module(name) for name in surfaces]
    routes = [route for module in modules for route in module.routes(deps)]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        with contextlib.ExitStack() as stack:
            for module in modules:
                if hasattr(module, "lifespan"):
                    stack.enter_context(module.lifespan(deps))
            pool = None
            if deliver:
                # Surfaces may deliver to destinations of their own (the triggers' ones, kept
                # in their database): their lifespans put them in extras["destinations"].
                destinations = {**config.destinations(), **deps.extras.get("destinations", {})}
                pool = DeliveryPool(destinations, _with_classes(integrations, destinations),
                                    queue, config.server, clock)
                deps.extras["delivery"] = pool
                deps.intake.listen(pool.wake)
                recovered = pool.start()
                if recovered:
                    log.info("handing out again %d jobs an earlier run left in flight",
                             recovered)
            try:
                yield
            finally:
                if pool is not None:
                    pool.stop(config.server.shutdown_timeout)

    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(RequestMetrics, metrics=deps.metrics)],
                    exception_handlers={UnavailableError: _unavailable, Exception: _internal})
    app.state.deps = deps
    return app


def _with_classes(integrations: Mapping[str, type],
                  destinations: Mapping[str, Any]) -> dict[str, type]:
    """``integrations`` plus the installed classes of destinations it does not have."""
    classes = dict(integrations)
    for destination in destinations.values():
        if destination.integration not in classes:
            from integrations import load
            classes[destination.integration] = load(destination.integration)
    return classes


async def _unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UnavailableError)
    retry_after = max(1, round(exc.retry_after or 1))
    return JSONResponse({"success": False, **exc.to_dict()}, status_code=503,
                        headers={"Retry-After": str(retry_after)})


async def _internal(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"success": False, "code": "INTERNAL_ERROR",
                         "message": "internal server error; nothing was committed"},
                        status_code=500)


class RequestMetrics:
    """ASGI middleware counting answered requests by route template and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route: Any = scope.get("route")
            self.metrics.inc("framework_http_requests_total",
                             route=getattr(route, "path", "unmatched"), status=str(status))
