"""Fixtures of the server tests: a checked config, a SQLite queue in tmp_path, a TestClient."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from framework.runner import SQLiteQueue
from framework.server.app import create_app
from framework.server.config import parse_config

from server_helpers import CONFIG, Clock


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
