"""Fixtures of the server tests: a checked config, a SQLite queue in tmp_path, a TestClient."""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from framework.runner import SQLiteQueue
from framework.server.app import create_app
from framework.server.config import parse_config

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


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def config(tmp_path):
    return parse_config(CONFIG, str(tmp_path / "serve.toml"), environ={})


@pytest.fixture
def queue(tmp_path):
    with SQLiteQueue(tmp_path / "queue.sqlite3") as q:
        yield q


@pytest.fixture
def client(config, queue, clock):
    with TestClient(create_app(config, queue, clock=clock)) as c:
        yield c


def jobs(queue, destination=None):
    """Every ready job's (destination, message), oldest first (reserving them)."""
    reserved = queue.reserve(10_000, now=2e9, destination=destination)
    return [(job.destination, job.message()) for job in reserved]
