"""Session-wide fixtures: one throwaway redis-server for the tests that need Redis."""

from __future__ import annotations

import pytest
from framework.testing.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A redis-server on a free loopback port, persistence off, stopped by PID at the end."""
    server = RedisServer(str(tmp_path_factory.mktemp("redis"))).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    """A queue URL on the session's server, emptied (``FLUSHALL``) before the test."""
    client = redis_server.client()
    client.flushall()
    client.close()
    return redis_server.queue_url("test")
