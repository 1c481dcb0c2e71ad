"""A response read by the lean layer leaves no reference cycle behind.

httptools' parser holds the reader's callbacks and the reader holds the parser; left as it is,
that cycle made every response garbage that only the cyclic collector could free, which cost
the runner about 8 us per message in collections at 256 outstanding requests.
"""

from __future__ import annotations

import gc

import pytest

from framework.connection import ConnectionPool, Deadline
from framework.http1 import Reader
from framework.sink import Sink
from urllib3 import exceptions as u3

from raw_servers import RawServer, answers

QUICK = Deadline(connect=2, read=2, until=None)


@pytest.fixture()
def no_collector():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def readers_freed_only_by_the_collector() -> int:
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return sum(1 for obj in gc.garbage if isinstance(obj, Reader))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_responses_read_leave_no_cyclic_garbage(no_collector):
    with Sink() as sink:
        pool = ConnectionPool("http", "127.0.0.1", sink.port)
        for _ in range(20):
            response = pool.request("POST", "/hook", [("Content-Type", "application/json")],
                                    b"{}", QUICK)
            assert response.status == 200
        pool.close()
    assert readers_freed_only_by_the_collector() == 0


def test_a_malformed_response_leaves_no_cyclic_garbage_either(no_collector):
    with RawServer(answers(b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n")) as server:
        pool = ConnectionPool("http", "127.0.0.1", server.port)
        with pytest.raises(u3.ProtocolError):
            pool.request("GET", "/", [], None, QUICK)
        pool.close()
    assert readers_freed_only_by_the_collector() == 0
