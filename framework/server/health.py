"""``GET /healthz`` (200 when the queue takes a write) and ``GET /metrics`` (Prometheus text)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from .deps import Deps
from .metrics import CONTENT_TYPE

__all__ = ["routes"]


def routes(deps: Deps) -> list[BaseRoute]:
    """The health and metrics routes."""

    def healthz(request: Request) -> Response:
        try:  # a real write transaction: the file is writable, the disk not full, not locked
            deps.queue.set_info("healthz", repr(deps.clock()))
            stats = deps.queue.stats()
        except Exception as exc:
            return JSONResponse({"status": "unavailable",
                                 "message": f"the queue cannot be written: "
                                            f"{type(exc).__name__}: {exc}"}, status_code=503)
        return JSONResponse({"status": "ok", "queue": {"pending": stats.pending,
                                                       "dead": stats.dead}})

    def metrics(request: Request) -> Response:
        gauges: dict[str, float] = {}
        try:
            stats = deps.queue.stats()
            gauges = {"framework_queue_depth": stats.pending,
                      "framework_queue_dead_letters": stats.dead}
        except Exception:  # the counters are still worth showing
            pass
        pool: Any = deps.extras.get("delivery")
        series = {"framework_deliveries_total": pool.outcomes()} if pool is not None else {}
        return PlainTextResponse(deps.metrics.render(gauges, series), media_type=CONTENT_TYPE)

    return [Route("/healthz", healthz, methods=["GET"], name="healthz"),
            Route("/metrics", metrics, methods=["GET"], name="metrics")]
