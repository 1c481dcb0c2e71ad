"""How reserved jobs are grouped into the units a worker delivers at once."""

from __future__ import annotations

from typing import Any, Mapping

from .queue import Job

__all__ = ["units_of"]

#: Jobs per unit for integrations without ``batch()``: enough that a unit is not one queue
#: hand-off per message, few enough that the workers share the work.
MAX_UNIT = 16


def units_of(jobs: list[Job], concurrency: int,
             batch: Mapping[str, Any] | None) -> list[list[Job]]:
    """Split ``jobs`` into units.

    Args:
        jobs: The reserved jobs, in order.
        concurrency: The number of workers.
        batch: The integration's ``spec()["batch"]`` when it implements ``batch()``, else None.

    Returns:
        Per-message integrations: an equal share of ``jobs`` per worker (at most
        :data:`MAX_UNIT`). Batching ones: up to ``size`` jobs and ``max_bytes`` of message JSON
        per unit.
    """
    if not batch:
        step = max(1, min(MAX_UNIT, len(jobs) // concurrency))
        return [jobs[i:i + step] for i in range(0, len(jobs), step)]
    size, max_bytes = batch["size"], batch.get("max_bytes")
    units: list[list[Job]] = [[]]
    used = 0
    for job in jobs:
        n = len(job.body.encode("utf-8")) if max_bytes else 0
        unit = units[-1]
        if unit and (len(unit) >= size or (max_bytes and used + n > max_bytes)):
            units.append([])
            used = 0
        units[-1].append(job)
        used += n
    return units
