"""The server's counters, and their Prometheus text exposition (``GET /metrics``).

Counters live in memory (they start at zero with each process, as Prometheus expects of a
counter); the queue depth and dead letters are read from the queue when scraped.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Iterable, Mapping

__all__ = ["Metrics", "CONTENT_TYPE"]

#: The exposition format's media type.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_HELP = {
    "framework_http_requests_total": ("counter", "HTTP requests answered, by route and status."),
    "framework_messages_accepted_total": ("counter",
                                          "Messages committed to the queue, by source."),
    "framework_messages_duplicate_total": (
        "counter", "Messages acknowledged without queueing: their messageId was already "
                   "accepted from the source within the dedupe window."),
    "framework_jobs_queued_total": ("counter", "Jobs queued (one per message per destination)."),
    "framework_deliveries_total": ("counter",
                                   "Finished jobs by destination and outcome (delivered, "
                                   "skipped, retry, dead)."),
    "framework_queue_depth": ("gauge", "Jobs pending in the queue (ready or in flight)."),
    "framework_queue_dead_letters": ("gauge", "Dead letters kept in the queue."),
}


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Metrics:
    """Thread-safe labelled counters.

    Example::

        metrics.inc("framework_http_requests_total", route="/v1/track", status="200")
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, dict[tuple[tuple[str, str], ...], float]] = defaultdict(dict)

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        """Add ``amount`` to the counter ``name`` with ``labels``."""
        key = tuple(sorted(labels.items()))
        with self._lock:
            series = self._counters[name]
            series[key] = series.get(key, 0) + amount

    def value(self, name: str, **labels: str) -> float:
        """The counter's current value (0 when never incremented)."""
        with self._lock:
            return self._counters.get(name, {}).get(tuple(sorted(labels.items())), 0)

    def render(self, gauges: Mapping[str, float] | None = None,
               series: Mapping[str, Mapping[tuple[tuple[str, str], ...], float]] | None = None
               ) -> str:
        """Every counter, plus ``series`` (labelled values kept elsewhere) and ``gauges``, in
        the Prometheus text format."""
        with self._lock:
            snapshot = {name: dict(series) for name, series in self._counters.items()}
        for name, values in (series or {}).items():
            snapshot.setdefault(name, {}).update(values)
        lines: list[str] = []
        names: Iterable[str] = sorted(set(snapshot) | set(gauges or {}) | set(_HELP))
        for name in names:
            kind, text = _HELP.get(name, ("untyped", name))
            values = snapshot.get(name, {})
            if gauges and name in gauges:
                values = {(): gauges[name]}
            if not values and kind == "gauge":
                continue
            lines.append(f"# HELP {name} {text}")
            lines.append(f"# TYPE {name} {kind}")
            for labels, value in sorted(values.items()):
                label_text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
                number = int(value) if float(value).is_integer() else value
                lines.append(f"{name}{{{label_text}}} {number}" if label_text
                             else f"{name} {number}")
        return "\n".join(lines) + "\n"
