"""Helpers of the server tests: the test config, a settable clock, auth headers, queued jobs."""

from __future__ import annotations

import base64


CONFIG = """
[server]
max_queue_depth = 1000
retry_after = 7

[[sources]]
name = "web"
write_key = "wk-web"
[[sources.destinations]]
integration = "webhooks"
settings = { hooks = ["http://127.0.0.1:9/hook"] }
[[sources.destinations]]
name = "web-fme"
integration = "harness-fme"
settings = { apiKey = "sdk-key", environment = "Production" }

[[sources]]
name = "app"
write_key = "wk-app"
[[sources.destinations]]
integration = "webhooks"
settings = { hooks = ["http://127.0.0.1:9/app"] }

[[hooks]]
name = "segment-to-fme"
secret = "fme-secret"
[[hooks.destinations]]
integration = "harness-fme"
settings = { apiKey = "sdk-key", environment = "Production" }

[[hooks]]
name = "signed"
secret = "s2"
shared_secret = "signing-secret"
[[hooks.destinations]]
integration = "webhooks"
settings = { hooks = ["http://127.0.0.1:9/signed"] }
"""


class Clock:
    """A settable clock (epoch seconds)."""

    def __init__(self, now: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = now

    def __call__(self) -> float:
        return self.now


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def jobs(queue, destination=None):
    """Every ready job's (destination, message), oldest first (reserving them)."""
    reserved = queue.reserve(10_000, now=2e9, destination=destination)
    return [(job.destination, job.message()) for job in reserved]
