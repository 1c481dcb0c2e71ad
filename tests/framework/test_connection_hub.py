"""The lean connection layer under a cooperative hub: many requests in one thread.

``test_connection.py`` runs every single-request case in a hub worker too; here are the
cases only a hub has: requests in flight at once, a worker that waits (to connect, to write,
to read) while the others go on, and connections shared by hub workers and plain threads.
Nothing asserts a duration: the servers wait for an event that only another worker can set,
so a wait that blocked the hub's thread would show as the wrong order of events.
"""

from __future__ import annotations

import threading
import time

import pytest
from urllib3 import exceptions as u3

from framework import cooperative
from framework.connection import ConnectionPool, Deadline
from framework.cooperative import Hub
from framework.sink import Sink

from raw_servers import RawServer, full_backlog, ok, read_request

PATIENCE = 10.0
QUICK = Deadline(connect=5, read=PATIENCE)
#: For a read that would block the hub's thread if the socket were not non-blocking: fail
#: soon rather than wait PATIENCE.
SHORT = Deadline(connect=5, read=2)


def request(pool: ConnectionPool, body: bytes | None = None, deadline: Deadline = QUICK):
    return pool.request("POST" if body else "GET", "/", [], body, deadline)


def answer_when(go: threading.Event):
    """A handler that reads each request and answers only once ``go`` is set."""
    def handle(server: RawServer, conn) -> None:
        while server.record(conn):
            go.wait(PATIENCE)
            conn.sendall(ok(b"late"))
    return handle


class InTwoParts:
    """A handler that sends the head of each answer at once, and its body only once ``go`` is
    set: a client past the head reads again before anything more can come."""

    def __init__(self) -> None:
        self.head_sent = threading.Event()
        self.go = threading.Event()

    def __call__(self, server: RawServer, conn) -> None:
        while server.record(conn):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n")
            self.head_sent.set()
            self.go.wait(PATIENCE)
            conn.sendall(b"late")

    def release_later(self, events: list[str]):
        """A worker that lets the body go once the head is out and its reader reads again."""
        def work() -> None:
            until = time.monotonic() + PATIENCE
            while not self.head_sent.is_set() and time.monotonic() < until:
                cooperative.sleep(0.001)
            cooperative.sleep(0.02)  # the reader has the head and waits for the body now
            events.append("other worker runs")
            self.go.set()
        return work


def test_fifty_workers_have_fifty_requests_in_flight_at_once():
    arrived = threading.Barrier(50, timeout=PATIENCE)  # every request is in before any answer

    def together(server: RawServer, conn) -> None:
        while read_request(conn):
            arrived.wait()
            conn.sendall(ok(b"together"))

    with RawServer(together, backlog=64) as server:
        pool = ConnectionPool("http", "127.0.0.1", server.port, maxsize=50)
        bodies: list[bytes] = []

        def worker() -> None:
            bodies.append(request(pool).body)

        Hub().run([worker] * 50)
        assert bodies == [b"together"] * 50 and server.connections == 50
        Hub().run([worker] * 50)  # a second round reuses the fifty idle connections
        assert len(bodies) == 100 and server.connections == 50
        assert not arrived.broken
        pool.close()


def test_fifty_workers_share_a_pool_against_uvicorn():
    with Sink() as sink:
        pool = ConnectionPool("http", "127.0.0.1", sink.port, maxsize=50)
        statuses: list[int] = []

        def worker(n: int):
            def work() -> None:
                for attempt in range(2):
                    body = b'{"messageId": "m%d-%d"}' % (n, attempt)
                    statuses.append(request(pool, body).status)
            return work

        Hub().run([worker(n) for n in range(50)])
        assert statuses == [200] * 100
        assert sink.stats()["accepted_unique_message_ids"] == 100
        assert 1 <= len(pool._idle) <= 50
        pool.close()


def test_a_worker_waiting_for_an_answer_lets_the_others_run():
    server_side = InTwoParts()
    events: list[str] = []
    with RawServer(server_side) as server:
        pool = ConnectionPool("http", "127.0.0.1", server.port)

        def waits_for_answer() -> None:
            events.append("request sent")
            events.append(f"answer {request(pool, deadline=SHORT).body.decode()}")

        Hub().run([waits_for_answer, server_side.release_later(events)])
    assert events == ["request sent", "other worker runs", "answer late"]


def test_a_worker_waiting_for_room_to_write_lets_the_others_run():
    go = threading.Event()
    events: list[str] = []
    body = b"x" * (16 << 20)  # more than the socket buffers hold: the send must wait

    def reads_when_told(server: RawServer, conn) -> None:
        go.wait(PATIENCE)
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        received = len(data.partition(b"\r\n\r\n")[2])
        buffer = bytearray(1 << 20)
        while received < len(body):
            got = conn.recv_into(buffer)
            if not got:
                break
            received += got
        conn.sendall(ok(b"%d" % received))

    with RawServer(reads_when_told) as server:
        pool = ConnectionPool("http", "127.0.0.1", server.port)

        def uploads() -> None:
            events.append("upload starts")
            events.append(f"server read {request(pool, body).body.decode()} bytes")

        def releases_it() -> None:
            until = time.monotonic() + PATIENCE
            while not server.connections and time.monotonic() < until:
                cooperative.sleep(0.001)  # past the connect, the uploader can only wait...
            cooperative.sleep(0.02)  # ...for room to write: only then does this run again
            events.append("other worker runs")
            go.set()

        Hub().run([uploads, releases_it])
    assert events == ["upload starts", "other worker runs", f"server read {len(body)} bytes"]


def test_a_worker_waiting_to_connect_lets_the_others_run_then_times_out():
    events: list[str] = []
    with full_backlog() as port:
        pool = ConnectionPool("http", "127.0.0.1", port)

        def connects() -> None:
            events.append("connecting")
            with pytest.raises(u3.MaxRetryError) as caught:
                request(pool, deadline=Deadline(connect=0.2, read=1))
            assert isinstance(caught.value.reason, u3.ConnectTimeoutError)
            events.append("timed out")

        def other() -> None:
            events.append("other worker runs")

        Hub().run([connects, other])
    assert events == ["connecting", "other worker runs", "timed out"]


def test_a_connection_opened_by_a_thread_is_reused_by_a_worker_without_blocking_the_hub():
    server_side = InTwoParts()
    server_side.go.set()
    events: list[str] = []
    with RawServer(server_side) as server:
        pool = ConnectionPool("http", "127.0.0.1", server.port)
        assert request(pool).body == b"late"  # from this thread: a blocking socket
        server_side.go.clear()
        server_side.head_sent.clear()

        def reuses() -> None:
            events.append("request sent")
            events.append(f"answer {request(pool, deadline=SHORT).body.decode()}")

        Hub().run([reuses, server_side.release_later(events)])
        assert server.connections == 1
    assert events == ["request sent", "other worker runs", "answer late"]


def test_a_connection_last_used_by_a_worker_blocks_again_in_a_plain_thread():
    def one_answer_then_silence(server: RawServer, conn) -> None:
        server.record(conn)
        conn.sendall(ok(b"first"))
        server.record(conn)
        threading.Event().wait(2)  # the second request is never answered

    with RawServer(one_answer_then_silence) as server:
        pool = ConnectionPool("http", "127.0.0.1", server.port)
        first: list[bytes] = []
        Hub().run([lambda: first.append(request(pool).body)])
        assert first == [b"first"]
        # a socket left non-blocking would fail at once with BlockingIOError (a protocol error)
        with pytest.raises(u3.ReadTimeoutError):
            request(pool, deadline=Deadline(connect=1, read=0.2))
        assert server.connections == 1


def test_the_deadline_of_each_worker_cuts_only_its_own_request():
    go = threading.Event()
    outcomes: dict[str, str] = {}
    with RawServer(answer_when(go), backlog=4) as server:
        pool = ConnectionPool("http", "127.0.0.1", server.port)

        def attempt(name: str, deadline: Deadline):
            def work() -> None:
                try:
                    outcomes[name] = request(pool, deadline=deadline).body.decode()
                except u3.ReadTimeoutError:
                    outcomes[name] = "timed out"
                    go.set()  # only now may the server answer the patient one
            return work

        Hub().run([attempt("patient", QUICK),
                   attempt("hasty", Deadline(connect=5, read=5,
                                             until=time.monotonic() + 0.1))])
    assert outcomes == {"hasty": "timed out", "patient": "late"}
